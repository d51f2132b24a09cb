//! `diff(policy_a, policy_b)`: who gains or loses which capability where.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::AccessError;
use super::decision::{DiffEntry, PolicyDiff};
use super::model::{Grant, Person, Scope};
use super::policy::{Compiled, Condition, Policy, ScopeLevel};
use super::query::bits;
use crate::network::Network;

/// What `grant` lets `person` use under one policy, before node rules:
/// the role's capabilities at the scope's level, minus those a person rule
/// (suspension, missing attestation) forbids.
fn conferred<'p>(
    policy: &'p Policy,
    compiled: &Compiled,
    grant: &Grant,
    level: ScopeLevel,
    person: &Person,
) -> BTreeSet<&'p str> {
    let Some((_, rc)) = compiled.role(&grant.role) else {
        return BTreeSet::new();
    };
    if !rc.allows_level(level) {
        return BTreeSet::new();
    }
    let mut caps = rc.effective(level, compiled.reserved);
    let mut attest = 0u64;
    for a in &person.attestations {
        if let Some(b) = compiled.attest_ix.get(a.as_str()) {
            attest |= 1u64 << b;
        }
    }
    for r in &compiled.rules {
        let fires = match r.when {
            Condition::PersonSuspended => person.suspended,
            Condition::MissingAttestation => attest & r.attestation == 0,
            _ => false,
        };
        if fires {
            caps &= !r.mask;
        }
    }
    bits(caps)
        .filter_map(|c| policy.capabilities.get(c as usize))
        .map(|c| c.name.as_str())
        .collect()
}

/// A node rule in comparable form: its condition and covered capability names.
fn node_rules(policy: &Policy, compiled: &Compiled) -> Vec<(String, Condition, BTreeSet<String>)> {
    policy
        .forbid
        .iter()
        .zip(&compiled.rules)
        .filter(|(r, _)| r.when.is_about_node())
        .map(|(r, c)| {
            let names = bits(c.mask)
                .filter_map(|i| policy.capabilities.get(i as usize))
                .map(|c| c.name.clone())
                .collect();
            (r.id.clone(), r.when, names)
        })
        .collect()
}

impl Network {
    /// Who gains or loses which capability where if this network's policy
    /// went from `a` to `b`: for each grant in force at `now`, the
    /// capabilities it confers under each (after person rules), and the
    /// node rules (archived, not active) that differ, which change access
    /// at the nodes they match for everyone. Both policies are validated.
    pub fn diff(
        &self,
        a: &Policy,
        b: &Policy,
        now: DateTime<Utc>,
    ) -> Result<PolicyDiff, AccessError> {
        let (ca, _) = Compiled::new(a)?;
        let (cb, _) = Compiled::new(b)?;
        let mut out = PolicyDiff::default();
        for g in self.grants() {
            if !g.is_valid_at(now) {
                continue;
            }
            let Some(person) = self.person(g.person.as_str()) else {
                continue;
            };
            let level = match &g.scope {
                Scope::Node(id) => match self.node(id.as_str()) {
                    Some(n) => ScopeLevel::of_node(n.level()),
                    None => continue,
                },
                Scope::Tag(_) => ScopeLevel::Tag,
            };
            let before = conferred(a, &ca, g, level, person);
            let after = conferred(b, &cb, g, level, person);
            if before != after {
                out.grants.push(DiffEntry {
                    person: g.person.clone(),
                    grant: g.id.clone(),
                    scope: g.scope.clone(),
                    gained: after.difference(&before).map(|s| (*s).to_owned()).collect(),
                    lost: before.difference(&after).map(|s| (*s).to_owned()).collect(),
                });
            }
        }
        let ra = node_rules(a, &ca);
        let rb = node_rules(b, &cb);
        let mut changed: BTreeSet<String> = BTreeSet::new();
        for r in &ra {
            if !rb.contains(r) {
                changed.insert(r.0.clone());
            }
        }
        for r in &rb {
            if !ra.contains(r) {
                changed.insert(r.0.clone());
            }
        }
        out.node_rules_changed = changed.into_iter().collect();
        Ok(out)
    }
}
