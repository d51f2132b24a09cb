//! Python binding for chapterhouse: the extension module
//! `chapterhouse._chapterhouse`, re-exported by the pure-Python package
//! `chapterhouse` (`python/chapterhouse/`), where any Pythonic sugar lives.
//!
//! Classes here are newtypes around core types; each method converts its
//! arguments, calls one core function and converts the result. Errors become
//! `chapterhouse.Error` subclasses (`error.rs`).

mod error;
mod network;

use pyo3::prelude::*;

/// The library version, e.g. `"0.1.0"`.
#[pyfunction]
fn version() -> &'static str {
    chapterhouse::VERSION
}

/// The extension module.
#[pymodule]
fn _chapterhouse(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_class::<network::Network>()?;
    error::register(m)?;
    Ok(())
}
