//! WASM binding for chapterhouse: the npm package `chapterhouse`.
//!
//! Each exported function converts its arguments, calls one core function and
//! converts the result (`convert.rs`); errors become JS `Error`s with `name`
//! `"ChapterhouseError"` and a stable `code` (`error.rs`). Built by
//! `scripts/build-wasm` for Node (`pkg/node`) and browsers (`pkg/web`).
//!
//! - [`ChapterFinder`]: which chapter covers a place, nearest chapters,
//!   batch lookups (the part a website ships);
//! - [`Network`]: snapshot, mutations, tree queries, permission checks with
//!   explanations, the public view (for Node back ends);
//! - [`health_report`], [`HealthScorer`]: group health;
//! - [`triage_plan`]: the daily review queue.

mod convert;
mod error;
mod finder;
#[cfg(feature = "network")]
mod health;
#[cfg(feature = "network")]
mod network;
#[cfg(feature = "network")]
mod triage;

use wasm_bindgen::prelude::wasm_bindgen;

pub use finder::ChapterFinder;
#[cfg(feature = "network")]
pub use health::{HealthScorer, health_report};
#[cfg(feature = "network")]
pub use network::Network;
#[cfg(feature = "network")]
pub use triage::triage_plan;

/// The library version, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    chapterhouse::VERSION.to_owned()
}
