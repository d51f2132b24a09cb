//! Arrow at the Python boundary, through the Arrow PyCapsule interface
//! (`__arrow_c_stream__`, `__arrow_c_array__`), in both directions.
//!
//! In: any object that exports a stream or an array (pyarrow, pandas,
//! polars, DuckDB, ...) is read as record batches or one column, still in
//! the producer's memory. Out: [`ArrowTable`] and [`ArrowArray`] export
//! batches built in Rust; pyarrow, polars and pandas import them without
//! copying through Python objects.
//!
//! Also here: reading typed columns (text, times, numbers) out of imported
//! batches, with errors that name the column.

use std::ffi::CStr;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi, to_ffi};
use arrow_array::ffi_stream::{ArrayStreamReader, FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::types::{
    Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt32Type,
};
use arrow_array::{
    Array, ArrayRef, LargeStringArray, RecordBatch, RecordBatchIterator, StringArray, UInt32Array,
    make_array,
};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};

use crate::error::{invalid_value, parse_error};

const STREAM: &CStr = c"arrow_array_stream";
const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";

/// An Arrow error from the C data interface, as a Python exception.
pub(crate) fn arrow_error(what: &str, e: ArrowError) -> PyErr {
    parse_error(format!("{what}: cannot read the arrow data: {e}"))
}

// ------------------------------------------------------------------ import

/// Record batches read from a Python object, still in its producer's memory.
pub(crate) struct Imported {
    /// The schema of every batch.
    pub(crate) schema: SchemaRef,
    /// The batches, in order.
    pub(crate) batches: Vec<RecordBatch>,
}

/// True when `obj` speaks the Arrow PyCapsule interface.
pub(crate) fn is_arrow(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(obj.hasattr("__arrow_c_stream__")? || obj.hasattr("__arrow_c_array__")?)
}

/// Reads a table (`__arrow_c_stream__`, or a struct array through
/// `__arrow_c_array__`). `what` names the argument in errors.
pub(crate) fn import_table(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Imported> {
    let py = obj.py();
    if obj.hasattr("__arrow_c_stream__")? {
        let capsule = obj.call_method0("__arrow_c_stream__")?;
        let capsule = capsule.cast_into::<PyCapsule>()?;
        let ptr = capsule.pointer_checked(Some(STREAM))?;
        // SAFETY: the capsule is named arrow_array_stream, so by the PyCapsule
        // interface it holds an FFI_ArrowArrayStream; from_raw moves it out and
        // leaves a released (empty) stream for the capsule's destructor.
        let stream = unsafe { FFI_ArrowArrayStream::from_raw(ptr.as_ptr().cast()) };
        let reader = RecordBatchStreamReader::try_new(stream).map_err(|e| arrow_error(what, e))?;
        let schema = arrow_array::RecordBatchReader::schema(&reader);
        // The producer's stream needs no GIL (pyarrow takes it itself if it must).
        let batches = py
            .detach(|| reader.collect::<Result<Vec<_>, _>>())
            .map_err(|e| arrow_error(what, e))?;
        return Ok(Imported { schema, batches });
    }
    if obj.hasattr("__arrow_c_array__")? {
        let array = import_array_capsules(obj, what)?;
        let DataType::Struct(_) = array.data_type() else {
            return Err(parse_error(format!(
                "{what}: expected a table, got an arrow array of type {}",
                array.data_type()
            )));
        };
        let batch = RecordBatch::from(array.as_struct().clone());
        return Ok(Imported {
            schema: batch.schema(),
            batches: vec![batch],
        });
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "{what} must be a table that speaks the Arrow PyCapsule interface \
         (a pyarrow Table, a pandas or polars DataFrame), not {}",
        obj.get_type().name()?
    )))
}

fn import_array_capsules(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<ArrayRef> {
    let pair = obj.call_method0("__arrow_c_array__")?;
    let pair = pair.cast_into::<PyTuple>()?;
    let schema = pair.get_item(0)?.cast_into::<PyCapsule>()?;
    let array = pair.get_item(1)?.cast_into::<PyCapsule>()?;
    let schema_ptr = schema.pointer_checked(Some(SCHEMA))?;
    let array_ptr = array.pointer_checked(Some(ARRAY))?;
    // SAFETY: the capsules are named arrow_schema / arrow_array, so they hold
    // an FFI_ArrowSchema and an FFI_ArrowArray. The array is moved out (the
    // capsule keeps a released one); the schema is only borrowed.
    let data = unsafe {
        let ffi_array = std::ptr::replace(
            array_ptr.as_ptr().cast::<FFI_ArrowArray>(),
            FFI_ArrowArray::empty(),
        );
        let ffi_schema = &*schema_ptr.as_ptr().cast::<FFI_ArrowSchema>();
        from_ffi(ffi_array, ffi_schema)
    }
    .map_err(|e| arrow_error(what, e))?;
    Ok(make_array(data))
}

/// Reads one column: an arrow array (`__arrow_c_array__`) or a chunked one
/// (`__arrow_c_stream__`: a pyarrow ChunkedArray, a polars Series), as a
/// single array (chunks are concatenated).
pub(crate) fn import_column(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<ArrayRef> {
    if obj.hasattr("__arrow_c_array__")? {
        return import_array_capsules(obj, what);
    }
    let capsule = obj.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast_into::<PyCapsule>()?;
    let ptr = capsule.pointer_checked(Some(STREAM))?;
    // SAFETY: as in import_table.
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(ptr.as_ptr().cast()) };
    let reader = ArrayStreamReader::try_new(stream).map_err(|e| arrow_error(what, e))?;
    let chunks = obj
        .py()
        .detach(|| reader.collect::<Result<Vec<_>, _>>())
        .map_err(|e| arrow_error(what, e))?;
    match chunks.as_slice() {
        [one] => Ok(one.clone()),
        _ => {
            let refs: Vec<&dyn Array> = chunks.iter().map(|a| a.as_ref()).collect();
            if refs.is_empty() {
                return Ok(arrow_array::new_empty_array(&DataType::Float64));
            }
            arrow_select::concat::concat(&refs).map_err(|e| arrow_error(what, e))
        }
    }
}

// ------------------------------------------------------------------ columns

/// The column named `name` of `batch`, if any.
pub(crate) fn column<'a>(batch: &'a RecordBatch, name: &str) -> Option<&'a ArrayRef> {
    batch.column_by_name(name)
}

/// The error for a required column that is absent.
pub(crate) fn missing_column(what: &str, name: &str, schema: &Schema) -> PyErr {
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    parse_error(format!(
        "{what}: no column named {name:?} (the columns are: {})",
        names.join(", ")
    ))
}

/// The error for a column of a type that cannot be read as `expected`.
pub(crate) fn wrong_type(what: &str, name: &str, found: &DataType, expected: &str) -> PyErr {
    parse_error(format!(
        "{what}: column {name} has type {}; expected {expected}",
        type_name(found)
    ))
}

/// An Arrow type as pyarrow names it (`int64`, `string`, `timestamp[ns]`).
fn type_name(t: &DataType) -> String {
    match t {
        DataType::Null => "null".into(),
        DataType::Boolean => "bool".into(),
        DataType::Utf8 => "string".into(),
        DataType::LargeUtf8 => "large_string".into(),
        DataType::Utf8View => "string_view".into(),
        DataType::Float16 => "halffloat".into(),
        DataType::Float32 => "float".into(),
        DataType::Float64 => "double".into(),
        DataType::Timestamp(unit, tz) => {
            let u = match unit {
                TimeUnit::Second => "s",
                TimeUnit::Millisecond => "ms",
                TimeUnit::Microsecond => "us",
                TimeUnit::Nanosecond => "ns",
            };
            match tz {
                Some(tz) => format!("timestamp[{u}, tz={tz}]"),
                None => format!("timestamp[{u}]"),
            }
        }
        DataType::Dictionary(k, v) => format!(
            "dictionary<values={}, indices={}>",
            type_name(v),
            type_name(k)
        ),
        other => other.to_string().to_lowercase(),
    }
}

/// The error for a missing (null) value where one is required.
pub(crate) fn null_value(row: usize, name: &str) -> PyErr {
    invalid_value(format!("row {row}, column {name}: is missing"))
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// A text column in one of the layouts the core reads: plain strings
/// (32- or 64-bit offsets) or dictionary-encoded.
pub(crate) enum Text {
    /// Arrow `Utf8`.
    Utf8(StringArray),
    /// Arrow `LargeUtf8` (also what `Utf8View` is cast to).
    Large(LargeStringArray),
    /// Keys into plain values.
    Dict {
        /// One key per row.
        keys: DictKeys,
        /// The dictionary.
        values: Box<Text>,
    },
}

/// The keys of a dictionary column.
pub(crate) enum DictKeys {
    /// `NULL_KEY` for a null (the producer's own memory for 32-bit keys).
    U32(arrow_buffer::ScalarBuffer<u32>),
    /// 16-bit signed keys without nulls, in the producer's own memory (what
    /// pandas writes for up to 32,767 categories; -1 is a missing value).
    I16(arrow_buffer::ScalarBuffer<i16>),
}

impl Text {
    /// Reads `array` (column `name`) as text.
    pub(crate) fn read(what: &str, name: &str, array: &ArrayRef) -> PyResult<Text> {
        let cast_err = |e| arrow_error(what, e);
        match array.data_type() {
            DataType::Utf8 => Ok(Text::Utf8(array.as_string::<i32>().clone())),
            DataType::LargeUtf8 => Ok(Text::Large(array.as_string::<i64>().clone())),
            DataType::Utf8View => {
                let large = arrow_cast::cast(array, &DataType::LargeUtf8).map_err(cast_err)?;
                Ok(Text::Large(large.as_string::<i64>().clone()))
            }
            DataType::Dictionary(_, value_type) if is_text(value_type) => {
                let dict = array.as_any_dictionary();
                let k = dict.keys();
                let keys = if *k.data_type() == DataType::Int16 && k.null_count() == 0 {
                    DictKeys::I16(
                        k.as_primitive::<arrow_array::types::Int16Type>()
                            .values()
                            .clone(),
                    )
                } else {
                    DictKeys::U32(dict_keys(k).map_err(cast_err)?)
                };
                let values = Text::read(what, name, dict.values())?;
                Ok(Text::Dict {
                    keys,
                    values: Box::new(values),
                })
            }
            other => Err(wrong_type(what, name, other, "text")),
        }
    }

    /// The core's view of the column.
    pub(crate) fn column(&self) -> chapterhouse::health::StrColumn<'_> {
        use chapterhouse::health::StrColumn;
        match self {
            Text::Dict {
                keys: DictKeys::U32(keys),
                values,
            } => StrColumn::Dict {
                keys,
                values: values.strings(),
            },
            Text::Dict {
                keys: DictKeys::I16(keys),
                values,
            } => StrColumn::Dict16 {
                keys,
                values: values.strings(),
            },
            plain => StrColumn::Values(plain.strings()),
        }
    }

    fn strings(&self) -> chapterhouse::health::Strings<'_> {
        use chapterhouse::health::Strings;
        match self {
            Text::Utf8(a) => Strings::Utf8 {
                offsets: a.value_offsets(),
                data: a.value_data(),
            },
            Text::Large(a) => Strings::LargeUtf8 {
                offsets: a.value_offsets(),
                data: a.value_data(),
            },
            // A dictionary of dictionaries does not occur in Arrow.
            Text::Dict { values, .. } => values.strings(),
        }
    }

    /// The validity of a plain column (`None` when nothing is null).
    pub(crate) fn validity(&self) -> Option<arrow_buffer::Buffer> {
        let nulls = match self {
            Text::Utf8(a) => a.nulls(),
            Text::Large(a) => a.nulls(),
            Text::Dict { .. } => None,
        }?;
        (nulls.null_count() > 0).then(|| nulls.inner().sliced())
    }

    /// The first null row of a plain column, or a dictionary key that is null.
    pub(crate) fn first_null(&self) -> Option<usize> {
        match self {
            Text::Utf8(a) => first_null(a),
            Text::Large(a) => first_null(a),
            Text::Dict {
                keys: DictKeys::U32(keys),
                ..
            } => first_key_where(keys, |k| k == chapterhouse::health::NULL_KEY),
            Text::Dict {
                keys: DictKeys::I16(keys),
                ..
            } => first_key_where(keys, |k| k < 0),
        }
    }

    /// Value `i`, `None` when null.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        match self {
            Text::Utf8(a) => (i < a.len() && a.is_valid(i)).then(|| a.value(i)),
            Text::Large(a) => (i < a.len() && a.is_valid(i)).then(|| a.value(i)),
            Text::Dict {
                keys: DictKeys::U32(keys),
                values,
            } => values.get(usize::try_from(*keys.get(i)?).ok()?),
            Text::Dict {
                keys: DictKeys::I16(keys),
                values,
            } => values.get(usize::try_from(*keys.get(i)?).ok()?),
        }
    }
}

/// The first key where `missing` holds. Blocks are scanned on every core
/// (branch-free, so the scan vectorizes); the first block with such a key is
/// then searched.
fn first_key_where<K: Copy + Sync>(
    keys: &[K],
    missing: impl Fn(K) -> bool + Sync,
) -> Option<usize> {
    use rayon::prelude::*;
    const BLOCK: usize = 1 << 16;
    let block = keys
        .par_chunks(BLOCK)
        .position_first(|b| b.iter().fold(false, |any, &k| any | missing(k)))?;
    let at = block * BLOCK;
    keys.get(at..)?
        .iter()
        .position(|&k| missing(k))
        .map(|i| at + i)
}

/// Dictionary keys as `u32`, `NULL_KEY` for a null. 32-bit keys without
/// nulls are read in place: a negative key reads as a key far outside the
/// dictionary (or, for -1, as `NULL_KEY`: what a cast makes of it too).
/// Narrower keys without nulls are widened on every core (a negative one
/// becomes `NULL_KEY`, as a cast makes it).
fn dict_keys(keys: &dyn Array) -> Result<arrow_buffer::ScalarBuffer<u32>, ArrowError> {
    use arrow_array::types::{Int8Type, Int16Type, UInt8Type, UInt16Type};
    const NULL: u32 = chapterhouse::health::NULL_KEY;
    if keys.null_count() == 0 {
        match keys.data_type() {
            DataType::UInt32 => return Ok(keys.as_primitive::<UInt32Type>().values().clone()),
            DataType::Int32 => {
                let buffer = keys.as_primitive::<Int32Type>().values().inner().clone();
                return Ok(arrow_buffer::ScalarBuffer::from(buffer));
            }
            DataType::Int8 => {
                let k = keys.as_primitive::<Int8Type>().values();
                return Ok(par_map(k, |k| u32::try_from(k).unwrap_or(NULL)).into());
            }
            DataType::Int16 => {
                let k = keys.as_primitive::<Int16Type>().values();
                return Ok(par_map(k, |k| u32::try_from(k).unwrap_or(NULL)).into());
            }
            DataType::UInt8 => {
                let k = keys.as_primitive::<UInt8Type>().values();
                return Ok(par_map(k, u32::from).into());
            }
            DataType::UInt16 => {
                let k = keys.as_primitive::<UInt16Type>().values();
                return Ok(par_map(k, u32::from).into());
            }
            _ => {}
        }
    }
    let cast = arrow_cast::cast(keys, &DataType::UInt32)?;
    let cast: &UInt32Array = cast.as_primitive();
    Ok(if cast.null_count() == 0 {
        cast.values().clone()
    } else {
        cast.iter().map(|k| k.unwrap_or(NULL)).collect()
    })
}

/// `f` of every element, computed a block at a time on every core.
pub(crate) fn par_map<A, B>(from: &[A], f: impl Fn(A) -> B + Sync) -> Vec<B>
where
    A: Copy + Sync,
    B: Copy + Default + Send,
{
    use rayon::prelude::*;
    const BLOCK: usize = 1 << 16;
    let mut out = vec![B::default(); from.len()];
    out.par_chunks_mut(BLOCK)
        .zip(from.par_chunks(BLOCK))
        .for_each(|(out, from)| {
            for (o, &a) in out.iter_mut().zip(from) {
                *o = f(a);
            }
        });
    out
}

fn first_null(a: &dyn Array) -> Option<usize> {
    let nulls = a.logical_nulls()?;
    if nulls.null_count() == 0 {
        return None;
    }
    nulls.iter().position(|valid| !valid)
}

/// A time column as integers since the epoch in one unit, or text to parse.
pub(crate) enum Times {
    /// A timestamp array (any unit; a time zone, if any, is ignored since the
    /// values are UTC instants by definition; naive ones are read as UTC).
    Stamps(ArrayRef, TimeUnit),
    /// Milliseconds parsed from RFC 3339 text.
    Parsed(Vec<i64>),
}

impl Times {
    /// Reads a time column: timestamps, dates or RFC 3339 text. Nulls are
    /// refused, naming the row.
    pub(crate) fn read(what: &str, name: &str, array: &ArrayRef) -> PyResult<Times> {
        let expected = "timestamps (datetime64, pyarrow timestamp, polars Datetime), \
                        dates or RFC 3339 text";
        if let Some(row) = first_null(array.as_ref()) {
            return Err(null_value(row, name));
        }
        match array.data_type() {
            DataType::Timestamp(unit, _) => Ok(Times::Stamps(array.clone(), *unit)),
            DataType::Date32 | DataType::Date64 => {
                let t = DataType::Timestamp(TimeUnit::Millisecond, None);
                let cast = arrow_cast::cast(array, &t).map_err(|e| arrow_error(what, e))?;
                Ok(Times::Stamps(cast, TimeUnit::Millisecond))
            }
            t if is_text(t) || matches!(t, DataType::Dictionary(_, v) if is_text(v)) => {
                let text = Text::read(what, name, array)?;
                let mut ms = Vec::with_capacity(array.len());
                for i in 0..array.len() {
                    let s = text.get(i).ok_or_else(|| null_value(i, name))?;
                    ms.push(parse_time(s).map_err(|()| {
                        invalid_value(format!(
                            "row {i}, column {name}: {:?} is not an RFC 3339 time \
                             (like 2026-10-01T18:00:00Z)",
                            s.chars().take(80).collect::<String>()
                        ))
                    })?);
                }
                Ok(Times::Parsed(ms))
            }
            other => Err(wrong_type(what, name, other, expected)),
        }
    }

    /// Reads a time column in which values may be missing (null).
    pub(crate) fn read_optional(
        what: &str,
        name: &str,
        array: &ArrayRef,
    ) -> PyResult<Vec<Option<DateTime<Utc>>>> {
        let Some(nulls) = array.logical_nulls().filter(|n| n.null_count() > 0) else {
            let t = Times::read(what, name, array)?;
            return Ok((0..array.len()).map(|i| t.get(i)).collect());
        };
        if nulls.null_count() == array.len() {
            return Ok(vec![None; array.len()]);
        }
        // Read the valid rows only: fill the nulls with the first valid value.
        let first = nulls.valid_indices().next().unwrap_or(0);
        let take: UInt32Array = (0..array.len())
            .map(|i| u32::try_from(if nulls.is_valid(i) { i } else { first }).ok())
            .collect();
        let filled = arrow_select::take::take(array.as_ref(), &take, None)
            .map_err(|e| arrow_error(what, e))?;
        let t = Times::read(what, name, &filled)?;
        Ok((0..array.len())
            .map(|i| if nulls.is_valid(i) { t.get(i) } else { None })
            .collect())
    }

    /// The core's view of the column.
    pub(crate) fn column(&self) -> chapterhouse::health::TimeColumn<'_> {
        use chapterhouse::health::TimeColumn;
        match self {
            Times::Parsed(ms) => TimeColumn::Millis(ms),
            Times::Stamps(a, TimeUnit::Second) => {
                TimeColumn::Seconds(a.as_primitive::<TimestampSecondType>().values())
            }
            Times::Stamps(a, TimeUnit::Millisecond) => {
                TimeColumn::Millis(a.as_primitive::<TimestampMillisecondType>().values())
            }
            Times::Stamps(a, TimeUnit::Microsecond) => {
                TimeColumn::Micros(a.as_primitive::<TimestampMicrosecondType>().values())
            }
            Times::Stamps(a, TimeUnit::Nanosecond) => {
                TimeColumn::Nanos(a.as_primitive::<TimestampNanosecondType>().values())
            }
        }
    }

    /// Row `i` as a UTC time, if representable.
    pub(crate) fn get(&self, i: usize) -> Option<DateTime<Utc>> {
        use chapterhouse::health::TimeColumn;
        match self.column() {
            TimeColumn::Seconds(v) => DateTime::from_timestamp(*v.get(i)?, 0),
            TimeColumn::Millis(v) => DateTime::from_timestamp_millis(*v.get(i)?),
            TimeColumn::Micros(v) => DateTime::from_timestamp_micros(*v.get(i)?),
            TimeColumn::Nanos(v) => Some(DateTime::from_timestamp_nanos(*v.get(i)?)),
        }
    }
}

/// Milliseconds since the epoch of an RFC 3339 time.
fn parse_time(s: &str) -> Result<i64, ()> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp_millis())
        .map_err(|_| ())
}

/// A float column: borrowed when it is already `float64` without nulls,
/// otherwise cast, with nulls as NaN.
pub(crate) enum Floats {
    /// The array as given.
    Borrowed(ArrayRef),
    /// Cast or with nulls filled.
    Owned(Vec<f64>),
}

impl Floats {
    /// Reads a numeric column (integers, floats, decimals); nulls become NaN.
    pub(crate) fn read(what: &str, name: &str, array: &ArrayRef) -> PyResult<Floats> {
        let t = array.data_type();
        if !(t.is_numeric() || *t == DataType::Null) {
            return Err(wrong_type(what, name, t, "numbers"));
        }
        if *t == DataType::Float64 {
            if array.null_count() == 0 {
                return Ok(Floats::Borrowed(array.clone()));
            }
            // pandas' export marks NaN as null: one pass puts NaN back.
            return Ok(Floats::Owned(nan_for_null(
                array.as_primitive::<arrow_array::types::Float64Type>(),
            )));
        }
        let cast = arrow_cast::cast(array, &DataType::Float64).map_err(|e| arrow_error(what, e))?;
        Ok(Floats::Owned(nan_for_null(
            cast.as_primitive::<arrow_array::types::Float64Type>(),
        )))
    }

    /// The values.
    pub(crate) fn values(&self) -> &[f64] {
        match self {
            Floats::Borrowed(a) => a.as_primitive::<arrow_array::types::Float64Type>().values(),
            Floats::Owned(v) => v,
        }
    }
}

/// The values of `f` with NaN for each null, on every core and without a
/// branch per value.
fn nan_for_null(f: &arrow_array::Float64Array) -> Vec<f64> {
    use rayon::prelude::*;
    let values = f.values();
    match f.nulls() {
        Some(nulls) => values
            .par_iter()
            .with_min_len(1 << 14)
            .enumerate()
            .map(|(i, &v)| if nulls.is_valid(i) { v } else { f64::NAN })
            .collect(),
        None => values.to_vec(),
    }
}

/// Reads an integer column as `i64` (nulls as `None`).
pub(crate) fn read_ints(what: &str, name: &str, array: &ArrayRef) -> PyResult<Vec<Option<i64>>> {
    let t = array.data_type();
    if !(t.is_integer() || *t == DataType::Null || t.is_floating()) {
        return Err(wrong_type(what, name, t, "integers"));
    }
    if t.is_floating() {
        // pandas turns an integer column with missing values into floats.
        let f = Floats::read(what, name, array)?;
        return f
            .values()
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if v.is_nan() {
                    Ok(None)
                } else if v.fract() == 0.0 && v.abs() < 9.0e15 {
                    Ok(Some(*v as i64))
                } else {
                    Err(invalid_value(format!(
                        "row {i}, column {name}: {v} is not a whole number"
                    )))
                }
            })
            .collect();
    }
    let cast = arrow_cast::cast(array, &DataType::Int64).map_err(|e| arrow_error(what, e))?;
    Ok(cast.as_primitive::<Int64Type>().iter().collect())
}

/// Reads a boolean column (nulls as `None`).
pub(crate) fn read_bools(what: &str, name: &str, array: &ArrayRef) -> PyResult<Vec<Option<bool>>> {
    match array.data_type() {
        DataType::Boolean => Ok(array.as_boolean().iter().collect()),
        DataType::Null => Ok(vec![None; array.len()]),
        other => Err(wrong_type(what, name, other, "booleans")),
    }
}

// ------------------------------------------------------------------ export

/// A table built by chapterhouse, exported through the Arrow PyCapsule
/// interface: ``pyarrow.table(t)``, ``polars.DataFrame(t)``, or the
/// ``chapterhouse.Table`` wrapper's ``to_pandas()``.
#[pyclass(module = "chapterhouse", name = "Table", frozen)]
pub struct ArrowTable {
    batch: RecordBatch,
}

impl ArrowTable {
    /// Wraps a batch.
    pub(crate) fn new(batch: RecordBatch) -> ArrowTable {
        ArrowTable { batch }
    }
}

#[pymethods]
impl ArrowTable {
    /// Exports the table as an Arrow C stream (one batch). Can be called
    /// any number of times; each stream shares the same buffers.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema; // the schema is fixed; consumers cast if they must
        let reader = RecordBatchIterator::new(vec![Ok(self.batch.clone())], self.batch.schema());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new(py, stream, Some(STREAM.to_owned()))
    }

    /// Exports the schema as an Arrow C schema.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let schema = FFI_ArrowSchema::try_from(self.batch.schema().as_ref())
            .map_err(|e| arrow_error("table", e))?;
        PyCapsule::new(py, schema, Some(SCHEMA.to_owned()))
    }

    /// The number of rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// The column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// The schema's metadata (for example ``as_of``).
    #[getter]
    fn metadata(&self) -> std::collections::HashMap<String, String> {
        self.batch.schema().metadata().clone().into()
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    fn __repr__(&self) -> String {
        format!(
            "<chapterhouse.Table: {} rows, columns {}>",
            self.batch.num_rows(),
            self.column_names().join(", ")
        )
    }

    /// The table as a ``pyarrow.Table`` (no copy).
    fn to_pyarrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("pyarrow")?.call_method1("table", (slf,))
    }

    /// The table as a ``pandas.DataFrame`` (through pyarrow).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::to_pyarrow(slf)?.call_method0("to_pandas")
    }

    /// The table as a ``polars.DataFrame`` (no copy).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("polars")?.call_method1("DataFrame", (slf,))
    }
}

/// One array built by chapterhouse, exported through the Arrow PyCapsule
/// interface (``pyarrow.array(a)``).
#[pyclass(module = "chapterhouse", name = "ArrowArray", frozen)]
pub struct ArrowArray {
    array: ArrayRef,
}

impl ArrowArray {
    /// Wraps an array.
    pub(crate) fn new(array: ArrayRef) -> ArrowArray {
        ArrowArray { array }
    }
}

#[pymethods]
impl ArrowArray {
    /// Exports the array as an Arrow C schema and array.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
        let _ = requested_schema;
        let (array, schema) = to_ffi(&self.array.to_data()).map_err(|e| arrow_error("array", e))?;
        Ok((
            PyCapsule::new(py, schema, Some(SCHEMA.to_owned()))?,
            PyCapsule::new(py, array, Some(ARRAY.to_owned()))?,
        ))
    }

    /// Exports the array as a one-column table stream (column ``chapter``),
    /// for consumers that read streams only.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let field = Field::new("chapter", self.array.data_type().clone(), true);
        let schema = Arc::new(Schema::new(vec![field]));
        let batch = RecordBatch::try_new(schema.clone(), vec![self.array.clone()])
            .map_err(|e| arrow_error("array", e))?;
        let reader = RecordBatchIterator::new(vec![Ok(batch)], schema);
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new(py, stream, Some(STREAM.to_owned()))
    }

    fn __len__(&self) -> usize {
        self.array.len()
    }
}
