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

mod convert;
mod error;
mod network;

pub use error::{
    ch_error, ch_error_code, ch_error_free, ch_error_kind, ch_error_message, ch_status,
};
pub use network::{
    ch_network, ch_network_free, ch_network_from_json, ch_network_len, ch_network_to_json,
    ch_string_free, ch_version,
};
