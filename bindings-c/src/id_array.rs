//! `ch_id_array`: a reusable list of ids that queries fill (chapter ids for
//! lookup and nearest, node ids for subtree and nodes_where). Its buffers are
//! kept between calls, so a lookup into an array that has held an answer as
//! large allocates nothing.

use std::ffi::c_char;

use crate::convert::{free_owned, owned};
use crate::error::FfiError;

/// A list of ids (and, after ch_network_nearest(), distances) filled by the
/// queries that return ids. Create it once with ch_id_array_new(), pass it to
/// as many queries as you like (each one clears it and fills it with its
/// answer), read it with ch_id_array_len(), ch_id_array_get() and
/// ch_id_array_distance_m(), and free it with ch_id_array_free().
///
/// Thread safety: an array may be used by one thread at a time; give each
/// thread its own.
#[derive(Debug, Default)]
pub struct ch_id_array {
    /// The ids, each followed by a NUL.
    text: String,
    /// Where each id starts in `text`.
    starts: Vec<usize>,
    /// The distance of each entry in metres (NaN when not a distance query).
    distances: Vec<f64>,
    /// Entry indexes of a territory lookup, kept to reuse their buffer.
    pub(crate) scratch: Vec<u32>,
}

impl ch_id_array {
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.starts.clear();
        self.distances.clear();
    }

    /// Appends an id. Ids are validated by the core and never hold a NUL.
    pub(crate) fn push(&mut self, id: &str, distance_m: f64) {
        self.starts.push(self.text.len());
        self.text.push_str(id);
        self.text.push('\0');
        self.distances.push(distance_m);
    }

    fn get(&self, i: usize) -> Option<*const c_char> {
        let start = *self.starts.get(i)?;
        let rest = self.text.get(start..)?;
        Some(rest.as_ptr().cast())
    }
}

/// An `ch_id_array *` argument that a query fills: emptied at once, so a
/// failed query leaves it empty.
///
/// # Safety
///
/// `ptr` is NULL or a live array from ch_id_array_new(), not used by another
/// thread during the call.
pub(crate) unsafe fn ids_out<'a>(
    ptr: *mut ch_id_array,
    name: &'static str,
) -> Result<&'a mut ch_id_array, FfiError> {
    // SAFETY: forwarded contract.
    let ids = unsafe { crate::convert::arg_mut(ptr, name) }?;
    ids.clear();
    Ok(ids)
}

/// A new, empty id array.
///
/// Ownership: the caller owns it and frees it with ch_id_array_free().
/// Never returns NULL (the process aborts if memory runs out, as for any
/// allocation).
#[unsafe(no_mangle)]
pub extern "C" fn ch_id_array_new() -> *mut ch_id_array {
    owned(ch_id_array::default())
}

/// The number of ids in the array (0 when `ids` is NULL).
///
/// # Safety
///
/// `ids` is NULL or a live array.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_id_array_len(ids: *const ch_id_array) -> usize {
    // SAFETY: the caller guarantees `ids` is NULL or live.
    unsafe { ids.as_ref() }.map_or(0, |a| a.starts.len())
}

/// The id at `index`, as a NUL-terminated UTF-8 string.
///
/// Ownership: borrowed from the array; valid until the array is passed to
/// another query or freed. Returns NULL when `ids` is NULL or `index` is not
/// below ch_id_array_len().
///
/// # Safety
///
/// `ids` is NULL or a live array.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_id_array_get(ids: *const ch_id_array, index: usize) -> *const c_char {
    // SAFETY: the caller guarantees `ids` is NULL or live.
    unsafe { ids.as_ref() }
        .and_then(|a| a.get(index))
        .unwrap_or(std::ptr::null())
}

/// The distance in metres from the query point to the territory of the
/// chapter at `index`, for arrays filled by ch_network_nearest() or
/// ch_network_lookup() (0 when the territory covers the point).
///
/// Returns NaN when `ids` is NULL, `index` is out of range, or the array was
/// filled by a query without distances (ch_network_subtree(),
/// ch_network_nodes_where()).
///
/// # Safety
///
/// `ids` is NULL or a live array.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_id_array_distance_m(ids: *const ch_id_array, index: usize) -> f64 {
    // SAFETY: the caller guarantees `ids` is NULL or live.
    unsafe { ids.as_ref() }
        .and_then(|a| a.distances.get(index).copied())
        .unwrap_or(f64::NAN)
}

/// Frees an id array. NULL is a no-op.
///
/// # Safety
///
/// `ids` is NULL or an array from ch_id_array_new() not freed before, and no
/// other thread is using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_id_array_free(ids: *mut ch_id_array) {
    // SAFETY: forwarded contract.
    unsafe { free_owned(ids) }
}
