//! The access state a network holds: policy, people, grants, and the indexes
//! that answer queries.
//!
//! Invariants: every live grant names a known person and role, and a node in
//! the network or a tag; `entries[p]` holds exactly person `p`'s live
//! node-scoped grants sorted by (node index, slot), with the capabilities
//! their role confers at that node's level; grant slots never move (revoked
//! grants leave an empty slot), so indexes keep pointing at the same grant.

use chrono::{DateTime, Utc};

use super::fx::{FxMap, IdMap, Names};
use super::model::{Attestations, Grant, Person, Scope};
use super::people::PeopleIx;
use super::policy::{Bits, Compiled, Policy, ScopeLevel};
use super::{AccessError, AccessWarning};
use crate::id::Tag;
use crate::network::{ChapterStatus, Network};

/// Per-person facts the forbid rules read.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PersonFlags {
    pub(crate) suspended: bool,
    pub(crate) attest: u64,
}

/// A node-scoped grant, compiled for `check`.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Capabilities conferred at the grant's node (reserved ones removed at chapter level).
    pub(crate) caps: Bits,
    pub(crate) from: DateTime<Utc>,
    pub(crate) until: DateTime<Utc>,
    pub(crate) node: u32,
    pub(crate) slot: u32,
    pub(crate) role: u16,
    /// Anchored at the organization or a region (confers reserved capabilities).
    pub(crate) central: bool,
}

impl Entry {
    #[inline]
    pub(crate) fn valid_at(&self, now: DateTime<Utc>) -> bool {
        self.from <= now && now < self.until
    }
}

/// A tag-scoped grant, compiled for `check`.
#[derive(Debug, Clone)]
pub(crate) struct TagEntry {
    pub(crate) caps: Bits,
    pub(crate) from: DateTime<Utc>,
    pub(crate) until: DateTime<Utc>,
    pub(crate) slot: u32,
    pub(crate) role: u16,
    pub(crate) tag: Tag,
}

impl TagEntry {
    #[inline]
    pub(crate) fn valid_at(&self, now: DateTime<Utc>) -> bool {
        self.from <= now && now < self.until
    }
}

/// A person's grants at nodes, the common single grant kept inline (one
/// memory read for a check), sorted by (node index, slot).
#[derive(Debug, Clone, Default)]
pub(crate) enum Entries {
    #[default]
    None,
    One(Entry),
    Many(Vec<Entry>),
}

impl Entries {
    #[inline]
    pub(crate) fn as_slice(&self) -> &[Entry] {
        match self {
            Entries::None => &[],
            Entries::One(e) => std::slice::from_ref(e),
            Entries::Many(v) => v,
        }
    }

    fn from_vec(mut v: Vec<Entry>) -> Entries {
        match v.len() {
            0 => Entries::None,
            1 => v.pop().map(Entries::One).unwrap_or_default(),
            _ => Entries::Many(v),
        }
    }
}

/// A person's live grant slots, ascending, the common single slot inline
/// (no allocation per person on load).
#[derive(Debug, Clone, Default)]
pub(crate) enum SlotList {
    #[default]
    None,
    One(u32),
    Many(Vec<u32>),
}

impl SlotList {
    fn push(&mut self, slot: u32) {
        match self {
            SlotList::None => *self = SlotList::One(slot),
            SlotList::One(a) => *self = SlotList::Many(vec![*a, slot]),
            SlotList::Many(v) => v.push(slot),
        }
    }

    fn remove(&mut self, slot: u32) {
        match self {
            SlotList::One(a) if *a == slot => *self = SlotList::None,
            SlotList::Many(v) => v.retain(|&s| s != slot),
            _ => {}
        }
    }

    fn to_vec(&self) -> Vec<u32> {
        match self {
            SlotList::None => Vec::new(),
            SlotList::One(a) => vec![*a],
            SlotList::Many(v) => v.clone(),
        }
    }
}

/// What `check` reads about a person, in one place.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    pub(crate) flags: PersonFlags,
    pub(crate) entries: Entries,
    /// Tag-scoped grants (usually none, so no second read).
    pub(crate) tags: Vec<TagEntry>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub(crate) people: PeopleIx,
    /// A fast copy of the network's id map (the network's map is the
    /// fallback for nodes added since).
    pub(crate) nodes: IdMap,
    pub(crate) grants: IdMap,
    /// Per person: flags and node-scoped grant entries.
    pub(crate) rows: Vec<Row>,
    /// Per node index: its chapter status (`STATUS_*`), for the node rules.
    pub(crate) status: Vec<u8>,
    /// Per person: live grant slots, ascending.
    pub(crate) slots: Vec<SlotList>,
    /// Per node index: slots of live node-scoped grants, ascending.
    pub(crate) by_node: Vec<Vec<u32>>,
    /// Per tag: slots of live tag-scoped grants, ascending.
    pub(crate) by_tag: FxMap<Tag, Vec<u32>>,
    /// Per tag: nodes carrying it, in arena order.
    pub(crate) tag_nodes: FxMap<Tag, Vec<u32>>,
}

/// The policy, people and grants of a network, with their indexes.
#[derive(Debug, Clone)]
pub(crate) struct AccessState {
    /// True when the snapshot carried a policy (saved back); false = default.
    pub(crate) explicit_policy: bool,
    pub(crate) policy: Policy,
    pub(crate) compiled: Compiled,
    pub(crate) people: Vec<Person>,
    /// Grant slots in the order grants were added.
    pub(crate) grants: Slots,
    pub(crate) ix: Index,
}

impl Default for AccessState {
    fn default() -> Self {
        let policy = Policy::default();
        // The default policy is valid (a unit test holds it to that); should
        // it ever fail, an empty compiled policy denies everything.
        let compiled = match Compiled::new(&policy) {
            Ok((c, _)) => c,
            Err(_) => Compiled::empty(),
        };
        AccessState {
            explicit_policy: false,
            policy,
            compiled,
            people: Vec::new(),
            grants: Slots::default(),
            ix: Index::default(),
        }
    }
}

impl Drop for AccessState {
    /// A large state's people, grants and rows are dropped side by side
    /// (native targets; the same memory freed either way): each of the
    /// three is a pass over 7 to 13 MB for 100,000 people, reading every
    /// item for the strings it may own, then handing the blocks back, and
    /// the drop of a loaded network is mostly these.
    fn drop(&mut self) {
        if !split_people(self.people.len()) {
            return;
        }
        let people = std::mem::take(&mut self.people);
        let rows = std::mem::take(&mut self.ix.rows);
        let slots = std::mem::take(&mut self.ix.slots);
        let grants = std::mem::take(&mut self.grants);
        both(
            true,
            move || {
                drop(people);
                drop(rows);
            },
            move || {
                drop(grants);
                drop(slots);
            },
        );
    }
}

impl PartialEq for AccessState {
    /// Equal when policy (and whether it is explicit), people and live grants
    /// are equal; indexes are derived.
    fn eq(&self, other: &Self) -> bool {
        self.explicit_policy == other.explicit_policy
            && self.policy == other.policy
            && self.people == other.people
            && self.live().eq(other.live())
    }
}

impl Compiled {
    pub(crate) fn empty() -> Compiled {
        Compiled {
            cap_names: Names::default(),
            role_caps: Vec::new(),
            role_ix: IdMap::default(),
            attest_ix: IdMap::default(),
            roles: Vec::new(),
            reserved: 0,
            rules: Vec::new(),
            person_rule_mask: 0,
            node_rule_mask: 0,
            applicant_role: None,
        }
    }
}

/// Grants by slot, in the order added. A revoked grant's slot is marked
/// dead (its data stays, unreachable), so `get` answers from a compact
/// liveness vector without reading the grant itself.
#[derive(Debug, Clone, Default)]
pub(crate) struct Slots {
    grants: Vec<Grant>,
    live: Vec<bool>,
}

impl Slots {
    /// Every grant live, in this order.
    pub(crate) fn from_vec(grants: Vec<Grant>) -> Slots {
        Slots {
            live: vec![true; grants.len()],
            grants,
        }
    }

    #[inline]
    pub(crate) fn get(&self, slot: u32) -> Option<&Grant> {
        match self.live.get(slot as usize) {
            Some(true) => self.grants.get(slot as usize),
            _ => None,
        }
    }

    /// The grant at a slot taken from an index (which holds live slots only).
    #[inline]
    pub(crate) fn indexed(&self, slot: u32) -> Option<&Grant> {
        self.grants.get(slot as usize)
    }

    /// Every slot, `None` for revoked ones.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Option<&Grant>> + '_ {
        self.grants
            .iter()
            .zip(&self.live)
            .map(|(g, &live)| live.then_some(g))
    }

    pub(crate) fn len(&self) -> usize {
        self.grants.len()
    }

    pub(crate) fn push(&mut self, g: Grant) {
        self.grants.push(g);
        self.live.push(true);
    }

    /// Marks a slot revoked, returning its grant.
    pub(crate) fn take(&mut self, slot: u32) -> Option<Grant> {
        let live = self.live.get_mut(slot as usize)?;
        if !*live {
            return None;
        }
        *live = false;
        self.grants.get(slot as usize).cloned()
    }
}

/// What a grant compiles to, before it is indexed.
pub(crate) struct Placed {
    pub(crate) person: u32,
    pub(crate) node: Option<u32>,
    pub(crate) level: ScopeLevel,
    pub(crate) role: u16,
    pub(crate) caps: Bits,
}

pub(crate) const STATUS_NOT_CHAPTER: u8 = 0;
pub(crate) const STATUS_ACTIVE: u8 = 1;
pub(crate) const STATUS_ARCHIVED: u8 = 2;
pub(crate) const STATUS_INACTIVE: u8 = 3;

/// A node added since the fast map was built (or none).
#[cold]
#[inline(never)]
fn node_ix_slow(net: &Network, id: &str) -> Option<u32> {
    net.ix(id)
}

/// `(a(), b())`, side by side when `parallel` on native targets.
pub(crate) fn both<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    if parallel {
        return rayon::join(a, b);
    }
    #[cfg(target_arch = "wasm32")]
    let _ = parallel;
    (a(), b())
}

/// Whether the rows and cards of this many people are worth building in
/// two halves side by side.
fn split_people(n: usize) -> bool {
    n >= 4096
}

/// The grant id map of a load, or the index of the first grant whose id
/// came before.
pub(crate) type GrantIds = Result<IdMap, usize>;

/// The grant id map, or the index of the first grant whose id came before.
pub(crate) fn grant_ids(grants: &[Grant]) -> GrantIds {
    let mut ids = IdMap::default();
    ids.reserve(grants.len());
    for (i, g) in grants.iter().enumerate() {
        if ids.insert(g.id.as_str(), i as u32).is_some() {
            return Err(i);
        }
    }
    Ok(ids)
}

/// Normalizes a loaded person and returns their flags; `checked` is the
/// last attestation list checked, with its bits (people share lists, so
/// most are checked and looked up once).
fn normalize_one(
    compiled: &Compiled,
    person: &mut Person,
    checked: &mut Option<(Attestations, u64)>,
) -> Result<PersonFlags, AccessError> {
    person.normalize_after(checked.as_ref().map(|c| &c.0))?;
    Ok(match checked {
        Some((c, attest)) if c.shared_with(&person.attestations) => PersonFlags {
            suspended: person.suspended,
            attest: *attest,
        },
        _ => {
            let f = flags_of(compiled, person);
            *checked = Some((person.attestations.clone(), f.attest));
            f
        }
    })
}

/// Person `p`'s flags under a compiled policy.
fn flags_of(compiled: &Compiled, p: &Person) -> PersonFlags {
    let mut attest = 0u64;
    for a in &p.attestations {
        if let Some(b) = compiled.attest_ix.get(a.as_str()) {
            attest |= 1u64 << b;
        }
    }
    PersonFlags {
        suspended: p.suspended,
        attest,
    }
}

pub(crate) fn far_future() -> DateTime<Utc> {
    DateTime::<Utc>::MAX_UTC
}

impl AccessState {
    /// A cheap empty state, swapped in while the real one is updated
    /// against the network (never observable: it is swapped back at once).
    pub(crate) fn placeholder() -> AccessState {
        AccessState {
            explicit_policy: false,
            policy: Policy {
                capabilities: Vec::new(),
                roles: Vec::new(),
                attestations: Default::default(),
                forbid: Vec::new(),
                applicant_role: None,
            },
            compiled: Compiled::empty(),
            people: Vec::new(),
            grants: Slots::default(),
            ix: Index::default(),
        }
    }

    /// Person `p`'s node-scoped grant entries.
    #[inline]
    pub(crate) fn entries(&self, p: u32) -> &[Entry] {
        self.ix
            .rows
            .get(p as usize)
            .map(|r| r.entries.as_slice())
            .unwrap_or_default()
    }

    /// Person `p`'s tag-scoped grant entries.
    #[inline]
    pub(crate) fn tag_entries(&self, p: u32) -> &[TagEntry] {
        self.ix
            .rows
            .get(p as usize)
            .map(|r| r.tags.as_slice())
            .unwrap_or_default()
    }

    /// Person `p`'s flags.
    #[inline]
    pub(crate) fn flags(&self, p: u32) -> Option<&PersonFlags> {
        self.ix.rows.get(p as usize).map(|r| &r.flags)
    }

    /// Refreshes the per-node status bytes the node rules read.
    pub(crate) fn index_status(&mut self, net: &Network) {
        self.ix.status = net
            .nodes
            .iter()
            .map(|n| match n.chapter().map(|c| c.status) {
                None => STATUS_NOT_CHAPTER,
                Some(ChapterStatus::Active) => STATUS_ACTIVE,
                Some(ChapterStatus::Archived) => STATUS_ARCHIVED,
                Some(_) => STATUS_INACTIVE,
            })
            .collect();
    }

    /// Live grants in slot order.
    pub(crate) fn live(&self) -> impl Iterator<Item = &Grant> + '_ {
        self.grants.iter().flatten()
    }

    pub(crate) fn grant_at(&self, slot: u32) -> Option<&Grant> {
        self.grants.get(slot)
    }

    pub(crate) fn person_at(&self, p: u32) -> Option<&Person> {
        self.people.get(p as usize)
    }

    /// The arena index of a node: the fast map first, then the network's.
    #[inline(always)]
    pub(crate) fn node_ix(&self, net: &Network, id: &str) -> Option<u32> {
        match self.ix.nodes.get(id) {
            Some(n) => Some(n),
            None => node_ix_slow(net, id),
        }
    }

    /// Builds the access state of a loaded snapshot. Errors carry the
    /// snapshot path of the offending item (`grants[7]`).
    ///
    /// `table`: the people table of these people's ids, when built
    /// meanwhile ([`PeopleIx::of_people`]): the table, or the index of the
    /// first repeated id. `ids`: these grants' [`grant_ids`], when built
    /// meanwhile (by the thread that read them).
    pub(crate) fn load(
        net: &Network,
        policy: Option<Policy>,
        people: Vec<Person>,
        grants: Vec<Grant>,
        table: Option<Result<PeopleIx, usize>>,
        ids: Option<GrantIds>,
    ) -> Result<AccessState, (String, AccessError)> {
        let explicit_policy = policy.is_some();
        let policy = policy.unwrap_or_default();
        let (compiled, _) = Compiled::new(&policy).map_err(|e| ("policy".to_owned(), e))?;
        let mut state = AccessState {
            explicit_policy,
            policy,
            compiled,
            people: Vec::new(),
            grants: Slots::default(),
            ix: Index::default(),
        };
        let built = table.is_some();
        // the first repeated id, when the table was built ahead
        let mut repeated = None;
        match table {
            Some(Ok(t)) => state.ix.people = t,
            Some(Err(i)) => repeated = Some(i),
            None => state.ix.people.reserve(people.len()),
        }
        // normalized in place: the parsed vector becomes the state's
        let mut people = people;
        let flags = if built {
            // the table was built ahead, so each person is normalized and
            // flagged on their own: in two halves side by side for many
            // people, the first error in order still the one named (the
            // first half's, if any)
            // (each half writes its part of one vector: two vectors
            // joined after cost a third block and a copy)
            let compiled = &state.compiled;
            let norm = |from: usize,
                        part: &mut [Person],
                        out: &mut [PersonFlags]|
             -> Result<(), (String, AccessError)> {
                let mut checked: Option<(Attestations, u64)> = None;
                for (j, (person, f)) in part.iter_mut().zip(out).enumerate() {
                    let i = from + j;
                    let at = |e| (format!("people[{i}]"), e);
                    *f = normalize_one(compiled, person, &mut checked).map_err(at)?;
                    if repeated == Some(i) {
                        return Err(at(AccessError::DuplicatePerson(person.id.to_string())));
                    }
                }
                Ok(())
            };
            let np = people.len();
            let parallel = split_people(np);
            let half = if parallel { np / 2 } else { np };
            let mut flags = vec![PersonFlags::default(); np];
            let (part_a, part_b) = people.split_at_mut(half);
            let (flags_a, flags_b) = flags.split_at_mut(half);
            let (a, b) = both(
                parallel,
                || norm(0, part_a, flags_a),
                || norm(half, part_b, flags_b),
            );
            a?;
            b?;
            flags
        } else {
            let mut flags = Vec::with_capacity(people.len());
            let mut checked: Option<(Attestations, u64)> = None;
            for (i, person) in people.iter_mut().enumerate() {
                let at = |e| (format!("people[{i}]"), e);
                let f = normalize_one(&state.compiled, person, &mut checked).map_err(at)?;
                flags.push(f);
                // one probe: a duplicate is found by the insert
                if !state.ix.people.push_new(person.id.as_str(), f) {
                    return Err(at(AccessError::DuplicatePerson(person.id.to_string())));
                }
            }
            flags
        };
        state.people = people;
        state.index_nodes(net);
        // The grant id map and the placements do not depend on each other,
        // nor do the placements on one another: on native targets, with
        // many grants, the id map (unless built by the thread that read
        // the grants) and the first 3/10 of the placements are built on one
        // thread while the rest are placed on the other (the id map, random
        // writes into a table of 2 MiB for 100,000 grants, takes about
        // three times as long as the placements); with the map built, each
        // thread places half. The first error in grant order wins, a
        // repeated id before a misplaced grant at the same index, as one
        // pass over the grants would find them.
        let split = match ids {
            Some(_) => grants.len() / 2,
            None => grants.len() / 10 * 3,
        };
        let mut placed: Vec<Option<Placed>> = Vec::new();
        placed.resize_with(grants.len(), || None);
        let (first, rest) = placed.split_at_mut(split);
        let fill = |out: &mut [Option<Placed>], from: usize| -> Result<(), (usize, AccessError)> {
            // the person of the grant before: grants usually come grouped
            // by person, in the people's order, so the next grant's person
            // is usually found by comparing one or two ids (no table probe)
            let mut hint = 0u32;
            let todo = grants.get(from..).unwrap_or_default();
            for (i, (out, grant)) in out.iter_mut().zip(todo).enumerate() {
                let p = state
                    .place_near(net, grant, false, hint)
                    .map_err(|e| (from + i, e))?;
                hint = p.person;
                *out = Some(p);
            }
            Ok(())
        };
        let ((ids, one), two) = both(
            grants.len() >= 4096,
            || (ids.unwrap_or_else(|| grant_ids(&grants)), fill(first, 0)),
            || fill(rest, split),
        );
        let duplicate = |d: usize| {
            let id = grants.get(d).map(|g| g.id.to_string()).unwrap_or_default();
            Err((format!("grants[{d}]"), AccessError::DuplicateGrant(id)))
        };
        match (ids, one.and(two)) {
            (Err(d), Err((e, err))) => {
                return if d <= e {
                    duplicate(d)
                } else {
                    Err((format!("grants[{e}]"), err))
                };
            }
            (Err(d), Ok(())) => return duplicate(d),
            (Ok(_), Err((e, err))) => return Err((format!("grants[{e}]"), err)),
            (Ok(ids), Ok(())) => state.ix.grants = ids,
        }
        state.grants = Slots::from_vec(grants);
        let parallel = split_people(state.people.len());
        state.index_grants(net, placed, Some(flags), parallel);
        Ok(state)
    }

    /// Checks a grant against the policy, the people and the network, and
    /// returns what it compiles to. Unknown tags are an error only when
    /// `strict` (a new grant); a loaded grant on a tag no node carries any
    /// more is kept, with a warning.
    pub(crate) fn place(
        &self,
        net: &Network,
        g: &Grant,
        strict: bool,
    ) -> Result<Placed, AccessError> {
        self.place_near(net, g, strict, u32::MAX)
    }

    /// [`AccessState::place`], trying person `hint` and the next person
    /// before the people table.
    pub(crate) fn place_near(
        &self,
        net: &Network,
        g: &Grant,
        strict: bool,
        hint: u32,
    ) -> Result<Placed, AccessError> {
        g.check_interval()?;
        let near = [hint, hint.wrapping_add(1)].into_iter().find(|&p| {
            self.people
                .get(p as usize)
                .is_some_and(|person| person.id == g.person)
        });
        let Some(person) = near.or_else(|| self.ix.people.get(g.person.as_str())) else {
            return Err(AccessError::InvalidGrant {
                id: g.id.to_string(),
                reason: format!("names an unknown person {:?}", g.person.as_str()),
            });
        };
        let Some((role, rc)) = self.compiled.role(&g.role) else {
            return Err(AccessError::InvalidGrant {
                id: g.id.to_string(),
                reason: format!("names a role {:?} that the policy does not define", g.role),
            });
        };
        let (node, level) = match &g.scope {
            Scope::Node(id) => {
                let Some(n) = self.node_ix(net, id.as_str()) else {
                    return Err(AccessError::InvalidGrant {
                        id: g.id.to_string(),
                        reason: format!("is scoped to an unknown node {:?}", id.as_str()),
                    });
                };
                let level = net
                    .at(n)
                    .map(|node| ScopeLevel::of_node(node.level()))
                    .unwrap_or(ScopeLevel::Chapter);
                (Some(n), level)
            }
            Scope::Tag(t) => {
                if strict && !self.ix.tag_nodes.contains_key(t.as_str()) {
                    return Err(AccessError::UnknownTag(t.to_string()));
                }
                (None, ScopeLevel::Tag)
            }
        };
        if !rc.allows_level(level) {
            return Err(AccessError::InvalidGrant {
                id: g.id.to_string(),
                reason: format!(
                    "gives the role {} at {} level, where the policy does not allow it",
                    g.role,
                    level.as_str()
                ),
            });
        }
        Ok(Placed {
            person,
            node,
            level,
            role,
            caps: rc.effective(level, self.compiled.reserved),
        })
    }

    /// Rebuilds the fast node map and the tag → nodes index.
    pub(crate) fn index_nodes(&mut self, net: &Network) {
        self.index_status(net);
        self.ix.nodes = IdMap::default();
        self.ix.nodes.reserve(net.nodes.len());
        self.ix.tag_nodes = FxMap::default();
        for (i, n) in net.nodes.iter().enumerate() {
            self.ix.nodes.insert(n.id.as_str(), i as u32);
            for t in &n.tags {
                self.ix
                    .tag_nodes
                    .entry(t.clone())
                    .or_default()
                    .push(i as u32);
            }
        }
    }

    /// Rebuilds every grant index from the people, grants and policy.
    pub(crate) fn rebuild(&mut self, net: &Network) {
        self.rebuild_with(net, split_people(self.people.len()));
    }

    /// [`AccessState::rebuild`], the rows and cards built in two halves
    /// side by side or not.
    pub(crate) fn rebuild_with(&mut self, net: &Network, parallel: bool) {
        self.ix.grants = IdMap::default();
        self.ix.grants.reserve(self.grants.len());
        let mut placed = Vec::with_capacity(self.grants.len());
        for (slot, g) in self.grants.iter().enumerate() {
            match g {
                Some(g) => {
                    self.ix.grants.insert(g.id.as_str(), slot as u32);
                    // Grants in the state were placed when added, and
                    // set_policy re-places them before it commits.
                    placed.push(self.place(net, g, false).ok());
                }
                None => placed.push(None),
            }
        }
        self.index_grants(net, placed, None, parallel);
    }

    /// Builds the per-person rows and the node and tag indexes in one pass
    /// from each live grant's placement (`placed[slot]`). `fresh`: the
    /// people's flags under the current policy, when already computed.
    /// `parallel`: the rows in pieces and the cards in two halves side by
    /// side (on native targets; the same result either way).
    fn index_grants(
        &mut self,
        net: &Network,
        placed: Vec<Option<Placed>>,
        fresh: Option<Vec<PersonFlags>>,
        parallel: bool,
    ) {
        let np = self.people.len();
        let nn = net.nodes.len();
        let grants = &self.grants;
        let placed = &placed;
        // Two passes over the placements side by side (on native targets
        // with many people): the per-node and per-tag lists, and the
        // per-person ones. A placement has a node exactly when its grant
        // is scoped to a node, so the per-person pass reads no grant.
        let by_place = || {
            // each node's list sized first (growing 5,000 lists one push
            // at a time reallocated each of them several times)
            let mut per_node = vec![0u32; nn];
            for pl in placed.iter().flatten() {
                if let Some(c) = pl.node.and_then(|n| per_node.get_mut(n as usize)) {
                    *c += 1;
                }
            }
            let mut by_node: Vec<Vec<u32>> = per_node
                .iter()
                .map(|&c| Vec::with_capacity(c as usize))
                .collect();
            let mut by_tag: FxMap<Tag, Vec<u32>> = FxMap::default();
            // (person, entry) of each tag grant, in slot order (usually
            // none: no vector per person, 2.4 MB of empty ones for 100,000
            // people)
            let mut tags: Vec<(u32, TagEntry)> = Vec::new();
            for (slot, (g, pl)) in grants.iter().zip(placed).enumerate() {
                let (Some(g), Some(pl)) = (g, pl) else {
                    continue;
                };
                let slot = slot as u32;
                if let Some(node) = pl.node {
                    if let Some(v) = by_node.get_mut(node as usize) {
                        v.push(slot);
                    }
                } else if let Scope::Tag(t) = &g.scope {
                    by_tag.entry(t.clone()).or_default().push(slot);
                    if (pl.person as usize) < np {
                        tags.push((
                            pl.person,
                            TagEntry {
                                caps: pl.caps,
                                from: g.valid_from,
                                until: g.valid_until.unwrap_or_else(far_future),
                                slot,
                                role: pl.role,
                                tag: t.clone(),
                            },
                        ));
                    }
                }
            }
            // by person, each person's in slot order (a stable sort)
            tags.sort_by_key(|t| t.0);
            (by_node, by_tag, tags)
        };
        let by_person = || {
            let mut slots: Vec<SlotList> = Vec::new();
            slots.resize_with(np, || SlotList::None);
            // (person, node, slot) of each node grant in one small vector
            // (no allocation per person); the entries are built from it in
            // order
            let mut keys: Vec<(u32, u32, u32)> = Vec::with_capacity(placed.len());
            for (slot, (g, pl)) in grants.iter().zip(placed).enumerate() {
                let (Some(_), Some(pl)) = (g, pl) else {
                    continue;
                };
                let slot = slot as u32;
                if let Some(s) = slots.get_mut(pl.person as usize) {
                    s.push(slot);
                }
                if let Some(node) = pl.node {
                    keys.push((pl.person, node, slot));
                }
            }
            // grants usually come grouped by person, so this sort is near
            // linear
            keys.sort_unstable();
            // where each person's keys start (they are sorted by person),
            // so every row is built on its own
            let mut starts = vec![0u32; np + 1];
            for k in &keys {
                if let Some(s) = starts.get_mut(k.0 as usize + 1) {
                    *s += 1;
                }
            }
            let mut sum = 0;
            for s in &mut starts {
                sum += *s;
                *s = sum;
            }
            (slots, keys, starts)
        };
        let ((by_node, by_tag, tags), (slots, keys, starts)) = both(parallel, by_place, by_person);
        self.ix.by_node = by_node;
        self.ix.by_tag = by_tag;
        self.ix.slots = slots;
        // The rows are built straight into one vector, in pieces side by
        // side on native targets with many people (two halves built apart
        // and then joined copied the second half, 5.6 MB for 100,000
        // people, on one thread into pages faulted in there). Then the
        // cards are written person by person from the rows, in two halves
        // of the table, so no write is shared; the rows are read in order
        // and the cards written at random (in slot order the rows were
        // read at random, each read waited for).
        let compiled = &self.compiled;
        let fresh = fresh.as_deref();
        let (keys, starts, tags) = (&keys, &starts, &tags);
        let entry = |&(_, node, slot): &(u32, u32, u32)| -> Option<Entry> {
            let g = grants.indexed(slot)?;
            let pl = placed.get(slot as usize)?.as_ref()?;
            Some(Entry {
                caps: pl.caps,
                from: g.valid_from,
                until: g.valid_until.unwrap_or_else(far_future),
                node,
                slot,
                role: pl.role,
                central: pl.level.is_central(),
            })
        };
        let row_of = |(i, p): (usize, &Person)| -> Row {
            let from = starts.get(i).map_or(0, |&s| s as usize);
            let to = starts.get(i + 1).map_or(from, |&s| s as usize);
            let entries = match keys.get(from..to).unwrap_or_default() {
                [] => Entries::None,
                [one] => entry(one).map(Entries::One).unwrap_or_default(),
                many => Entries::Many(many.iter().filter_map(entry).collect()),
            };
            let flags = match fresh.and_then(|f| f.get(i)) {
                Some(&f) => f,
                None => flags_of(compiled, p),
            };
            // this person's tag entries (a binary search, none when the
            // list is empty)
            let at = tags.partition_point(|t| (t.0 as usize) < i);
            let tags = tags
                .get(at..)
                .unwrap_or_default()
                .iter()
                .take_while(|t| t.0 as usize == i)
                .map(|t| t.1.clone())
                .collect();
            Row {
                flags,
                entries,
                tags,
            }
        };
        let people = &self.people;
        let serial = || -> Vec<Row> { people.iter().enumerate().map(&row_of).collect() };
        #[cfg(not(target_arch = "wasm32"))]
        let rows = if parallel {
            use rayon::prelude::*;
            let mut built = Vec::new();
            people
                .par_iter()
                .enumerate()
                .with_min_len(4096)
                .map(&row_of)
                .collect_into_vec(&mut built);
            built
        } else {
            serial()
        };
        #[cfg(target_arch = "wasm32")]
        let rows = {
            let _ = parallel;
            serial()
        };
        let rows_ref = &rows;
        self.ix.people.fill_cards(parallel, |ix, card| {
            if let Some(r) = rows_ref.get(ix as usize) {
                card.set_all(r.flags, r.entries.as_slice(), &r.tags);
            }
        });
        self.ix.rows = rows;
    }

    /// Recompiles one person's entries from their grant slots.
    pub(crate) fn rebuild_person(&mut self, net: &Network, p: u32) {
        let mut entries = Vec::new();
        let mut tags = Vec::new();
        let slots = self
            .ix
            .slots
            .get(p as usize)
            .map(SlotList::to_vec)
            .unwrap_or_default();
        for slot in slots {
            let Some(g) = self.grant_at(slot) else {
                continue;
            };
            // Grants in the state were placed when added; a failure here can
            // only mean a policy without the role, which set_policy refuses.
            let Ok(placed) = self.place(net, g, false) else {
                continue;
            };
            let from = g.valid_from;
            let until = g.valid_until.unwrap_or_else(far_future);
            match (&g.scope, placed.node) {
                (Scope::Node(_), Some(node)) => entries.push(Entry {
                    caps: placed.caps,
                    from,
                    until,
                    node,
                    slot,
                    role: placed.role,
                    central: placed.level.is_central(),
                }),
                (Scope::Tag(t), _) => tags.push(TagEntry {
                    caps: placed.caps,
                    from,
                    until,
                    slot,
                    role: placed.role,
                    tag: t.clone(),
                }),
                _ => {}
            }
        }
        entries.sort_by_key(|e| (e.node, e.slot));
        if let Some(f) = self
            .people
            .get(p as usize)
            .map(|person| flags_of(&self.compiled, person))
            && let Some(row) = self.ix.rows.get_mut(p as usize)
        {
            self.ix.people.update(p, |card| {
                card.set_flags(f);
                card.set_grants(&entries, &tags);
            });
            row.flags = f;
            row.entries = Entries::from_vec(entries);
            row.tags = tags;
        }
    }

    /// Adds a validated grant.
    pub(crate) fn insert_grant(&mut self, net: &Network, g: Grant) {
        let slot = self.grants.len() as u32;
        let person = self.ix.people.get(g.person.as_str());
        self.ix.grants.insert(g.id.as_str(), slot);
        match &g.scope {
            Scope::Node(id) => {
                if let Some(n) = self.node_ix(net, id.as_str()) {
                    if self.ix.by_node.len() <= n as usize {
                        self.ix.by_node.resize(n as usize + 1, Vec::new());
                    }
                    if let Some(v) = self.ix.by_node.get_mut(n as usize) {
                        v.push(slot);
                    }
                }
            }
            Scope::Tag(t) => self.ix.by_tag.entry(t.clone()).or_default().push(slot),
        }
        self.grants.push(g);
        if let Some(p) = person {
            if let Some(s) = self.ix.slots.get_mut(p as usize) {
                s.push(slot);
            }
            self.rebuild_person(net, p);
        }
    }

    /// Removes a grant, leaving its slot empty.
    pub(crate) fn remove_grant(&mut self, net: &Network, slot: u32) -> Option<Grant> {
        let g = self.grants.take(slot)?;
        self.ix.grants.remove(g.id.as_str());
        match &g.scope {
            Scope::Node(id) => {
                if let Some(n) = self.node_ix(net, id.as_str())
                    && let Some(v) = self.ix.by_node.get_mut(n as usize)
                {
                    v.retain(|&s| s != slot);
                }
            }
            Scope::Tag(t) => {
                if let Some(v) = self.ix.by_tag.get_mut(t.as_str()) {
                    v.retain(|&s| s != slot);
                }
            }
        }
        if let Some(p) = self.ix.people.get(g.person.as_str()) {
            if let Some(s) = self.ix.slots.get_mut(p as usize) {
                s.remove(slot);
            }
            self.rebuild_person(net, p);
        }
        Some(g)
    }

    /// Adds a person (not yet known).
    pub(crate) fn insert_person(&mut self, person: Person) {
        let flags = flags_of(&self.compiled, &person);
        self.ix.people.push(person.id.as_str(), flags);
        self.people.push(person);
        self.ix.rows.push(Row {
            flags,
            entries: Entries::None,
            tags: Vec::new(),
        });
        self.ix.slots.push(SlotList::None);
    }

    /// Replaces a person's record (same id) and refreshes their flags.
    pub(crate) fn replace_person(&mut self, p: u32, person: Person) {
        let flags = flags_of(&self.compiled, &person);
        if let Some(slot) = self.people.get_mut(p as usize) {
            *slot = person;
        }
        if let Some(row) = self.ix.rows.get_mut(p as usize) {
            row.flags = flags;
        }
        self.ix.people.update(p, |card| card.set_flags(flags));
    }

    /// Warnings about the current policy, people and grants.
    pub(crate) fn warnings(&self) -> Vec<AccessWarning> {
        let mut out = match Compiled::new(&self.policy) {
            Ok((_, w)) => w,
            Err(e) => vec![AccessWarning {
                item: "policy".into(),
                message: e.to_string(),
            }],
        };
        for (i, p) in self.people.iter().enumerate() {
            for a in &p.attestations {
                if !self.compiled.attest_ix.contains_key(a.as_str()) {
                    out.push(AccessWarning {
                        item: format!("people[{i}] ({})", p.id),
                        message: format!(
                            "holds the attestation {a:?}, which the policy does not declare; no rule reads it"
                        ),
                    });
                }
            }
        }
        for (i, g) in self.live().enumerate() {
            if let Scope::Tag(t) = &g.scope
                && !self.ix.tag_nodes.contains_key(t.as_str())
            {
                out.push(AccessWarning {
                    item: format!("grants[{i}] ({})", g.id),
                    message: format!(
                        "is scoped to the tag {t}, which no node carries; it covers nothing"
                    ),
                });
            }
        }
        out
    }
}
