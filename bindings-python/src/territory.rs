//! Territory: `ChapterFinder` (an index built from a public view or any
//! GeoJSON FeatureCollection), point lookups, and bulk assignment over
//! NumPy or Arrow coordinate columns.

use std::sync::Arc;

use arrow_array::{Array, DictionaryArray, Int32Array, StringArray};
use chapterhouse::territory::{ChapterFinder as CoreFinder, Filter};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyString};
use serde_json::Value;

use crate::arrow::{ArrowArray, Floats, import_column, is_arrow};
use crate::convert::from_json;
use crate::error::{PyFailure, parse_error};

/// Reads a territory filter: ``None`` (active, public chapters), ``"all"``
/// (every chapter with a territory), or a dict / JSON text with
/// ``statuses``, ``visibilities``, ``kinds`` and ``tags``.
pub(crate) fn filter_of(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Filter> {
    match obj {
        None => Ok(Filter::default()),
        Some(o) if o.is_none() => Ok(Filter::default()),
        Some(o)
            if o.cast::<PyString>()
                .is_ok_and(|s| s.to_cow().is_ok_and(|s| s == "all")) =>
        {
            Ok(Filter::all())
        }
        Some(o) => from_json("filter", o),
    }
}

/// A coordinate column: a float64 NumPy array (borrowed) or an Arrow array
/// (borrowed when float64 without nulls; nulls become NaN, which assigns to
/// nothing).
pub(crate) enum Coords<'py> {
    /// A NumPy array.
    Numpy(PyReadonlyArray1<'py, f64>),
    /// An Arrow array.
    Arrow(Floats),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Coords<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(a) = obj.cast::<PyArray1<f64>>()
            && a.is_contiguous()
        {
            return Ok(Coords::Numpy(a.readonly()));
        }
        let obj = obj.to_owned();
        if is_arrow(&obj)? {
            let array = import_column(&obj, "coordinates")?;
            return Ok(Coords::Arrow(Floats::read(
                "coordinates",
                "lon/lat",
                &array,
            )?));
        }
        // Lists, pandas Series, other dtypes: NumPy converts (and refuses text).
        let np = obj.py().import("numpy")?;
        let kwargs = [("dtype", "float64")].into_py_dict(obj.py())?;
        let converted = np
            .call_method("ascontiguousarray", (&obj,), Some(&kwargs))
            .map_err(|e| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "coordinates must be numbers (a NumPy array, an Arrow array, a list): {e}"
                ))
            })?;
        let array = converted.cast_into::<PyArray1<f64>>().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err("coordinates must be one-dimensional")
        })?;
        Ok(Coords::Numpy(array.readonly()))
    }
}

impl Coords<'_> {
    fn values(&self) -> PyResult<&[f64]> {
        match self {
            Coords::Numpy(a) => a
                .as_slice()
                .map_err(|_| parse_error("coordinates: the NumPy array is not contiguous".into())),
            Coords::Arrow(f) => Ok(f.values()),
        }
    }
}

/// The chapter assigned to each point: ``codes`` (int32, ``-1`` where no
/// chapter covers the point) into ``ids``. Exports an Arrow dictionary
/// array (``pyarrow.array(a)``); the ``chapterhouse.Assignment`` wrapper
/// adds ``to_pandas()`` (a categorical) and ``to_numpy()``.
#[pyclass(module = "chapterhouse", name = "Assignment", frozen)]
pub struct Assignment {
    keys: Int32Array,
    ids: Arc<StringArray>,
}

#[pymethods]
impl Assignment {
    /// Per point, the position of its chapter in ``ids``, or -1.
    #[getter]
    fn codes<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i32>> {
        let codes: Vec<i32> = self.keys.iter().map(|k| k.unwrap_or(-1)).collect();
        PyArray1::from_vec(py, codes)
    }

    /// The chapter ids that ``codes`` refer to.
    #[getter]
    fn ids(&self) -> Vec<String> {
        self.ids
            .iter()
            .map(|s| s.unwrap_or_default().to_owned())
            .collect()
    }

    /// How many points found a chapter.
    #[getter]
    fn matched(&self) -> usize {
        self.keys.len() - self.keys.null_count()
    }

    /// The assignment as an Arrow dictionary array (null where no chapter).
    fn arrow(&self) -> PyResult<ArrowArray> {
        let dict = DictionaryArray::try_new(self.keys.clone(), self.ids.clone())
            .map_err(|e| crate::arrow::arrow_error("assignment", e))?;
        Ok(ArrowArray::new(Arc::new(dict)))
    }

    fn __len__(&self) -> usize {
        self.keys.len()
    }

    /// Exports the assignment as an Arrow dictionary array.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Bound::new(py, self.arrow()?)?.call_method1("__arrow_c_array__", (requested_schema,))
    }

    /// The chapter id per point as a NumPy object array (``None`` where no
    /// chapter covers the point).
    fn to_numpy<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let np = py.import("numpy")?;
        let mut ids: Vec<Option<String>> = slf.get().ids().into_iter().map(Some).collect();
        ids.push(None); // code -1 picks the last entry
        let table = np.call_method1("array", (ids,))?;
        let table = np.call_method(
            "asarray",
            (table,),
            Some(&[("dtype", "object")].into_py_dict(py)?),
        )?;
        table.get_item(slf.getattr("codes")?)
    }

    /// The assignment as a pandas ``Categorical`` Series (codes and ids, no
    /// string per point).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let pd = slf.py().import("pandas")?;
        let cat = pd
            .getattr("Categorical")?
            .call_method1("from_codes", (slf.getattr("codes")?, slf.getattr("ids")?))?;
        pd.call_method1("Series", (cat,))
    }

    /// The assignment as a ``pyarrow.DictionaryArray``.
    fn to_pyarrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("pyarrow")?.call_method1("array", (slf,))
    }

    /// The assignment as a polars ``Series`` (categorical).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let pl = slf.py().import("polars")?;
        pl.call_method1("from_arrow", (Self::to_pyarrow(slf)?,))
    }
}

/// Runs `finder.assign` over two coordinate columns with the GIL released.
pub(crate) fn assign_with(
    py: Python<'_>,
    finder: &CoreFinder,
    lon: &Coords<'_>,
    lat: &Coords<'_>,
    filter: &Filter,
) -> PyResult<Assignment> {
    let (lons, lats) = (lon.values()?, lat.values()?);
    let keys = py.detach(|| {
        let mut out = vec![None; lons.len()];
        finder.assign_into(lons, lats, filter, &mut out).map(|()| {
            out.into_iter()
                .map(|e| e.and_then(|i| i32::try_from(i).ok()))
                .collect::<Int32Array>()
        })
    });
    let keys = keys.map_err(PyFailure::from)?;
    let ids: StringArray = finder
        .entries()
        .iter()
        .map(|e| Some(e.id.as_str()))
        .collect();
    Ok(Assignment {
        keys,
        ids: Arc::new(ids),
    })
}

/// A territory index on its own: built from a public view or any GeoJSON
/// FeatureCollection (feature ids become chapter ids), so a website or an
/// analyst needs no whole network.
#[pyclass(module = "chapterhouse", name = "ChapterFinder", frozen)]
pub struct ChapterFinder(CoreFinder);

#[pymethods]
impl ChapterFinder {
    /// Builds the index from a GeoJSON FeatureCollection (JSON text or a
    /// dict). Raises ``ParseError`` or ``InvalidGeometryError`` naming the
    /// feature. Releases the GIL while building.
    #[staticmethod]
    fn from_geojson(py: Python<'_>, collection: &Bound<'_, PyAny>) -> PyResult<Self> {
        let value: Value = from_json("feature collection", collection)?;
        let finder = py.detach(|| CoreFinder::from_geojson(&value));
        Ok(ChapterFinder(finder.map_err(PyFailure::from)?))
    }

    /// The ids of the indexed chapters (features), most specific first.
    #[getter]
    fn ids(&self) -> Vec<String> {
        self.0.entries().iter().map(|e| e.id.clone()).collect()
    }

    /// Problems that did not prevent indexing, in plain words.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.0
            .warnings()
            .iter()
            .map(|w| format!("{}: {}", w.id, w.message))
            .collect()
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    /// The ids whose territory covers the point, most specific first.
    #[pyo3(signature = (lon, lat, filter = None))]
    fn lookup(
        &self,
        lon: f64,
        lat: f64,
        filter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<String>> {
        let filter = filter_of(filter)?;
        let found = self.0.lookup(lon, lat, &filter).map_err(PyFailure::from)?;
        Ok(found.iter().map(|e| e.id.clone()).collect())
    }

    /// The ``k`` nearest as ``(id, metres)``, nearest first (0 when inside).
    #[pyo3(signature = (lon, lat, k = 1, filter = None))]
    fn nearest(
        &self,
        py: Python<'_>,
        lon: f64,
        lat: f64,
        k: usize,
        filter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<(String, f64)>> {
        let filter = filter_of(filter)?;
        let found = py.detach(|| {
            self.0.nearest(lon, lat, k, &filter).map(|v| {
                v.iter()
                    .map(|n| (n.chapter.id.clone(), n.distance_m))
                    .collect::<Vec<_>>()
            })
        });
        Ok(found.map_err(PyFailure::from)?)
    }

    /// Assigns each point to the most specific covering chapter. ``lon``
    /// and ``lat`` are float64 NumPy arrays or Arrow arrays of equal
    /// length. Releases the GIL and runs on every core.
    #[pyo3(signature = (lon, lat, filter = None))]
    fn assign(
        &self,
        py: Python<'_>,
        lon: Coords<'_>,
        lat: Coords<'_>,
        filter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Assignment> {
        let filter = filter_of(filter)?;
        assign_with(py, &self.0, &lon, &lat, &filter)
    }
}
