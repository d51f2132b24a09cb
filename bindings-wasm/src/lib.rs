//! WASM binding for chapterhouse.
