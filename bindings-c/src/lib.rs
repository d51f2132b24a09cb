//! C ABI for chapterhouse.
//!
//! Every exported function converts its arguments (`convert.rs`), calls one
//! core function, and converts the result or error (`error.rs`), all inside a
//! panic guard so that no panic ever unwinds into, or aborts, the host. The
//! header `include/chapterhouse.h` is generated from this crate by the
//! cbindgen CLI and committed; `scripts/check` fails when it is stale.
//!
//! Names follow C conventions (`ch_network`, `CH_STATUS_OK`) so that the Rust
//! source reads like the header it produces.
#![allow(non_camel_case_types)]

// Declared in the order the header presents them (cbindgen follows it).
mod convert;
mod error;

mod network;

mod id_array;

mod territory;

mod access;

mod health;

mod triage;

pub use access::{
    ch_decision, ch_network_audit, ch_network_check, ch_network_explain, ch_network_nodes_where,
    ch_network_who_can,
};
pub use error::{
    ch_error, ch_error_code, ch_error_free, ch_error_kind, ch_error_message, ch_status,
};
pub use health::{ch_health_score_csv, ch_health_score_json};
pub use id_array::{
    ch_id_array, ch_id_array_distance_m, ch_id_array_free, ch_id_array_get, ch_id_array_len,
    ch_id_array_new,
};
pub use network::{
    ch_chapter_status, ch_network, ch_network_apply, ch_network_chapter_status, ch_network_free,
    ch_network_from_json, ch_network_is_ancestor, ch_network_len, ch_network_node_json,
    ch_network_subtree, ch_network_to_json, ch_string_free, ch_version,
};
pub use territory::{
    ch_filter, ch_filter_free, ch_filter_from_json, ch_network_lookup, ch_network_nearest,
};
pub use triage::ch_triage_plan;
