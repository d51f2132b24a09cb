//! The access side of [`Network::apply`]: who may apply which operation, and
//! the grant, person and policy operations themselves.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{Attestations, Grant, GrantId, Person, Scope, check_word};
use super::policy::{Compiled, Policy};
use super::state::AccessState;
use super::{AccessError, Decision, Name};
use crate::error::Error;
use crate::id::{NodeId, PersonId};
use crate::network::{Actor, Network, Op};

/// A new grant, as the `grant` operation carries it. `valid_from` defaults
/// to the time the operation is applied (and is recorded in the change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantSpec {
    /// The new grant's id.
    pub id: GrantId,
    /// Who receives it.
    pub person: PersonId,
    /// The role.
    pub role: String,
    /// Where.
    pub scope: Scope,
    /// From when (default: now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when (excluded; default: until revoked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
}

/// A person to add, or whose name to change (`set_person`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonSpec {
    /// The person's id.
    pub id: PersonId,
    /// Display name (`None` keeps the current one, or none for a new person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl GrantSpec {
    fn to_grant(&self, now: DateTime<Utc>) -> Grant {
        Grant {
            id: self.id.clone(),
            person: self.person.clone(),
            role: Name::from(self.role.as_str()),
            scope: self.scope.clone(),
            valid_from: self.valid_from.unwrap_or(now),
            valid_until: self.valid_until,
        }
    }
}

/// Fills in defaults that depend on `now`, so the change records the
/// operation exactly as applied and replays identically.
pub(crate) fn normalize_op(op: Op, now: DateTime<Utc>) -> Op {
    match op {
        Op::Grant(mut g) => {
            g.valid_from = Some(g.valid_from.unwrap_or(now));
            Op::Grant(g)
        }
        other => other,
    }
}

fn applicant_grant_id(chapter: &NodeId) -> Result<GrantId, AccessError> {
    format!("{chapter}/applicant").parse()
}

fn denied(person: &PersonId, op: String, explanation: String) -> Error {
    AccessError::Denied {
        person: person.to_string(),
        op,
        explanation,
    }
    .into()
}

/// Checks that `actor` may apply `op` at `now`. The host is trusted; a
/// person needs the operation's capability at its node (see the module
/// docs' table), and grant operations need [`Network::can_grant`].
pub(crate) fn authorize_op(
    net: &Network,
    op: &Op,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let Actor::Person(who) = actor else {
        return Ok(());
    };
    let root = net.root().id.clone();
    let need = |cap: &str, node: &NodeId| -> Result<(), Error> {
        let d = net.check(who.as_str(), cap, node.as_str(), now)?;
        match d {
            Decision::Allow(_) => Ok(()),
            Decision::Deny(_) => Err(denied(
                who,
                format!("{} {}", op.name(), node),
                d.to_string(),
            )),
        }
    };
    match op {
        Op::AddRegion(r) => need("network.structure", &r.parent),
        Op::ApplyChapter(a) => {
            need("chapter.apply", &a.parent)?;
            if net.access.compiled.applicant_role.is_some() {
                let gid = applicant_grant_id(&a.id)?;
                if net.access.ix.grants.contains_key(gid.as_str()) {
                    return Err(AccessError::DuplicateGrant(gid.to_string()).into());
                }
            }
            Ok(())
        }
        Op::Approve { id } | Op::Reject { id, .. } => need("chapter.approve", id),
        Op::Archive { id, .. } | Op::Restore { id } | Op::ConvertCampaign { id, .. } => {
            need("chapter.archive", id)
        }
        Op::Move { id, parent } => {
            need("network.structure", id)?;
            need("network.structure", parent)
        }
        Op::UpdateProfile(p) => {
            need("chapter.edit_profile", &p.id)?;
            if p.tags.is_some() {
                // Tags decide who oversees the node through tag grants.
                need("network.structure", &p.id)?;
            }
            Ok(())
        }
        Op::SetTerritory { id, .. } => need("chapter.edit_profile", id),
        Op::Grant(g) => {
            let refusal = net.can_grant(who.as_str(), g.person.as_str(), &g.role, &g.scope, now)?;
            match refusal {
                None => Ok(()),
                Some(r) => Err(denied(
                    who,
                    format!("grant {} to {} at {}", g.role, g.person, g.scope),
                    r.to_string(),
                )),
            }
        }
        Op::Revoke { id } => match net.can_revoke(who.as_str(), id.as_str(), now)? {
            None => Ok(()),
            Some(r) => Err(denied(who, format!("revoke grant {id}"), r.to_string())),
        },
        Op::SetPerson(_) => need("people.manage", &root),
        Op::Suspend { person, .. } | Op::Attest { person, .. } => {
            if person == who {
                return Err(denied(
                    who,
                    format!("{} {person}", op.name()),
                    "nobody changes their own suspension or attestations".into(),
                ));
            }
            let cap = if matches!(op, Op::Suspend { .. }) {
                "people.suspend"
            } else {
                "people.attest"
            };
            need(cap, &root)
        }
        Op::SetPolicy { .. } => need("policy.edit", &root),
    }
}

impl Network {
    fn person_ix(&self, id: &PersonId) -> Result<u32, AccessError> {
        self.access
            .ix
            .people
            .get(id.as_str())
            .ok_or_else(|| AccessError::UnknownPerson(id.to_string()))
    }
}

/// Applies a grant, person or policy operation (validated completely first).
pub(crate) fn apply_access_op(
    net: &mut Network,
    op: &Op,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    match op {
        Op::Grant(spec) => {
            let g = spec.to_grant(now);
            if net.access.ix.grants.contains_key(g.id.as_str()) {
                return Err(AccessError::DuplicateGrant(g.id.to_string()).into());
            }
            net.access.place(net, &g, true)?;
            let summary = format!("granted {} to {} at {}", g.role, g.person, g.scope);
            let summary = match g.valid_until {
                Some(u) => format!("{summary} until {} (grant {})", u.to_rfc3339(), g.id),
                None => format!("{summary} (grant {})", g.id),
            };
            let mut access = std::mem::replace(&mut net.access, AccessState::placeholder());
            access.insert_grant(net, g);
            net.access = access;
            Ok(summary)
        }
        Op::Revoke { id } => {
            let slot = net
                .access
                .ix
                .grants
                .get(id.as_str())
                .ok_or_else(|| AccessError::UnknownGrant(id.to_string()))?;
            let mut access = std::mem::replace(&mut net.access, AccessState::placeholder());
            let removed = access.remove_grant(net, slot);
            net.access = access;
            Ok(match removed {
                Some(g) => format!(
                    "revoked grant {id} ({} at {} for {})",
                    g.role, g.scope, g.person
                ),
                None => format!("revoked grant {id}"),
            })
        }
        Op::SetPerson(spec) => match net.access.ix.people.get(spec.id.as_str()) {
            Some(p) => {
                let Some(current) = net.access.person_at(p).cloned() else {
                    return Err(AccessError::UnknownPerson(spec.id.to_string()).into());
                };
                let Some(name) = &spec.name else {
                    return Err(AccessError::InvalidPerson {
                        id: spec.id.to_string(),
                        reason: "set_person names no field to change".into(),
                    }
                    .into());
                };
                let next = Person {
                    name: Some(name.clone()),
                    ..current
                }
                .normalized()?;
                net.access.replace_person(p, next);
                Ok(format!("renamed person {} to {name}", spec.id))
            }
            None => {
                let person = Person {
                    id: spec.id.clone(),
                    name: spec.name.clone(),
                    attestations: Attestations::default(),
                    suspended: false,
                }
                .normalized()?;
                net.access.insert_person(person);
                Ok(format!("added person {}", spec.id))
            }
        },
        Op::Suspend {
            person,
            suspended,
            reason,
        } => {
            let p = net.person_ix(person)?;
            if let Some(r) = reason {
                super::model::check_text(person.as_str(), r).map_err(|_| {
                    AccessError::InvalidPerson {
                        id: person.to_string(),
                        reason: "the suspension reason must be 1–200 characters of text".into(),
                    }
                })?;
            }
            let Some(current) = net.access.person_at(p).cloned() else {
                return Err(AccessError::UnknownPerson(person.to_string()).into());
            };
            net.access.replace_person(
                p,
                Person {
                    suspended: *suspended,
                    ..current
                },
            );
            let verb = if *suspended {
                "suspended"
            } else {
                "reinstated"
            };
            Ok(match reason {
                Some(r) => format!("{verb} person {person}: {r}"),
                None => format!("{verb} person {person}"),
            })
        }
        Op::Attest {
            person,
            attestation,
            held,
        } => {
            let p = net.person_ix(person)?;
            check_word("attestation", attestation)?;
            if !net
                .access
                .compiled
                .attest_ix
                .contains_key(attestation.as_str())
            {
                return Err(AccessError::UnknownAttestation(attestation.clone()).into());
            }
            let Some(mut next) = net.access.person_at(p).cloned() else {
                return Err(AccessError::UnknownPerson(person.to_string()).into());
            };
            let mut list = next.attestations.to_vec();
            list.retain(|a| a != attestation);
            if *held {
                list.push(Name::from(attestation.as_str()));
            }
            next.attestations = Attestations::from(list);
            let next = next.normalized()?;
            net.access.replace_person(p, next);
            Ok(if *held {
                format!("recorded attestation {attestation} for {person}")
            } else {
                format!("withdrew attestation {attestation} from {person}")
            })
        }
        Op::SetPolicy { policy } => {
            let policy: Policy = (**policy).clone();
            let (compiled, warnings) = Compiled::new(&policy)?;
            // Every live grant must still be valid under the new policy.
            let mut next = AccessState {
                explicit_policy: true,
                policy,
                compiled,
                people: net.access.people.clone(),
                grants: net.access.grants.clone(),
                ix: net.access.ix.clone(),
            };
            for g in next.live() {
                next.place(net, g, false)?;
            }
            next.rebuild(net);
            net.access = next;
            Ok(if warnings.is_empty() {
                "replaced the policy".into()
            } else {
                format!("replaced the policy ({} warnings)", warnings.len())
            })
        }
        _ => Ok(String::new()),
    }
}

/// Keeps the access indexes current after any successful operation, and
/// gives an applicant the policy's applicant role at the chapter they
/// applied for (validated by [`authorize_op`] beforehand).
pub(crate) fn after_apply(
    net: &mut Network,
    op: &Op,
    actor: &Actor,
    now: DateTime<Utc>,
    summary: &mut String,
) {
    match op {
        Op::AddRegion(_) | Op::ApplyChapter(_) | Op::UpdateProfile(_) => {
            let mut access = std::mem::replace(&mut net.access, AccessState::placeholder());
            access.index_nodes(net);
            if access.ix.by_node.len() < net.nodes.len() {
                access.ix.by_node.resize(net.nodes.len(), Vec::new());
            }
            net.access = access;
        }
        Op::Approve { .. }
        | Op::Reject { .. }
        | Op::Archive { .. }
        | Op::Restore { .. }
        | Op::ConvertCampaign { .. } => {
            let mut access = std::mem::replace(&mut net.access, AccessState::placeholder());
            access.index_status(net);
            net.access = access;
        }
        _ => {}
    }
    if let (Op::ApplyChapter(a), Actor::Person(who)) = (op, actor)
        && let Some(role_ix) = net.access.compiled.applicant_role
        && let Some(role) = net
            .access
            .policy
            .roles
            .get(role_ix as usize)
            .map(|r| r.name.clone())
        && let Ok(id) = applicant_grant_id(&a.id)
    {
        let g = Grant {
            id: id.clone(),
            person: who.clone(),
            role: Name::from(role.as_str()),
            scope: Scope::Node(a.id.clone()),
            valid_from: now,
            valid_until: None,
        };
        if net.access.place(net, &g, true).is_ok()
            && !net.access.ix.grants.contains_key(id.as_str())
        {
            let mut access = std::mem::replace(&mut net.access, AccessState::placeholder());
            access.insert_grant(net, g);
            net.access = access;
            summary.push_str(&format!("; {who} becomes its {role} (grant {id})"));
        }
    }
}
