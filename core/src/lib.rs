#![doc = include_str!("../../README.md")]
#![forbid(unsafe_code)]

mod error;
mod id;
mod limits;
mod network;
mod small;
mod snapshot;

pub mod access;
pub mod health;
pub mod territory;
pub mod triage;

pub use error::{Error, ErrorKind, Result};
pub use id::{IdError, MAX_ID_LEN, NodeId, PersonId, Slug, Tag};
pub use limits::{LimitError, Limits};
pub use network::*;
pub use snapshot::{FORMAT, SnapshotError};

/// The library's version (the `chapterhouse` crate version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
