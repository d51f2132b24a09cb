//! The chapter hierarchy: one organization root, regions at any depth, chapters.
//!
//! Invariants: exactly one root; every other node has a parent that exists;
//! no cycles; `spans[a] = [tin[a], tout[a]]` is a preorder numbering of the
//! current tree, so `a` is an ancestor-or-self of `b` iff
//! `tin[a] <= tin[b] < tout[a]`, and a subtree is the contiguous slice
//! `order[tin[a]..tout[a]]`. Every mutation validates completely before it
//! changes anything.

mod error;
mod model;
mod ops;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

pub use error::NetworkError;
pub use model::{
    Chapter, ChapterStatus, Conversion, GroupKind, Node, NodeBody, NodeLevel, Visibility,
};
pub use ops::{Actor, Change, ChapterApplication, Op, ProfileUpdate, RegionSpec};

use crate::access::AccessState;
use crate::id::{NodeId, Slug};

const NONE: u32 = u32::MAX;

/// A chapter network: the hierarchy, its policy and grants, and the indexes
/// that answer queries. Queries take `&self`; every change goes through
/// [`Network::apply`].
///
/// ```
/// use chapterhouse::{Network, Op, Actor, GroupKind};
/// let now = "2026-01-01T00:00:00Z".parse().unwrap();
/// let mut net = Network::new("cwa".parse()?, "Clean Water Alliance", "cwa".parse()?, now)?;
/// let op: Op = serde_json::from_str(
///     r#"{"op":"add_region","id":"ne","parent":"cwa","name":"Northeast","slug":"northeast"}"#,
/// )?;
/// let change = net.apply(op, &Actor::Host, now)?;
/// assert_eq!(change.summary, "added region ne (Northeast) under cwa");
/// assert!(net.is_ancestor("cwa", "ne")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Network {
    pub(crate) nodes: Vec<Node>,
    pub(crate) ids: HashMap<NodeId, u32>,
    pub(crate) slugs: HashMap<Slug, u32>,
    /// Parent index of each node (`NONE` for the root).
    pub(crate) parent: Vec<u32>,
    /// Children of each node, in arena order.
    pub(crate) children: Vec<Vec<u32>>,
    pub(crate) depth: Vec<u32>,
    /// `[tin, tout]` of each node, side by side: a check reads both of a
    /// node (one cache line where two arrays took two).
    pub(crate) spans: Vec<[u32; 2]>,
    /// Nodes in preorder: `order[tin[n]] == n`.
    pub(crate) order: Vec<u32>,
    pub(crate) revision: u64,
    pub(crate) access: AccessState,
    /// The territory index, built on first use after each change.
    pub(crate) finder: std::sync::OnceLock<crate::territory::ChapterFinder>,
}

impl PartialEq for Network {
    /// Two networks are equal when their nodes (in order), policy and grants
    /// are equal; indexes and revision counters are derived and ignored.
    fn eq(&self, other: &Self) -> bool {
        self.nodes == other.nodes && self.access == other.access
    }
}

impl Network {
    /// A network with just its organization root and the default policy.
    pub fn new(
        id: NodeId,
        name: &str,
        slug: Slug,
        now: DateTime<Utc>,
    ) -> Result<Network, NetworkError> {
        ops::check_text(id.as_str(), "name", name, ops::MAX_NAME)?;
        let root = Node {
            id,
            parent: None,
            name: name.to_owned(),
            slug,
            tags: Vec::new(),
            created: now,
            updated: now,
            body: NodeBody::Organization,
        };
        Network::from_parts(vec![root], AccessState::default())
    }

    /// Builds a network from nodes whose fields are each valid, checking the
    /// structure: unique ids and slugs, one root, known parents, allowed
    /// parent levels, no cycles. Errors carry the index of the bad node.
    pub(crate) fn from_parts(
        nodes: Vec<Node>,
        access: AccessState,
    ) -> Result<Network, NetworkError> {
        Network::from_parts_indexed(nodes, access).map_err(|(_, e)| e)
    }

    /// As [`Network::from_parts`], with the index of the offending node.
    pub(crate) fn from_parts_indexed(
        nodes: Vec<Node>,
        access: AccessState,
    ) -> Result<Network, (Option<usize>, NetworkError)> {
        let n = nodes.len();
        let mut ids = HashMap::with_capacity(n);
        let mut slugs = HashMap::with_capacity(n);
        let mut root = None;
        for (i, node) in nodes.iter().enumerate() {
            let ix = u32::try_from(i).map_err(|_| {
                (
                    Some(i),
                    NetworkError::InvalidField {
                        id: node.id.to_string(),
                        field: "nodes",
                        reason: "exceed the maximum node count".into(),
                    },
                )
            })?;
            if ids.insert(node.id.clone(), ix).is_some() {
                return Err((
                    Some(i),
                    NetworkError::DuplicateId {
                        id: node.id.clone(),
                    },
                ));
            }
            if let Some(&owner) = slugs.get(&node.slug) {
                let owner = nodes
                    .get(owner as usize)
                    .map(|o: &Node| o.id.clone())
                    .unwrap_or_else(|| node.id.clone());
                return Err((
                    Some(i),
                    NetworkError::DuplicateSlug {
                        slug: node.slug.to_string(),
                        owner,
                    },
                ));
            }
            slugs.insert(node.slug.clone(), ix);
            match (&node.body, &node.parent) {
                (NodeBody::Organization, None) => {
                    if root.is_some() {
                        return Err((
                            Some(i),
                            NetworkError::SecondRoot {
                                id: node.id.clone(),
                            },
                        ));
                    }
                    root = Some(i);
                }
                (NodeBody::Organization, Some(_)) => {
                    return Err((
                        Some(i),
                        NetworkError::SecondRoot {
                            id: node.id.clone(),
                        },
                    ));
                }
                (_, None) => {
                    return Err((
                        Some(i),
                        NetworkError::MissingParent {
                            id: node.id.clone(),
                        },
                    ));
                }
                _ => {}
            }
        }
        let Some(root) = root else {
            return Err((
                None,
                NetworkError::InvalidField {
                    id: String::new(),
                    field: "organization",
                    reason: "is missing: a network needs exactly one organization root".into(),
                },
            ));
        };
        if root != 0 {
            return Err((
                Some(root),
                NetworkError::InvalidField {
                    id: nodes
                        .get(root)
                        .map(|r| r.id.to_string())
                        .unwrap_or_default(),
                    field: "position",
                    reason: "must be first: the organization is the first node".into(),
                },
            ));
        }
        let mut parent = vec![NONE; n];
        let mut children = vec![Vec::new(); n];
        for (i, node) in nodes.iter().enumerate() {
            let Some(pid) = &node.parent else { continue };
            let Some(&p) = ids.get(pid) else {
                return Err((
                    Some(i),
                    NetworkError::UnknownParent {
                        id: node.id.clone(),
                        parent: pid.clone(),
                    },
                ));
            };
            let parent_node = nodes.get(p as usize);
            if let Some(pn) = parent_node {
                ops::check_parent_level(node.level(), pn).map_err(|e| (Some(i), e))?;
            }
            if let Some(slot) = parent.get_mut(i) {
                *slot = p;
            }
            if let Some(c) = children.get_mut(p as usize) {
                c.push(i as u32);
            }
        }
        let mut net = Network {
            nodes,
            ids,
            slugs,
            parent,
            children,
            depth: Vec::new(),
            spans: Vec::new(),
            order: Vec::new(),
            revision: 0,
            access,
            finder: std::sync::OnceLock::new(),
        };
        net.renumber();
        if net.order.len() != n {
            return Err((None, net.find_cycle()));
        }
        Ok(net)
    }

    /// Recomputes depth and the preorder numbering from `children`.
    /// Iterative, so a deep chain cannot overflow the stack.
    pub(crate) fn renumber(&mut self) {
        let n = self.nodes.len();
        self.depth = vec![0; n];
        self.spans = vec![[NONE; 2]; n];
        self.order = Vec::with_capacity(n);
        // (node, next child position)
        let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
        if n == 0 {
            return;
        }
        self.order.push(0);
        if let Some([t, _]) = self.spans.get_mut(0) {
            *t = 0;
        }
        while let Some(top) = stack.last_mut() {
            let (node, pos) = *top;
            let next = self
                .children
                .get(node as usize)
                .and_then(|c| c.get(pos))
                .copied();
            match next {
                Some(child) => {
                    top.1 += 1;
                    if self.tin(child) != NONE {
                        continue; // already numbered: only possible in a malformed input
                    }
                    let d = self.depth.get(node as usize).copied().unwrap_or(0) + 1;
                    if let Some(slot) = self.depth.get_mut(child as usize) {
                        *slot = d;
                    }
                    if let Some([slot, _]) = self.spans.get_mut(child as usize) {
                        *slot = self.order.len() as u32;
                    }
                    self.order.push(child);
                    stack.push((child, 0));
                }
                None => {
                    if let Some([_, slot]) = self.spans.get_mut(node as usize) {
                        *slot = self.order.len() as u32;
                    }
                    stack.pop();
                }
            }
        }
    }

    /// Finds a cycle among nodes unreachable from the root.
    fn find_cycle(&self) -> NetworkError {
        let start = self.spans.iter().position(|&[t, _]| t == NONE).unwrap_or(0);
        let mut seen = vec![false; self.nodes.len()];
        let mut at = start;
        let mut walk = Vec::new();
        while let Some(false) = seen.get(at).copied() {
            if let Some(s) = seen.get_mut(at) {
                *s = true;
            }
            walk.push(at);
            at = self.parent.get(at).copied().unwrap_or(NONE) as usize;
        }
        let from = walk.iter().position(|&w| w == at).unwrap_or(0);
        let mut path: Vec<NodeId> = walk
            .get(from..)
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| self.nodes.get(i).map(|n| n.id.clone()))
            .collect();
        if let Some(first) = path.first().cloned() {
            path.push(first);
        }
        NetworkError::Cycle { path }
    }

    /// Checks every derived index against the nodes themselves: one root,
    /// parent links matching `parent`/`children`, the preorder numbering,
    /// the id and slug maps. For tests and fuzzing; `Ok` on every network
    /// this library builds.
    #[doc(hidden)]
    pub fn check_invariants(&self) -> Result<(), String> {
        let n = self.nodes.len();
        if n == 0 || self.root().parent.is_some() {
            return Err("the first node must be the root".into());
        }
        if self.order.len() != n || self.spans.len() != n {
            return Err("numbering does not cover every node".into());
        }
        for (pos, &ix) in self.order.iter().enumerate() {
            if self.tin(ix) != pos as u32 {
                return Err(format!("order[{pos}] = {ix} but tin differs"));
            }
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let ix = i as u32;
            if self.ids.get(&node.id) != Some(&ix) || self.slugs.get(&node.slug) != Some(&ix) {
                return Err(format!("id or slug map is stale for {}", node.id));
            }
            let p = self.parent_ix(ix);
            let named = node.parent.as_ref().and_then(|pid| self.ix(pid.as_str()));
            if p != named {
                return Err(format!("parent link of {} is stale", node.id));
            }
            if let Some(p) = p {
                let (tp, op) = self.span(p);
                let (t, o) = self.span(ix);
                if !(tp < t && o <= op) {
                    return Err(format!("{} is not nested in its parent's span", node.id));
                }
                let d = self.depth.get(p as usize).copied().unwrap_or(0) + 1;
                if self.depth.get(i).copied() != Some(d) {
                    return Err(format!("depth of {} is stale", node.id));
                }
                let listed = self
                    .children
                    .get(p as usize)
                    .is_some_and(|c| c.contains(&ix));
                if !listed {
                    return Err(format!("{} is missing from its parent's children", node.id));
                }
            }
        }
        if self.ids.len() != n || self.slugs.len() != n {
            return Err("id or slug map has extra entries".into());
        }
        Ok(())
    }

    // ---- lookups by id -------------------------------------------------

    /// The arena index of a node.
    pub(crate) fn ix(&self, id: &str) -> Option<u32> {
        self.ids.get(id).copied()
    }

    pub(crate) fn ix_or_err(&self, id: &str) -> Result<u32, NetworkError> {
        self.ix(id)
            .ok_or_else(|| NetworkError::UnknownNode { id: id.to_owned() })
    }

    /// The node at an arena index.
    pub(crate) fn at(&self, ix: u32) -> Option<&Node> {
        self.nodes.get(ix as usize)
    }

    /// `(tin, tout)` of a node: its subtree is `order[tin..tout]`.
    #[inline]
    pub(crate) fn span(&self, ix: u32) -> (u32, u32) {
        let [tin, tout] = self.spans.get(ix as usize).copied().unwrap_or([0; 2]);
        (tin, tout)
    }

    /// The preorder number of a node (`NONE` when unknown or not numbered).
    #[inline]
    pub(crate) fn tin(&self, ix: u32) -> u32 {
        self.spans.get(ix as usize).map_or(NONE, |&[tin, _]| tin)
    }

    /// Parent index (`None` for the root).
    pub(crate) fn parent_ix(&self, ix: u32) -> Option<u32> {
        self.parent.get(ix as usize).copied().filter(|&p| p != NONE)
    }

    /// True when `a` is `b` or an ancestor of `b` (arena indexes). O(1).
    pub(crate) fn covers_ix(&self, a: u32, b: u32) -> bool {
        let (ta, oa) = self.span(a);
        let tb = self.tin(b);
        ta <= tb && tb < oa
    }

    // ---- public queries -----------------------------------------------

    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.ix(id).and_then(|i| self.at(i))
    }

    /// The organization (root) node.
    pub fn root(&self) -> &Node {
        // from_parts guarantees the root is first and the arena is never empty.
        #[allow(clippy::indexing_slicing)]
        &self.nodes[0]
    }

    /// All nodes in the order they were added (the snapshot's order).
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = &Node> + '_ {
        self.nodes.iter()
    }

    /// The number of nodes, the organization included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Always false: a network has at least its organization.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Increases by one with every successful mutation.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The chapter data of a node: [`NetworkError::UnknownNode`] when no node
    /// has this id, [`NetworkError::WrongLevel`] when it is not a chapter.
    pub fn chapter(&self, id: &str) -> Result<&Chapter, NetworkError> {
        let ix = self.ix_or_err(id)?;
        match self.at(ix) {
            Some(Node {
                body: NodeBody::Chapter(c),
                ..
            }) => Ok(c),
            Some(n) => Err(NetworkError::WrongLevel {
                id: n.id.clone(),
                expected: "chapter",
                actual: n.level(),
            }),
            None => Err(NetworkError::UnknownNode { id: id.to_owned() }),
        }
    }

    /// The parent of a node (`None` for the organization).
    pub fn parent(&self, id: &str) -> Result<Option<&Node>, NetworkError> {
        let ix = self.ix_or_err(id)?;
        Ok(self.parent_ix(ix).and_then(|p| self.at(p)))
    }

    /// The children of a node, in the order they were added.
    pub fn children(&self, id: &str) -> Result<impl Iterator<Item = &Node> + '_, NetworkError> {
        let ix = self.ix_or_err(id)?;
        let kids = self
            .children
            .get(ix as usize)
            .map(Vec::as_slice)
            .unwrap_or_default();
        Ok(kids.iter().filter_map(|&c| self.at(c)))
    }

    /// Depth of a node: 0 for the organization.
    pub fn depth(&self, id: &str) -> Result<u32, NetworkError> {
        let ix = self.ix_or_err(id)?;
        Ok(self.depth.get(ix as usize).copied().unwrap_or(0))
    }

    /// True when `ancestor` is a strict ancestor of `node`. O(1).
    pub fn is_ancestor(&self, ancestor: &str, node: &str) -> Result<bool, NetworkError> {
        let a = self.ix_or_err(ancestor)?;
        let b = self.ix_or_err(node)?;
        Ok(a != b && self.covers_ix(a, b))
    }

    /// The node itself and everything below it, in preorder. O(result).
    pub fn subtree(&self, id: &str) -> Result<impl Iterator<Item = &Node> + '_, NetworkError> {
        let ix = self.ix_or_err(id)?;
        let (tin, tout) = self.span(ix);
        let slice = self
            .order
            .get(tin as usize..tout as usize)
            .unwrap_or_default();
        Ok(slice.iter().filter_map(|&i| self.at(i)))
    }

    /// The chapters at or below a node, in preorder. O(subtree).
    pub fn chapters_under(
        &self,
        id: &str,
    ) -> Result<impl Iterator<Item = &Node> + '_, NetworkError> {
        Ok(self.subtree(id)?.filter(|n| n.chapter().is_some()))
    }

    /// The path from the organization down to the node, both included.
    pub fn path_from_root(&self, id: &str) -> Result<Vec<&Node>, NetworkError> {
        let mut ix = self.ix_or_err(id)?;
        let mut path = Vec::new();
        loop {
            if let Some(n) = self.at(ix) {
                path.push(n);
            }
            match self.parent_ix(ix) {
                Some(p) => ix = p,
                None => break,
            }
        }
        path.reverse();
        Ok(path)
    }
}

#[cfg(test)]
mod tests;

pub(crate) use ops::{check_chapter as ops_check_chapter, normalize_tags as ops_normalize_tags};

pub(crate) fn ops_check_text(
    id: &str,
    field: &'static str,
    value: &str,
) -> Result<(), NetworkError> {
    ops::check_text(id, field, value, ops::MAX_NAME)
}
