//! Permission rules: capabilities, roles, grants, forbid rules and explained
//! decisions.
//!
//! Invariants: a person may use a capability at a node only through a grant
//! of theirs, valid at the time asked, whose scope covers the node and whose
//! role confers the capability at that scope's level (reserved capabilities
//! never at chapter level); a forbid rule that fires always wins; and
//! [`Network::check`], [`Network::nodes_where`], [`Network::who_can`],
//! [`Network::capabilities_at`] and the explanations agree (tested against a
//! separate reference model).
//!
//! # The model
//!
//! - **Capabilities** are verbs (`members.export`). Each carries three marks:
//!   `personal_data` (it reveals member data; decisions say so, so a host can
//!   redact and log), `writes` (it changes something) and `reserved` (reserved
//!   to central).
//! - **Roles** are named capability sets, granted only at the levels they
//!   list (`organization`, `region`, `chapter`, `tag`).
//! - **Grants** give a person a role at a scope (a node and its subtree, or
//!   every node carrying a tag) from `valid_from` until `valid_until`
//!   (excluded; open-ended when absent). Lapsed grants confer nothing.
//! - **Reserved** capabilities are conferred only by central grants (at the
//!   organization, a region or a tag); a chapter grant never confers them,
//!   whatever its role says. The validator refuses a role granted only at
//!   chapter level that claims one, and warns about a role granted at chapter
//!   level and centrally. Tag grants count as central because tags are
//!   central's tool: changing a node's tags needs `network.structure`
//!   (reserved), and only holders of an organization-wide or same-tag grant
//!   may grant at a tag.
//! - **Forbid rules** always win, checked in order: they fire on a suspended
//!   person, an archived chapter, a missing attestation, or a chapter that is
//!   not active, for the capabilities they cover (`all`, `writes`,
//!   `personal_data`, or a list; minus `except`).
//!
//! # Decisions
//!
//! [`Network::check`] returns a [`Decision`]: `Allow` with the grant and the
//! path from the grant's node to the target, or `Deny` with a reason and the
//! nearest grant that would have allowed. The reasons, in the order they are
//! tried:
//!
//! 1. some valid grant allows it, but a forbid rule fires → `forbidden` (or
//!    `node_not_active` for a `node_not_active` rule), citing that grant;
//! 2. a grant covering the node would give it but has lapsed or not yet
//!    started → `expired` / `not_yet_valid`, citing it;
//! 3. the capability is reserved and the person's valid grants covering the
//!    node are all at chapter level → `reserved_to_central`;
//! 4. otherwise `no_grant`, citing the person's valid grant that gives the
//!    capability nearest the node in the tree, if any.
//!
//! The `Display` of a decision is its explanation:
//!
//! ```text
//! allowed: p-0002 may members.export at ch-boston, through grant g-0002 (regional_coordinator at ne), which covers it along ne → ma → ch-boston; members.export reveals personal data
//! denied: chapter.approve is reserved to central, and p-0007's grants at ch-boston are at chapter level, which never confers it
//! denied by rule data_protection_training (member data needs data-protection training): p-0009 lacks the attestation data_protection_training, so members.export is forbidden; otherwise grant g-0011 (chapter_leader at ch-lowell) would allow it; members.export reveals personal data
//! ```
//!
//! # The default policy
//!
//! Used when a snapshot has no `policy` section ([`Policy::default`]). It
//! follows the split that successful distributed-organizing networks use:
//! strategy, training, collective actions (campaigns), network-wide
//! communication, people records and the policy itself are central; local
//! groups self-activate through the application flow, customize their hub,
//! write their own messaging and run their own events.
//!
//! | capability | what it allows | personal data | writes | reserved to central |
//! |---|---|:-:|:-:|:-:|
//! | `chapter.view` | see a chapter's internal page, hidden chapters included | | | |
//! | `chapter.apply` | apply to start a new chapter under this node | | ✓ | |
//! | `chapter.edit_profile` | customize the hub: name, description, join link, territory | | ✓ | |
//! | `event.create` | run the group's own events and actions | | ✓ | |
//! | `event.approve` | approve events proposed by the group's hosts | | ✓ | |
//! | `members.view` | see the member list with contact details | ✓ | | |
//! | `members.contact` | message the group's members | ✓ | ✓ | |
//! | `members.export` | download member data | ✓ | | |
//! | `comms.send_chapter` | send the group's own messaging | | ✓ | |
//! | `leaders.appoint` | appoint leaders, co-leaders and hosts (grant roles) | | ✓ | |
//! | `leaders.remove` | remove them (revoke grants) | | ✓ | |
//! | `chapter.approve` | approve or reject chapter applications | | ✓ | ✓ |
//! | `chapter.archive` | archive, restore, dissolve or convert a chapter | | ✓ | ✓ |
//! | `network.structure` | add regions, move chapters and regions, change tags | | ✓ | ✓ |
//! | `campaign.create` | launch a collective action or campaign | | ✓ | ✓ |
//! | `comms.send_network` | send network-wide communication | | ✓ | ✓ |
//! | `training.manage` | run the training programme | | ✓ | ✓ |
//! | `strategy.edit` | set the network's strategy | | ✓ | ✓ |
//! | `people.manage` | create and rename people records | ✓ | ✓ | ✓ |
//! | `people.suspend` | suspend or reinstate a person | | ✓ | ✓ |
//! | `people.attest` | record signed agreements and trainings | | ✓ | ✓ |
//! | `data.audit` | see who holds member-data capabilities | | | ✓ |
//! | `policy.edit` | change roles, capabilities and rules | | ✓ | ✓ |
//!
//! | role | granted at | capabilities |
//! |---|---|---|
//! | `supporter` | organization, region, chapter, tag | `chapter.apply` |
//! | `member` | chapter, tag | `chapter.view`, `chapter.apply` |
//! | `host` | chapter | member + `event.create`, `members.contact` |
//! | `co_leader` | chapter | host + `chapter.edit_profile`, `event.approve`, `members.view`, `comms.send_chapter` |
//! | `chapter_leader` | chapter | co_leader + `leaders.appoint`, `leaders.remove`, `members.export` |
//! | `mentor` | region, chapter, tag | `chapter.view`, `event.approve`, `members.view` |
//! | `regional_coordinator` | region, tag | chapter_leader + `chapter.approve`, `chapter.archive`, `network.structure` |
//! | `staff` | organization, region | regional_coordinator + `campaign.create`, `comms.send_network`, `training.manage`, `strategy.edit`, `people.manage` |
//! | `data_officer` | organization | `chapter.view`, `members.view`, `members.export`, `people.manage`, `people.attest`, `data.audit` |
//! | `admin` | organization | everything |
//!
//! | forbid rule | fires when | covers |
//! |---|---|---|
//! | `suspended` | the person is suspended | everything |
//! | `archived_read_only` | the node is an archived chapter | writes, except `chapter.archive` (so it can be restored) |
//! | `data_agreement` | the person lacks the `data_agreement` attestation | personal data |
//! | `data_protection_training` | the person lacks the `data_protection_training` attestation | personal data |
//! | `active_only` | the node is a chapter that is not active | `event.create`, `event.approve`, `members.contact`, `comms.send_chapter`, `campaign.create` |
//!
//! **Self-activation.** Anyone holding `chapter.apply` at a node may apply
//! for a chapter under it; in the default policy that is every supporter
//! granted at the organization (or at the region), and every member of a
//! chapter in it. The applicant then receives the policy's
//! `applicant_role` (`chapter_leader`) at the new chapter, as grant
//! `<chapter id>/applicant`: they can prepare the hub at once, while events,
//! member messages and chapter messaging wait for central approval
//! (`active_only`). So a leader appoints themselves through the application
//! flow, and central approves the group.
//!
//! # Who may apply which operation
//!
//! [`Network::apply`] checks a person actor before every mutation (the host
//! is trusted):
//!
//! | operation | needs |
//! |---|---|
//! | `add_region` | `network.structure` at the parent |
//! | `apply_chapter` | `chapter.apply` at the parent |
//! | `approve`, `reject` | `chapter.approve` at the chapter |
//! | `archive`, `restore`, `convert_campaign` | `chapter.archive` at the chapter |
//! | `move` | `network.structure` at the node and at the new parent |
//! | `update_profile` | `chapter.edit_profile` at the node, and `network.structure` when it changes tags (tags decide who oversees the node through tag grants) |
//! | `set_territory` | `chapter.edit_profile` at the chapter |
//! | `grant` | [`Network::can_grant`]: `leaders.appoint` and every capability the role confers there; never to oneself |
//! | `revoke` | [`Network::can_revoke`]: `leaders.remove` and every capability of the role there; anyone may revoke their own grant |
//! | `set_person` | `people.manage` at the organization |
//! | `suspend`, `attest` | `people.suspend` / `people.attest` at the organization; never about oneself |
//! | `set_policy` | `policy.edit` at the organization |
//!
//! # The policy document
//!
//! A snapshot's `policy` section (absent = the default policy) is a full
//! document; [`Policy::default`]`.to_json()` is a starting point:
//!
//! ```json
//! {
//!   "capabilities": [{"name":"members.export","description":"download member data","personal_data":true}, …],
//!   "roles": [{"name":"host","levels":["chapter"],"capabilities":["chapter.view","event.create"]}, …],
//!   "attestations": [{"name":"data_agreement"}, …],
//!   "forbid": [{"id":"data_agreement","when":"missing_attestation","attestation":"data_agreement","applies_to":"personal_data"}, …],
//!   "applicant_role": "chapter_leader"
//! }
//! ```
//!
//! `when` is `person_suspended`, `node_archived`, `node_not_active` or
//! `missing_attestation`; `applies_to` is `all`, `writes`, `personal_data`
//! or `listed` (with `capabilities`); `except` lists exemptions. A policy
//! must define the built-in capabilities the operations use
//! ([`BUILT_IN_CAPABILITIES`]) and at most 128 capabilities.
//!
//! # Performance
//!
//! Roles compile to 128-bit capability sets. Each person has a 64-byte
//! card: their id (inline, to confirm a lookup), the rule flags and, for
//! the common person with no grant or a single node grant of whole-second
//! validity and no tag grant, that grant (node, slot, role, validity as Unix
//! seconds). The cards are the slots of the people table (open addressing,
//! linear probing, at most 7/8 full), beside one tag byte a slot (128 KiB
//! for 100,000 people, which stays in cache): finding a person reads their
//! card, so a `check` touches one line for the person and the small node
//! and policy tables; ids of up to
//! 24 bytes are hashed inline with two folded multiplies. Other people go
//! through the general path: their grants are kept with their node's arena
//! index, sorted; `check` reads the node's preorder span at query time (so a
//! `move` needs no rebuild) and does one O(1) ancestor test per grant of the
//! person (or, above eight grants, one binary search per ancestor of the
//! node). Both paths give the same decision and explanation (property
//! tested). Beside each card sits a 32-byte compact card with the same
//! facts for the usual person (an id of up to 8 bytes, attestations among
//! the policy's first eight, validity between 2000 and 2063): `check`
//! finds and decides for such a person reading only the compact cards
//! (4 MiB for 100,000 people instead of the cards' 8 MiB). [`Network::check_handles`] takes a person, capability and node
//! resolved once ([`Network::person_handle`] and friends) and skips the id
//! lookups. A capability name of 8 to 24 bytes is found in one slot
//! read, with no probe loop: its first, middle and last eight bytes (which
//! cover it whole) go through a multiply-shift hash whose multiplier is
//! chosen when the policy is compiled so that no two names share a slot;
//! what a role gives of a capability (listed, given at chapter level,
//! reserved) is one byte per (role, capability). `check` looks the person
//! up first, so their card loads while the capability and the node are
//! found. `nodes_where` walks the subtree ranges of the person's grants
//! in the preorder array.
//!
//! A snapshot in the form [`Network::to_json`] writes (the `format` member
//! first) loads in one typed pass: the version and nesting checks that
//! otherwise run as separate passes over the text are folded into it, and
//! the `people` and `grants` arrays are read by a one-pass reader that
//! builds people and grants straight from the text (anything unusual, such
//! as an escape or an unknown field, sends the whole text through serde, so
//! errors read as before; property tested to give the same network or
//! error). Ids, role names and attestation names are kept inline when
//! short ([`Name`], ids of up to 23 bytes), and people holding the same
//! attestations share one list ([`Attestations`]), so loading 100,000
//! people and grants allocates a handful of times instead of once per
//! string. Grants that come grouped by person, in the people's order, are
//! matched to their person by comparing ids, without probing the table.
//! On native targets a large snapshot is read on two threads: the grants
//! array (found by its key, its last seventh from a guessed item start)
//! while the people are read and their table built, each guess used only
//! when reading from the start reaches that very offset; then the grant id
//! map and the first 3/10 of the placements beside the rest of the
//! placements. Ids map to indexes through open-addressing tables of inline
//! keys.
//!
//! Figures, with the commands and machine load that produced them:
//! `benches/access/README.md`.

mod apply;
mod decision;
mod diff;
mod error;
mod fx;
mod handle;
mod model;
mod people;
mod policy;
mod query;
mod read;
mod state;

pub use crate::small::Name;
pub use apply::{GrantSpec, PersonSpec};
pub use decision::{
    AccessPath, Allowed, AuditEntry, AuditReport, Decision, DecisionReport, Denied, DenyReason,
    DiffEntry, GrantRefusal, PolicyDiff,
};
pub use error::{AccessError, AccessWarning};
pub use handle::{CapabilityHandle, NodeHandle, PersonHandle};
pub use model::{Attestations, Grant, GrantId, Person, Scope};
pub use policy::{
    AppliesTo, Attestation, BUILT_IN_CAPABILITIES, Capability, Condition, ForbidRule,
    MAX_ATTESTATIONS, MAX_CAPABILITIES, Policy, Role, ScopeLevel,
};
pub use query::NodesPage;

pub(crate) use apply::{after_apply, apply_access_op, authorize_op, normalize_op};
pub(crate) use model::stamp;
pub(crate) use people::PeopleIx;
pub(crate) use policy::push_policy;
pub(crate) use read::{Cursor, grants as read_grants, people as read_people};
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use read::{find_short, grants_in_parts};
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use state::grant_ids;
pub(crate) use state::{AccessState, GrantIds};

use crate::network::Network;

impl Network {
    /// The policy in force (the default policy when the snapshot has none).
    pub fn policy(&self) -> &Policy {
        &self.access.policy
    }

    /// True when the network carries its own policy document (saved in the
    /// snapshot) rather than the default.
    pub fn has_own_policy(&self) -> bool {
        self.access.explicit_policy
    }

    /// Every known person, in the order added.
    pub fn people(&self) -> impl ExactSizeIterator<Item = &Person> + '_ {
        self.access.people.iter()
    }

    /// The person with this id.
    pub fn person(&self, id: &str) -> Option<&Person> {
        let p = self.access.ix.people.get(id)?;
        self.access.person_at(p)
    }

    /// Every grant in force or not (lapsed grants stay until revoked), in
    /// the order added.
    pub fn grants(&self) -> impl Iterator<Item = &Grant> + '_ {
        self.access.live()
    }

    /// The grant with this id.
    pub fn grant(&self, id: &str) -> Option<&Grant> {
        let slot = self.access.ix.grants.get(id)?;
        self.access.grant_at(slot)
    }

    /// Warnings about the policy, people and grants: roles whose reserved
    /// capabilities are dropped at chapter level, attestations the policy
    /// does not declare, grants on tags no node carries, rules that never fire.
    pub fn access_warnings(&self) -> Vec<AccessWarning> {
        self.access.warnings()
    }
}

#[cfg(test)]
mod tests;
