//! Group health: activity in (Arrow columns or a CSV file), one explained
//! row per group out (an Arrow table).
//!
//! Activity columns are read straight into the core's column input
//! ([`chapterhouse::health::Columns`]): Arrow strings, dictionaries,
//! timestamps and floats are borrowed where the layout matches, so no
//! Python object is made per row.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use chapterhouse::health::{
    ActivityTable, Columns, Component, Facts, GroupReport, HealthError, HealthModel as CoreModel,
    HealthReport, Kind, KindColumn, Scorer,
};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::arrow::{
    ArrowTable, Floats, Imported, Text, Times, arrow_error, column, import_table, missing_column,
    null_value, read_ints,
};
use crate::convert::When;
use crate::error::{PyFailure, invalid_value};

const WHAT: &str = "activity";

/// The health model: component weights and half-lives, saturation
/// constants, thresholds. ``HealthModel()`` is the default model.
#[pyclass(module = "chapterhouse", name = "HealthModel", frozen)]
#[derive(Clone)]
pub struct HealthModel(pub(crate) CoreModel);

#[pymethods]
impl HealthModel {
    /// The default model.
    #[new]
    fn new() -> Self {
        HealthModel(CoreModel::default())
    }

    /// Reads a model from JSON; missing fields keep their defaults. Raises
    /// ``ParseError`` naming the JSON path or ``InvalidValueError`` naming
    /// the setting.
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<Self> {
        Ok(HealthModel(
            CoreModel::from_json(json).map_err(PyFailure::from)?,
        ))
    }

    /// The model as JSON.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    fn __repr__(&self) -> String {
        format!("<HealthModel {}>", self.0.to_json().replace('\n', ""))
    }
}

/// One batch's columns, converted where the layout differs from the core's.
struct Batch {
    rows: usize,
    group: Text,
    time: Times,
    kind: Kinds,
    value: Option<Floats>,
    actor: Option<Text>,
    actor_valid: Option<arrow_buffer::Buffer>,
}

enum Kinds {
    Codes(Vec<u8>),
    Names(Text),
}

impl Batch {
    fn read(batch: &RecordBatch, imported: &Imported) -> PyResult<Batch> {
        let need = |name: &str| {
            column(batch, name).ok_or_else(|| missing_column(WHAT, name, &imported.schema))
        };
        let group = Text::read(WHAT, "group", need("group")?)?;
        if let Some(row) = group.first_null() {
            return Err(null_value(row, "group"));
        }
        let time = Times::read(WHAT, "time", need("time")?)?;
        let kind_col = need("kind")?;
        let kind = if kind_col.data_type().is_integer() {
            let codes = read_ints(WHAT, "kind", kind_col)?;
            let mut out = Vec::with_capacity(codes.len());
            for (row, c) in codes.into_iter().enumerate() {
                let c = c.ok_or_else(|| null_value(row, "kind"))?;
                out.push(u8::try_from(c).map_err(|_| {
                    invalid_value(format!(
                        "row {row}, column kind: {c} is not a kind code (0 to 7)"
                    ))
                })?);
            }
            Kinds::Codes(out)
        } else if let Some(codes) = dictionary_codes(kind_col) {
            Kinds::Codes(codes)
        } else {
            let names = Text::read(WHAT, "kind", kind_col)?;
            if let Some(row) = names.first_null() {
                return Err(null_value(row, "kind"));
            }
            Kinds::Names(names)
        };
        let value = match column(batch, "value") {
            Some(a) if *a.data_type() != DataType::Null => Some(Floats::read(WHAT, "value", a)?),
            _ => None,
        };
        let actor = match column(batch, "actor") {
            Some(a) if *a.data_type() != DataType::Null => Some(Text::read(WHAT, "actor", a)?),
            _ => None,
        };
        let actor_valid = actor.as_ref().and_then(Text::validity);
        Ok(Batch {
            rows: batch.num_rows(),
            group,
            time,
            kind,
            value,
            actor,
            actor_valid,
        })
    }

    fn columns(&self) -> Columns<'_> {
        Columns {
            group: self.group.column(),
            time: self.time.column(),
            kind: match &self.kind {
                Kinds::Codes(c) => KindColumn::Codes(c),
                Kinds::Names(n) => KindColumn::Names(n.column()),
            },
            value: self.value.as_ref().map(Floats::values),
            actor: self.actor.as_ref().map(Text::column),
            actor_valid: self.actor_valid.as_ref().map(|b| b.as_slice()),
        }
    }
}

/// The codes of a dictionary-encoded kind column whose entries are all kind
/// names and whose keys are all present and inside the dictionary (one byte
/// per row instead of a widened key); `None` sends any other column through
/// the core's checks, which name the offending row.
fn dictionary_codes(array: &ArrayRef) -> Option<Vec<u8>> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int8Type, Int16Type, Int32Type, UInt8Type, UInt16Type, UInt32Type};
    use arrow_array::{ArrowPrimitiveType, DictionaryArray};
    use arrow_buffer::ArrowNativeType;
    /// The code of every key (on every core); `None` when a key is
    /// outside the table.
    fn codes<K: arrow_array::types::ArrowDictionaryKeyType>(
        dict: &DictionaryArray<K>,
        table: &[u8],
    ) -> Option<Vec<u8>>
    where
        <K as ArrowPrimitiveType>::Native: ArrowNativeType,
    {
        const OUTSIDE: u8 = u8::MAX;
        let codes = crate::arrow::par_map(dict.keys().values(), |k| {
            table.get(k.as_usize()).copied().unwrap_or(OUTSIDE)
        });
        let inside = {
            use rayon::prelude::*;
            codes.par_chunks(1 << 16).all(|c| !c.contains(&OUTSIDE))
        };
        inside.then_some(codes)
    }
    let DataType::Dictionary(key, _) = array.data_type() else {
        return None;
    };
    if array.null_count() > 0 {
        return None;
    }
    let values = Text::read(WHAT, "kind", array.as_any_dictionary().values()).ok()?;
    let n = array.as_any_dictionary().values().len();
    let table: Vec<u8> = (0..n)
        .map(|i| values.get(i)?.parse::<Kind>().ok().map(Kind::code))
        .collect::<Option<_>>()?;
    match key.as_ref() {
        DataType::Int8 => codes(array.as_dictionary::<Int8Type>(), &table),
        DataType::Int16 => codes(array.as_dictionary::<Int16Type>(), &table),
        DataType::Int32 => codes(array.as_dictionary::<Int32Type>(), &table),
        DataType::UInt8 => codes(array.as_dictionary::<UInt8Type>(), &table),
        DataType::UInt16 => codes(array.as_dictionary::<UInt16Type>(), &table),
        DataType::UInt32 => codes(array.as_dictionary::<UInt32Type>(), &table),
        _ => None,
    }
}

/// An error in batch rows, renumbered from the batch's first row to the table's.
fn at_offset(e: HealthError, offset: usize) -> HealthError {
    match e {
        HealthError::InvalidRow {
            row,
            column,
            reason,
        } => HealthError::InvalidRow {
            row: row + offset,
            column,
            reason,
        },
        other => other,
    }
}

/// What `score_health` and `calibrate` read.
enum Activity {
    Csv(PathBuf),
    Arrow(Imported),
}

fn activity_of(obj: &Bound<'_, PyAny>) -> PyResult<Activity> {
    if crate::arrow::is_arrow(obj)? {
        return Ok(Activity::Arrow(import_table(obj, WHAT)?));
    }
    match obj.extract::<PathBuf>() {
        Ok(path) => Ok(Activity::Csv(path)),
        Err(_) => import_table(obj, WHAT).map(Activity::Arrow),
    }
}

/// Builds a scorer over the activity with the GIL released.
fn scorer(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    groups: Option<&str>,
    now: When,
    model: Option<&HealthModel>,
) -> PyResult<Scorer> {
    let now = now.0;
    let facts = match groups {
        Some(text) => Facts::from_json(text).map_err(PyFailure::from)?,
        None => Facts::default(),
    };
    let model = model.map_or_else(CoreModel::default, |m| m.0.clone());
    let activity = activity_of(activity)?;
    py.detach(|| -> PyResult<Scorer> {
        let mut scorer = Scorer::new(&model, &facts, now).map_err(PyFailure::from)?;
        match &activity {
            Activity::Csv(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    pyo3::exceptions::PyOSError::new_err(format!(
                        "cannot read {}: {e}",
                        path.display()
                    ))
                })?;
                let table = ActivityTable::from_csv(&text).map_err(PyFailure::from)?;
                scorer.add_table(&table).map_err(PyFailure::from)?;
            }
            Activity::Arrow(imported) => {
                let mut offset = 0;
                for batch in &imported.batches {
                    let b = Batch::read(batch, imported)?;
                    scorer
                        .add_columns(&b.columns())
                        .map_err(|e| PyFailure::from(at_offset(e, offset)))?;
                    offset += b.rows;
                }
            }
        }
        Ok(scorer)
    })
}

/// Scores every group's health; see ``chapterhouse.score_health``.
#[pyfunction]
#[pyo3(signature = (activity, *, now, groups = None, model = None))]
pub(crate) fn score_health(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    now: When,
    groups: Option<PyBackedStr>,
    model: Option<PyRef<'_, HealthModel>>,
) -> PyResult<ArrowTable> {
    let scorer = scorer(py, activity, groups.as_deref(), now, model.as_deref())?;
    let report = py.detach(|| scorer.report(None));
    let batch = py.detach(|| report_batch(&report));
    dispose((scorer, report));
    Ok(ArrowTable::new(
        batch.map_err(|e| arrow_error("health report", e))?,
    ))
}

/// Frees `large` (a scorer and its report: many allocations) on a worker
/// thread, so the caller has its result without waiting for the frees.
/// Only for values that hold no imported Arrow memory, whose release may
/// need the interpreter.
fn dispose<T: Send + 'static>(large: T) {
    rayon::spawn(move || drop(large));
}

/// Fits the model's calibration to the activity; see ``chapterhouse.calibrate``.
#[pyfunction]
#[pyo3(signature = (activity, *, now, groups = None, model = None))]
pub(crate) fn calibrate(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    now: When,
    groups: Option<PyBackedStr>,
    model: Option<PyRef<'_, HealthModel>>,
) -> PyResult<(HealthModel, Vec<String>)> {
    let scorer = scorer(py, activity, groups.as_deref(), now, model.as_deref())?;
    let fitted = py.detach(|| scorer.calibrate());
    let mut m = scorer.model().clone();
    m.calibration = fitted.calibration;
    m.validate().map_err(PyFailure::from)?;
    Ok((HealthModel(m), fitted.notes))
}

/// The report as one row per group.
fn report_batch(report: &HealthReport) -> Result<RecordBatch, arrow_schema::ArrowError> {
    use rayon::prelude::*;
    /// Builds one column of the table.
    type Build<'r> = Box<dyn Fn() -> ArrayRef + Send + Sync + 'r>;
    fn text<'r>(
        g: &'r [GroupReport],
        f: impl Fn(&GroupReport) -> Option<&str> + Send + Sync + 'r,
    ) -> Build<'r> {
        Box::new(move || Arc::new(g.iter().map(&f).collect::<StringArray>()))
    }
    fn float<'r>(
        g: &'r [GroupReport],
        f: impl Fn(&GroupReport) -> f64 + Send + Sync + 'r,
    ) -> Build<'r> {
        Box::new(move || Arc::new(g.iter().map(&f).collect::<Float64Array>()))
    }
    fn flag<'r>(
        g: &'r [GroupReport],
        f: impl Fn(&GroupReport) -> bool + Send + Sync + 'r,
    ) -> Build<'r> {
        Box::new(move || Arc::new(g.iter().map(|r| Some(f(r))).collect::<BooleanArray>()))
    }
    fn count<'r>(
        g: &'r [GroupReport],
        f: impl Fn(&GroupReport) -> Option<u32> + Send + Sync + 'r,
    ) -> Build<'r> {
        Box::new(move || Arc::new(g.iter().map(&f).collect::<UInt32Array>()))
    }
    let g = report.groups.as_slice();
    let mut builds: Vec<(String, Build<'_>)> = vec![
        ("group".into(), text(g, |r| Some(&r.group))),
        ("score".into(), float(g, |r| r.score)),
        ("status".into(), text(g, |r| Some(r.status.as_str()))),
        (
            "previous_status".into(),
            text(g, |r| r.previous_status.map(|s| s.as_str())),
        ),
        ("status_reason".into(), text(g, |r| Some(&r.status_reason))),
        (
            "intervention".into(),
            text(g, |r| Some(r.intervention.as_str())),
        ),
        (
            "intervention_text".into(),
            text(g, |r| Some(&r.intervention_text)),
        ),
    ];
    for c in Component::ALL {
        let name = c.as_str();
        builds.extend([
            (
                format!("{name}_score"),
                float(g, move |r| r.component(c).map_or(f64::NAN, |x| x.score)),
            ),
            (
                format!("{name}_contribution"),
                float(g, move |r| {
                    r.component(c).map_or(f64::NAN, |x| x.contribution)
                }),
            ),
            (
                format!("{name}_headroom"),
                float(g, move |r| r.component(c).map_or(f64::NAN, |x| x.headroom)),
            ),
            (
                format!("{name}_facts"),
                text(g, move |r| r.component(c).map(|x| x.facts.as_str())),
            ),
        ]);
    }
    builds.extend([
        ("bus_factor".into(), flag(g, |r| r.bus_factor)),
        ("low_data".into(), flag(g, |r| r.low_data)),
        ("paused".into(), flag(g, |r| r.paused)),
        (
            "active_leaders".into(),
            count(g, |r| Some(r.active_leaders)),
        ),
        ("age_days".into(), count(g, |r| r.age_days)),
        ("trend_recent".into(), count(g, |r| Some(r.trend.recent))),
        (
            "trend_baseline".into(),
            count(g, |r| Some(r.trend.baseline)),
        ),
        (
            "trend_direction".into(),
            text(g, |r| Some(r.trend.direction.as_str())),
        ),
        (
            "explanation".into(),
            // The longest text of a row: written on every core.
            // Each task writes its groups' texts one after another into one
            // buffer of its own (no string per group).
            Box::new(move || {
                let parts: Vec<(String, Vec<usize>)> = g
                    .par_chunks(64)
                    .map(|chunk| {
                        let mut text = String::with_capacity(chunk.len() * 1024);
                        let mut ends = Vec::with_capacity(chunk.len());
                        for r in chunk {
                            r.explain_into(&mut text);
                            ends.push(text.len());
                        }
                        (text, ends)
                    })
                    .collect();
                let bytes = parts.iter().map(|(text, _)| text.len()).sum();
                let mut column = StringBuilder::with_capacity(g.len(), bytes);
                for (text, ends) in &parts {
                    let mut at = 0;
                    for &end in ends {
                        column.append_value(text.get(at..end).unwrap_or_default());
                        at = end;
                    }
                }
                Arc::new(column.finish())
            }),
        ),
    ]);
    // Every column on every core.
    let cols: Vec<(String, ArrayRef)> = builds
        .into_par_iter()
        .map(|(name, build)| (name, build()))
        .collect();
    let fields: Vec<Field> = cols
        .iter()
        .map(|(n, a)| {
            Field::new(
                n,
                a.data_type().clone(),
                a.null_count() > 0 || n == "previous_status" || n == "age_days",
            )
        })
        .collect();
    let metadata: std::collections::HashMap<String, String> =
        [("as_of".to_owned(), report.as_of.to_rfc3339())].into();
    let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
    RecordBatch::try_new(schema, cols.into_iter().map(|(_, a)| a).collect())
}
