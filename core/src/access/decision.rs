//! Decisions and their explanations.

use std::fmt;

use serde::Serialize;

use super::model::{Grant, GrantId, Person};
use super::policy::{Capability, Condition, ForbidRule};
use crate::id::{NodeId, PersonId};
use crate::network::{ChapterStatus, Network, Node};

/// The path from a grant's node down to the node a decision is about (both
/// included). Built without allocating; [`AccessPath::nodes`] walks it.
#[derive(Clone, Copy)]
pub struct AccessPath<'a> {
    pub(crate) net: &'a Network,
    pub(crate) from: u32,
    pub(crate) to: u32,
}

impl<'a> AccessPath<'a> {
    /// The node the grant is anchored at (for a tag grant: the nearest node
    /// carrying the tag).
    pub fn from_node(&self) -> Option<&'a Node> {
        self.net.at(self.from)
    }

    /// The node the decision is about.
    pub fn to_node(&self) -> Option<&'a Node> {
        self.net.at(self.to)
    }

    /// The nodes from the grant's node down to the target, top first.
    pub fn nodes(&self) -> Vec<&'a Node> {
        let mut out = Vec::new();
        let mut at = self.to;
        loop {
            if let Some(n) = self.net.at(at) {
                out.push(n);
            }
            if at == self.from {
                break;
            }
            match self.net.parent_ix(at) {
                Some(p) => at = p,
                None => break,
            }
        }
        out.reverse();
        out
    }

    /// The node ids of [`AccessPath::nodes`].
    pub fn ids(&self) -> Vec<NodeId> {
        self.nodes().into_iter().map(|n| n.id.clone()).collect()
    }
}

impl fmt::Debug for AccessPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.nodes().iter().map(|n| n.id.as_str()))
            .finish()
    }
}

impl fmt::Display for AccessPath<'_> {
    /// `ne → ma → ch-boston`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, n) in self.nodes().iter().enumerate() {
            if i > 0 {
                f.write_str(" → ")?;
            }
            f.write_str(n.id.as_str())?;
        }
        Ok(())
    }
}

/// An allowed capability: who, through which grant, along which path.
#[derive(Debug, Clone, Copy)]
pub struct Allowed<'a> {
    /// The person allowed.
    pub person: &'a Person,
    /// The grant that allows it: the one anchored nearest the node (then the
    /// earliest added).
    pub grant: &'a Grant,
    /// From the grant's node down to the node asked about.
    pub path: AccessPath<'a>,
    /// The capability, with its `personal_data` mark.
    pub capability: &'a Capability,
}

/// Why a capability was denied.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum DenyReason<'a> {
    /// No grant of the person gives the capability at this node.
    NoGrant,
    /// A grant would give it here but has lapsed.
    Expired {
        /// The lapsed grant.
        grant: &'a Grant,
    },
    /// A grant would give it here but has not started.
    NotYetValid {
        /// The future grant.
        grant: &'a Grant,
    },
    /// The capability is reserved to central and the person's grants here
    /// are at chapter level, which never confers it.
    ReservedToCentral,
    /// A forbid rule fired (it wins over any grant).
    Forbidden {
        /// The rule.
        rule: &'a ForbidRule,
    },
    /// The capability needs an active chapter and this one is not.
    NodeNotActive {
        /// The rule that requires it.
        rule: &'a ForbidRule,
        /// The chapter's status.
        status: ChapterStatus,
    },
}

impl DenyReason<'_> {
    /// A stable snake_case code: `no_grant`, `expired`, `not_yet_valid`,
    /// `reserved_to_central`, `forbidden`, `node_not_active`.
    pub fn code(&self) -> &'static str {
        match self {
            DenyReason::NoGrant => "no_grant",
            DenyReason::Expired { .. } => "expired",
            DenyReason::NotYetValid { .. } => "not_yet_valid",
            DenyReason::ReservedToCentral => "reserved_to_central",
            DenyReason::Forbidden { .. } => "forbidden",
            DenyReason::NodeNotActive { .. } => "node_not_active",
        }
    }

    /// The forbid rule behind the denial, if any.
    pub fn rule(&self) -> Option<&ForbidRule> {
        match self {
            DenyReason::Forbidden { rule } | DenyReason::NodeNotActive { rule, .. } => Some(rule),
            _ => None,
        }
    }
}

/// A denied capability, with the reason and the nearest grant that would
/// have allowed it.
#[derive(Debug, Clone, Copy)]
pub struct Denied<'a> {
    /// The person asking (`None` when the id is not a known person).
    pub person: Option<&'a Person>,
    /// The person id as asked.
    pub person_id: &'a str,
    /// The capability, with its `personal_data` mark.
    pub capability: &'a Capability,
    /// The node asked about.
    pub node: &'a Node,
    /// Why.
    pub reason: DenyReason<'a>,
    /// The grant that would have allowed it but for the reason: the allowing
    /// grant a rule overrode, the lapsed or future grant, the chapter-level
    /// grant whose role lists a reserved capability, or (for no grant) the
    /// person's grant giving the capability nearest to the node in the tree.
    pub nearest: Option<&'a Grant>,
}

/// The answer to "may this person do this, here?", with its reason.
///
/// Its `Display` is the explanation in plain words.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Decision<'a> {
    /// Allowed, by a grant along a path.
    Allow(Allowed<'a>),
    /// Denied, with the reason.
    Deny(Denied<'a>),
}

impl<'a> Decision<'a> {
    /// True for [`Decision::Allow`].
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow(_))
    }

    /// The capability asked about.
    pub fn capability(&self) -> &'a Capability {
        match self {
            Decision::Allow(a) => a.capability,
            Decision::Deny(d) => d.capability,
        }
    }

    /// True when the capability reveals member data: the host should
    /// redact when denied and log when allowed.
    pub fn personal_data(&self) -> bool {
        self.capability().personal_data
    }

    /// The allowing grant, or for a denial the nearest grant that would have allowed.
    pub fn grant(&self) -> Option<&'a Grant> {
        match self {
            Decision::Allow(a) => Some(a.grant),
            Decision::Deny(d) => d.nearest,
        }
    }

    /// `allow`, or the deny reason's code.
    pub fn code(&self) -> &'static str {
        match self {
            Decision::Allow(_) => "allow",
            Decision::Deny(d) => d.reason.code(),
        }
    }

    /// An owned, serializable form for bindings and logs.
    pub fn report(&self) -> DecisionReport {
        match self {
            Decision::Allow(a) => DecisionReport {
                allowed: true,
                person: a.person.id.clone().into_string(),
                capability: a.capability.name.clone(),
                node: a.path.to_node().map(|n| n.id.clone()),
                personal_data: a.capability.personal_data,
                code: "allow",
                grant: Some(a.grant.id.clone()),
                path: a.path.ids(),
                rule: None,
                explanation: self.to_string(),
            },
            Decision::Deny(d) => DecisionReport {
                allowed: false,
                person: d.person_id.to_owned(),
                capability: d.capability.name.clone(),
                node: Some(d.node.id.clone()),
                personal_data: d.capability.personal_data,
                code: d.reason.code(),
                grant: d.nearest.map(|g| g.id.clone()),
                path: Vec::new(),
                rule: d.reason.rule().map(|r| r.id.clone()),
                explanation: self.to_string(),
            },
        }
    }
}

/// A decision as plain data (what bindings return).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionReport {
    /// Allowed or not.
    pub allowed: bool,
    /// The person asked about.
    pub person: String,
    /// The capability.
    pub capability: String,
    /// The node.
    pub node: Option<NodeId>,
    /// The capability reveals member data.
    pub personal_data: bool,
    /// `allow` or the deny reason's code.
    pub code: &'static str,
    /// The allowing grant, or the nearest grant that would have allowed.
    pub grant: Option<GrantId>,
    /// For an allow: from the grant's node down to the node.
    pub path: Vec<NodeId>,
    /// The forbid rule behind a denial.
    pub rule: Option<String>,
    /// The explanation in plain words.
    pub explanation: String,
}

fn grant_phrase(g: &Grant) -> String {
    format!("grant {} ({} at {})", g.id, g.role, g.scope)
}

fn personal_note(f: &mut fmt::Formatter<'_>, c: &Capability) -> fmt::Result {
    if c.personal_data {
        write!(f, "; {} reveals personal data", c.name)
    } else {
        Ok(())
    }
}

fn rule_label(rule: &ForbidRule) -> String {
    match &rule.description {
        Some(d) => format!("rule {} ({d})", rule.id),
        None => format!("rule {}", rule.id),
    }
}

impl Allowed<'_> {
    /// The report of the allowing decision this is (what
    /// [`Decision::report`] gives for `Decision::Allow`).
    pub fn report(&self) -> DecisionReport {
        Decision::Allow(*self).report()
    }
}

impl fmt::Display for Allowed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let to = self.path.to_node().map(|n| n.id.as_str()).unwrap_or("?");
        write!(
            f,
            "allowed: {} may {} at {}, through {}",
            self.person.id,
            self.capability.name,
            to,
            grant_phrase(self.grant)
        )?;
        if self.path.from != self.path.to {
            write!(f, ", which covers it along {}", self.path)?;
        }
        personal_note(f, self.capability)
    }
}

impl fmt::Display for Denied<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = self.person_id;
        let cap = &self.capability.name;
        let node = &self.node.id;
        match &self.reason {
            DenyReason::NoGrant => {
                if self.person.is_none() {
                    write!(f, "denied: {who} is not a known person, so holds no grant")?;
                } else {
                    write!(f, "denied: {who} holds no grant that gives {cap} at {node}")?;
                }
                if let Some(g) = self.nearest {
                    write!(
                        f,
                        "; the nearest grant that gives it is {}",
                        grant_phrase(g)
                    )?;
                }
            }
            DenyReason::Expired { grant } => {
                write!(
                    f,
                    "denied: {} would give {who} {cap} at {node}",
                    grant_phrase(grant)
                )?;
                if let Some(u) = grant.valid_until {
                    write!(f, " but lapsed at {}", u.to_rfc3339())?;
                }
            }
            DenyReason::NotYetValid { grant } => write!(
                f,
                "denied: {} would give {who} {cap} at {node} but starts only at {}",
                grant_phrase(grant),
                grant.valid_from.to_rfc3339()
            )?,
            DenyReason::ReservedToCentral => {
                write!(
                    f,
                    "denied: {cap} is reserved to central, and {who}'s grants at {node} are at chapter level, which never confers it"
                )?;
                if let Some(g) = self.nearest {
                    write!(
                        f,
                        " ({} lists it, but only a central grant confers it)",
                        grant_phrase(g)
                    )?;
                }
            }
            DenyReason::Forbidden { rule } => {
                let fact = match rule.when {
                    Condition::PersonSuspended => format!("{who} is suspended"),
                    Condition::NodeArchived => format!("{node} is archived"),
                    Condition::NodeNotActive => format!("{node} is not active"),
                    Condition::MissingAttestation => format!(
                        "{who} lacks the attestation {}",
                        rule.attestation.as_deref().unwrap_or("?")
                    ),
                };
                write!(
                    f,
                    "denied by {}: {fact}, so {cap} is forbidden",
                    rule_label(rule)
                )?;
                if let Some(g) = self.nearest {
                    write!(f, "; otherwise {} would allow it", grant_phrase(g))?;
                }
            }
            DenyReason::NodeNotActive { rule, status } => {
                write!(
                    f,
                    "denied: {node} is {}, not active, and {} needs an active chapter for {cap}",
                    status.as_str(),
                    rule_label(rule)
                )?;
                if let Some(g) = self.nearest {
                    write!(f, "; otherwise {} would allow it", grant_phrase(g))?;
                }
            }
        }
        personal_note(f, self.capability)
    }
}

impl fmt::Display for Decision<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Allow(a) => a.fmt(f),
            Decision::Deny(d) => d.fmt(f),
        }
    }
}

/// One holder of a capability, for [`Network::audit`](crate::Network::audit).
#[derive(Debug, Clone, Copy)]
pub struct AuditEntry<'a> {
    /// The holder.
    pub person: &'a Person,
    /// The grant conferring the capability.
    pub grant: &'a Grant,
    /// A person-level rule (suspension, missing attestation) that currently
    /// stops the grant from being used, if any.
    pub blocked_by: Option<&'a ForbidRule>,
}

impl fmt::Display for AuditEntry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} holds it through {}",
            self.person.id,
            grant_phrase(self.grant)
        )?;
        if let Some(u) = self.grant.valid_until {
            write!(f, " until {}", u.to_rfc3339())?;
        }
        if let Some(r) = self.blocked_by {
            write!(f, ", but {} blocks it for now", rule_label(r))?;
        }
        Ok(())
    }
}

impl AuditEntry<'_> {
    /// An owned, serializable form for bindings and logs.
    pub fn report(&self) -> AuditReport {
        AuditReport {
            person: self.person.id.clone(),
            grant: self.grant.id.clone(),
            role: self.grant.role.to_string(),
            scope: self.grant.scope.clone(),
            valid_until: self.grant.valid_until,
            blocked_by: self.blocked_by.map(|r| r.id.clone()),
            explanation: self.to_string(),
        }
    }
}

/// An audit entry as plain data (what bindings return).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// The holder.
    pub person: PersonId,
    /// The grant conferring the capability.
    pub grant: GrantId,
    /// The grant's role.
    pub role: String,
    /// The grant's scope.
    pub scope: super::model::Scope,
    /// When the grant lapses, if it does.
    pub valid_until: Option<chrono::DateTime<chrono::Utc>>,
    /// The person-level rule that currently blocks the grant, if any.
    pub blocked_by: Option<String>,
    /// The entry in plain words.
    pub explanation: String,
}

/// Why a grant or revoke was refused by [`Network::can_grant`](crate::Network::can_grant).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum GrantRefusal<'a> {
    /// Nobody grants themselves anything.
    SelfGrant,
    /// The role may not be granted at this scope's level.
    LevelNotAllowed {
        /// The scope's level.
        level: super::ScopeLevel,
    },
    /// The granter lacks a capability needed there (`leaders.appoint`, or
    /// one of the role's capabilities).
    Missing {
        /// The missing capability.
        capability: &'a Capability,
        /// Why the granter does not hold it (for a tag scope: `None`, since
        /// tag scopes are held only through organization or same-tag grants).
        decision: Option<Denied<'a>>,
    },
}

impl fmt::Display for GrantRefusal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrantRefusal::SelfGrant => f.write_str("nobody grants themselves anything"),
            GrantRefusal::LevelNotAllowed { level } => {
                write!(f, "the role cannot be granted at {} level", level.as_str())
            }
            GrantRefusal::Missing {
                capability,
                decision,
            } => {
                write!(f, "the granter does not hold {} there", capability.name)?;
                if let Some(d) = decision {
                    write!(f, " ({d})")?;
                }
                Ok(())
            }
        }
    }
}

/// A person who gains or loses capabilities between two policies, through
/// one grant ([`Network::diff`](crate::Network::diff)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffEntry {
    /// The person.
    pub person: PersonId,
    /// The grant.
    pub grant: GrantId,
    /// Where: the grant's scope.
    pub scope: super::Scope,
    /// Capabilities the person gains there.
    pub gained: Vec<String>,
    /// Capabilities the person loses there.
    pub lost: Vec<String>,
}

impl fmt::Display for DiffEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {} (grant {})",
            self.person, self.scope, self.grant
        )?;
        if !self.gained.is_empty() {
            write!(f, " gains {}", self.gained.join(", "))?;
        }
        if !self.lost.is_empty() {
            if !self.gained.is_empty() {
                f.write_str(" and")?;
            }
            write!(f, " loses {}", self.lost.join(", "))?;
        }
        Ok(())
    }
}

/// Who gains or loses which capability where, between two policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PolicyDiff {
    /// Per grant whose conferred capabilities change, in grant order.
    pub grants: Vec<DiffEntry>,
    /// Rules about nodes (archived, not active) added, removed or changed,
    /// by id: they change access at the nodes they match, for everyone.
    pub node_rules_changed: Vec<String>,
}

impl fmt::Display for PolicyDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.grants.is_empty() && self.node_rules_changed.is_empty() {
            return f.write_str("no one gains or loses anything");
        }
        for (i, e) in self.grants.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        for r in &self.node_rules_changed {
            if !self.grants.is_empty() {
                f.write_str("\n")?;
            }
            write!(f, "rule {r} changes for every node it matches")?;
        }
        Ok(())
    }
}
