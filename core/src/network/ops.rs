//! Every mutation of a network, as data: [`Op`], applied by [`Network::apply`],
//! recorded as a [`Change`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Chapter, ChapterStatus, Conversion, GroupKind, Network, NetworkError, Node, NodeBody,
    NodeLevel, Visibility,
};
use crate::access::{GrantId, GrantSpec, PersonSpec, Policy, Scope};
use crate::error::Error;
use crate::id::{NodeId, PersonId, Slug, Tag};
use crate::territory::Territory;

pub(crate) const MAX_NAME: usize = 200;
pub(crate) const MAX_TEXT: usize = 5000;

/// Who performs a mutation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The host application itself (imports, migrations, scheduled jobs):
    /// trusted, not checked against the policy.
    Host,
    /// A person, whose grants must allow the operation.
    Person(PersonId),
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Host => f.write_str("host"),
            Actor::Person(p) => write!(f, "person {p}"),
        }
    }
}

/// A new region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    /// The new region's id.
    pub id: NodeId,
    /// The organization or region it sits under.
    pub parent: NodeId,
    /// Display name.
    pub name: String,
    /// URL slug, unique in the network.
    pub slug: Slug,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// An application for a new chapter; it enters the moderation queue as `Applied`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChapterApplication {
    /// The new chapter's id.
    pub id: NodeId,
    /// The organization or region it sits under.
    pub parent: NodeId,
    /// Display name.
    pub name: String,
    /// URL slug, unique in the network.
    pub slug: Slug,
    /// Local, issue or campaign group.
    pub group_kind: GroupKind,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// Staff support cohort.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
    /// Listing visibility (default public).
    #[serde(default)]
    pub visibility: Visibility,
    /// Territory (local and campaign groups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<Territory>,
    /// Campaign end (required for campaign groups, refused for others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_end: Option<DateTime<Utc>>,
    /// Public description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where to join.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_url: Option<String>,
}

/// A partial profile update: only the fields given change. For the optional
/// text fields, `null` clears and absence keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    /// The node to update.
    pub id: NodeId,
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<Slug>,
    /// Replacement tag set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// New visibility (chapters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    /// New cohort (chapters); `null` clears.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub cohort: Option<Option<String>>,
    /// New description (chapters); `null` clears.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub description: Option<Option<String>>,
    /// New join link (chapters); `null` clears.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub join_url: Option<Option<String>>,
    /// New campaign end (campaign groups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_end: Option<DateTime<Utc>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Option<String>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

/// Every mutation of a network. Serialized with an `"op"` tag:
/// `{"op": "approve", "id": "ch-12"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Op {
    /// Add a region under the organization or another region.
    AddRegion(RegionSpec),
    /// Apply for a new chapter (status `Applied`).
    ApplyChapter(ChapterApplication),
    /// Approve an application: `Applied → Active`.
    Approve {
        /// The chapter.
        id: NodeId,
    },
    /// Reject an application: `Applied → Rejected`.
    Reject {
        /// The chapter.
        id: NodeId,
        /// Why, for the applicant and the audit log.
        reason: String,
    },
    /// Archive a chapter: `Active → Archived`. Reversible with `restore`.
    Archive {
        /// The chapter.
        id: NodeId,
        /// Why, for the audit log.
        reason: String,
    },
    /// Restore an archived chapter: `Archived → Active`.
    Restore {
        /// The chapter.
        id: NodeId,
    },
    /// Re-parent a region or chapter (its whole subtree moves with it).
    Move {
        /// The node to move.
        id: NodeId,
        /// Its new parent.
        parent: NodeId,
    },
    /// Change profile fields.
    UpdateProfile(ProfileUpdate),
    /// Set or clear (`null`) a chapter's territory.
    SetTerritory {
        /// The chapter.
        id: NodeId,
        /// The new territory, or `None` to clear it.
        territory: Option<Territory>,
    },
    /// End a campaign group: dissolve it or convert it.
    ConvertCampaign {
        /// The campaign chapter.
        id: NodeId,
        /// What it becomes.
        to: Conversion,
    },
    /// Give a person a role at a scope (delegation rules: `Network::can_grant`).
    Grant(GrantSpec),
    /// Withdraw a grant.
    Revoke {
        /// The grant.
        id: GrantId,
    },
    /// Add a person, or change a person's name.
    SetPerson(PersonSpec),
    /// Suspend (`suspended: true`, the default) or reinstate a person.
    Suspend {
        /// The person.
        person: PersonId,
        /// `true` to suspend, `false` to reinstate.
        #[serde(default = "yes")]
        suspended: bool,
        /// Why, for the audit log.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Record (`held: true`, the default) or withdraw an attestation of a person.
    Attest {
        /// The person.
        person: PersonId,
        /// The attestation (declared by the policy).
        attestation: String,
        /// `true` to record it, `false` to withdraw it.
        #[serde(default = "yes")]
        held: bool,
    },
    /// Replace the policy (existing grants must stay valid under it).
    SetPolicy {
        /// The new policy document.
        policy: Box<Policy>,
    },
}

fn yes() -> bool {
    true
}

impl Op {
    /// The node the operation is about (`None` for operations on people,
    /// the policy, a revoked grant, or a grant scoped to a tag).
    pub fn target(&self) -> Option<&NodeId> {
        match self {
            Op::AddRegion(r) => Some(&r.parent),
            Op::ApplyChapter(a) => Some(&a.parent),
            Op::Approve { id }
            | Op::Reject { id, .. }
            | Op::Archive { id, .. }
            | Op::Restore { id }
            | Op::Move { id, .. }
            | Op::SetTerritory { id, .. }
            | Op::ConvertCampaign { id, .. } => Some(id),
            Op::UpdateProfile(p) => Some(&p.id),
            Op::Grant(g) => match &g.scope {
                Scope::Node(n) => Some(n),
                Scope::Tag(_) => None,
            },
            Op::Revoke { .. }
            | Op::SetPerson(_)
            | Op::Suspend { .. }
            | Op::Attest { .. }
            | Op::SetPolicy { .. } => None,
        }
    }

    /// The snake_case name of the operation (`"approve"`).
    pub fn name(&self) -> &'static str {
        match self {
            Op::AddRegion(_) => "add_region",
            Op::ApplyChapter(_) => "apply_chapter",
            Op::Approve { .. } => "approve",
            Op::Reject { .. } => "reject",
            Op::Archive { .. } => "archive",
            Op::Restore { .. } => "restore",
            Op::Move { .. } => "move",
            Op::UpdateProfile(_) => "update_profile",
            Op::SetTerritory { .. } => "set_territory",
            Op::ConvertCampaign { .. } => "convert_campaign",
            Op::Grant(_) => "grant",
            Op::Revoke { .. } => "revoke",
            Op::SetPerson(_) => "set_person",
            Op::Suspend { .. } => "suspend",
            Op::Attest { .. } => "attest",
            Op::SetPolicy { .. } => "set_policy",
        }
    }
}

/// The record of one applied mutation: what, by whom, when. A host keeps
/// these as its audit log; replaying the ops in order rebuilds the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The network revision this change produced.
    pub revision: u64,
    /// Who did it.
    pub actor: Actor,
    /// When.
    pub at: DateTime<Utc>,
    /// The operation, as applied.
    pub op: Op,
    /// One line in plain words: `"approved chapter ch-12 (applied → active)"`.
    pub summary: String,
}

pub(crate) fn check_text(
    id: &str,
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<(), NetworkError> {
    let bad = |reason: &str| NetworkError::InvalidField {
        id: id.to_owned(),
        field,
        reason: reason.to_owned(),
    };
    if value.trim().is_empty() {
        return Err(bad("must not be empty"));
    }
    if value.chars().count() > max {
        return Err(bad(&format!("is longer than {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(bad("must not contain control characters"));
    }
    Ok(())
}

fn check_opt_text(
    id: &str,
    field: &'static str,
    value: &Option<String>,
    max: usize,
) -> Result<(), NetworkError> {
    match value {
        Some(v) => check_text(id, field, v, max),
        None => Ok(()),
    }
}

/// Tags sorted and deduplicated, the form nodes keep them in.
pub(crate) fn normalize_tags(mut tags: Vec<Tag>) -> Vec<Tag> {
    tags.sort();
    tags.dedup();
    tags
}

/// Which levels may sit under which.
pub(crate) fn check_parent_level(child: NodeLevel, parent: &Node) -> Result<(), NetworkError> {
    let ok = matches!(
        (child, parent.level()),
        (
            NodeLevel::Region | NodeLevel::Chapter,
            NodeLevel::Organization | NodeLevel::Region
        )
    );
    if ok {
        Ok(())
    } else {
        Err(NetworkError::InvalidParent {
            child: child.as_str(),
            parent: parent.id.clone(),
            parent_level: parent.level().as_str(),
        })
    }
}

/// Field rules of a chapter that hold whatever its status: campaign groups
/// have an end date and others do not; issue groups have no territory.
pub(crate) fn check_chapter(id: &str, c: &Chapter) -> Result<(), NetworkError> {
    let bad = |field: &'static str, reason: &str| NetworkError::InvalidField {
        id: id.to_owned(),
        field,
        reason: reason.to_owned(),
    };
    match c.group_kind {
        GroupKind::Campaign if c.campaign_end.is_none() => {
            return Err(bad("campaign_end", "is required for a campaign group"));
        }
        GroupKind::Local | GroupKind::Issue if c.campaign_end.is_some() => {
            return Err(bad("campaign_end", "is only allowed on a campaign group"));
        }
        _ => {}
    }
    if c.group_kind == GroupKind::Issue && c.territory.is_some() {
        return Err(bad(
            "territory",
            "is not allowed on an issue group, which is organized around a cause",
        ));
    }
    check_opt_text(id, "cohort", &c.cohort, MAX_NAME)?;
    check_opt_text(id, "description", &c.description, MAX_TEXT)?;
    check_opt_text(id, "join_url", &c.join_url, MAX_NAME * 10)?;
    check_opt_text(id, "status_reason", &c.status_reason, MAX_TEXT)?;
    Ok(())
}

impl Network {
    /// Applies one mutation completely, or not at all.
    ///
    /// `actor` is checked against the policy when it is a person; `now` is
    /// the time recorded on the change and on the touched nodes (the library
    /// never reads a clock).
    pub fn apply(&mut self, op: Op, actor: &Actor, now: DateTime<Utc>) -> Result<Change, Error> {
        let op = crate::access::normalize_op(op, now);
        crate::access::authorize_op(self, &op, actor, now)?;
        let mut summary = self.apply_unchecked(&op, now)?;
        crate::access::after_apply(self, &op, actor, now, &mut summary);
        self.revision += 1;
        self.finder = std::sync::OnceLock::new();
        Ok(Change {
            revision: self.revision,
            actor: actor.clone(),
            at: now,
            op,
            summary,
        })
    }

    fn chapter_ix(&self, id: &NodeId) -> Result<(u32, &Chapter), NetworkError> {
        let ix = self.ix_or_err(id.as_str())?;
        match self.at(ix) {
            Some(Node {
                body: NodeBody::Chapter(c),
                ..
            }) => Ok((ix, c)),
            Some(n) => Err(NetworkError::WrongLevel {
                id: id.clone(),
                expected: "chapter",
                actual: n.level(),
            }),
            None => Err(NetworkError::UnknownNode { id: id.to_string() }),
        }
    }

    fn chapter_mut(&mut self, ix: u32) -> Option<(&mut Chapter, &mut DateTime<Utc>)> {
        match self.nodes.get_mut(ix as usize) {
            Some(Node {
                body: NodeBody::Chapter(c),
                updated,
                ..
            }) => Some((c, updated)),
            _ => None,
        }
    }

    fn check_new_node(
        &self,
        id: &NodeId,
        parent: &NodeId,
        slug: &Slug,
        level: NodeLevel,
    ) -> Result<u32, NetworkError> {
        if self.ids.contains_key(id) {
            return Err(NetworkError::DuplicateId { id: id.clone() });
        }
        if let Some(&owner) = self.slugs.get(slug) {
            return Err(NetworkError::DuplicateSlug {
                slug: slug.to_string(),
                owner: self
                    .at(owner)
                    .map(|n| n.id.clone())
                    .unwrap_or_else(|| id.clone()),
            });
        }
        let p = self
            .ix(parent.as_str())
            .ok_or_else(|| NetworkError::UnknownParent {
                id: id.clone(),
                parent: parent.clone(),
            })?;
        if let Some(pn) = self.at(p) {
            check_parent_level(level, pn)?;
        }
        if self.nodes.len() >= (u32::MAX - 1) as usize {
            return Err(NetworkError::InvalidField {
                id: id.to_string(),
                field: "nodes",
                reason: "exceed the maximum node count".into(),
            });
        }
        Ok(p)
    }

    fn push_node(&mut self, node: Node, parent: u32) {
        let ix = self.nodes.len() as u32;
        self.ids.insert(node.id.clone(), ix);
        self.slugs.insert(node.slug.clone(), ix);
        self.nodes.push(node);
        self.parent.push(parent);
        self.children.push(Vec::new());
        if let Some(c) = self.children.get_mut(parent as usize) {
            c.push(ix);
        }
        self.renumber();
    }

    fn transition(
        &mut self,
        id: &NodeId,
        action: &'static str,
        from: ChapterStatus,
        to: ChapterStatus,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String, NetworkError> {
        let (ix, c) = self.chapter_ix(id)?;
        if c.status != from {
            return Err(NetworkError::IllegalTransition {
                id: id.clone(),
                action,
                from: c.status,
            });
        }
        if let Some(r) = reason {
            check_text(id.as_str(), "reason", r, MAX_TEXT)?;
        }
        if let Some((c, updated)) = self.chapter_mut(ix) {
            c.status = to;
            if reason.is_some() {
                c.status_reason = reason.map(str::to_owned);
            }
            *updated = now;
        }
        let verb = match action {
            "approve" => "approved",
            "reject" => "rejected",
            "archive" => "archived",
            _ => "restored",
        };
        let mut s = format!("{verb} chapter {id} ({} → {})", from.as_str(), to.as_str());
        if let Some(r) = reason {
            s.push_str(": ");
            s.push_str(r);
        }
        Ok(s)
    }

    fn apply_unchecked(&mut self, op: &Op, now: DateTime<Utc>) -> Result<String, Error> {
        match op {
            Op::AddRegion(r) => {
                check_text(r.id.as_str(), "name", &r.name, MAX_NAME)?;
                let p = self.check_new_node(&r.id, &r.parent, &r.slug, NodeLevel::Region)?;
                self.push_node(
                    Node {
                        id: r.id.clone(),
                        parent: Some(r.parent.clone()),
                        name: r.name.clone(),
                        slug: r.slug.clone(),
                        tags: normalize_tags(r.tags.clone()),
                        created: now,
                        updated: now,
                        body: NodeBody::Region,
                    },
                    p,
                );
                Ok(format!(
                    "added region {} ({}) under {}",
                    r.id, r.name, r.parent
                ))
            }
            Op::ApplyChapter(a) => {
                check_text(a.id.as_str(), "name", &a.name, MAX_NAME)?;
                let chapter = Chapter {
                    group_kind: a.group_kind,
                    status: ChapterStatus::Applied,
                    visibility: a.visibility,
                    cohort: a.cohort.clone(),
                    territory: a.territory.clone(),
                    campaign_end: a.campaign_end,
                    status_reason: None,
                    description: a.description.clone(),
                    join_url: a.join_url.clone(),
                };
                check_chapter(a.id.as_str(), &chapter)?;
                let p = self.check_new_node(&a.id, &a.parent, &a.slug, NodeLevel::Chapter)?;
                self.push_node(
                    Node {
                        id: a.id.clone(),
                        parent: Some(a.parent.clone()),
                        name: a.name.clone(),
                        slug: a.slug.clone(),
                        tags: normalize_tags(a.tags.clone()),
                        created: now,
                        updated: now,
                        body: NodeBody::Chapter(chapter),
                    },
                    p,
                );
                Ok(format!(
                    "{} group {} ({}) applied under {}",
                    a.group_kind.as_str(),
                    a.id,
                    a.name,
                    a.parent
                ))
            }
            Op::Approve { id } => Ok(self.transition(
                id,
                "approve",
                ChapterStatus::Applied,
                ChapterStatus::Active,
                None,
                now,
            )?),
            Op::Reject { id, reason } => Ok(self.transition(
                id,
                "reject",
                ChapterStatus::Applied,
                ChapterStatus::Rejected,
                Some(reason),
                now,
            )?),
            Op::Archive { id, reason } => Ok(self.transition(
                id,
                "archive",
                ChapterStatus::Active,
                ChapterStatus::Archived,
                Some(reason),
                now,
            )?),
            Op::Restore { id } => Ok(self.transition(
                id,
                "restore",
                ChapterStatus::Archived,
                ChapterStatus::Active,
                None,
                now,
            )?),
            Op::Move { id, parent } => Ok(self.move_node(id, parent, now)?),
            Op::UpdateProfile(p) => Ok(self.update_profile(p, now)?),
            Op::SetTerritory { id, territory } => {
                let (ix, c) = self.chapter_ix(id)?;
                let mut next = c.clone();
                next.territory = territory.clone();
                check_chapter(id.as_str(), &next)?;
                if let Some((c, updated)) = self.chapter_mut(ix) {
                    c.territory = territory.clone();
                    *updated = now;
                }
                Ok(match territory {
                    Some(_) => format!("set the territory of chapter {id}"),
                    None => format!("cleared the territory of chapter {id}"),
                })
            }
            Op::ConvertCampaign { id, to } => {
                let (ix, c) = self.chapter_ix(id)?;
                if c.group_kind != GroupKind::Campaign {
                    return Err(NetworkError::InvalidField {
                        id: id.to_string(),
                        field: "group_kind",
                        reason: format!(
                            "is {}; only a campaign group can be converted or dissolved",
                            c.group_kind.as_str()
                        ),
                    }
                    .into());
                }
                let mut next = c.clone();
                let summary = match to {
                    Conversion::Dissolve => {
                        if c.status != ChapterStatus::Active {
                            return Err(NetworkError::IllegalTransition {
                                id: id.clone(),
                                action: "dissolve",
                                from: c.status,
                            }
                            .into());
                        }
                        next.status = ChapterStatus::Archived;
                        next.status_reason = Some("campaign ended; group dissolved".into());
                        format!("dissolved campaign group {id} (active → archived)")
                    }
                    Conversion::Local | Conversion::Issue => {
                        next.group_kind = if *to == Conversion::Local {
                            GroupKind::Local
                        } else {
                            GroupKind::Issue
                        };
                        next.campaign_end = None;
                        format!(
                            "converted campaign group {id} to a {} group",
                            next.group_kind.as_str()
                        )
                    }
                };
                check_chapter(id.as_str(), &next)?;
                if let Some((c, updated)) = self.chapter_mut(ix) {
                    *c = next;
                    *updated = now;
                }
                Ok(summary)
            }
            Op::Grant(_)
            | Op::Revoke { .. }
            | Op::SetPerson(_)
            | Op::Suspend { .. }
            | Op::Attest { .. }
            | Op::SetPolicy { .. } => crate::access::apply_access_op(self, op, now),
        }
    }

    fn move_node(
        &mut self,
        id: &NodeId,
        parent: &NodeId,
        now: DateTime<Utc>,
    ) -> Result<String, NetworkError> {
        let ix = self.ix_or_err(id.as_str())?;
        let p = self
            .ix(parent.as_str())
            .ok_or_else(|| NetworkError::UnknownParent {
                id: id.clone(),
                parent: parent.clone(),
            })?;
        let Some(old) = self.parent_ix(ix) else {
            return Err(NetworkError::MoveRoot { id: id.clone() });
        };
        if self.covers_ix(ix, p) {
            return Err(NetworkError::MoveIntoSubtree {
                id: id.clone(),
                parent: parent.clone(),
            });
        }
        let (level, pn) = match (self.at(ix), self.at(p)) {
            (Some(n), Some(pn)) => (n.level(), pn),
            _ => return Err(NetworkError::UnknownNode { id: id.to_string() }),
        };
        check_parent_level(level, pn)?;
        let old_id = self.at(old).map(|n| n.id.clone());
        if old == p {
            return Ok(format!("{id} already sits under {parent}; nothing moved"));
        }
        if let Some(c) = self.children.get_mut(old as usize) {
            c.retain(|&k| k != ix);
        }
        if let Some(c) = self.children.get_mut(p as usize) {
            // keep children in arena order so numbering stays deterministic
            let pos = c.partition_point(|&k| k < ix);
            c.insert(pos, ix);
        }
        if let Some(slot) = self.parent.get_mut(ix as usize) {
            *slot = p;
        }
        if let Some(n) = self.nodes.get_mut(ix as usize) {
            n.parent = Some(parent.clone());
            n.updated = now;
        }
        self.renumber();
        Ok(format!(
            "moved {id} from {} to {parent}",
            old_id.map(|o| o.to_string()).unwrap_or_default()
        ))
    }

    fn update_profile(
        &mut self,
        p: &ProfileUpdate,
        now: DateTime<Utc>,
    ) -> Result<String, NetworkError> {
        let ix = self.ix_or_err(p.id.as_str())?;
        let Some(current) = self.at(ix) else {
            return Err(NetworkError::UnknownNode {
                id: p.id.to_string(),
            });
        };
        let mut next = current.clone();
        let mut fields = Vec::new();
        if let Some(name) = &p.name {
            check_text(p.id.as_str(), "name", name, MAX_NAME)?;
            next.name = name.clone();
            fields.push("name");
        }
        if let Some(slug) = &p.slug {
            if let Some(&owner) = self.slugs.get(slug)
                && owner != ix
            {
                return Err(NetworkError::DuplicateSlug {
                    slug: slug.to_string(),
                    owner: self
                        .at(owner)
                        .map(|n| n.id.clone())
                        .unwrap_or_else(|| p.id.clone()),
                });
            }
            next.slug = slug.clone();
            fields.push("slug");
        }
        if let Some(tags) = &p.tags {
            next.tags = normalize_tags(tags.clone());
            fields.push("tags");
        }
        let chapter_fields = p.visibility.is_some()
            || p.cohort.is_some()
            || p.description.is_some()
            || p.join_url.is_some()
            || p.campaign_end.is_some();
        match &mut next.body {
            NodeBody::Chapter(c) => {
                if let Some(v) = p.visibility {
                    c.visibility = v;
                    fields.push("visibility");
                }
                if let Some(v) = &p.cohort {
                    c.cohort = v.clone();
                    fields.push("cohort");
                }
                if let Some(v) = &p.description {
                    c.description = v.clone();
                    fields.push("description");
                }
                if let Some(v) = &p.join_url {
                    c.join_url = v.clone();
                    fields.push("join_url");
                }
                if let Some(v) = p.campaign_end {
                    c.campaign_end = Some(v);
                    fields.push("campaign_end");
                }
                check_chapter(p.id.as_str(), c)?;
            }
            _ if chapter_fields => {
                return Err(NetworkError::WrongLevel {
                    id: p.id.clone(),
                    expected: "chapter",
                    actual: current.level(),
                });
            }
            _ => {}
        }
        if fields.is_empty() {
            return Err(NetworkError::InvalidField {
                id: p.id.to_string(),
                field: "update_profile",
                reason: "names no field to change".into(),
            });
        }
        next.updated = now;
        let old_slug = current.slug.clone();
        if next.slug != old_slug {
            self.slugs.remove(&old_slug);
            self.slugs.insert(next.slug.clone(), ix);
        }
        if let Some(slot) = self.nodes.get_mut(ix as usize) {
            *slot = next;
        }
        Ok(format!("updated {} of {}", fields.join(", "), p.id))
    }
}
