//! `Network`: a chapter network loaded from a `chapterhouse/1` snapshot, its
//! mutations (one `apply` for every operation) and its queries (hierarchy,
//! permissions, territory).

use chapterhouse::access::{Allowed, AuditEntry, DecisionReport};
use chapterhouse::territory::Filter;
use chapterhouse::{Actor, Node, NodeBody, Op};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use serde_json::{Value, json};

use crate::convert::{When, from_json, to_py};
use crate::error::PyFailure;
use crate::territory::{Assignment, Coords, assign_with, filter_of};

/// A chapter network: the organization, its regions and chapters, the
/// policy, people and grants.
#[pyclass(module = "chapterhouse", name = "Network")]
pub struct Network(chapterhouse::Network);

/// The answer to "may this person do this, here?" with its explanation.
///
/// True in a boolean context when allowed; ``str(decision)`` is the
/// explanation in plain words.
#[pyclass(module = "chapterhouse", name = "Decision", frozen, get_all)]
pub struct Decision {
    /// Allowed or not.
    allowed: bool,
    /// The person asked about.
    person: String,
    /// The capability.
    capability: String,
    /// The node.
    node: Option<String>,
    /// The capability reveals member data (redact when denied, log when allowed).
    personal_data: bool,
    /// ``"allow"`` or the deny reason: ``no_grant``, ``expired``,
    /// ``not_yet_valid``, ``reserved_to_central``, ``forbidden``, ``node_not_active``.
    code: String,
    /// The allowing grant, or for a denial the nearest grant that would have allowed.
    grant: Option<String>,
    /// For an allow: the node ids from the grant's node down to the node.
    path: Vec<String>,
    /// The forbid rule behind a denial.
    rule: Option<String>,
    /// The explanation in plain words.
    explanation: String,
}

impl From<DecisionReport> for Decision {
    fn from(r: DecisionReport) -> Self {
        Decision {
            allowed: r.allowed,
            person: r.person,
            capability: r.capability,
            node: r.node.map(|n| n.to_string()),
            personal_data: r.personal_data,
            code: r.code.to_owned(),
            grant: r.grant.map(|g| g.to_string()),
            path: r.path.iter().map(ToString::to_string).collect(),
            rule: r.rule,
            explanation: r.explanation,
        }
    }
}

#[pymethods]
impl Decision {
    fn __bool__(&self) -> bool {
        self.allowed
    }

    fn __str__(&self) -> &str {
        &self.explanation
    }

    fn __repr__(&self) -> String {
        format!("<Decision {}: {}>", self.code, self.explanation)
    }
}

fn allowed_dict(a: &Allowed<'_>) -> Value {
    json!({
        "person": a.person.id.as_str(),
        "grant": a.grant.id.as_str(),
        "role": a.grant.role,
        "path": a.path.ids().iter().map(ToString::to_string).collect::<Vec<_>>(),
        "personal_data": a.capability.personal_data,
        "explanation": a.to_string(),
    })
}

fn audit_dict(e: &AuditEntry<'_>) -> Value {
    json!({
        "person": e.person.id.as_str(),
        "grant": e.grant.id.as_str(),
        "role": e.grant.role,
        "scope": e.grant.scope,
        "valid_until": e.grant.valid_until,
        "blocked_by": e.blocked_by.map(|r| r.id.clone()),
        "explanation": e.to_string(),
    })
}

/// A node as a plain dict.
fn node_dict(n: &Node) -> Value {
    let mut v = json!({
        "id": n.id.as_str(),
        "parent": n.parent.as_ref().map(|p| p.as_str()),
        "level": n.level().as_str(),
        "name": n.name,
        "slug": n.slug.as_str(),
        "tags": n.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "created": n.created,
        "updated": n.updated,
    });
    if let (NodeBody::Chapter(c), Value::Object(m)) = (&n.body, &mut v) {
        m.insert("group_kind".into(), c.group_kind.as_str().into());
        m.insert("status".into(), c.status.as_str().into());
        m.insert("visibility".into(), c.visibility.as_str().into());
        m.insert("cohort".into(), json!(c.cohort));
        m.insert(
            "territory".into(),
            c.territory
                .as_ref()
                .map_or(Value::Null, |t| t.to_geojson().clone()),
        );
        m.insert("campaign_end".into(), json!(c.campaign_end));
        m.insert("status_reason".into(), json!(c.status_reason));
        m.insert("description".into(), json!(c.description));
        m.insert("join_url".into(), json!(c.join_url));
    }
    v
}

fn actor_of(actor: &str) -> PyResult<Actor> {
    if actor == "host" {
        return Ok(Actor::Host);
    }
    let person = actor
        .parse()
        .map_err(|e: chapterhouse::IdError| crate::error::invalid_value(format!("actor: {e}")))?;
    Ok(Actor::Person(person))
}

impl Network {
    fn apply_op(&mut self, py: Python<'_>, op: Op, actor: &str, now: When) -> PyResult<Py<PyAny>> {
        let actor = actor_of(actor)?;
        let now = now.0;
        let change = self.0.apply(op, &actor, now).map_err(PyFailure::from)?;
        Ok(to_py(py, &change)?.unbind())
    }

    fn apply_value(
        &mut self,
        py: Python<'_>,
        op: Value,
        actor: &str,
        now: When,
    ) -> PyResult<Py<PyAny>> {
        let op: Op = serde_json::from_value(op)
            .map_err(|e| crate::error::parse_error(format!("operation: {e}")))?;
        self.apply_op(py, op, actor, now)
    }
}

#[pymethods]
impl Network {
    /// Loads a network from a ``chapterhouse/1`` snapshot (JSON text).
    ///
    /// Raises ``ParseError`` for malformed JSON (the message gives the JSON
    /// path, line and column), ``UnsupportedVersionError`` for another format,
    /// or the subclass of ``chapterhouse.Error`` for the rule a node breaks.
    /// Releases the GIL while parsing.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: PyBackedStr) -> PyResult<Self> {
        let network = py.detach(|| chapterhouse::Network::from_json(&json));
        Ok(Network(network.map_err(PyFailure::from)?))
    }

    /// Saves the network as a canonical ``chapterhouse/1`` snapshot.
    fn to_json(&self, py: Python<'_>) -> String {
        py.detach(|| self.0.to_json())
    }

    /// The number of nodes, the organization included.
    fn __len__(&self) -> usize {
        self.0.len()
    }

    /// The network's revision: how many changes it has seen.
    #[getter]
    fn revision(&self) -> u64 {
        self.0.revision()
    }

    // ---------------------------------------------------------- hierarchy

    /// The node with this id as a dict, or ``None``.
    fn node<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.0
            .node(id)
            .map(|n| to_py(py, &node_dict(n)))
            .transpose()
    }

    /// The organization's id.
    #[getter]
    fn root(&self) -> String {
        self.0.root().id.to_string()
    }

    /// Every node id, in preorder (a node before its descendants).
    fn ids(&self) -> PyResult<Vec<String>> {
        let root = self.0.root().id.clone();
        let ids = self.0.subtree(root.as_str()).map_err(PyFailure::from)?;
        Ok(ids.map(|n| n.id.to_string()).collect())
    }

    /// The ids of a node and all its descendants, in preorder.
    fn subtree(&self, id: &str) -> PyResult<Vec<String>> {
        let nodes = self.0.subtree(id).map_err(PyFailure::from)?;
        Ok(nodes.map(|n| n.id.to_string()).collect())
    }

    /// The ids of the chapters under a node (itself included if a chapter).
    fn chapters_under(&self, id: &str) -> PyResult<Vec<String>> {
        let nodes = self.0.chapters_under(id).map_err(PyFailure::from)?;
        Ok(nodes.map(|n| n.id.to_string()).collect())
    }

    /// The ids from the organization down to the node.
    fn path_from_root(&self, id: &str) -> PyResult<Vec<String>> {
        let path = self.0.path_from_root(id).map_err(PyFailure::from)?;
        Ok(path.into_iter().map(|n| n.id.to_string()).collect())
    }

    /// True when ``ancestor`` is ``node`` or one of its ancestors.
    fn is_ancestor(&self, ancestor: &str, node: &str) -> PyResult<bool> {
        Ok(self
            .0
            .is_ancestor(ancestor, node)
            .map_err(PyFailure::from)?)
    }

    /// The node's depth (the organization is 0).
    fn depth(&self, id: &str) -> PyResult<u32> {
        Ok(self.0.depth(id).map_err(PyFailure::from)?)
    }

    // ---------------------------------------------------------- mutations

    /// Applies one operation completely, or not at all, and returns the
    /// change record (a dict with ``revision``, ``actor``, ``at``, ``op``
    /// and ``summary``).
    ///
    /// ``op`` is a dict or JSON text with an ``"op"`` key: ``add_region``,
    /// ``apply_chapter``, ``approve``, ``reject``, ``archive``, ``restore``,
    /// ``move``, ``update_profile``, ``set_territory``,
    /// ``convert_campaign``, ``grant``, ``revoke``, ``set_person``,
    /// ``suspend``, ``attest``, ``set_policy``. ``actor`` is ``"host"``
    /// (trusted) or a person id, checked against the policy.
    #[pyo3(signature = (op, *, actor, now))]
    fn apply(
        &mut self,
        py: Python<'_>,
        op: &Bound<'_, PyAny>,
        actor: &str,
        now: When,
    ) -> PyResult<Py<PyAny>> {
        let op: Op = from_json("operation", op)?;
        self.apply_op(py, op, actor, now)
    }

    /// Approves a chapter application (``applied → active``).
    #[pyo3(signature = (id, *, actor, now))]
    fn approve(&mut self, py: Python<'_>, id: &str, actor: &str, now: When) -> PyResult<Py<PyAny>> {
        self.apply_value(py, json!({"op": "approve", "id": id}), actor, now)
    }

    /// Rejects a chapter application (``applied → rejected``).
    #[pyo3(signature = (id, reason, *, actor, now))]
    fn reject(
        &mut self,
        py: Python<'_>,
        id: &str,
        reason: &str,
        actor: &str,
        now: When,
    ) -> PyResult<Py<PyAny>> {
        self.apply_value(
            py,
            json!({"op": "reject", "id": id, "reason": reason}),
            actor,
            now,
        )
    }

    /// Archives a chapter (``active → archived``), reversibly.
    #[pyo3(signature = (id, reason, *, actor, now))]
    fn archive(
        &mut self,
        py: Python<'_>,
        id: &str,
        reason: &str,
        actor: &str,
        now: When,
    ) -> PyResult<Py<PyAny>> {
        self.apply_value(
            py,
            json!({"op": "archive", "id": id, "reason": reason}),
            actor,
            now,
        )
    }

    /// Restores an archived chapter (``archived → active``).
    #[pyo3(signature = (id, *, actor, now))]
    fn restore(&mut self, py: Python<'_>, id: &str, actor: &str, now: When) -> PyResult<Py<PyAny>> {
        self.apply_value(py, json!({"op": "restore", "id": id}), actor, now)
    }

    /// Gives ``person`` the ``role`` at ``scope`` (a node id, or
    /// ``{"tag": name}``) as grant ``id``, optionally from/until a time.
    #[pyo3(signature = (id, person, role, scope, *, actor, now, valid_from = None, valid_until = None))]
    #[allow(clippy::too_many_arguments)]
    fn grant(
        &mut self,
        py: Python<'_>,
        id: &str,
        person: &str,
        role: &str,
        scope: &Bound<'_, PyAny>,
        actor: &str,
        now: When,
        valid_from: Option<When>,
        valid_until: Option<When>,
    ) -> PyResult<Py<PyAny>> {
        let scope: Value = match scope.extract::<String>() {
            Ok(node) => json!({"node": node}),
            Err(_) => from_json("scope", scope)?,
        };
        let op = json!({"op": "grant", "id": id, "person": person, "role": role, "scope": scope,
                        "valid_from": valid_from.map(|w| w.0), "valid_until": valid_until.map(|w| w.0)});
        self.apply_value(py, op, actor, now)
    }

    /// Withdraws a grant.
    #[pyo3(signature = (id, *, actor, now))]
    fn revoke(&mut self, py: Python<'_>, id: &str, actor: &str, now: When) -> PyResult<Py<PyAny>> {
        self.apply_value(py, json!({"op": "revoke", "id": id}), actor, now)
    }

    // ---------------------------------------------------------- access

    /// May ``person`` use ``capability`` at ``node`` at ``now``? Returns a
    /// :class:`Decision` with its explanation.
    #[pyo3(signature = (person, capability, node, *, now))]
    fn check(&self, person: &str, capability: &str, node: &str, now: When) -> PyResult<Decision> {
        let now = now.0;
        let d = self
            .0
            .check(person, capability, node, now)
            .map_err(PyFailure::from)?;
        Ok(d.report().into())
    }

    /// Every node id where ``person`` may use ``capability`` at ``now``, in
    /// preorder. ``limit`` nodes at a time after the node ``after``; the
    /// result is ``(ids, next)`` where ``next`` is the ``after`` of the next
    /// page, or ``None`` at the end.
    #[pyo3(signature = (person, capability, *, now, after = None, limit = 1000))]
    fn nodes_where(
        &self,
        person: &str,
        capability: &str,
        now: When,
        after: Option<&str>,
        limit: usize,
    ) -> PyResult<(Vec<String>, Option<String>)> {
        let now = now.0;
        let page = self
            .0
            .nodes_where(person, capability, now, after, limit)
            .map_err(PyFailure::from)?;
        Ok((
            page.nodes.iter().map(|n| n.id.to_string()).collect(),
            page.next.map(|n| n.to_string()),
        ))
    }

    /// Everyone who may use ``capability`` at ``node`` at ``now``, nearest
    /// grant first: dicts with ``person``, ``grant``, ``role``, ``path``,
    /// ``personal_data`` and ``explanation``.
    #[pyo3(signature = (capability, node, *, now))]
    fn who_can<'py>(
        &self,
        py: Python<'py>,
        capability: &str,
        node: &str,
        now: When,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = now.0;
        let who = self
            .0
            .who_can(capability, node, now)
            .map_err(PyFailure::from)?;
        to_py(py, &who.iter().map(allowed_dict).collect::<Vec<_>>())
    }

    /// Every capability ``person`` may use at ``node`` at ``now``, each as
    /// a dict like :meth:`who_can`'s plus ``capability``.
    #[pyo3(signature = (person, node, *, now))]
    fn capabilities_at<'py>(
        &self,
        py: Python<'py>,
        person: &str,
        node: &str,
        now: When,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = now.0;
        let caps = self
            .0
            .capabilities_at(person, node, now)
            .map_err(PyFailure::from)?;
        let rows: Vec<Value> = caps
            .iter()
            .map(|a| {
                let mut v = allowed_dict(a);
                if let Value::Object(m) = &mut v {
                    m.insert("capability".into(), a.capability.name.clone().into());
                }
                v
            })
            .collect();
        to_py(py, &rows)
    }

    /// Everyone who holds ``capability`` anywhere at ``now``, by grant: dicts
    /// with ``person``, ``grant``, ``role``, ``scope``, ``valid_until``,
    /// ``blocked_by`` (a rule that currently stops it) and ``explanation``.
    #[pyo3(signature = (capability, *, now))]
    fn audit<'py>(
        &self,
        py: Python<'py>,
        capability: &str,
        now: When,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = now.0;
        let entries = self.0.audit(capability, now).map_err(PyFailure::from)?;
        to_py(py, &entries.iter().map(audit_dict).collect::<Vec<_>>())
    }

    // ---------------------------------------------------------- territory

    /// The ids of the chapters whose territory covers the point, most
    /// specific first. ``filter`` (dict: ``statuses``, ``visibilities``,
    /// ``kinds``, ``tags``) defaults to active, public chapters.
    #[pyo3(signature = (lon, lat, filter = None))]
    fn lookup(
        &self,
        py: Python<'_>,
        lon: f64,
        lat: f64,
        filter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<String>> {
        let filter = filter_of(filter)?;
        let found = py.detach(|| {
            self.0
                .lookup(lon, lat, &filter)
                .map(|v| v.iter().map(|n| n.id.to_string()).collect::<Vec<_>>())
        });
        Ok(found.map_err(PyFailure::from)?)
    }

    /// The ``k`` nearest chapters as ``(id, metres)``, nearest first (0 m
    /// when the point is inside).
    #[pyo3(signature = (lon, lat, k = 1, filter = None))]
    fn nearest(
        &self,
        py: Python<'_>,
        lon: f64,
        lat: f64,
        k: usize,
        filter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<(String, f64)>> {
        let filter = filter_of(filter)?;
        let found = py.detach(|| {
            self.0.nearest(lon, lat, k, &filter).map(|v| {
                v.iter()
                    .map(|(n, d)| (n.id.to_string(), *d))
                    .collect::<Vec<_>>()
            })
        });
        Ok(found.map_err(PyFailure::from)?)
    }

    /// Assigns each point to the most specific chapter covering it. ``lon``
    /// and ``lat`` are float64 NumPy arrays or Arrow arrays of equal length.
    /// Releases the GIL and runs on every core.
    #[pyo3(signature = (lon, lat, filter = None))]
    fn assign(
        &self,
        py: Python<'_>,
        lon: Coords<'_>,
        lat: Coords<'_>,
        filter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Assignment> {
        let filter: Filter = filter_of(filter)?;
        assign_with(py, self.0.finder(), &lon, &lat, &filter)
    }

    /// The public view: a GeoJSON FeatureCollection (dict) of listed
    /// chapters with public fields only.
    fn public_view<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0.public_view())
    }
}
