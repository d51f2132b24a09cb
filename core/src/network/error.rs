use crate::error::ErrorKind;
use crate::id::{IdError, NodeId};
use crate::network::{ChapterStatus, NodeLevel};

/// A rejected network mutation or query. The network is unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// An id, tag or slug is malformed.
    #[error(transparent)]
    Id(#[from] IdError),
    /// No node has this id.
    #[error("unknown node {id:?}")]
    UnknownNode {
        /// The id that was not found.
        id: String,
    },
    /// The parent named by a node does not exist.
    #[error("node {id:?} names an unknown parent {parent:?}")]
    UnknownParent {
        /// The node.
        id: NodeId,
        /// The missing parent.
        parent: NodeId,
    },
    /// A node with this id already exists.
    #[error("a node with id {id:?} already exists")]
    DuplicateId {
        /// The duplicated id.
        id: NodeId,
    },
    /// Another node already uses this slug.
    #[error("slug {slug:?} is already used by node {owner:?}")]
    DuplicateSlug {
        /// The slug.
        slug: String,
        /// The node that has it.
        owner: NodeId,
    },
    /// A second organization root.
    #[error("node {id:?} is a second organization; a network has exactly one root")]
    SecondRoot {
        /// The extra root.
        id: NodeId,
    },
    /// A non-root node without a parent.
    #[error("node {id:?} has no parent; only the organization is a root")]
    MissingParent {
        /// The orphan.
        id: NodeId,
    },
    /// The parent links form a cycle.
    #[error("nodes form a cycle: {}", path.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(" → "))]
    Cycle {
        /// The ids along the cycle, first repeated at the end.
        path: Vec<NodeId>,
    },
    /// A node may not sit under a parent of this level.
    #[error("a {child} cannot be placed under {parent:?}, which is a {parent_level}")]
    InvalidParent {
        /// The level of the node being placed.
        child: &'static str,
        /// The intended parent.
        parent: NodeId,
        /// The parent's level.
        parent_level: &'static str,
    },
    /// The operation needs a node of another level.
    #[error("node {id:?} is a {}, not a {expected}", actual.as_str())]
    WrongLevel {
        /// The node.
        id: NodeId,
        /// What the operation needs.
        expected: &'static str,
        /// What the node is.
        actual: NodeLevel,
    },
    /// The status machine forbids this transition.
    #[error("chapter {id:?} cannot {action} while {from}", from = from.as_str())]
    IllegalTransition {
        /// The chapter.
        id: NodeId,
        /// What was attempted (`"approve"`).
        action: &'static str,
        /// Its current status.
        from: ChapterStatus,
    },
    /// A field's value is not acceptable.
    #[error("{field} of node {id:?} {reason}")]
    InvalidField {
        /// The node.
        id: String,
        /// The field (`"name"`, `"campaign_end"`).
        field: &'static str,
        /// Why, in plain words.
        reason: String,
    },
    /// The moved node would end up inside its own subtree.
    #[error("moving {id:?} under {parent:?} would make it its own ancestor")]
    MoveIntoSubtree {
        /// The node being moved.
        id: NodeId,
        /// The intended parent, inside the node's subtree.
        parent: NodeId,
    },
    /// The root cannot be moved.
    #[error("the organization {id:?} cannot be moved")]
    MoveRoot {
        /// The root.
        id: NodeId,
    },
}

impl NetworkError {
    /// The stable classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            NetworkError::Id(e) => e.kind(),
            NetworkError::UnknownNode { .. } | NetworkError::UnknownParent { .. } => {
                ErrorKind::NotFound
            }
            NetworkError::DuplicateId { .. } | NetworkError::DuplicateSlug { .. } => {
                ErrorKind::AlreadyExists
            }
            NetworkError::SecondRoot { .. }
            | NetworkError::MissingParent { .. }
            | NetworkError::Cycle { .. }
            | NetworkError::InvalidParent { .. }
            | NetworkError::WrongLevel { .. }
            | NetworkError::MoveIntoSubtree { .. }
            | NetworkError::MoveRoot { .. } => ErrorKind::InvalidStructure,
            NetworkError::IllegalTransition { .. } => ErrorKind::InvalidTransition,
            NetworkError::InvalidField { .. } => ErrorKind::InvalidValue,
        }
    }
}
