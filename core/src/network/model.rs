//! The data shapes of the hierarchy: nodes, chapters, their kinds and statuses.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{NodeId, Slug, Tag};
use crate::territory::Territory;

/// What a chapter is organized around.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// A hub tied to a place (a county, a constituency, a town).
    Local,
    /// Organized around a cause; has no territory.
    Issue,
    /// Focused on one campaign, with an end date; at the end it is dissolved
    /// or converted to a local or issue group.
    Campaign,
}

impl GroupKind {
    /// The snake_case name (`"local"`).
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::Local => "local",
            GroupKind::Issue => "issue",
            GroupKind::Campaign => "campaign",
        }
    }
}

/// Where a chapter is in its lifecycle.
///
/// ```text
/// Applied ──approve──▶ Active ──archive──▶ Archived
///    │                   ▲                    │
///    └──reject──▶ Rejected └──────restore─────┘
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChapterStatus {
    /// In the moderation queue.
    Applied,
    /// Approved and running.
    Active,
    /// The application was turned down (final).
    Rejected,
    /// No longer running; history kept; reversible with `restore`.
    Archived,
}

impl ChapterStatus {
    /// The snake_case name (`"active"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChapterStatus::Applied => "applied",
            ChapterStatus::Active => "active",
            ChapterStatus::Rejected => "rejected",
            ChapterStatus::Archived => "archived",
        }
    }
}

/// Who may see a chapter in public listings and lookups.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Listed on the website and returned by lookups.
    #[default]
    Public,
    /// Reachable by a direct link, not listed or returned by lookups.
    Unlisted,
    /// Visible to its members and staff only.
    Hidden,
}

impl Visibility {
    /// The snake_case name (`"public"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Hidden => "hidden",
        }
    }
}

/// The three levels of the hierarchy, without their data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeLevel {
    /// The single root.
    Organization,
    /// A grouping of chapters (any depth).
    Region,
    /// A volunteer-led group.
    Chapter,
}

impl NodeLevel {
    /// The snake_case name (`"region"`).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeLevel::Organization => "organization",
            NodeLevel::Region => "region",
            NodeLevel::Chapter => "chapter",
        }
    }
}

/// What a campaign group becomes when its campaign ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conversion {
    /// The group is archived; its history is kept.
    Dissolve,
    /// The group becomes a local hub (keeps its territory, if any).
    Local,
    /// The group becomes an issue group (must have no territory).
    Issue,
}

/// The chapter-specific part of a node.
#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    /// Local, issue or campaign group.
    pub group_kind: GroupKind,
    /// Lifecycle status.
    pub status: ChapterStatus,
    /// Public, unlisted or hidden.
    pub visibility: Visibility,
    /// The staff support cohort the chapter belongs to.
    pub cohort: Option<String>,
    /// The area the chapter covers (local and campaign groups).
    pub territory: Option<Territory>,
    /// When the campaign ends (campaign groups only).
    pub campaign_end: Option<DateTime<Utc>>,
    /// Why the chapter was last rejected or archived.
    pub status_reason: Option<String>,
    /// A public description for the chapter's card.
    pub description: Option<String>,
    /// Where a visitor goes to join.
    pub join_url: Option<String>,
}

/// One node of the hierarchy: the organization, a region or a chapter.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The host's id for the node.
    pub id: NodeId,
    /// The parent's id (`None` only for the organization).
    pub parent: Option<NodeId>,
    /// Display name.
    pub name: String,
    /// URL slug, unique across the network.
    pub slug: Slug,
    /// Cross-cutting tags (sorted, no duplicates).
    pub tags: Vec<Tag>,
    /// When the node was created.
    pub created: DateTime<Utc>,
    /// When the node last changed.
    pub updated: DateTime<Utc>,
    /// Level-specific data.
    pub body: NodeBody,
}

/// Level-specific data of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeBody {
    /// The root.
    Organization,
    /// A region.
    Region,
    /// A chapter, with its lifecycle and territory.
    Chapter(Chapter),
}

impl Node {
    /// The node's level.
    pub fn level(&self) -> NodeLevel {
        match self.body {
            NodeBody::Organization => NodeLevel::Organization,
            NodeBody::Region => NodeLevel::Region,
            NodeBody::Chapter(_) => NodeLevel::Chapter,
        }
    }

    /// The chapter data, if the node is a chapter.
    pub fn chapter(&self) -> Option<&Chapter> {
        match &self.body {
            NodeBody::Chapter(c) => Some(c),
            _ => None,
        }
    }

    /// True when the node is a chapter with status `Active`.
    /// The organization and regions count as active.
    pub fn is_active(&self) -> bool {
        self.chapter()
            .is_none_or(|c| c.status == ChapterStatus::Active)
    }

    /// True when the node carries `tag`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.binary_search_by(|t| t.as_str().cmp(tag)).is_ok()
    }
}
