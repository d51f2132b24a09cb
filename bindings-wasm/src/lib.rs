//! WASM binding for chapterhouse: the npm package `chapterhouse`.
//!
//! Each exported function converts its arguments, calls one core function and
//! converts the result; errors become JS `Error`s with `name`
//! `"ChapterhouseError"` and a stable `code` (`error.rs`). Built by
//! `scripts/build-wasm` for Node (`pkg/node`) and browsers (`pkg/web`).

mod error;
mod network;

use wasm_bindgen::prelude::wasm_bindgen;

pub use network::Network;

/// The library version, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    chapterhouse::VERSION.to_owned()
}
