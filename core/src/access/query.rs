//! The permission queries on [`Network`].
//!
//! One rule decides everything, and every query is written to agree with it:
//! person `p` may use capability `c` at node `n` at time `t` iff some grant of
//! `p` valid at `t` covers `n` (its node is `n` or an ancestor of `n`; for a
//! tag grant, `n` or an ancestor carries the tag) and confers `c` at its
//! level, and no forbid rule covering `c` fires for `p` and `n`. The grant
//! cited is the one anchored nearest `n`, then the earliest added.

use chrono::{DateTime, Utc};

use super::AccessError;
use super::decision::{
    AccessPath, Allowed, AuditEntry, Decision, DecisionReport, Denied, DenyReason, GrantRefusal,
};
use super::fx::FxMap;
use super::model::{Grant, Scope};
use super::people::{CardBits, One, Quick, SHAPE_ONE, Single, quick_now, time_key};
use super::policy::{
    Bits, CAP_RESERVED, Capability, Condition, ForbidRule, ROLE_GIVES_LOCAL, ROLE_LISTS, ScopeLevel,
};
use super::state::{
    AccessState, Entry, PersonFlags, STATUS_ACTIVE, STATUS_ARCHIVED, STATUS_INACTIVE,
    STATUS_NOT_CHAPTER, TagEntry,
};
use crate::network::{ChapterStatus, Network, Node};

/// Linear scan of a person's grants up to this many; above it, walk the
/// target's ancestors and binary-search each.
const SCAN_LIMIT: usize = 8;

/// One page of [`Network::nodes_where`].
#[derive(Debug, Clone)]
pub struct NodesPage<'a> {
    /// The nodes, in preorder (a node before its descendants).
    pub nodes: Vec<&'a Node>,
    /// When more nodes remain: pass this as `after` to get the next page.
    pub next: Option<crate::id::NodeId>,
}

/// A candidate grant: anchored at `anchor` (an ancestor-or-self of the target).
#[derive(Clone, Copy)]
struct Cand {
    tin: u32,
    slot: u32,
    anchor: u32,
}

impl Cand {
    /// Nearer anchor (deeper, so larger preorder number) wins, then the lower slot.
    #[inline]
    fn better_than(&self, other: &Cand) -> bool {
        self.tin > other.tin || (self.tin == other.tin && self.slot < other.slot)
    }
}

#[inline]
fn keep(best: &mut Option<Cand>, c: Cand) {
    match best {
        Some(b) if !c.better_than(b) => {}
        _ => *best = Some(c),
    }
}

impl AccessState {
    /// The deepest ancestor-or-self of `n` carrying `tag`.
    fn tag_anchor(&self, net: &Network, n: u32, tag: &str) -> Option<u32> {
        let mut at = n;
        loop {
            if net.at(at).is_some_and(|node| node.has_tag(tag)) {
                return Some(at);
            }
            at = net.parent_ix(at)?;
        }
    }

    /// The best grant of person `p` that is valid at `now`, covers `n` and
    /// confers a capability in `bit`.
    #[inline]
    fn best_allowing(
        &self,
        net: &Network,
        p: u32,
        bit: Bits,
        n: u32,
        now: DateTime<Utc>,
    ) -> Option<Cand> {
        let (tin_n, _) = net.span(n);
        let mut best = None;
        let entries = self.entries(p);
        if entries.len() <= SCAN_LIMIT {
            for e in entries {
                if e.caps & bit == 0 {
                    continue;
                }
                let (t, o) = net.span(e.node);
                if t <= tin_n && tin_n < o && e.valid_at(now) {
                    keep(
                        &mut best,
                        Cand {
                            tin: t,
                            slot: e.slot,
                            anchor: e.node,
                        },
                    );
                }
            }
        } else {
            let mut at = n;
            loop {
                let lo = entries.partition_point(|e| e.node < at);
                let found = entries
                    .get(lo..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|e| e.node == at)
                    .find(|e| e.caps & bit != 0 && e.valid_at(now));
                if let Some(e) = found {
                    let (t, _) = net.span(at);
                    best = Some(Cand {
                        tin: t,
                        slot: e.slot,
                        anchor: at,
                    });
                    break;
                }
                match net.parent_ix(at) {
                    Some(p) => at = p,
                    None => break,
                }
            }
        }
        let tags = self.tag_entries(p);
        for te in tags {
            if te.caps & bit != 0
                && te.valid_at(now)
                && let Some(a) = self.tag_anchor(net, n, te.tag.as_str())
            {
                let (t, _) = net.span(a);
                keep(
                    &mut best,
                    Cand {
                        tin: t,
                        slot: te.slot,
                        anchor: a,
                    },
                );
            }
        }
        best
    }

    /// The first rule (in policy order) covering `bit` that fires for person
    /// `p` (if known) and node `n`.
    #[inline]
    fn first_rule(
        &self,
        net: &Network,
        p: Option<u32>,
        bit: Bits,
        n: Option<u32>,
    ) -> Option<usize> {
        let c = &self.compiled;
        if (c.person_rule_mask | c.node_rule_mask) & bit == 0 {
            return None;
        }
        self.rule_firing(net, p.and_then(|p| self.flags(p)).copied(), bit, n)
    }

    /// [`AccessState::first_rule`] with the person's flags at hand.
    #[inline]
    fn rule_firing(
        &self,
        net: &Network,
        flags: Option<PersonFlags>,
        bit: Bits,
        n: Option<u32>,
    ) -> Option<usize> {
        let c = &self.compiled;
        if (c.person_rule_mask | c.node_rule_mask) & bit == 0 {
            return None;
        }
        let status = match n {
            None => STATUS_NOT_CHAPTER,
            Some(n) => match self.ix.status.get(n as usize) {
                Some(&s) => s,
                None => match net.at(n).and_then(|node| node.chapter()).map(|c| c.status) {
                    None => STATUS_NOT_CHAPTER,
                    Some(ChapterStatus::Active) => STATUS_ACTIVE,
                    Some(ChapterStatus::Archived) => STATUS_ARCHIVED,
                    Some(_) => STATUS_INACTIVE,
                },
            },
        };
        c.rules.iter().position(|r| {
            r.mask & bit != 0
                && match r.when {
                    Condition::PersonSuspended => flags.is_some_and(|f| f.suspended),
                    Condition::MissingAttestation => {
                        flags.is_some_and(|f| f.attest & r.attestation == 0)
                    }
                    Condition::NodeArchived => status == STATUS_ARCHIVED,
                    Condition::NodeNotActive => {
                        status == STATUS_ARCHIVED || status == STATUS_INACTIVE
                    }
                }
        })
    }

    fn capability_def(&self, c: u8) -> Option<&Capability> {
        self.policy.capabilities.get(c as usize)
    }

    fn rule_def(&self, r: usize) -> Option<&ForbidRule> {
        self.policy.forbid.get(r)
    }

    fn deny_for_rule<'a>(
        &'a self,
        base: Denied<'a>,
        rule: usize,
        nearest: Option<&'a Grant>,
    ) -> Denied<'a> {
        let Some(def) = self.rule_def(rule) else {
            return base;
        };
        let reason = match def.when {
            Condition::NodeNotActive => DenyReason::NodeNotActive {
                rule: def,
                status: base
                    .node
                    .chapter()
                    .map(|c| c.status)
                    .unwrap_or(ChapterStatus::Active),
            },
            _ => DenyReason::Forbidden { rule: def },
        };
        Denied {
            reason,
            nearest,
            ..base
        }
    }

    /// The full decision for known ids: from the person's card when their
    /// grants fit in it, else through the general path.
    #[inline(always)]
    pub(crate) fn decide<'a>(
        &'a self,
        net: &'a Network,
        person_id: &'a str,
        p: Option<u32>,
        c: u8,
        n: u32,
        now: DateTime<Utc>,
    ) -> Option<Decision<'a>> {
        let card = p.and_then(|p| self.ix.people.one(p));
        self.decide_found(net, person_id, p, card, c, n, now)
    }

    /// [`AccessState::decide`] with the person's card already found (by
    /// the id lookup, which reads it anyway).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn decide_found<'a>(
        &'a self,
        net: &'a Network,
        person_id: &'a str,
        p: Option<u32>,
        card: Option<One>,
        c: u8,
        n: u32,
        now: DateTime<Utc>,
    ) -> Option<Decision<'a>> {
        if let Some(p) = p
            && let Some(card) = card
            && card.shape() <= SHAPE_ONE
        {
            return self.decide_single(net, person_id, p, card.single(), c, n, time_key(now));
        }
        self.decide_general(net, person_id, p, c, n, now)
    }

    /// [`AccessState::decide_general`] for a person with no grant or one
    /// node grant of whole-second validity, reading only what their card
    /// or compact card says of it (`g`, its times compared with `s` on the
    /// same scale): the same steps with a single candidate (tested against
    /// the general path), each field read once.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn decide_single<'a>(
        &'a self,
        net: &'a Network,
        person_id: &'a str,
        p: u32,
        g: Single,
        c: u8,
        n: u32,
        s: i64,
    ) -> Option<Decision<'a>> {
        let capability = self.capability_def(c)?;
        let node = net.at(n)?;
        let person = Some(self.person_at(p)?);
        if g.empty {
            return Some(Decision::Deny(Denied {
                person,
                person_id,
                capability,
                node,
                reason: DenyReason::NoGrant,
                nearest: None,
            }));
        }
        let central = g.central;
        let facts = self.compiled.role_cap(g.role, c)?;
        let gives = facts
            & if central {
                ROLE_LISTS
            } else {
                ROLE_GIVES_LOCAL
            }
            != 0;
        // (a node without its span, which a known node always has, goes
        // to the general path)
        let &[t, o] = net.spans.get(g.node as usize)?;
        let &[tin_n, _] = net.spans.get(n as usize)?;
        let covers = t <= tin_n && tin_n < o;
        let valid = g.from <= s && s < g.until;
        let grant = self.grants.indexed(g.slot)?;
        // every fact computed, the rare outcomes (allowed, or a grant here
        // out of its time) are the branches; the usual denials (no grant
        // here, or reserved to central) differ by selected values only, so
        // a random query costs no mispredicted branch between them
        let (reason, nearest) = if gives & covers {
            if valid {
                if let Some(rule) = self.rule_firing(net, Some(g.flags), 1u128 << c, Some(n)) {
                    let base = Denied {
                        person,
                        person_id,
                        capability,
                        node,
                        reason: DenyReason::NoGrant,
                        nearest: None,
                    };
                    return Some(Decision::Deny(self.deny_for_rule(base, rule, Some(grant))));
                }
                return Some(Decision::Allow(Allowed {
                    person: person?,
                    grant,
                    path: AccessPath {
                        net,
                        from: g.node,
                        to: n,
                    },
                    capability,
                }));
            }
            // out of its time: not yet valid when before its start (times
            // of a card are whole seconds, so the keys order as the times)
            let reason = if s < g.from {
                DenyReason::NotYetValid { grant }
            } else {
                DenyReason::Expired { grant }
            };
            (reason, Some(grant))
        } else {
            let reserved = (facts & CAP_RESERVED != 0) & covers & valid & !central;
            let near = if reserved {
                facts & ROLE_LISTS != 0
            } else {
                gives & valid
            };
            let reason = if reserved {
                DenyReason::ReservedToCentral
            } else {
                DenyReason::NoGrant
            };
            (reason, near.then_some(grant))
        };
        Some(Decision::Deny(Denied {
            person,
            person_id,
            capability,
            node,
            reason,
            nearest,
        }))
    }

    /// The full decision for known ids, over all the person's grants.
    #[inline(never)]
    pub(crate) fn decide_general<'a>(
        &'a self,
        net: &'a Network,
        person_id: &'a str,
        p: Option<u32>,
        c: u8,
        n: u32,
        now: DateTime<Utc>,
    ) -> Option<Decision<'a>> {
        let capability = self.capability_def(c)?;
        let node = net.at(n)?;
        let bit = 1u128 << c;
        let person = p.and_then(|p| self.person_at(p));
        let base = Denied {
            person,
            person_id,
            capability,
            node,
            reason: DenyReason::NoGrant,
            nearest: None,
        };
        let (Some(p), Some(person)) = (p, person) else {
            return Some(Decision::Deny(base));
        };
        if let Some(best) = self.best_allowing(net, p, bit, n, now) {
            let grant = self.grant_at(best.slot)?;
            if let Some(rule) = self.first_rule(net, Some(p), bit, Some(n)) {
                return Some(Decision::Deny(self.deny_for_rule(base, rule, Some(grant))));
            }
            return Some(Decision::Allow(Allowed {
                person,
                grant,
                path: AccessPath {
                    net,
                    from: best.anchor,
                    to: n,
                },
                capability,
            }));
        }
        Some(Decision::Deny(self.explain_denial(net, base, p, c, n, now)))
    }

    /// Why nothing allows: a lapsed or future grant here, a reserved
    /// capability, or no grant (with the nearest one elsewhere).
    fn explain_denial<'a>(
        &'a self,
        net: &'a Network,
        base: Denied<'a>,
        p: u32,
        c: u8,
        n: u32,
        now: DateTime<Utc>,
    ) -> Denied<'a> {
        let bit = 1u128 << c;
        let (tin_n, _) = net.span(n);
        let entries = self.entries(p);
        let tags = self.tag_entries(p);
        // Covering grants, each with its anchor.
        let covering = |e: &Entry| {
            let (t, o) = net.span(e.node);
            (t <= tin_n && tin_n < o).then_some(Cand {
                tin: t,
                slot: e.slot,
                anchor: e.node,
            })
        };
        let covering_tag = |te: &TagEntry| {
            self.tag_anchor(net, n, te.tag.as_str()).map(|a| Cand {
                tin: net.span(a).0,
                slot: te.slot,
                anchor: a,
            })
        };
        let all_covering = entries
            .iter()
            .filter_map(|e| covering(e).map(|cd| (cd, e.caps, e.role, e.valid_at(now), e.central)))
            .chain(tags.iter().filter_map(|te| {
                covering_tag(te).map(|cd| (cd, te.caps, te.role, te.valid_at(now), true))
            }));
        let mut timed: Option<Cand> = None;
        let mut reserved_near: Option<Cand> = None;
        let mut any_valid_cover = false;
        let mut central_cover = false;
        for (cd, caps, role, valid, central) in all_covering {
            if caps & bit != 0 && !valid {
                keep(&mut timed, cd);
            }
            if valid {
                any_valid_cover = true;
                central_cover |= central;
                let listed = self
                    .compiled
                    .roles
                    .get(role as usize)
                    .is_some_and(|r| r.caps & bit != 0);
                if listed && caps & bit == 0 {
                    keep(&mut reserved_near, cd);
                }
            }
        }
        if let Some(cd) = timed
            && let Some(g) = self.grant_at(cd.slot)
        {
            let reason = if now < g.valid_from {
                DenyReason::NotYetValid { grant: g }
            } else {
                DenyReason::Expired { grant: g }
            };
            return Denied {
                reason,
                nearest: Some(g),
                ..base
            };
        }
        if self.compiled.reserved & bit != 0 && any_valid_cover && !central_cover {
            return Denied {
                reason: DenyReason::ReservedToCentral,
                nearest: reserved_near.and_then(|cd| self.grant_at(cd.slot)),
                ..base
            };
        }
        // No grant here: the person's valid grant giving the capability
        // nearest in the tree (node grants by tree distance, then tag grants).
        let mut nearest: Option<(u32, u32)> = None; // (distance, slot)
        for e in entries {
            if e.caps & bit != 0 && e.valid_at(now) {
                let d = tree_distance(net, e.node, n);
                if nearest.is_none_or(|(bd, bs)| (d, e.slot) < (bd, bs)) {
                    nearest = Some((d, e.slot));
                }
            }
        }
        if nearest.is_none() {
            nearest = tags
                .iter()
                .filter(|te| te.caps & bit != 0 && te.valid_at(now))
                .map(|te| (u32::MAX, te.slot))
                .min();
        }
        Denied {
            reason: DenyReason::NoGrant,
            nearest: nearest.and_then(|(_, s)| self.grant_at(s)),
            ..base
        }
    }
}

#[cold]
#[inline(never)]
fn unknown_node(node: &str) -> AccessError {
    AccessError::UnknownNode(node.to_owned())
}

#[cold]
#[inline(never)]
fn unknown_capability(capability: &str) -> AccessError {
    AccessError::UnknownCapability(capability.to_owned())
}

/// Edges between two nodes in the tree.
pub(crate) fn tree_distance(net: &Network, a: u32, b: u32) -> u32 {
    let depth = |x: u32| net.depth.get(x as usize).copied().unwrap_or(0);
    let (mut x, mut y) = (a, b);
    let mut d = 0;
    while depth(x) > depth(y) {
        x = net.parent_ix(x).unwrap_or(x);
        d += 1;
    }
    while depth(y) > depth(x) {
        y = net.parent_ix(y).unwrap_or(y);
        d += 1;
    }
    while x != y {
        match (net.parent_ix(x), net.parent_ix(y)) {
            (Some(px), Some(py)) => {
                x = px;
                y = py;
                d += 2;
            }
            _ => break,
        }
    }
    d
}

impl Network {
    #[inline(always)]
    fn resolve_cap(&self, capability: &str) -> Result<u8, AccessError> {
        match self.access.compiled.cap(capability) {
            Some(c) => Ok(c),
            None => Err(unknown_capability(capability)),
        }
    }

    #[inline(always)]
    fn resolve_node(&self, node: &str) -> Result<u32, AccessError> {
        match self.access.node_ix(self, node) {
            Some(n) => Ok(n),
            None => Err(unknown_node(node)),
        }
    }

    /// May `person` use `capability` at `node` at time `now`, and why (not)?
    ///
    /// An unknown capability or node is an error; an unknown person is
    /// denied (no grant). Allocates nothing; the explanation is the
    /// decision's `Display`.
    ///
    /// ```
    /// use chapterhouse::{Actor, Network, Op};
    /// let now = "2026-01-01T00:00:00Z".parse().unwrap();
    /// let mut net = Network::new("org".parse()?, "Org", "org".parse()?, now)?;
    /// for op in [
    ///     r#"{"op":"add_region","id":"ne","parent":"org","name":"Northeast","slug":"ne"}"#,
    ///     r#"{"op":"set_person","id":"p-1","name":"Ana"}"#,
    ///     r#"{"op":"grant","id":"g-1","person":"p-1","role":"regional_coordinator","scope":{"node":"ne"}}"#,
    /// ] {
    ///     net.apply(serde_json::from_str::<Op>(op)?, &Actor::Host, now)?;
    /// }
    /// let d = net.check("p-1", "chapter.approve", "ne", now)?;
    /// assert!(d.is_allowed());
    /// assert_eq!(d.grant().unwrap().id.as_str(), "g-1");
    /// let d = net.check("p-1", "policy.edit", "ne", now)?;
    /// assert!(!d.is_allowed());
    /// assert_eq!(d.to_string(), "denied: p-1 holds no grant that gives policy.edit at ne");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check<'a>(
        &'a self,
        person: &'a str,
        capability: &str,
        node: &str,
        now: DateTime<Utc>,
    ) -> Result<Decision<'a>, AccessError> {
        // the person first: their card is the one read likely to miss the
        // cache, and the other two lookups run while it loads
        let people = &self.access.ix.people;
        let q = people.find_quick(person);
        let c = self.resolve_cap(capability)?;
        let n = self.resolve_node(node)?;
        if let Some(q) = q
            && q.says_all()
            && let Some(d) =
                self.access
                    .decide_single(self, person, q.ix, q.single(), c, n, quick_now(now))
        {
            return Ok(d);
        }
        self.check_general(person, q, c, n, node, now)
    }

    /// [`Network::check`] for a person whose compact card does not say it
    /// all, or who is not known (out of line, so the usual check holds
    /// fewer values).
    #[inline(never)]
    fn check_general<'a>(
        &'a self,
        person: &'a str,
        q: Option<&Quick>,
        c: u8,
        n: u32,
        node: &str,
        now: DateTime<Utc>,
    ) -> Result<Decision<'a>, AccessError> {
        let found = q.and_then(|q| self.access.ix.people.of_quick(q));
        self.access
            .decide_found(
                self,
                person,
                found.map(|(p, _)| p),
                found.map(|(_, card)| card),
                c,
                n,
                now,
            )
            .ok_or_else(|| AccessError::UnknownNode(node.to_owned()))
    }

    /// [`Network::check`] as plain data with its explanation (what bindings
    /// and audit logs keep): allowed, the grant and path, or the deny code,
    /// rule and nearest grant.
    pub fn explain(
        &self,
        person: &str,
        capability: &str,
        node: &str,
        now: DateTime<Utc>,
    ) -> Result<DecisionReport, AccessError> {
        Ok(self.check(person, capability, node, now)?.report())
    }

    /// Every node where `person` may use `capability` at `now`, in preorder,
    /// `limit` at a time, starting after the node `after` (a previous page's
    /// `next`). Exact: a node is listed iff [`Network::check`] allows it.
    ///
    /// Cost: O(g log g) for the person's g grants, then proportional to the
    /// nodes walked, which are the answer plus nodes a node rule (archived,
    /// not active) excludes. Never truncated silently: `next` is set while
    /// more remain.
    pub fn nodes_where<'a>(
        &'a self,
        person: &str,
        capability: &str,
        now: DateTime<Utc>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<NodesPage<'a>, AccessError> {
        let c = self.resolve_cap(capability)?;
        let start = match after {
            Some(a) => self.span(self.resolve_node(a)?).0 + 1,
            None => 0,
        };
        let empty = NodesPage {
            nodes: Vec::new(),
            next: None,
        };
        let acc = &self.access;
        let Some(p) = acc.ix.people.get(person) else {
            return Ok(empty);
        };
        let bit = 1u128 << c;
        if acc.compiled.person_rule_mask & bit != 0
            && acc.first_rule(self, Some(p), bit, None).is_some()
        {
            return Ok(empty);
        }
        // Subtree ranges of the grants that confer it now.
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for e in acc.entries(p) {
            if e.caps & bit != 0 && e.valid_at(now) {
                ranges.push(self.span(e.node));
            }
        }
        for te in acc.tag_entries(p) {
            if te.caps & bit != 0 && te.valid_at(now) {
                for &n in acc
                    .ix
                    .tag_nodes
                    .get(te.tag.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    ranges.push(self.span(n));
                }
            }
        }
        ranges.sort_unstable();
        // Subtrees are nested or disjoint: keep the outermost.
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last() {
                Some(&(_, end)) if r.0 < end => {}
                _ => merged.push(r),
            }
        }
        let node_rules = acc.compiled.node_rule_mask & bit != 0;
        let mut nodes = Vec::with_capacity(limit.min(1024));
        let first = merged.partition_point(|&(_, end)| end <= start);
        for &(tin, tout) in merged.get(first..).unwrap_or_default() {
            for pos in tin.max(start)..tout {
                let Some(&ix) = self.order.get(pos as usize) else {
                    continue;
                };
                if node_rules && acc.first_rule(self, None, bit, Some(ix)).is_some() {
                    continue;
                }
                let Some(node) = self.at(ix) else { continue };
                if nodes.len() == limit {
                    let next = nodes.last().map(|n: &&Node| n.id.clone());
                    return Ok(NodesPage { nodes, next });
                }
                nodes.push(node);
            }
        }
        Ok(NodesPage { nodes, next: None })
    }

    /// Everyone who may use `capability` at `node` at `now` (for example,
    /// who to notify to approve an event), nearest grant first, then by
    /// person id. Each entry cites the grant [`Network::check`] would cite.
    ///
    /// Cost: the grants anchored on the node's ancestors (and on tags they
    /// carry), not all grants.
    pub fn who_can<'a>(
        &'a self,
        capability: &str,
        node: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Allowed<'a>>, AccessError> {
        let c = self.resolve_cap(capability)?;
        let n = self.resolve_node(node)?;
        let acc = &self.access;
        let bit = 1u128 << c;
        let Some(capability) = acc.capability_def(c) else {
            return Ok(Vec::new());
        };
        if acc.compiled.node_rule_mask & bit != 0
            && acc.first_rule(self, None, bit, Some(n)).is_some()
        {
            return Ok(Vec::new());
        }
        // person index → best candidate
        let mut best: FxMap<u32, Cand> = FxMap::default();
        // Keeps, per person, the best grant in force among `slots`
        // (anchored at `at`).
        let mut consider = |slots: &[u32], tin: u32, at: u32| {
            for &slot in slots {
                if let Some((p, caps, valid)) = acc.slot_facts(slot, now)
                    && caps & bit != 0
                    && valid
                {
                    let cd = Cand {
                        tin,
                        slot,
                        anchor: at,
                    };
                    let b = best.entry(p).or_insert(cd);
                    if cd.better_than(b) {
                        *b = cd;
                    }
                }
            }
        };
        let mut at = n;
        loop {
            let tin = self.span(at).0;
            let by_node = acc.ix.by_node.get(at as usize).map(Vec::as_slice);
            consider(by_node.unwrap_or_default(), tin, at);
            if let Some(node) = self.at(at) {
                for tag in &node.tags {
                    let by_tag = acc.ix.by_tag.get(tag.as_str()).map(Vec::as_slice);
                    consider(by_tag.unwrap_or_default(), tin, at);
                }
            }
            match self.parent_ix(at) {
                Some(p) => at = p,
                None => break,
            }
        }
        let mut out: Vec<(u32, Allowed<'a>)> = Vec::with_capacity(best.len());
        for (p, cd) in best {
            if acc.compiled.person_rule_mask & bit != 0
                && acc.first_rule(self, Some(p), bit, None).is_some()
            {
                continue;
            }
            if let (Some(person), Some(grant)) = (acc.person_at(p), acc.grant_at(cd.slot)) {
                out.push((
                    cd.tin,
                    Allowed {
                        person,
                        grant,
                        path: AccessPath {
                            net: self,
                            from: cd.anchor,
                            to: n,
                        },
                        capability,
                    },
                ));
            }
        }
        out.sort_by(|(ta, a), (tb, b)| tb.cmp(ta).then_with(|| a.person.id.cmp(&b.person.id)));
        Ok(out.into_iter().map(|(_, a)| a).collect())
    }

    /// Every capability `person` may use at `node` at `now`, in policy
    /// order, each with the grant [`Network::check`] would cite.
    pub fn capabilities_at<'a>(
        &'a self,
        person: &str,
        node: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Allowed<'a>>, AccessError> {
        let n = self.resolve_node(node)?;
        let acc = &self.access;
        let Some(p) = acc.ix.people.get(person) else {
            return Ok(Vec::new());
        };
        let Some(person) = acc.person_at(p) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (c, capability) in acc.policy.capabilities.iter().enumerate() {
            let bit = 1u128 << c;
            let Some(best) = acc.best_allowing(self, p, bit, n, now) else {
                continue;
            };
            if acc.first_rule(self, Some(p), bit, Some(n)).is_some() {
                continue;
            }
            if let Some(grant) = acc.grant_at(best.slot) {
                out.push(Allowed {
                    person,
                    grant,
                    path: AccessPath {
                        net: self,
                        from: best.anchor,
                        to: n,
                    },
                    capability,
                });
            }
        }
        Ok(out)
    }

    /// Everyone who holds `capability` anywhere at `now`, through which
    /// grant, in grant order: the data officer's view of who can export
    /// member data. Entries whose holder is currently stopped by a person
    /// rule (suspension, missing attestation) say so.
    pub fn audit<'a>(
        &'a self,
        capability: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<AuditEntry<'a>>, AccessError> {
        let c = self.resolve_cap(capability)?;
        let acc = &self.access;
        let bit = 1u128 << c;
        let mut out = Vec::new();
        for (slot, g) in acc.grants.iter().enumerate() {
            let Some(grant) = g else { continue };
            let Some((p, caps, valid)) = acc.slot_facts(slot as u32, now) else {
                continue;
            };
            if caps & bit == 0 || !valid {
                continue;
            }
            let Some(person) = acc.person_at(p) else {
                continue;
            };
            let blocked_by = acc
                .first_rule(self, Some(p), bit & acc.compiled.person_rule_mask, None)
                .and_then(|r| acc.rule_def(r));
            out.push(AuditEntry {
                person,
                grant,
                blocked_by,
            });
        }
        Ok(out)
    }

    /// May `granter` give `grantee` the `role` at `scope` at `now`?
    ///
    /// Delegation safety: the granter needs `leaders.appoint` there and every
    /// capability the role confers there (so nobody hands out more than they
    /// hold), and nobody grants themselves anything. At a tag scope, the
    /// granter must hold them through an organization-wide grant or a grant
    /// on the same tag. Returns `Ok(None)` when allowed.
    pub fn can_grant<'a>(
        &'a self,
        granter: &'a str,
        grantee: &str,
        role: &str,
        scope: &Scope,
        now: DateTime<Utc>,
    ) -> Result<Option<GrantRefusal<'a>>, AccessError> {
        self.delegation_check(granter, grantee, role, scope, now, "leaders.appoint")
    }

    /// As [`Network::can_grant`] for withdrawing a grant: `leaders.remove`
    /// and every capability of its role at its scope. Anyone may withdraw
    /// their own grant (step down).
    pub fn can_revoke<'a>(
        &'a self,
        revoker: &'a str,
        grant: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<GrantRefusal<'a>>, AccessError> {
        let slot = self
            .access
            .ix
            .grants
            .get(grant)
            .ok_or_else(|| AccessError::UnknownGrant(grant.to_owned()))?;
        let Some(g) = self.access.grant_at(slot) else {
            return Err(AccessError::UnknownGrant(grant.to_owned()));
        };
        if g.person.as_str() == revoker {
            return Ok(None);
        }
        self.delegation_check(revoker, "", &g.role, &g.scope, now, "leaders.remove")
    }

    fn delegation_check<'a>(
        &'a self,
        granter: &'a str,
        grantee: &str,
        role: &str,
        scope: &Scope,
        now: DateTime<Utc>,
        verb: &str,
    ) -> Result<Option<GrantRefusal<'a>>, AccessError> {
        let acc = &self.access;
        let Some((_, rc)) = acc.compiled.role(role) else {
            return Err(AccessError::UnknownRole(role.to_owned()));
        };
        if granter == grantee {
            return Ok(Some(GrantRefusal::SelfGrant));
        }
        let verb_ix = self.resolve_cap(verb)?;
        match scope {
            Scope::Node(id) => {
                let n = self.resolve_node(id.as_str())?;
                let level = self
                    .at(n)
                    .map(|node| ScopeLevel::of_node(node.level()))
                    .unwrap_or(ScopeLevel::Chapter);
                if !rc.allows_level(level) {
                    return Ok(Some(GrantRefusal::LevelNotAllowed { level }));
                }
                let need = rc.effective(level, acc.compiled.reserved) | (1u128 << verb_ix);
                let p = acc.ix.people.get(granter);
                for c in bits(need) {
                    if let Some(Decision::Deny(d)) = acc.decide(self, granter, p, c, n, now) {
                        return Ok(Some(GrantRefusal::Missing {
                            capability: d.capability,
                            decision: Some(d),
                        }));
                    }
                }
                Ok(None)
            }
            Scope::Tag(tag) => {
                if !rc.allows_level(ScopeLevel::Tag) {
                    return Ok(Some(GrantRefusal::LevelNotAllowed {
                        level: ScopeLevel::Tag,
                    }));
                }
                let need =
                    rc.effective(ScopeLevel::Tag, acc.compiled.reserved) | (1u128 << verb_ix);
                let p = acc.ix.people.get(granter);
                let mut held: Bits = 0;
                if let Some(p) = p {
                    for e in acc.entries(p) {
                        if e.node == 0 && e.valid_at(now) {
                            held |= e.caps;
                        }
                    }
                    for te in acc.tag_entries(p) {
                        if te.tag == *tag && te.valid_at(now) {
                            held |= te.caps;
                        }
                    }
                    held &= !acc.person_blocked(p);
                }
                let missing = need & !held;
                match bits(missing).next().and_then(|c| acc.capability_def(c)) {
                    Some(capability) => Ok(Some(GrantRefusal::Missing {
                        capability,
                        decision: None,
                    })),
                    None => Ok(None),
                }
            }
        }
    }
}

impl AccessState {
    /// Capabilities that person rules (suspension, attestations) currently forbid to `p`.
    pub(crate) fn person_blocked(&self, p: u32) -> Bits {
        let Some(f) = self.flags(p) else {
            return 0;
        };
        self.compiled
            .rules
            .iter()
            .filter(|r| match r.when {
                Condition::PersonSuspended => f.suspended,
                Condition::MissingAttestation => f.attest & r.attestation == 0,
                _ => false,
            })
            .fold(0, |acc, r| acc | r.mask)
    }

    /// (person index, conferred capabilities, valid at `now`) of a live grant slot.
    fn slot_facts(&self, slot: u32, now: DateTime<Utc>) -> Option<(u32, Bits, bool)> {
        let g = self.grant_at(slot)?;
        let p = self.ix.people.get(g.person.as_str())?;
        let entries = self.entries(p);
        if let Some(e) = entries.iter().find(|e| e.slot == slot) {
            return Some((p, e.caps, e.valid_at(now)));
        }
        let te = self.tag_entries(p).iter().find(|e| e.slot == slot)?;
        Some((p, te.caps, te.valid_at(now)))
    }
}

/// The indexes of the set bits, lowest first.
pub(crate) fn bits(mut b: Bits) -> impl Iterator<Item = u8> {
    std::iter::from_fn(move || {
        if b == 0 {
            return None;
        }
        let i = b.trailing_zeros() as u8;
        b &= b - 1;
        Some(i)
    })
}
