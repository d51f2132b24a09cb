//! The policy document (capabilities, roles, attestations, forbid rules), the
//! default policy, validation, and compilation to capability bit sets.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::fx::{IdMap, Names};
use super::model::{check_capability_name, check_word};
use super::{AccessError, AccessWarning};
use crate::network::NodeLevel;

/// The most capabilities a policy may define (they compile to a 128-bit set).
pub const MAX_CAPABILITIES: usize = 128;
/// The most attestations a policy may declare.
pub const MAX_ATTESTATIONS: usize = 64;

/// Capabilities the network's own operations need; every policy defines them.
pub const BUILT_IN_CAPABILITIES: [(&str, &str); 11] = [
    (
        "network.structure",
        "add_region, move, and tag changes in update_profile",
    ),
    ("chapter.apply", "apply_chapter"),
    ("chapter.edit_profile", "update_profile and set_territory"),
    ("chapter.approve", "approve and reject"),
    ("chapter.archive", "archive, restore and convert_campaign"),
    ("leaders.appoint", "grant"),
    ("leaders.remove", "revoke"),
    ("people.manage", "set_person"),
    ("people.suspend", "suspend"),
    ("people.attest", "attest"),
    ("policy.edit", "set_policy"),
];

/// A verb a person may be allowed: `members.export`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    /// Dot-separated lowercase name.
    pub name: String,
    /// What it allows, in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// It reveals member data: decisions say so, so a host can redact and log,
    /// and attestation rules with `applies_to: personal_data` cover it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub personal_data: bool,
    /// It changes something: archived chapters refuse it (rule `archived_read_only`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub writes: bool,
    /// Reserved to central: a grant at chapter level never confers it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub reserved: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Where a role may be granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeLevel {
    /// At the organization (covers everything).
    Organization,
    /// At a region (covers its subtree).
    Region,
    /// At a chapter.
    Chapter,
    /// At a tag (every node carrying it).
    Tag,
}

impl ScopeLevel {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeLevel::Organization => "organization",
            ScopeLevel::Region => "region",
            ScopeLevel::Chapter => "chapter",
            ScopeLevel::Tag => "tag",
        }
    }

    /// Central levels (organization, region, tag) confer reserved
    /// capabilities; chapter level does not.
    pub fn is_central(self) -> bool {
        matches!(
            self,
            ScopeLevel::Organization | ScopeLevel::Region | ScopeLevel::Tag
        )
    }

    pub(crate) fn of_node(level: NodeLevel) -> ScopeLevel {
        match level {
            NodeLevel::Organization => ScopeLevel::Organization,
            NodeLevel::Region => ScopeLevel::Region,
            NodeLevel::Chapter => ScopeLevel::Chapter,
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A named set of capabilities, granted at the levels it lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Lowercase name (`chapter_leader`).
    pub name: String,
    /// What the role is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where it may be granted.
    pub levels: Vec<ScopeLevel>,
    /// What it allows.
    pub capabilities: Vec<String>,
}

/// A fact about a person that rules can require (a signed agreement, a training).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// Lowercase name (`data_agreement`).
    pub name: String,
    /// What it certifies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What makes a forbid rule fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Condition {
    /// The person is suspended.
    PersonSuspended,
    /// The target node is an archived chapter.
    NodeArchived,
    /// The target node is a chapter that is not active (applied, rejected, archived).
    NodeNotActive,
    /// The person lacks the rule's `attestation`.
    MissingAttestation,
}

impl Condition {
    /// True when the condition depends on the target node (not the person).
    pub fn is_about_node(self) -> bool {
        matches!(self, Condition::NodeArchived | Condition::NodeNotActive)
    }
}

/// Which capabilities a forbid rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AppliesTo {
    /// Every capability.
    All,
    /// Capabilities marked `writes`.
    Writes,
    /// Capabilities marked `personal_data`.
    PersonalData,
    /// Exactly the rule's `capabilities` list.
    Listed,
}

/// A rule that denies, whatever the grants say. Rules are checked in order;
/// the first that fires is the reason given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForbidRule {
    /// Lowercase id (`archived_read_only`), named in decisions.
    pub id: String,
    /// Why the rule exists, in plain words; shown in explanations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When it fires.
    pub when: Condition,
    /// The attestation required (only with `when: missing_attestation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    /// Which capabilities it covers.
    pub applies_to: AppliesTo,
    /// The capabilities covered when `applies_to` is `listed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// Capabilities exempt from the rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
}

/// A permission policy: the snapshot's `policy` section. When the snapshot
/// has none, [`Policy::default`] applies (see the table in the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Every capability, built-in and organization-defined.
    pub capabilities: Vec<Capability>,
    /// Every role.
    pub roles: Vec<Role>,
    /// Attestations that rules may require.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<Attestation>,
    /// Forbid rules, checked in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbid: Vec<ForbidRule>,
    /// The role a person receives at the chapter they apply for
    /// (self-activation through the application flow); none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicant_role: Option<String>,
}

fn cap(
    name: &str,
    description: &str,
    personal_data: bool,
    writes: bool,
    reserved: bool,
) -> Capability {
    Capability {
        name: name.into(),
        description: Some(description.into()),
        personal_data,
        writes,
        reserved,
    }
}

fn role(name: &str, description: &str, levels: &[ScopeLevel], caps: &[&[&str]]) -> Role {
    Role {
        name: name.into(),
        description: Some(description.into()),
        levels: levels.to_vec(),
        capabilities: caps
            .iter()
            .flat_map(|group| group.iter().map(|c| (*c).to_owned()))
            .collect(),
    }
}

impl Default for Policy {
    /// The default policy: central holds strategy, training, collective
    /// actions, network-wide communication, people and policy; chapters
    /// self-activate through the application flow, customize their hub, send
    /// their own messaging and run their own events. See the module docs.
    fn default() -> Self {
        use ScopeLevel::{Chapter, Organization, Region, Tag};
        const P: bool = true; // personal data
        const W: bool = true; // writes
        const R: bool = true; // reserved to central
        let capabilities = vec![
            cap(
                "chapter.view",
                "see a chapter's internal page, hidden chapters included",
                false,
                false,
                false,
            ),
            cap(
                "chapter.apply",
                "apply to start a new chapter under this node (self-activation)",
                false,
                W,
                false,
            ),
            cap(
                "chapter.edit_profile",
                "customize the hub: name, description, join link, territory",
                false,
                W,
                false,
            ),
            cap(
                "event.create",
                "run the group's own events and actions",
                false,
                W,
                false,
            ),
            cap(
                "event.approve",
                "approve events proposed by the group's hosts",
                false,
                W,
                false,
            ),
            cap(
                "members.view",
                "see the member list with contact details",
                P,
                false,
                false,
            ),
            cap(
                "members.contact",
                "message the group's members",
                P,
                W,
                false,
            ),
            cap("members.export", "download member data", P, false, false),
            cap(
                "comms.send_chapter",
                "send the group's own messaging",
                false,
                W,
                false,
            ),
            cap(
                "leaders.appoint",
                "appoint leaders, co-leaders and hosts (grant roles)",
                false,
                W,
                false,
            ),
            cap(
                "leaders.remove",
                "remove leaders, co-leaders and hosts (revoke grants)",
                false,
                W,
                false,
            ),
            cap(
                "chapter.approve",
                "approve or reject chapter applications",
                false,
                W,
                R,
            ),
            cap(
                "chapter.archive",
                "archive, restore, dissolve or convert a chapter",
                false,
                W,
                R,
            ),
            cap(
                "network.structure",
                "add regions, move chapters and regions, change tags",
                false,
                W,
                R,
            ),
            cap(
                "campaign.create",
                "launch a collective action or campaign",
                false,
                W,
                R,
            ),
            cap(
                "comms.send_network",
                "send network-wide communication",
                false,
                W,
                R,
            ),
            cap("training.manage", "run the training programme", false, W, R),
            cap("strategy.edit", "set the network's strategy", false, W, R),
            cap("people.manage", "create and rename people records", P, W, R),
            cap(
                "people.suspend",
                "suspend or reinstate a person",
                false,
                W,
                R,
            ),
            cap(
                "people.attest",
                "record signed agreements and trainings",
                false,
                W,
                R,
            ),
            cap(
                "data.audit",
                "see who holds member-data capabilities",
                false,
                false,
                R,
            ),
            cap(
                "policy.edit",
                "change roles, capabilities and rules",
                false,
                W,
                R,
            ),
        ];
        const MEMBER: &[&str] = &["chapter.view", "chapter.apply"];
        const HOST: &[&str] = &["event.create", "members.contact"];
        const CO_LEADER: &[&str] = &[
            "chapter.edit_profile",
            "event.approve",
            "members.view",
            "comms.send_chapter",
        ];
        const LEADER: &[&str] = &["leaders.appoint", "leaders.remove", "members.export"];
        const COORDINATOR: &[&str] = &["chapter.approve", "chapter.archive", "network.structure"];
        const STAFF: &[&str] = &[
            "campaign.create",
            "comms.send_network",
            "training.manage",
            "strategy.edit",
            "people.manage",
        ];
        const ADMIN: &[&str] = &[
            "people.suspend",
            "people.attest",
            "data.audit",
            "policy.edit",
        ];
        let roles = vec![
            role(
                "supporter",
                "on the list; may apply to start a chapter",
                &[Organization, Region, Chapter, Tag],
                &[&["chapter.apply"]],
            ),
            role(
                "member",
                "belongs to a chapter or an issue network",
                &[Chapter, Tag],
                &[MEMBER],
            ),
            role(
                "host",
                "runs events for a chapter",
                &[Chapter],
                &[MEMBER, HOST],
            ),
            role(
                "co_leader",
                "shares the running of a chapter",
                &[Chapter],
                &[MEMBER, HOST, CO_LEADER],
            ),
            role(
                "chapter_leader",
                "leads a chapter and appoints its team",
                &[Chapter],
                &[MEMBER, HOST, CO_LEADER, LEADER],
            ),
            role(
                "mentor",
                "coaches chapter leaders",
                &[Region, Chapter, Tag],
                &[&["chapter.view", "event.approve", "members.view"]],
            ),
            role(
                "regional_coordinator",
                "approves and supports the chapters of a region",
                &[Region, Tag],
                &[MEMBER, HOST, CO_LEADER, LEADER, COORDINATOR],
            ),
            role(
                "staff",
                "central staff",
                &[Organization, Region],
                &[MEMBER, HOST, CO_LEADER, LEADER, COORDINATOR, STAFF],
            ),
            role(
                "data_officer",
                "guards member data",
                &[Organization],
                &[&[
                    "chapter.view",
                    "members.view",
                    "members.export",
                    "people.manage",
                    "people.attest",
                    "data.audit",
                ]],
            ),
            role(
                "admin",
                "runs the network",
                &[Organization],
                &[MEMBER, HOST, CO_LEADER, LEADER, COORDINATOR, STAFF, ADMIN],
            ),
        ];
        let attestations = vec![
            Attestation {
                name: "data_agreement".into(),
                description: Some("signed the member-data agreement".into()),
            },
            Attestation {
                name: "data_protection_training".into(),
                description: Some("completed data-protection training".into()),
            },
        ];
        let rule = |id: &str,
                    description: &str,
                    when,
                    attestation: Option<&str>,
                    applies_to,
                    caps: &[&str],
                    except: &[&str]| ForbidRule {
            id: id.into(),
            description: Some(description.into()),
            when,
            attestation: attestation.map(str::to_owned),
            applies_to,
            capabilities: caps.iter().map(|c| (*c).to_owned()).collect(),
            except: except.iter().map(|c| (*c).to_owned()).collect(),
        };
        let forbid = vec![
            rule(
                "suspended",
                "a suspended person can do nothing until reinstated",
                Condition::PersonSuspended,
                None,
                AppliesTo::All,
                &[],
                &[],
            ),
            rule(
                "archived_read_only",
                "an archived chapter is read-only until restored",
                Condition::NodeArchived,
                None,
                AppliesTo::Writes,
                &[],
                &["chapter.archive"],
            ),
            rule(
                "data_agreement",
                "member data needs a signed data agreement",
                Condition::MissingAttestation,
                Some("data_agreement"),
                AppliesTo::PersonalData,
                &[],
                &[],
            ),
            rule(
                "data_protection_training",
                "member data needs data-protection training",
                Condition::MissingAttestation,
                Some("data_protection_training"),
                AppliesTo::PersonalData,
                &[],
                &[],
            ),
            rule(
                "active_only",
                "events, member messages and chapter messaging need an active chapter",
                Condition::NodeNotActive,
                None,
                AppliesTo::Listed,
                &[
                    "event.create",
                    "event.approve",
                    "members.contact",
                    "comms.send_chapter",
                    "campaign.create",
                ],
                &[],
            ),
        ];
        Policy {
            capabilities,
            roles,
            attestations,
            forbid,
            applicant_role: Some("chapter_leader".into()),
        }
    }
}

impl Policy {
    /// Parses and validates a policy document (the snapshot's `policy`
    /// section), returning it with its warnings.
    pub fn from_json(text: &str) -> Result<(Policy, Vec<AccessWarning>), AccessError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let policy: Policy = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            AccessError::InvalidPolicy {
                item: if path.is_empty() || path == "." {
                    "policy".into()
                } else {
                    path
                },
                reason: e.inner().to_string(),
            }
        })?;
        let warnings = policy.validate()?;
        Ok((policy, warnings))
    }

    /// The policy as JSON, one capability, role, attestation or rule per line.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        push_policy(&mut out, self, "");
        out.push('\n');
        out
    }

    /// Checks the policy: names, duplicates, unknown capabilities or
    /// attestations, built-in capabilities present, reserved capabilities
    /// claimed by chapter-level roles, limits. Returns its warnings.
    pub fn validate(&self) -> Result<Vec<AccessWarning>, AccessError> {
        Compiled::new(self).map(|(_, w)| w)
    }

    /// The capability with this name.
    pub fn capability(&self, name: &str) -> Option<&Capability> {
        self.capabilities.iter().find(|c| c.name == name)
    }

    /// The role with this name.
    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.name == name)
    }
}

fn push_json<T: Serialize + ?Sized>(out: &mut String, value: &T) {
    match serde_json::to_string(value) {
        Ok(s) => out.push_str(&s),
        Err(_) => out.push_str("null"),
    }
}

fn push_items<T: Serialize>(out: &mut String, items: &[T], indent: &str) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(indent);
        out.push_str("    ");
        push_json(out, item);
    }
    if !items.is_empty() {
        out.push('\n');
        out.push_str(indent);
        out.push_str("  ");
    }
    out.push(']');
}

/// Writes the policy as an object with one item per line (canonical: the
/// field order is fixed and empty sections are left out).
pub(crate) fn push_policy(out: &mut String, p: &Policy, indent: &str) {
    out.push_str("{\n");
    out.push_str(indent);
    out.push_str("  \"capabilities\": ");
    push_items(out, &p.capabilities, indent);
    out.push_str(",\n");
    out.push_str(indent);
    out.push_str("  \"roles\": ");
    push_items(out, &p.roles, indent);
    if !p.attestations.is_empty() {
        out.push_str(",\n");
        out.push_str(indent);
        out.push_str("  \"attestations\": ");
        push_items(out, &p.attestations, indent);
    }
    if !p.forbid.is_empty() {
        out.push_str(",\n");
        out.push_str(indent);
        out.push_str("  \"forbid\": ");
        push_items(out, &p.forbid, indent);
    }
    if let Some(r) = &p.applicant_role {
        out.push_str(",\n");
        out.push_str(indent);
        out.push_str("  \"applicant_role\": ");
        push_json(out, r);
    }
    out.push('\n');
    out.push_str(indent);
    out.push('}');
}

/// A capability set: bit `i` is the policy's capability `i`.
pub(crate) type Bits = u128;

/// One compiled forbid rule.
#[derive(Debug, Clone)]
pub(crate) struct RuleC {
    pub(crate) when: Condition,
    /// Attestation bit (only for `MissingAttestation`).
    pub(crate) attestation: u64,
    /// Capabilities the rule covers.
    pub(crate) mask: Bits,
}

/// A compiled role.
#[derive(Debug, Clone)]
pub(crate) struct RoleC {
    pub(crate) caps: Bits,
    pub(crate) levels: u8,
}

impl RoleC {
    pub(crate) fn allows_level(&self, level: ScopeLevel) -> bool {
        self.levels & level.bit() != 0
    }

    /// What the role confers at a scope of this level.
    pub(crate) fn effective(&self, level: ScopeLevel, reserved: Bits) -> Bits {
        if level.is_central() {
            self.caps
        } else {
            self.caps & !reserved
        }
    }
}

/// A policy compiled to bit sets and hash lookups.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    /// The capabilities by name.
    pub(crate) cap_names: Names,
    /// Per role and capability, at `(role << 7) | capability`: whether
    /// the role lists it ([`ROLE_LISTS`]), gives it at chapter level
    /// ([`ROLE_GIVES_LOCAL`]) and whether it is reserved
    /// ([`CAP_RESERVED`]): what a decision asks of a role, in one byte.
    pub(crate) role_caps: Vec<u8>,
    pub(crate) role_ix: IdMap,
    pub(crate) attest_ix: IdMap,
    pub(crate) roles: Vec<RoleC>,
    pub(crate) reserved: Bits,
    pub(crate) rules: Vec<RuleC>,
    /// Union of the masks of person-level rules and of node-level rules.
    pub(crate) person_rule_mask: Bits,
    pub(crate) node_rule_mask: Bits,
    pub(crate) applicant_role: Option<u16>,
}

/// In [`Compiled::role_caps`]: the role lists the capability.
pub(crate) const ROLE_LISTS: u8 = 1;
/// In [`Compiled::role_caps`]: the role gives it at chapter level (lists
/// it and it is not reserved).
pub(crate) const ROLE_GIVES_LOCAL: u8 = 2;
/// In [`Compiled::role_caps`]: the capability is reserved to central.
pub(crate) const CAP_RESERVED: u8 = 4;

/// [`Compiled::role_caps`] for these roles.
fn role_cap_table(roles: &[RoleC], reserved: Bits) -> Vec<u8> {
    let mut t = vec![0u8; roles.len() * MAX_CAPABILITIES];
    for (row, r) in t.chunks_exact_mut(MAX_CAPABILITIES).zip(roles) {
        for (c, v) in row.iter_mut().enumerate() {
            let bit = 1u128 << c;
            let lists = r.caps & bit != 0;
            let res = reserved & bit != 0;
            *v = if lists { ROLE_LISTS } else { 0 }
                | if lists && !res { ROLE_GIVES_LOCAL } else { 0 }
                | if res { CAP_RESERVED } else { 0 };
        }
    }
    t
}

fn item(kind: &str, i: usize, name: &str) -> String {
    format!("{kind}[{i}] ({name})")
}

impl Compiled {
    /// Validates and compiles a policy.
    pub(crate) fn new(p: &Policy) -> Result<(Compiled, Vec<AccessWarning>), AccessError> {
        let mut warnings = Vec::new();
        let invalid = |item: String, reason: String| AccessError::InvalidPolicy { item, reason };
        let named = |item: String, e: AccessError| AccessError::InvalidPolicy {
            item,
            reason: e.to_string(),
        };
        if p.capabilities.len() > MAX_CAPABILITIES {
            return Err(AccessError::TooMany {
                what: "capabilities",
                count: p.capabilities.len(),
                max: MAX_CAPABILITIES,
            });
        }
        if p.attestations.len() > MAX_ATTESTATIONS {
            return Err(AccessError::TooMany {
                what: "attestations",
                count: p.attestations.len(),
                max: MAX_ATTESTATIONS,
            });
        }
        let mut cap_ix = IdMap::default();
        let mut personal: Bits = 0;
        let mut writes: Bits = 0;
        let mut reserved: Bits = 0;
        for (i, c) in p.capabilities.iter().enumerate() {
            check_capability_name(&c.name)
                .map_err(|e| named(item("capabilities", i, &c.name), e))?;
            let ix = i as u8; // i < 128 checked above
            if cap_ix.insert(&c.name, u32::from(ix)).is_some() {
                return Err(invalid(
                    item("capabilities", i, &c.name),
                    "is defined twice".into(),
                ));
            }
            let bit = 1u128 << ix;
            if c.personal_data {
                personal |= bit;
            }
            if c.writes {
                writes |= bit;
            }
            if c.reserved {
                reserved |= bit;
            }
        }
        for (name, used_by) in BUILT_IN_CAPABILITIES {
            if !cap_ix.contains_key(name) {
                return Err(invalid(
                    "capabilities".into(),
                    format!("must define the built-in capability {name} (needed by {used_by})"),
                ));
            }
        }
        let cap_bits = |names: &[String], what: String| -> Result<Bits, AccessError> {
            let mut bits = 0;
            for n in names {
                match cap_ix.get(n.as_str()) {
                    Some(ix) => bits |= 1u128 << ix,
                    None => {
                        return Err(invalid(what, format!("names an unknown capability {n:?}")));
                    }
                }
            }
            Ok(bits)
        };
        let names_of = |bits: Bits| -> String {
            p.capabilities
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1u128 << i) != 0)
                .map(|(_, c)| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut role_ix = IdMap::default();
        let mut roles = Vec::with_capacity(p.roles.len());
        for (i, r) in p.roles.iter().enumerate() {
            let it = item("roles", i, &r.name);
            check_word("role", &r.name).map_err(|e| named(it.clone(), e))?;
            let ix = u16::try_from(i).map_err(|_| AccessError::TooMany {
                what: "roles",
                count: p.roles.len(),
                max: u16::MAX as usize,
            })?;
            if role_ix.insert(&r.name, u32::from(ix)).is_some() {
                return Err(invalid(it, "is defined twice".into()));
            }
            if r.levels.is_empty() {
                return Err(invalid(
                    it,
                    "lists no levels, so it could never be granted".into(),
                ));
            }
            let caps = cap_bits(&r.capabilities, it.clone())?;
            let levels = r.levels.iter().fold(0u8, |acc, l| acc | l.bit());
            let claimed = caps & reserved;
            if claimed != 0 {
                let central = r.levels.iter().any(|l| l.is_central());
                let local: Vec<&str> = r
                    .levels
                    .iter()
                    .filter(|l| !l.is_central())
                    .map(|l| l.as_str())
                    .collect();
                if !central {
                    return Err(invalid(
                        it,
                        format!(
                            "is granted only at {} level but claims capabilities reserved to central ({}); such grants never confer them",
                            local.join(" and "),
                            names_of(claimed)
                        ),
                    ));
                }
                if !local.is_empty() {
                    warnings.push(AccessWarning {
                        item: it.clone(),
                        message: format!(
                            "claims capabilities reserved to central ({}); granted at chapter level it does not confer them",
                            names_of(claimed)
                        ),
                    });
                }
            }
            if caps == 0 {
                warnings.push(AccessWarning {
                    item: it.clone(),
                    message: "confers no capability".into(),
                });
            }
            roles.push(RoleC { caps, levels });
        }
        let mut attest_ix = IdMap::default();
        for (i, a) in p.attestations.iter().enumerate() {
            let it = item("attestations", i, &a.name);
            check_word("attestation", &a.name).map_err(|e| named(it.clone(), e))?;
            if attest_ix.insert(&a.name, i as u32).is_some() {
                return Err(invalid(it, "is declared twice".into()));
            }
        }
        let all: Bits = if p.capabilities.len() >= 128 {
            Bits::MAX
        } else {
            (1u128 << p.capabilities.len()) - 1
        };
        let mut rule_ids: HashMap<&str, ()> = HashMap::new();
        let mut rules = Vec::with_capacity(p.forbid.len());
        let mut person_rule_mask = 0;
        let mut node_rule_mask = 0;
        for (i, r) in p.forbid.iter().enumerate() {
            let it = item("forbid", i, &r.id);
            check_word("rule id", &r.id).map_err(|e| named(it.clone(), e))?;
            if rule_ids.insert(r.id.as_str(), ()).is_some() {
                return Err(invalid(it, "is defined twice".into()));
            }
            let attestation = match (r.when, &r.attestation) {
                (Condition::MissingAttestation, Some(a)) => match attest_ix.get(a.as_str()) {
                    Some(b) => 1u64 << b,
                    None => {
                        return Err(invalid(
                            it,
                            format!(
                                "requires the attestation {a:?}, which the policy does not declare"
                            ),
                        ));
                    }
                },
                (Condition::MissingAttestation, None) => {
                    return Err(invalid(
                        it,
                        "fires on a missing attestation but names none (add \"attestation\")"
                            .into(),
                    ));
                }
                (_, Some(_)) => {
                    return Err(invalid(
                        it,
                        "names an attestation, which only a missing_attestation rule uses".into(),
                    ));
                }
                (_, None) => 0,
            };
            let listed = cap_bits(&r.capabilities, it.clone())?;
            let base = match r.applies_to {
                AppliesTo::All => all,
                AppliesTo::Writes => writes,
                AppliesTo::PersonalData => personal,
                AppliesTo::Listed => listed,
            };
            if r.applies_to == AppliesTo::Listed && r.capabilities.is_empty() {
                return Err(invalid(
                    it,
                    "applies to listed capabilities but lists none".into(),
                ));
            }
            if r.applies_to != AppliesTo::Listed && !r.capabilities.is_empty() {
                return Err(invalid(
                    it,
                    "lists capabilities, which only applies_to: listed uses".into(),
                ));
            }
            let except = cap_bits(&r.except, it.clone())?;
            let mask = base & !except;
            if mask == 0 {
                warnings.push(AccessWarning {
                    item: it.clone(),
                    message: "covers no capability, so it never fires".into(),
                });
            }
            if r.when.is_about_node() {
                node_rule_mask |= mask;
            } else {
                person_rule_mask |= mask;
            }
            rules.push(RuleC {
                when: r.when,
                attestation,
                mask,
            });
        }
        let applicant_role = match &p.applicant_role {
            None => None,
            Some(name) => {
                let Some(ix) = role_ix.get(name.as_str()).map(|i| i as u16) else {
                    return Err(invalid(
                        "applicant_role".into(),
                        format!("names an unknown role {name:?}"),
                    ));
                };
                if roles
                    .get(ix as usize)
                    .is_none_or(|r| !r.allows_level(ScopeLevel::Chapter))
                {
                    return Err(invalid(
                        "applicant_role".into(),
                        format!("role {name:?} cannot be granted at chapter level"),
                    ));
                }
                Some(ix)
            }
        };
        let cap_names = Names::new(
            p.capabilities
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.as_str(), i as u32)),
        );
        let role_caps = role_cap_table(&roles, reserved);
        Ok((
            Compiled {
                cap_names,
                role_caps,
                role_ix,
                attest_ix,
                roles,
                reserved,
                rules,
                person_rule_mask,
                node_rule_mask,
                applicant_role,
            },
            warnings,
        ))
    }

    #[inline(always)]
    pub(crate) fn cap(&self, name: &str) -> Option<u8> {
        self.cap_names.get(name).map(|c| c as u8)
    }

    /// [`Compiled::role_caps`] of role `role` and capability `c`.
    #[inline(always)]
    pub(crate) fn role_cap(&self, role: u16, c: u8) -> Option<u8> {
        let at = (usize::from(role) << 7) | usize::from(c & 127);
        self.role_caps.get(at).copied()
    }

    pub(crate) fn role(&self, name: &str) -> Option<(u16, &RoleC)> {
        let ix = self.role_ix.get(name)? as u16;
        self.roles.get(ix as usize).map(|r| (ix, r))
    }
}
