//! The `chapterhouse/1` snapshot: a network as versioned JSON.
//!
//! Load → save is lossless, and save is canonical: saving a loaded snapshot
//! and loading it again yields the same bytes. The file puts one node, person
//! or grant per line so that a host's version control shows readable diffs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{
    AccessState, Cursor, Grant, GrantIds, PeopleIx, Person, Policy, read_grants, read_people, stamp,
};
use crate::error::ErrorKind;
use crate::id::{NodeId, Slug, Tag};
use crate::limits::{LimitError, Limits};
use crate::network::{
    Chapter, ChapterStatus, GroupKind, Network, NetworkError, Node, NodeBody, NodeLevel, Visibility,
};
use crate::territory::Territory;

/// The format tag this version reads and writes.
pub const FORMAT: &str = "chapterhouse/1";

/// A snapshot that could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The text is not JSON, or a value has the wrong shape.
    #[error("malformed snapshot at {path} (line {line}, column {column}): {message}")]
    Malformed {
        /// JSON path of the offending value (`nodes[3].status`), `.` for the top.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// The `format` member is missing.
    #[error(
        "not a chapterhouse snapshot: the \"format\" member is missing (expected \"{FORMAT}\")"
    )]
    MissingFormat,
    /// The snapshot was written by a format this library does not read.
    #[error("unsupported snapshot format {found:?}: this version reads \"{FORMAT}\"")]
    UnsupportedVersion {
        /// The format found.
        found: String,
    },
    /// The text exceeds a configured limit.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// A node is well-formed JSON but breaks a rule of the network.
    #[error("{path}: {source}")]
    Invalid {
        /// Where: `nodes[3]`, `organization`, `grants[7]`.
        path: String,
        /// The rule broken.
        source: Box<crate::Error>,
    },
}

impl SnapshotError {
    /// The stable classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SnapshotError::Malformed { .. } | SnapshotError::MissingFormat => ErrorKind::Parse,
            SnapshotError::UnsupportedVersion { .. } => ErrorKind::UnsupportedVersion,
            SnapshotError::Invalid { source, .. } => source.kind(),
            SnapshotError::Limit(e) => e.kind(),
        }
    }
}

/// A node as it appears in the snapshot: flat, with chapter fields present
/// only on chapters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NodeRecord {
    id: NodeId,
    kind: NodeLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent: Option<NodeId>,
    name: String,
    slug: Slug,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<Tag>,
    #[serde(deserialize_with = "stamp::deserialize")]
    created: DateTime<Utc>,
    #[serde(deserialize_with = "stamp::deserialize")]
    updated: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group_kind: Option<GroupKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<ChapterStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visibility: Option<Visibility>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cohort: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    territory: Option<serde_json::Value>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "stamp::deserialize_opt"
    )]
    campaign_end: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    join_url: Option<String>,
}

impl From<&Node> for NodeRecord {
    fn from(n: &Node) -> Self {
        let mut r = NodeRecord {
            id: n.id.clone(),
            kind: n.level(),
            parent: n.parent.clone(),
            name: n.name.clone(),
            slug: n.slug.clone(),
            tags: n.tags.clone(),
            created: n.created,
            updated: n.updated,
            group_kind: None,
            status: None,
            visibility: None,
            cohort: None,
            territory: None,
            campaign_end: None,
            status_reason: None,
            description: None,
            join_url: None,
        };
        if let NodeBody::Chapter(c) = &n.body {
            r.group_kind = Some(c.group_kind);
            r.status = Some(c.status);
            r.visibility = Some(c.visibility);
            r.cohort = c.cohort.clone();
            r.territory = c.territory.as_ref().map(|t| t.to_geojson().clone());
            r.campaign_end = c.campaign_end;
            r.status_reason = c.status_reason.clone();
            r.description = c.description.clone();
            r.join_url = c.join_url.clone();
        }
        r
    }
}

impl NodeRecord {
    /// Validates one snapshot node. A bad territory is an
    /// `invalid_geometry` error naming the chapter, not a parse error.
    fn into_node(self, limits: &Limits) -> Result<Node, crate::Error> {
        let r = self;
        let id = r.id.as_str().to_owned();
        crate::network::ops_check_text(&id, "name", &r.name)?;
        let chapter_only = [
            ("status", r.status.is_some()),
            ("visibility", r.visibility.is_some()),
            ("cohort", r.cohort.is_some()),
            ("territory", r.territory.is_some()),
            ("campaign_end", r.campaign_end.is_some()),
            ("status_reason", r.status_reason.is_some()),
            ("description", r.description.is_some()),
            ("join_url", r.join_url.is_some()),
            ("group_kind", r.group_kind.is_some()),
        ];
        let body = match r.kind {
            NodeLevel::Chapter => {
                let missing = |field: &'static str| NetworkError::InvalidField {
                    id: id.clone(),
                    field,
                    reason: "is required on a chapter".into(),
                };
                let chapter = Chapter {
                    group_kind: r.group_kind.ok_or_else(|| missing("group_kind"))?,
                    status: r.status.ok_or_else(|| missing("status"))?,
                    visibility: r.visibility.unwrap_or_default(),
                    cohort: r.cohort,
                    territory: match r.territory {
                        Some(v) => Some(
                            Territory::from_geojson_with(v, limits).map_err(|e| e.with_id(&id))?,
                        ),
                        None => None,
                    },
                    campaign_end: r.campaign_end,
                    status_reason: r.status_reason,
                    description: r.description,
                    join_url: r.join_url,
                };
                crate::network::ops_check_chapter(&id, &chapter)?;
                NodeBody::Chapter(chapter)
            }
            level => {
                if let Some((field, _)) = chapter_only.iter().find(|(_, present)| *present) {
                    return Err(NetworkError::InvalidField {
                        id,
                        field,
                        reason: format!(
                            "is only allowed on a chapter, not on a {}",
                            level.as_str()
                        ),
                    }
                    .into());
                }
                if level == NodeLevel::Organization {
                    NodeBody::Organization
                } else {
                    NodeBody::Region
                }
            }
        };
        if r.updated < r.created {
            return Err(NetworkError::InvalidField {
                id,
                field: "updated",
                reason: "is earlier than created".into(),
            }
            .into());
        }
        Ok(Node {
            id: r.id,
            parent: r.parent,
            name: r.name,
            slug: r.slug,
            tags: crate::network::ops_normalize_tags(r.tags),
            created: r.created,
            updated: r.updated,
            body,
        })
    }
}

/// The organization as it appears in the snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganizationRecord {
    id: NodeId,
    name: String,
    slug: Slug,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<Tag>,
    #[serde(deserialize_with = "stamp::deserialize")]
    created: DateTime<Utc>,
    #[serde(deserialize_with = "stamp::deserialize")]
    updated: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[allow(dead_code)] // checked by `Probe` before the body is read
    format: String,
    organization: OrganizationRecord,
    #[serde(default)]
    nodes: Vec<NodeRecord>,
    #[serde(default)]
    policy: Option<Policy>,
    #[serde(default)]
    people: Vec<Person>,
    #[serde(default)]
    grants: Vec<Grant>,
    /// The people table, built while the grants were read (the reader's
    /// path only): the table, or the index of the first repeated id.
    #[serde(skip)]
    people_table: Option<Result<PeopleIx, usize>>,
    /// The grant id map, built by the thread that read the grants (the
    /// reader's path only, native targets).
    #[serde(skip)]
    grant_ids: Option<GrantIds>,
}

/// Reads only the `format` member, so a future version is refused before its
/// body is interpreted under this version's rules.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    format: Option<serde_json::Value>,
}

fn malformed(path: String, e: &serde_json::Error) -> SnapshotError {
    let message = e.to_string();
    // serde_json appends " at line L column C"; the fields carry those already.
    let message = match message.rfind(" at line ") {
        Some(cut) => message.get(..cut).unwrap_or(&message).to_owned(),
        None => message,
    };
    SnapshotError::Malformed {
        path: if path.is_empty() { ".".into() } else { path },
        line: e.line(),
        column: e.column(),
        message,
    }
}

impl Node {
    /// The node as its snapshot record, a JSON object (`id`, `kind`,
    /// `parent`, `name`, `slug`, `tags`, `created`, `updated`, and on
    /// chapters `group_kind`, `status`, `visibility`, `territory`, …), as
    /// `Network::to_json` writes it: for bindings and logs.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(NodeRecord::from(self)).unwrap_or(serde_json::Value::Null)
    }
}

/// The deepest nesting of arrays and objects the typed sections can have
/// (`policy.roles[i].levels`); only territories nest deeper.
const TYPED_DEPTH: usize = 5;
/// Territories sit at this depth (`nodes[i].territory`).
const TERRITORY_BASE: usize = 3;

/// The fast path for a snapshot in the form this library writes: when it
/// starts with the `format` member and the right version, and the typed
/// read succeeds, the separate passes for the version probe and for the
/// nesting depth would pass too (the typed sections nest at most
/// [`TYPED_DEPTH`] deep, territories are measured here). The members are
/// read one by one: `people` and `grants` by the one-pass reader, the
/// others by serde. `None` sends the text through [`checked_document`],
/// which reports errors exactly (and reads what the reader declines).
fn fast_document(text: &str, limits: &Limits) -> Option<Document> {
    if text.len() > limits.max_input_bytes || limits.max_json_depth < TYPED_DEPTH {
        return None;
    }
    fn ws(s: &str) -> &str {
        s.trim_start_matches([' ', '\t', '\n', '\r'])
    }
    let rest = ws(text);
    let rest = ws(rest.strip_prefix('{')?);
    let rest = ws(rest.strip_prefix("\"format\"")?);
    let rest = ws(rest.strip_prefix(':')?);
    rest.strip_prefix(&format!("\"{FORMAT}\""))?;
    let doc = members(text)?;
    let deepest = doc
        .nodes
        .iter()
        .filter_map(|n| n.territory.as_ref())
        .map(depth)
        .max()
        .unwrap_or(0);
    // well inside serde_json's own nesting limit for the whole document
    let deepest = TERRITORY_BASE + deepest;
    (deepest <= limits.max_json_depth && deepest <= 100).then_some(doc)
}

/// One value read by serde from the cursor on.
fn serde_value<'a, T: Deserialize<'a>>(c: &mut Cursor<'a>) -> Option<T> {
    let mut values = serde_json::Deserializer::from_str(c.rest()).into_iter::<T>();
    let v = values.next()?.ok()?;
    c.advance(values.byte_offset());
    Some(v)
}

/// The `grants` member read ahead: its key's offset, its array, the
/// offset after it, and the grants' id map (built on the reading thread,
/// which would otherwise wait for the people's side to end).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
struct Ahead {
    key_at: usize,
    grants: Vec<Grant>,
    end: usize,
    ids: GrantIds,
}

/// Whether to read grants ahead with this much text left: not below
/// 64 KiB (an estimate, not measured: below it the second thread likely
/// costs more than it saves); always in
/// tests, so the reader's property tests go through the read-ahead.
#[cfg(not(target_arch = "wasm32"))]
fn worth_reading_ahead(rest: usize) -> bool {
    cfg!(test) || rest >= 1 << 16
}

/// The `people` array at the cursor (`None`: the reader declined) and, on
/// native targets with a large rest, the `grants` member read meanwhile on
/// a second thread from the first `"grants"` key after it, which is where
/// `to_json` writes it. [`members`] uses that read only when it reaches a
/// `grants` key at that same offset, so a wrong guess (or another member
/// order) costs time, never a different answer.
fn people_and_grants_ahead(c: &mut Cursor<'_>) -> (Option<People>, Option<Ahead>) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use crate::access::{grant_ids, grants_in_parts};
        let text = c.text();
        let from = c.position();
        if worth_reading_ahead(text.len() - from) {
            let (people, ahead) = rayon::join(
                // the people table too, while the grants take longer
                || {
                    read_people(c).map(|p| {
                        let table = PeopleIx::of_people(&p);
                        (p, Some(table))
                    })
                },
                || {
                    let (key_at, mut g) = after_key(text, from, b"\"grants\"")?;
                    let grants = grants_in_parts(&mut g)?;
                    let ids = grant_ids(&grants);
                    Some(Ahead {
                        key_at,
                        grants,
                        end: g.position(),
                        ids,
                    })
                },
            );
            return (people, ahead);
        }
    }
    (read_people(c).map(|p| (p, None)), None)
}

/// The offset of the first `key` (a member's name, quoted) at or after
/// `from`, and a cursor just past its colon: where a member read ahead
/// starts.
#[cfg(not(target_arch = "wasm32"))]
fn after_key<'a>(text: &'a str, from: usize, key: &[u8]) -> Option<(usize, Cursor<'a>)> {
    let key_at = crate::access::find_short(text, from, key)?;
    let mut c = Cursor::new(text);
    c.advance(key_at);
    c.str()?;
    c.eat(b':')?;
    Some((key_at, c))
}

/// The people read, with their table when built meanwhile.
type People = (Vec<Person>, Option<Result<PeopleIx, usize>>);

/// The `people` member read ahead, with the `grants` member read ahead
/// as [`people_and_grants_ahead`] reads it: its key's offset, what
/// reading it there gave, and the offset after its array.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
struct PeopleAhead {
    key_at: usize,
    people: Option<People>,
    grants: Option<Ahead>,
    end: usize,
}

/// The `nodes` array at the cursor (`None`: serde declined) and, on native
/// targets with a large rest, the `people` member read meanwhile from the
/// first `"people"` key after it, which is where `to_json` writes it (the
/// nodes, read by serde, cost about 28 M instructions for 5,050 nodes:
/// read first, they kept the other thread waiting). [`members`] uses that
/// read only when it reaches a `people` key at that same offset, so a
/// wrong guess (a nested `"people"` key, or another member order) costs
/// time, never a different answer.
fn nodes_and_people_ahead(c: &mut Cursor<'_>) -> (Option<Vec<NodeRecord>>, Option<PeopleAhead>) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let text = c.text();
        let from = c.position();
        if worth_reading_ahead(text.len() - from) {
            return rayon::join(
                || serde_value(c),
                || {
                    let (key_at, mut p) = after_key(text, from, b"\"people\"")?;
                    let (people, grants) = people_and_grants_ahead(&mut p);
                    Some(PeopleAhead {
                        key_at,
                        people,
                        grants,
                        end: p.position(),
                    })
                },
            );
        }
    }
    (serde_value(c), None)
}

/// The document's members in any order, each at most once, none unknown
/// (as the derived `Document` reads them), then nothing but whitespace.
fn members(text: &str) -> Option<Document> {
    let mut c = Cursor::new(text);
    let mut format = None;
    let mut organization = None;
    let (mut nodes, mut policy, mut people, mut grants) = (None, None, None, None);
    fn once<T>(slot: &mut Option<T>, v: T) -> Option<()> {
        slot.is_none().then(|| *slot = Some(v))
    }
    // the `people` member read ahead while `nodes` was read, and the
    // `grants` member read ahead while `people` was read
    let mut people_ahead: Option<PeopleAhead> = None;
    let mut ahead: Option<Ahead> = None;
    let mut people_table = None;
    let mut grant_ids = None;
    c.eat(b'{')?;
    loop {
        c.peek()?;
        let key_at = c.position();
        let key = c.str()?;
        c.eat(b':')?;
        match key {
            "format" => once(&mut format, serde_value::<String>(&mut c)?)?,
            "organization" => once(&mut organization, serde_value(&mut c)?)?,
            "nodes" => {
                let (n, p) = nodes_and_people_ahead(&mut c);
                people_ahead = p;
                once(&mut nodes, n?)?
            }
            "policy" => once(&mut policy, serde_value(&mut c)?)?,
            "people" => {
                let (p, a) = match people_ahead.take() {
                    // read from this very key: the same answer as reading it now
                    Some(r) if r.key_at == key_at => {
                        c.seek(r.end);
                        (r.people, r.grants)
                    }
                    _ => people_and_grants_ahead(&mut c),
                };
                ahead = a;
                let (p, table) = p?;
                once(&mut people, p)?;
                people_table = table;
            }
            "grants" => {
                let read = match ahead.take() {
                    // read from this very key: the same answer as reading it now
                    Some(a) if a.key_at == key_at => {
                        c.seek(a.end);
                        grant_ids = Some(a.ids);
                        a.grants
                    }
                    _ => {
                        grant_ids = None;
                        read_grants(&mut c)?
                    }
                };
                once(&mut grants, read)?
            }
            _ => return None,
        }
        match c.peek()? {
            b',' => c.advance(1),
            b'}' => {
                c.advance(1);
                break;
            }
            _ => return None,
        }
    }
    if c.peek().is_some() {
        return None;
    }
    Some(Document {
        format: format?,
        organization: organization?,
        nodes: nodes.unwrap_or_default(),
        policy: policy.unwrap_or_default(),
        people: people.unwrap_or_default(),
        grants: grants.unwrap_or_default(),
        people_table,
        grant_ids,
    })
}

/// Nesting depth of a JSON value (0 for a scalar, 1 for `[]`). The parser
/// bounds it (recursion limit), so the recursion here is bounded too.
fn depth(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        serde_json::Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The checked path: size and nesting first, then the version probe, then
/// the typed parse (again with path tracking on failure, to name the value).
fn checked_document(text: &str, limits: &Limits) -> Result<Document, SnapshotError> {
    limits.check_json("snapshot", text)?;
    let probe: Probe = serde_json::from_str(text).map_err(|e| malformed(String::new(), &e))?;
    match probe.format {
        None => return Err(SnapshotError::MissingFormat),
        Some(serde_json::Value::String(f)) if f == FORMAT => {}
        Some(serde_json::Value::String(f)) => {
            return Err(SnapshotError::UnsupportedVersion { found: f });
        }
        Some(other) => {
            return Err(SnapshotError::UnsupportedVersion {
                found: other.to_string(),
            });
        }
    }
    // Parse at full speed; only a failure is parsed again with path
    // tracking, to name the offending value.
    match serde_json::from_str(text) {
        Ok(doc) => Ok(doc),
        Err(_) => {
            let de = &mut serde_json::Deserializer::from_str(text);
            let result: Result<Document, _> = serde_path_to_error::deserialize(de);
            result.map_err(|e| {
                let path = e.path().to_string();
                malformed(path, e.inner())
            })
        }
    }
}

impl Network {
    /// Loads a `chapterhouse/1` snapshot.
    ///
    /// Malformed JSON and values of the wrong shape give
    /// [`SnapshotError::Malformed`] with the JSON path; a future format gives
    /// [`SnapshotError::UnsupportedVersion`]; a broken tree or policy gives
    /// [`SnapshotError::Invalid`] naming the node or grant.
    pub fn from_json(text: &str) -> Result<Network, SnapshotError> {
        Network::from_json_with(text, &Limits::default())
    }

    /// [`Network::from_json`] with explicit [`Limits`]: the text's size and
    /// JSON nesting are checked before parsing, the node and grant counts
    /// before the network is built.
    pub fn from_json_with(text: &str, limits: &Limits) -> Result<Network, SnapshotError> {
        let doc = match fast_document(text, limits) {
            Some(doc) => doc,
            None => checked_document(text, limits)?,
        };
        Network::from_document(doc, limits)
    }

    fn from_document(doc: Document, limits: &Limits) -> Result<Network, SnapshotError> {
        Limits::check("nodes", doc.nodes.len() + 1, limits.max_nodes, "max_nodes")?;
        Limits::check(
            "people and grants",
            doc.people.len() + doc.grants.len(),
            limits.max_grants,
            "max_grants",
        )?;
        let org = doc.organization;
        let invalid = |path: String, e: NetworkError| SnapshotError::Invalid {
            path,
            source: Box::new(e.into()),
        };
        crate::network::ops_check_text(org.id.as_str(), "name", &org.name)
            .map_err(|e| invalid("organization".into(), e))?;
        if org.updated < org.created {
            return Err(invalid(
                "organization".into(),
                NetworkError::InvalidField {
                    id: org.id.to_string(),
                    field: "updated",
                    reason: "is earlier than created".into(),
                },
            ));
        }
        let mut nodes = Vec::with_capacity(doc.nodes.len() + 1);
        nodes.push(Node {
            id: org.id,
            parent: None,
            name: org.name,
            slug: org.slug,
            tags: crate::network::ops_normalize_tags(org.tags),
            created: org.created,
            updated: org.updated,
            body: NodeBody::Organization,
        });
        for (i, record) in doc.nodes.into_iter().enumerate() {
            if record.kind == NodeLevel::Organization {
                return Err(invalid(
                    format!("nodes[{i}]"),
                    NetworkError::SecondRoot { id: record.id },
                ));
            }
            let node = record
                .into_node(limits)
                .map_err(|e| SnapshotError::Invalid {
                    path: format!("nodes[{i}]"),
                    source: Box::new(e),
                })?;
            nodes.push(node);
        }
        let mut net =
            Network::from_parts_indexed(nodes, AccessState::default()).map_err(|(at, e)| {
                let path = match at {
                    Some(0) => "organization".to_owned(),
                    Some(i) => format!("nodes[{}]", i - 1),
                    None => "nodes".to_owned(),
                };
                invalid(path, e)
            })?;
        net.access = AccessState::load(
            &net,
            doc.policy,
            doc.people,
            doc.grants,
            doc.people_table,
            doc.grant_ids,
        )
        .map_err(|(path, e)| SnapshotError::Invalid {
            path,
            source: Box::new(e.into()),
        })?;
        Ok(net)
    }

    /// Saves the network as a `chapterhouse/1` snapshot: canonical JSON with
    /// one node, person or grant per line.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256 + self.nodes.len() * 256);
        out.push_str("{\n\"format\": ");
        push_json(&mut out, &FORMAT);
        let root = self.root();
        let org = OrganizationRecord {
            id: root.id.clone(),
            name: root.name.clone(),
            slug: root.slug.clone(),
            tags: root.tags.clone(),
            created: root.created,
            updated: root.updated,
        };
        out.push_str(",\n\"organization\": ");
        push_json(&mut out, &org);
        out.push_str(",\n\"nodes\": ");
        push_lines(&mut out, self.nodes.iter().skip(1).map(NodeRecord::from));
        if self.access.explicit_policy {
            out.push_str(",\n\"policy\": ");
            crate::access::push_policy(&mut out, &self.access.policy, "");
        }
        out.push_str(",\n\"people\": ");
        push_lines(&mut out, self.access.people.iter());
        out.push_str(",\n\"grants\": ");
        push_lines(&mut out, self.access.live());
        out.push_str("\n}\n");
        out
    }
}

impl Network {
    /// One node as JSON, in the form of a snapshot's `nodes` entry (the
    /// organization too, with `"kind": "organization"`): what a host shows
    /// on a chapter's page or stores beside its own record.
    ///
    /// ```
    /// # use chapterhouse::Network;
    /// # let now = "2026-01-01T00:00:00Z".parse().unwrap();
    /// let net = Network::new("org".parse()?, "Org", "org".parse()?, now)?;
    /// assert!(net.node_json("org")?.contains(r#""kind":"organization""#));
    /// assert!(net.node_json("nope").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn node_json(&self, id: &str) -> Result<String, NetworkError> {
        let ix = self.ix_or_err(id)?;
        let mut out = String::new();
        if let Some(node) = self.at(ix) {
            push_json(&mut out, &NodeRecord::from(node));
        }
        Ok(out)
    }
}

fn push_json<T: Serialize + ?Sized>(out: &mut String, value: &T) {
    // Serializing these plain data shapes to a String cannot fail: every map
    // key is a string and every float is finite (validated on the way in).
    match serde_json::to_string(value) {
        Ok(s) => out.push_str(&s),
        Err(_) => out.push_str("null"),
    }
}

fn push_lines<T: Serialize>(out: &mut String, items: impl Iterator<Item = T>) {
    out.push('[');
    let mut first = true;
    for item in items {
        out.push_str(if first { "\n  " } else { ",\n  " });
        first = false;
        push_json(out, &item);
    }
    out.push_str(if first { "]" } else { "\n]" });
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str = r#"{"format":"chapterhouse/1","organization":{"id":"org","name":"Org","slug":"org","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"},"nodes":[]}"#;

    #[test]
    fn minimal_round_trip_is_canonical() {
        let net = Network::from_json(MIN).unwrap();
        let saved = net.to_json();
        let again = Network::from_json(&saved).unwrap();
        assert_eq!(again, net);
        assert_eq!(again.to_json(), saved);
    }

    #[test]
    fn future_format_is_refused() {
        let text = MIN.replace("chapterhouse/1", "chapterhouse/2");
        let err = Network::from_json(&text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedVersion);
        assert!(err.to_string().contains("chapterhouse/2"));
    }

    #[test]
    fn malformed_value_names_the_path() {
        let text = MIN.replace(
            r#""nodes":[]"#,
            r#""nodes":[{"id":"r","kind":"region","parent":"org","name":"R","slug":"r","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z","status":42}]"#,
        );
        let err = Network::from_json(&text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
        let msg = err.to_string();
        assert!(msg.contains("nodes[0].status"), "{msg}");
    }

    const TERRITORY: &str = r#"{"format":"chapterhouse/1","organization":{"id":"org","name":"Org","slug":"org","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"},"nodes":[{"id":"c","kind":"chapter","parent":"org","name":"C","slug":"c","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00.5Z","group_kind":"local","status":"active","territory":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}],"people":[{"id":"p","attestations":["data_agreement"]}],"grants":[{"id":"g","person":"p","role":"member","scope":{"node":"c"},"valid_from":"2026-01-01T00:00:00Z","valid_until":"2027-02-03T04:05:06+01:00"}]}"#;

    #[test]
    fn the_fast_path_loads_what_the_checked_path_loads() {
        let with_policy = TERRITORY.replace(
            r#""people":"#,
            &format!(r#""policy":{},"people":"#, Policy::default().to_json()),
        );
        for text in [MIN, TERRITORY, with_policy.as_str()] {
            let limits = Limits::default();
            assert!(fast_document(text, &limits).is_some());
            let fast = Network::from_json(text).unwrap();
            let checked =
                Network::from_document(checked_document(text, &limits).unwrap(), &limits).unwrap();
            assert_eq!(fast, checked);
            assert_eq!(fast.to_json(), checked.to_json());
        }
        // not in the written form (format not first): the checked path
        let moved = TERRITORY
            .replacen(r#""format":"chapterhouse/1","#, "", 1)
            .replacen(r#""grants":"#, r#""format":"chapterhouse/1","grants":"#, 1);
        assert!(fast_document(&moved, &Limits::default()).is_none());
        assert_eq!(
            Network::from_json(&moved).unwrap(),
            Network::from_json(TERRITORY).unwrap()
        );
    }

    #[test]
    fn the_fast_path_keeps_the_nesting_limit() {
        // the territory reaches depth 3 + 4 = 7
        let tight = Limits {
            max_json_depth: 6,
            ..Limits::default()
        };
        assert!(fast_document(TERRITORY, &tight).is_none());
        let err = Network::from_json_with(TERRITORY, &tight).unwrap_err();
        assert_eq!(
            err.to_string(),
            "JSON nesting in snapshot exceeds the limit: 7 > 6 (max_json_depth)"
        );
        let exact = Limits {
            max_json_depth: 7,
            ..Limits::default()
        };
        assert!(fast_document(TERRITORY, &exact).is_some());
        assert!(Network::from_json_with(TERRITORY, &exact).is_ok());
        // below the typed sections' own depth the fast path stands aside
        let tiny = Limits {
            max_json_depth: 4,
            ..Limits::default()
        };
        assert!(fast_document(MIN, &tiny).is_none());
        assert!(Network::from_json_with(MIN, &tiny).is_ok());
    }

    #[test]
    fn a_wrong_version_first_is_refused_as_before() {
        let text = MIN.replace("chapterhouse/1", "chapterhouse/2");
        assert!(fast_document(&text, &Limits::default()).is_none());
        let err = Network::from_json(&text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedVersion);
    }
}
#[cfg(test)]
mod reader_props {
    use super::*;
    use proptest::prelude::*;

    const PERSON_KEYS: &[(&str, &[&str])] = &[
        (
            "id",
            &[
                r#""u-000001""#,
                r#""p""#,
                r#""osdi:person:7""#,
                r#""ü-1""#,
                r#""a b""#,
                r#""""#,
                r#""a\u0062""#,
                "5",
                "null",
                r#""an-id-well-over-twenty-four-bytes""#,
            ],
        ),
        (
            "name",
            &[r#""Ana""#, "null", r#""""#, r#""A\nB""#, "3", r#""grants""#],
        ),
        (
            "attestations",
            &[
                "[]",
                r#"["data_agreement"]"#,
                r#"["data_agreement","data_protection_training"]"#,
                r#"[ "b" , "a" ]"#,
                r#"["a",]"#,
                "null",
                "[1]",
                r#""x""#,
            ],
        ),
        (
            "suspended",
            &["true", "false", "null", r#""true""#, "tru", "falsey"],
        ),
        ("bogus", &["1"]),
    ];

    const GRANT_KEYS: &[(&str, &[&str])] = &[
        ("id", &[r#""g-1""#, r#""g-2""#, r#""a b""#, r#""""#, "7"]),
        ("person", &[r#""u-000001""#, r#""p""#, r#""a b""#, "null"]),
        (
            "role",
            &[
                r#""member""#,
                r#""regional_coordinator""#,
                r#""a_role_name_longer_than_23_bytes""#,
                r#""""#,
                "5",
                r#""m\u0065mber""#,
            ],
        ),
        (
            "scope",
            &[
                r#"{"node":"ch-1"}"#,
                r#"{"tag":"water"}"#,
                r#"{"tag":"Water"}"#,
                r#"{"node":"a","tag":"b"}"#,
                "{}",
                r#"{"bogus":"x"}"#,
                "null",
                r#"{ "node" : "r-1" }"#,
            ],
        ),
        (
            "valid_from",
            &[
                r#""2025-01-01T00:00:00Z""#,
                r#""2025-01-01T00:00:00.5Z""#,
                r#""2025-01-01T00:00:00+01:00""#,
                r#""2025-13-01T00:00:00Z""#,
                r#""x""#,
                "null",
                "5",
            ],
        ),
        (
            "valid_until",
            &[
                r#""2026-01-01T00:00:00Z""#,
                r#""2026-02-03T04:05:06+01:00""#,
                "null",
                r#""2026-02-30T00:00:00Z""#,
            ],
        ),
        ("bogus", &["{}"]),
    ];

    /// Whitespace between tokens: mostly none, sometimes some.
    fn ws() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["", "", "", " ", "\n", " \t\r\n "])
    }

    /// An object of members picked from `keys` (any order, possibly
    /// repeated, missing or unknown), or the plain form with every key once.
    fn object(
        keys: &'static [(&'static str, &'static [&'static str])],
    ) -> impl Strategy<Value = String> {
        let member = (0..keys.len(), any::<prop::sample::Index>(), ws(), ws());
        let plain = any::<bool>();
        (
            prop::collection::vec(member, 0..8),
            plain,
            any::<prop::sample::Index>(),
        )
            .prop_map(move |(members, plain, pick)| {
                let members: Vec<(usize, String, &str, &str)> = if plain {
                    keys.iter()
                        .enumerate()
                        .filter(|(_, (k, _))| *k != "bogus")
                        .map(|(i, (_, vals))| {
                            (i, vals[pick.index(2.min(vals.len()))].to_string(), "", "")
                        })
                        .collect()
                } else {
                    members
                        .into_iter()
                        .map(|(k, v, a, b)| {
                            (k, keys[k].1[v.index(keys[k].1.len())].to_string(), a, b)
                        })
                        .collect()
                };
                let body: Vec<String> = members
                    .iter()
                    .map(|(k, v, a, b)| format!(r#"{a}"{}"{b}:{a}{v}{b}"#, keys[*k].0))
                    .collect();
                format!("{{{}}}", body.join(","))
            })
    }

    fn snapshot() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(object(PERSON_KEYS), 0..5),
            prop::collection::vec(object(GRANT_KEYS), 0..5),
            ws(),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(people, grants, w, grants_first, nested_people)| {
                let people = format!(r#""people"{w}:{w}[{w}{}{w}]"#, people.join(&format!("{w},{w}")));
                let grants = format!(r#""grants":[{}]"#, grants.join(","));
                let (a, b) = if grants_first { (grants, people) } else { (people, grants) };
                // a `"people"` key inside a node, before the document's own:
                // the people read beside the nodes starts there, and must
                // not be taken for the document's people
                let territory = if nested_people { r#","territory":{"people":[]}"# } else { "" };
                format!(
                    r#"{{"format":"chapterhouse/1","organization":{{"id":"org","name":"Org","slug":"org","created":"2025-01-01T00:00:00Z","updated":"2025-01-01T00:00:00Z"}},"nodes":[{{"id":"ch-1","kind":"chapter","parent":"org","name":"C","slug":"c","created":"2025-01-01T00:00:00Z","updated":"2025-01-01T00:00:00Z","group_kind":"local","status":"active"{territory}}}],{w}{a},{b}{w}}}{w}"#
                )
            })
    }

    /// Where the reader answers, serde reads the same document.
    fn agree(text: &str) -> Result<bool, TestCaseError> {
        let Some(mut fast) = members(text) else {
            return Ok(false);
        };
        // built beside the people, not read (checked by loading)
        fast.people_table = None;
        // built by the thread that read the grants: each grant's id to its
        // index, or the index of the first grant whose id came before
        if let Some(ahead) = fast.grant_ids.take() {
            let mut seen = std::collections::HashSet::new();
            let repeat = fast.grants.iter().position(|g| !seen.insert(g.id.as_str()));
            match (ahead, repeat) {
                (Err(a), Some(r)) => prop_assert_eq!(a, r, "{}", text),
                (Ok(map), None) => {
                    prop_assert_eq!(map.len(), fast.grants.len(), "{}", text);
                    for (i, g) in fast.grants.iter().enumerate() {
                        prop_assert_eq!(map.get(g.id.as_str()), Some(i as u32), "{}", text);
                    }
                }
                (a, r) => {
                    return Err(TestCaseError::fail(format!(
                        "grant id map {a:?}, first repeated id at {r:?}: {text}"
                    )));
                }
            }
        }
        let serde: Result<Document, _> = serde_json::from_str(text);
        let serde = match serde {
            Ok(doc) => doc,
            Err(e) => {
                return Err(TestCaseError::fail(format!(
                    "reader accepted what serde refuses ({e}): {text}"
                )));
            }
        };
        prop_assert_eq!(format!("{fast:?}"), format!("{serde:?}"), "{}", text);
        Ok(true)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_reader_reads_what_serde_reads(text in snapshot()) {
            agree(&text)?;
        }

        /// Loading through the reader gives what the checked path gives:
        /// the same network, or the same error.
        #[test]
        fn loading_through_the_reader_gives_the_checked_result(text in snapshot()) {
            let limits = Limits::default();
            let fast = Network::from_json(&text);
            let checked = checked_document(&text, &limits).and_then(|d| Network::from_document(d, &limits));
            match (fast, checked) {
                (Ok(a), Ok(b)) => {
                    prop_assert_eq!(a.to_json(), b.to_json(), "{}", text);
                    prop_assert!(a == b, "{}", text);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a, b, "{}", text),
                (a, b) => prop_assert!(false, "{:?} / {:?}: {}", a.err(), b.err(), text),
            }
        }

        #[test]
        fn the_reader_reads_what_serde_reads_after_an_edit(
            text in snapshot(),
            at in any::<prop::sample::Index>(),
            edit in prop::sample::select(vec!["", ",", "\"", "\\", " ", "}", "]", "{", "[", "x", ":", "0"]),
        ) {
            let at = at.index(text.len() + 1);
            prop_assume!(text.is_char_boundary(at));
            let mut edited = text.clone();
            match edit {
                "" if at < text.len() => {
                    let end = (at + 1..=text.len()).find(|&e| text.is_char_boundary(e)).unwrap_or(text.len());
                    edited.replace_range(at..end, "");
                }
                e => edited.insert_str(at, e),
            }
            agree(&edited)?;
        }
    }

    /// The generated snapshots reach the reader's answers, not only its
    /// refusals.
    #[test]
    fn the_generated_snapshots_are_often_read() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = snapshot();
        let read = (0..500)
            .filter(|_| {
                members(&strategy.new_tree(&mut runner).unwrap().current())
                    .is_some_and(|d| !d.people.is_empty() || !d.grants.is_empty())
            })
            .count();
        assert!(read > 50, "{read}");
    }

    #[test]
    fn the_reader_takes_the_written_form() {
        let net = Network::from_json(TERRITORY_FOR_READER).unwrap();
        let text = net.to_json();
        assert!(members(&text).is_some());
        assert!(members(TERRITORY_FOR_READER).is_some());
    }

    const TERRITORY_FOR_READER: &str = r#"{"format":"chapterhouse/1","organization":{"id":"org","name":"Org","slug":"org","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"},"nodes":[{"id":"c","kind":"chapter","parent":"org","name":"C","slug":"c","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00.5Z","group_kind":"local","status":"active","tags":["water"]}],"people":[{"id":"p","name":"Ana","attestations":["data_agreement"]},{"id":"q","suspended":true}],"grants":[{"id":"g","person":"p","role":"member","scope":{"node":"c"},"valid_from":"2026-01-01T00:00:00Z","valid_until":"2027-02-03T04:05:06+01:00"},{"id":"h","person":"q","role":"member","scope":{"tag":"water"},"valid_from":"2026-01-01T00:00:00.25Z"}]}"#;
}
