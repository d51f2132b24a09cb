//! Triage: today's review queue from requests (an Arrow table or JSON
//! records), staff and chapter facts; the plan's rows come back as an Arrow
//! table, the rest as dicts.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, RecordBatch, StringArray, TimestampMillisecondArray,
    UInt8Array, UInt32Array, UInt64Array,
};
use arrow_schema::{Field, Schema};
use chapterhouse::NodeId;
use chapterhouse::triage::{
    Plan, Request, RequestId, RequestKind, Tier, TriageConfig, TriageInput,
};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use serde_json::Value;

use crate::arrow::{
    ArrowTable, Imported, Text, Times, arrow_error, import_table, is_arrow, missing_column,
    null_value, read_bools, read_ints,
};
use crate::convert::{When, json_text, to_py};
use crate::error::{PyFailure, invalid_value, parse_error};

const WHAT: &str = "requests";
const COLUMNS: [&str; 11] = [
    "id",
    "kind",
    "chapter",
    "tier",
    "created",
    "due",
    "minutes",
    "safety_legal",
    "day_of_action",
    "reach",
    "title",
];

fn bad(row: usize, column: &str, reason: impl std::fmt::Display) -> PyErr {
    invalid_value(format!("row {row}, column {column}: {reason}"))
}

/// Reads requests from Arrow columns (one `Request` per row).
fn requests_of(imported: &Imported) -> PyResult<Vec<Request>> {
    for f in imported.schema.fields() {
        let name = f.name().as_str();
        if !COLUMNS.contains(&name) && !name.starts_with("__index_level_") {
            return Err(parse_error(format!(
                "{WHAT}: unknown column {name:?} (expected {})",
                COLUMNS.join(", ")
            )));
        }
    }
    let mut out = Vec::new();
    for batch in &imported.batches {
        let need = |name: &str| {
            batch
                .column_by_name(name)
                .ok_or_else(|| missing_column(WHAT, name, &imported.schema))
        };
        let ids = Text::read(WHAT, "id", need("id")?)?;
        let kinds = Text::read(WHAT, "kind", need("kind")?)?;
        let chapters = Text::read(WHAT, "chapter", need("chapter")?)?;
        let tiers = read_ints(WHAT, "tier", need("tier")?)?;
        let created = Times::read(WHAT, "created", need("created")?)?;
        let minutes = read_ints(WHAT, "minutes", need("minutes")?)?;
        let due = batch
            .column_by_name("due")
            .map(|a| Times::read_optional(WHAT, "due", a))
            .transpose()?;
        let flag = |name: &str| -> PyResult<Option<Vec<Option<bool>>>> {
            batch
                .column_by_name(name)
                .map(|a| read_bools(WHAT, name, a))
                .transpose()
        };
        let safety = flag("safety_legal")?;
        let day_of_action = flag("day_of_action")?;
        let reach = batch
            .column_by_name("reach")
            .map(|a| read_ints(WHAT, "reach", a))
            .transpose()?;
        let titles = batch
            .column_by_name("title")
            .map(|a| Text::read(WHAT, "title", a))
            .transpose()?;
        let base = out.len();
        for i in 0..batch.num_rows() {
            let row = base + i;
            let id_text = ids.get(i).ok_or_else(|| null_value(row, "id"))?;
            let id: RequestId = id_text.parse().map_err(|e| bad(row, "id", e))?;
            let kind_text = kinds.get(i).ok_or_else(|| null_value(row, "kind"))?;
            let kind: RequestKind = serde_json::from_value(Value::String(kind_text.to_owned()))
                .map_err(|_| {
                    bad(
                        row,
                        "kind",
                        format!(
                            "{kind_text:?} is not a request kind (expected event_approval, \
                             leader_application, campaign_review or support_request)"
                        ),
                    )
                })?;
            let chapter_text = chapters.get(i).ok_or_else(|| null_value(row, "chapter"))?;
            let chapter: NodeId = chapter_text.parse().map_err(|e| bad(row, "chapter", e))?;
            let tier = tiers
                .get(i)
                .copied()
                .flatten()
                .ok_or_else(|| null_value(row, "tier"))?;
            let tier = u8::try_from(tier)
                .map_err(|_| ())
                .and_then(|t| Tier::try_from(t).map_err(|_| ()))
                .map_err(|()| bad(row, "tier", format!("tier must be 1, 2 or 3, not {tier}")))?;
            let created = created.get(i).ok_or_else(|| null_value(row, "created"))?;
            let minutes = minutes
                .get(i)
                .copied()
                .flatten()
                .ok_or_else(|| null_value(row, "minutes"))?;
            let minutes = u32::try_from(minutes)
                .map_err(|_| bad(row, "minutes", format!("{minutes} is out of range")))?;
            let reach = match reach.as_ref().and_then(|r| r.get(i).copied().flatten()) {
                Some(r) => u32::try_from(r)
                    .map_err(|_| bad(row, "reach", format!("{r} is out of range")))?,
                None => 0,
            };
            let get_flag = |f: &Option<Vec<Option<bool>>>| {
                f.as_ref()
                    .and_then(|v| v.get(i).copied().flatten())
                    .unwrap_or(false)
            };
            out.push(Request {
                id,
                kind,
                chapter,
                tier,
                created,
                due: due.as_ref().and_then(|d| d.get(i).copied().flatten()),
                minutes,
                safety_legal: get_flag(&safety),
                day_of_action: get_flag(&day_of_action),
                reach,
                title: titles.as_ref().and_then(|t| t.get(i)).map(str::to_owned),
            });
        }
    }
    Ok(out)
}

/// Today's plan: ``rows`` (an Arrow table, one row per request in plan
/// order), ``line``, ``alerts``, ``metrics``, ``staff`` and ``fairness``
/// (pass it to tomorrow's ``triage``).
#[pyclass(module = "chapterhouse", name = "TriagePlan", frozen)]
pub struct TriagePlan(Plan);

#[pymethods]
impl TriagePlan {
    /// The rows as an Arrow table: rank, request, chapter, kind, title,
    /// tier, lane, class, base_class, assignee, assignment, cost_of_delay,
    /// minutes, minutes_today, cumulative_minutes, today, projected,
    /// deadline, sla_breach, reason.
    #[getter]
    fn rows(&self) -> PyResult<ArrowTable> {
        Ok(ArrowTable::new(
            rows_batch(&self.0).map_err(|e| arrow_error("triage plan", e))?,
        ))
    }

    /// Where today's capacity ends (a dict).
    #[getter]
    fn line<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0.line)
    }

    /// What the reviewer must see first: dicts with ``alert`` (the kind),
    /// its fields, and ``message`` in plain words.
    #[getter]
    fn alerts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let alerts: Vec<Value> = self
            .0
            .alerts
            .iter()
            .map(|a| {
                let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
                if let Value::Object(m) = &mut v {
                    m.insert("message".into(), a.message().into());
                }
                v
            })
            .collect();
        to_py(py, &alerts)
    }

    /// Minutes by tier, class and chapter; oldest waiting; SLA attainment.
    #[getter]
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0.metrics)
    }

    /// Each staff member's day.
    #[getter]
    fn staff<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0.staff)
    }

    /// The fairness state to pass to tomorrow's plan.
    #[getter]
    fn fairness<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0.fairness)
    }

    /// The whole plan as JSON.
    fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }

    /// The plan as a plain-text table: rows above the line, the line, up to
    /// ``below`` rows under it, then the alerts.
    #[pyo3(signature = (below = 10))]
    fn to_text(&self, below: usize) -> String {
        self.0.to_text(below)
    }

    fn __len__(&self) -> usize {
        self.0.rows.len()
    }
}

fn rows_batch(plan: &Plan) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let r = &plan.rows;
    let name = |v: Value| v.as_str().map(str::to_owned);
    let cols: Vec<(&str, ArrayRef)> = vec![
        (
            "rank",
            Arc::new(r.iter().map(|x| x.rank).collect::<UInt32Array>()),
        ),
        (
            "request",
            Arc::new(
                r.iter()
                    .map(|x| Some(x.request.as_str()))
                    .collect::<StringArray>(),
            ),
        ),
        (
            "chapter",
            Arc::new(
                r.iter()
                    .map(|x| Some(x.chapter.as_str()))
                    .collect::<StringArray>(),
            ),
        ),
        (
            "kind",
            Arc::new(
                r.iter()
                    .map(|x| Some(x.kind.as_str()))
                    .collect::<StringArray>(),
            ),
        ),
        (
            "title",
            Arc::new(
                r.iter()
                    .map(|x| x.title.as_deref())
                    .collect::<StringArray>(),
            ),
        ),
        (
            "tier",
            Arc::new(r.iter().map(|x| x.tier.number()).collect::<UInt8Array>()),
        ),
        (
            "lane",
            Arc::new(
                r.iter()
                    .map(|x| serde_json::to_value(x.lane).ok().and_then(name))
                    .collect::<StringArray>(),
            ),
        ),
        (
            "class",
            Arc::new(
                r.iter()
                    .map(|x| Some(x.class.as_str()))
                    .collect::<StringArray>(),
            ),
        ),
        (
            "base_class",
            Arc::new(
                r.iter()
                    .map(|x| Some(x.base_class.as_str()))
                    .collect::<StringArray>(),
            ),
        ),
        (
            "assignee",
            Arc::new(
                r.iter()
                    .map(|x| x.assignee.as_ref().map(|p| p.as_str()))
                    .collect::<StringArray>(),
            ),
        ),
        (
            "assignment",
            Arc::new(
                r.iter()
                    .map(|x| {
                        x.assignment
                            .and_then(|a| serde_json::to_value(a).ok())
                            .and_then(name)
                    })
                    .collect::<StringArray>(),
            ),
        ),
        (
            "cost_of_delay",
            Arc::new(r.iter().map(|x| x.cost_of_delay).collect::<UInt64Array>()),
        ),
        (
            "minutes",
            Arc::new(r.iter().map(|x| x.minutes).collect::<UInt32Array>()),
        ),
        (
            "minutes_today",
            Arc::new(r.iter().map(|x| x.minutes_today).collect::<UInt32Array>()),
        ),
        (
            "cumulative_minutes",
            Arc::new(
                r.iter()
                    .map(|x| x.cumulative_minutes)
                    .collect::<UInt64Array>(),
            ),
        ),
        (
            "today",
            Arc::new(r.iter().map(|x| Some(x.today)).collect::<BooleanArray>()),
        ),
        (
            "projected",
            Arc::new(
                r.iter()
                    .map(|x| {
                        x.projected.map(|d| {
                            i32::try_from((d - chrono::NaiveDate::default()).num_days())
                                .unwrap_or(i32::MAX)
                        })
                    })
                    .collect::<Date32Array>(),
            ),
        ),
        (
            "deadline",
            Arc::new(
                r.iter()
                    .map(|x| Some(x.deadline.timestamp_millis()))
                    .collect::<TimestampMillisecondArray>()
                    .with_timezone("UTC"),
            ),
        ),
        (
            "sla_breach",
            Arc::new(
                r.iter()
                    .map(|x| Some(x.sla_breach))
                    .collect::<BooleanArray>(),
            ),
        ),
        (
            "reason",
            Arc::new(
                r.iter()
                    .map(|x| Some(x.reason.as_str()))
                    .collect::<StringArray>(),
            ),
        ),
    ];
    let fields: Vec<Field> = cols
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    RecordBatch::try_new(schema, cols.into_iter().map(|(_, a)| a).collect())
}

/// Plans today's review queue; see ``chapterhouse.triage``.
#[pyfunction]
#[pyo3(signature = (requests, *, staff, now, chapters = None, fairness = None, config = None))]
pub(crate) fn triage(
    py: Python<'_>,
    requests: &Bound<'_, PyAny>,
    staff: PyBackedStr,
    now: When,
    chapters: Option<PyBackedStr>,
    fairness: Option<PyBackedStr>,
    config: Option<&Bound<'_, PyAny>>,
) -> PyResult<TriagePlan> {
    let now = now.0;
    let config: TriageConfig = match config {
        Some(c) => crate::convert::from_json("triage config", c)?,
        None => TriageConfig::default(),
    };
    let arrow = if is_arrow(requests)? {
        Some(requests_of(&import_table(requests, WHAT)?)?)
    } else {
        None
    };
    let requests_json = match arrow {
        Some(_) => "[]".to_owned(),
        None => json_text(requests)?,
    };
    let mut doc = format!("{{\"requests\":{requests_json},\"staff\":{}", &*staff);
    if let Some(c) = &chapters {
        doc.push_str(&format!(",\"chapters\":{}", &**c));
    }
    if let Some(f) = &fairness {
        doc.push_str(&format!(",\"fairness\":{}", &**f));
    }
    doc.push('}');
    let plan = py.detach(|| {
        let mut input = TriageInput::from_json(&doc)?;
        if let Some(reqs) = arrow {
            input.requests = reqs;
        }
        chapterhouse::triage::plan(&input, &config, now)
    });
    Ok(TriagePlan(plan.map_err(PyFailure::from)?))
}
