//! Python binding for chapterhouse: the extension module
//! `chapterhouse._chapterhouse`, re-exported by the pure-Python package
//! `chapterhouse` (`python/chapterhouse/`), where any Pythonic sugar lives.
//!
//! Classes here are newtypes around core types; each method converts its
//! arguments, calls one core function and converts the result. Errors become
//! `chapterhouse.Error` subclasses (`error.rs`).

mod arrow;
mod convert;
mod error;
mod health;
mod network;
mod territory;
mod triage;

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
    m.add_class::<network::Decision>()?;
    m.add_class::<territory::ChapterFinder>()?;
    m.add_class::<territory::Assignment>()?;
    m.add_class::<health::HealthModel>()?;
    m.add_class::<triage::TriagePlan>()?;
    m.add_class::<arrow::ArrowTable>()?;
    m.add_class::<arrow::ArrowArray>()?;
    m.add_function(wrap_pyfunction!(health::score_health, m)?)?;
    m.add_function(wrap_pyfunction!(health::calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(triage::triage, m)?)?;
    error::register(m)?;
    Ok(())
}
