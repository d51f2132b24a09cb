//! `Network`: a chapter network loaded from a `chapterhouse/1` snapshot, with
//! its mutations, tree queries, permission checks and public view.

use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::convert::{NodesPageOut, from_js, from_value, ids, opt_to_js, time, to_js};
use crate::error::JsFailure;

#[allow(dead_code)] // the macro below copies its text, so rustc sees no use
const TS_NETWORK_TEXT: &str = r#"
/** A time: a Date, or an RFC 3339 string such as "2026-11-01T00:00:00Z". */
export type Time = Date | string;

/** Who performs a mutation: the host application (trusted) or a person. */
export type Actor = "host" | { person: string };

/** Where a grant applies: a node and its subtree, or every node with a tag. */
export type Scope = { node: string } | { tag: string };

/** A territory: GeoJSON Polygon or MultiPolygon, or a Point with `radius_m`. */
export interface TerritoryGeometry {
  type: "Polygon" | "MultiPolygon" | "Point";
  coordinates: unknown;
  radius_m?: number;
}

/** Every mutation of a network, as in the library's JSON (`"op"` tag). */
export type Op =
  | { op: "add_region"; id: string; parent: string; name: string; slug: string; tags?: string[] }
  | {
      op: "apply_chapter"; id: string; parent: string; name: string; slug: string;
      group_kind: GroupKind; tags?: string[]; cohort?: string; visibility?: Visibility;
      territory?: TerritoryGeometry; campaign_end?: string; description?: string; join_url?: string;
    }
  | { op: "approve"; id: string }
  | { op: "reject"; id: string; reason: string }
  | { op: "archive"; id: string; reason: string }
  | { op: "restore"; id: string }
  | { op: "move"; id: string; parent: string }
  | {
      op: "update_profile"; id: string; name?: string; slug?: string; tags?: string[];
      visibility?: Visibility; cohort?: string | null; description?: string | null;
      join_url?: string | null; campaign_end?: string;
    }
  | { op: "set_territory"; id: string; territory: TerritoryGeometry | null }
  | { op: "convert_campaign"; id: string; to: "dissolve" | "local" | "issue" }
  | { op: "grant"; id: string; person: string; role: string; scope: Scope; valid_from?: string; valid_until?: string }
  | { op: "revoke"; id: string }
  | { op: "set_person"; id: string; name?: string }
  | { op: "suspend"; person: string; suspended?: boolean; reason?: string }
  | { op: "attest"; person: string; attestation: string; held?: boolean }
  | { op: "set_policy"; policy: Record<string, unknown> };

/** The record of one applied mutation. */
export interface Change {
  /** The network revision this change produced. */
  revision: number;
  actor: Actor;
  /** RFC 3339. */
  at: string;
  op: Op;
  /** One line in plain words: "approved chapter ch-12 (applied → active)". */
  summary: string;
}

/** A node as the snapshot writes it; chapter fields only on chapters. */
export interface NodeRecord {
  id: string;
  kind: "organization" | "region" | "chapter";
  parent?: string;
  name: string;
  slug: string;
  tags?: string[];
  created: string;
  updated: string;
  group_kind?: GroupKind;
  status?: ChapterStatus;
  visibility?: Visibility;
  cohort?: string;
  territory?: TerritoryGeometry;
  campaign_end?: string;
  status_reason?: string;
  description?: string;
  join_url?: string;
}

/** A permission decision with its explanation. */
export interface DecisionReport {
  allowed: boolean;
  person: string;
  capability: string;
  node: string | null;
  /** The capability reveals member data: redact when denied, log when allowed. */
  personal_data: boolean;
  /** "allow", or why not: "no_grant", "expired", "not_yet_valid", "reserved_to_central", "forbidden", "node_not_active". */
  code: string;
  /** The allowing grant, or the nearest grant that would have allowed. */
  grant: string | null;
  /** For an allow: from the grant's node down to the node. */
  path: string[];
  /** The forbid rule behind a denial. */
  rule: string | null;
  /** The explanation in plain words. */
  explanation: string;
}

/** One page of `nodesWhere`. */
export interface NodesPage {
  /** Node ids, in preorder. */
  nodes: string[];
  /** When more remain: pass as `after` for the next page. */
  next: string | null;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_NETWORK: &str = TS_NETWORK_TEXT;

/// A chapter network: the organization, its regions and chapters, people,
/// grants and policy.
#[wasm_bindgen]
pub struct Network(chapterhouse::Network);

#[wasm_bindgen]
impl Network {
    /// Loads a network from a `chapterhouse/1` snapshot (JSON text).
    ///
    /// Throws a `ChapterhouseError` with `code` `"parse"` for malformed JSON
    /// (the message gives the JSON path, line and column),
    /// `"unsupported_version"` for another format, or the code of the rule a
    /// node breaks.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(json: &str) -> Result<Network, JsValue> {
        Ok(Network(
            chapterhouse::Network::from_json(json).map_err(JsFailure::from)?,
        ))
    }

    /// Saves the network as a canonical `chapterhouse/1` snapshot.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// The number of nodes, the organization included.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a network has at least its organization.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Increases by one with every successful mutation.
    pub fn revision(&self) -> f64 {
        self.0.revision() as f64
    }

    /// Applies one mutation completely, or not at all, and returns its
    /// record. `op` is an object (or its JSON text) in the library's form,
    /// `{op: "approve", id: "ch-12"}`; a person actor is checked against the
    /// policy; `now` is the time recorded (the library reads no clock).
    ///
    /// Throws with the code of the rule the op breaks (`not_found`,
    /// `invalid_transition`, `permission_denied`, …); the network is then
    /// unchanged.
    #[wasm_bindgen(unchecked_return_type = "Change")]
    pub fn apply(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Op | string")] op: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Time")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let op = from_js(&op, "op")?;
        let actor = from_value(&actor, "actor")?;
        let now = time(&now, "now")?;
        let change = self.0.apply(op, &actor, now).map_err(JsFailure::from)?;
        Ok(to_js(&change)?)
    }

    /// The node with this id as the snapshot records it, or `undefined`.
    #[wasm_bindgen(unchecked_return_type = "NodeRecord | undefined")]
    pub fn node(&self, id: &str) -> Result<JsValue, JsValue> {
        Ok(opt_to_js(self.0.node(id).map(|n| n.to_json_value()))?)
    }

    /// The organization.
    #[wasm_bindgen(unchecked_return_type = "NodeRecord")]
    pub fn root(&self) -> Result<JsValue, JsValue> {
        Ok(to_js(&self.0.root().to_json_value())?)
    }

    /// The ids of a node's children, in the order they were added.
    /// Throws `not_found` for an unknown id.
    pub fn children(&self, id: &str) -> Result<Vec<String>, JsValue> {
        Ok(ids(self.0.children(id).map_err(JsFailure::from)?))
    }

    /// The ids of a node and everything below it, in preorder.
    /// Throws `not_found` for an unknown id.
    pub fn subtree(&self, id: &str) -> Result<Vec<String>, JsValue> {
        Ok(ids(self.0.subtree(id).map_err(JsFailure::from)?))
    }

    /// The ids of the chapters at or below a node, in preorder.
    /// Throws `not_found` for an unknown id.
    #[wasm_bindgen(js_name = chaptersUnder)]
    pub fn chapters_under(&self, id: &str) -> Result<Vec<String>, JsValue> {
        Ok(ids(self.0.chapters_under(id).map_err(JsFailure::from)?))
    }

    /// The ids from the organization down to the node, both included.
    /// Throws `not_found` for an unknown id.
    #[wasm_bindgen(js_name = pathFromRoot)]
    pub fn path_from_root(&self, id: &str) -> Result<Vec<String>, JsValue> {
        Ok(ids(self.0.path_from_root(id).map_err(JsFailure::from)?))
    }

    /// Depth of a node: 0 for the organization. Throws `not_found`.
    pub fn depth(&self, id: &str) -> Result<u32, JsValue> {
        Ok(self.0.depth(id).map_err(JsFailure::from)?)
    }

    /// True when `ancestor` is a strict ancestor of `node`. Throws `not_found`.
    #[wasm_bindgen(js_name = isAncestor)]
    pub fn is_ancestor(&self, ancestor: &str, node: &str) -> Result<bool, JsValue> {
        Ok(self
            .0
            .is_ancestor(ancestor, node)
            .map_err(JsFailure::from)?)
    }

    /// May `person` use `capability` at `node` at time `now`, and why (not)?
    /// The decision's `explanation` says it in plain words.
    ///
    /// An unknown capability or node throws `not_found`; an unknown person
    /// is denied (no grant).
    #[wasm_bindgen(unchecked_return_type = "DecisionReport")]
    pub fn check(
        &self,
        person: &str,
        capability: &str,
        node: &str,
        #[wasm_bindgen(unchecked_param_type = "Time")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = time(&now, "now")?;
        let decision = self
            .0
            .check(person, capability, node, now)
            .map_err(JsFailure::from)?;
        Ok(to_js(&decision.report())?)
    }

    /// Every node where `person` may use `capability` at `now`, in preorder,
    /// at most `limit` at a time, starting after the node `after` (a
    /// previous page's `next`). Exact: a node is listed iff `check` allows it.
    ///
    /// Throws `not_found` for an unknown capability or `after` node.
    #[wasm_bindgen(js_name = nodesWhere, unchecked_return_type = "NodesPage")]
    pub fn nodes_where(
        &self,
        person: &str,
        capability: &str,
        #[wasm_bindgen(unchecked_param_type = "Time")] now: JsValue,
        limit: usize,
        after: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let now = time(&now, "now")?;
        let page = self
            .0
            .nodes_where(person, capability, now, after.as_deref(), limit)
            .map_err(JsFailure::from)?;
        Ok(to_js(&NodesPageOut::from(&page))?)
    }

    /// Everyone who may use `capability` at `node` at `now` (for example,
    /// who to notify to approve an event), nearest grant first, each as the
    /// decision `check` would give.
    ///
    /// Throws `not_found` for an unknown capability or node.
    #[wasm_bindgen(js_name = whoCan, unchecked_return_type = "DecisionReport[]")]
    pub fn who_can(
        &self,
        capability: &str,
        node: &str,
        #[wasm_bindgen(unchecked_param_type = "Time")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = time(&now, "now")?;
        let allowed = self
            .0
            .who_can(capability, node, now)
            .map_err(JsFailure::from)?;
        let reports: Vec<_> = allowed.into_iter().map(|a| a.report()).collect();
        Ok(to_js(&reports)?)
    }

    /// Every capability `person` may use at `node` at `now`, in policy
    /// order, each as the decision `check` would give.
    ///
    /// Throws `not_found` for an unknown node.
    #[wasm_bindgen(js_name = capabilitiesAt, unchecked_return_type = "DecisionReport[]")]
    pub fn capabilities_at(
        &self,
        person: &str,
        node: &str,
        #[wasm_bindgen(unchecked_param_type = "Time")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = time(&now, "now")?;
        let allowed = self
            .0
            .capabilities_at(person, node, now)
            .map_err(JsFailure::from)?;
        let reports: Vec<_> = allowed.into_iter().map(|a| a.report()).collect();
        Ok(to_js(&reports)?)
    }

    /// What a website ships: a GeoJSON FeatureCollection of the listed
    /// (public, active) chapters with public fields only — no people,
    /// grants, cohorts or status reasons. Feed it to `new ChapterFinder`.
    #[wasm_bindgen(js_name = publicView, unchecked_return_type = "FeatureCollection")]
    pub fn public_view(&self) -> Result<JsValue, JsValue> {
        Ok(to_js(&self.0.public_view())?)
    }
}

impl Network {
    /// The core network.
    pub fn core(&self) -> &chapterhouse::Network {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Only success paths run natively: building a JS value needs a JS host,
    // so errors are tested in node (bindings-wasm/tests).
    const SNAPSHOT: &str = r#"{"format":"chapterhouse/1","organization":{"id":"org","name":"Org","slug":"org","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"},"nodes":[]}"#;

    #[test]
    fn loads_and_saves_through_the_core() {
        let Ok(net) = Network::from_json(SNAPSHOT) else {
            panic!("the snapshot should load")
        };
        assert_eq!(net.len(), 1);
        assert_eq!(
            net.to_json(),
            chapterhouse::Network::from_json(SNAPSHOT)
                .unwrap()
                .to_json()
        );
    }
}
