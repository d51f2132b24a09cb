//! `Network`: a chapter network loaded from a `chapterhouse/1` snapshot.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::error::PyFailure;

/// A chapter network: the organization, its regions and chapters.
#[pyclass(module = "chapterhouse", name = "Network")]
pub struct Network(chapterhouse::Network);

#[pymethods]
impl Network {
    /// Loads a network from a ``chapterhouse/1`` snapshot (JSON text).
    ///
    /// Raises ``ParseError`` for malformed JSON (the message gives the JSON
    /// path, line and column), ``UnsupportedVersionError`` for another format,
    /// or the subclass of ``chapterhouse.Error`` for the rule a node breaks.
    /// Releases the GIL while parsing.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: PyBackedStr) -> PyResult<Self> {
        let network = py.detach(|| chapterhouse::Network::from_json(&json));
        Ok(Network(network.map_err(PyFailure::from)?))
    }

    /// Saves the network as a canonical ``chapterhouse/1`` snapshot.
    fn to_json(&self, py: Python<'_>) -> String {
        py.detach(|| self.0.to_json())
    }

    /// The number of nodes, the organization included.
    fn __len__(&self) -> usize {
        self.0.len()
    }
}
