//! Which chapter covers this place: point lookup and nearest chapters, with
//! plain numbers in and an id array out (no JSON on this path).

use std::ffi::c_char;
use std::sync::OnceLock;

use chapterhouse::territory::Filter;

use crate::convert::{Out, arg_ref, arg_str, free_owned, from_json, owned};
use crate::error::{ch_error, ch_status, guard};
use crate::id_array::{ch_id_array, ids_out};
use crate::network::ch_network;

/// Which chapters a territory query considers. Made once with
/// ch_filter_from_json() and reused; NULL where a filter is taken means the
/// default: active, public chapters of any kind (what a public website shows).
///
/// Thread safety: a filter is never modified after it is made, so it may be
/// shared by several threads.
pub struct ch_filter(Filter);

/// The filter a NULL `filter` argument stands for, made once.
fn default_filter() -> &'static Filter {
    static DEFAULT: OnceLock<Filter> = OnceLock::new();
    DEFAULT.get_or_init(Filter::default)
}

/// # Safety
///
/// `filter` is NULL or a live filter.
unsafe fn filter_or_default<'a>(filter: *const ch_filter) -> &'a Filter {
    // SAFETY: forwarded contract.
    unsafe { filter.as_ref() }.map_or_else(default_filter, |f| &f.0)
}

/// Makes a territory filter from JSON. Every member is optional:
/// `{"statuses": ["active", "applied"], "visibilities": ["public",
/// "unlisted", "hidden"], "kinds": ["local"], "tags": ["rivers"]}`.
/// `statuses` defaults to `["active"]` and `visibilities` to `["public"]`
/// (an empty list matches nothing); `kinds` empty means any kind; the
/// chapter must carry every tag in `tags`.
///
/// @param json The filter, `json_len` bytes of UTF-8 JSON.
/// @param json_len Its length in bytes.
/// @param out_filter Receives the filter on success (NULL on failure). The
///   caller owns it and frees it with ch_filter_free().
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_PARSE for malformed JSON, an unknown
///   member or value (the message gives the path); CH_STATUS_NULL_ARGUMENT;
///   CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// `json` is NULL or valid for reads of `json_len` bytes; out-parameters are
/// NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_filter_from_json(
    json: *const c_char,
    json_len: usize,
    out_filter: *mut *mut ch_filter,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = Out::new(out_filter, "out_filter", std::ptr::null_mut())?;
            let filter: Filter = from_json(arg_str(json, json_len, "json")?, "json")?;
            out.set(owned(ch_filter(filter)));
            Ok(())
        })
    }
}

/// Frees a filter. NULL is a no-op.
///
/// # Safety
///
/// `filter` is NULL or a filter from ch_filter_from_json() not freed before,
/// and no other thread is using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_filter_free(filter: *mut ch_filter) {
    unsafe { free_owned(filter) }
}

/// The chapters whose territory covers a point, most specific first
/// (smallest area, then deepest in the tree, then id). A point on a boundary
/// is covered by both sides. The hot path of "which chapter is this member
/// in": once `out_ids` has held an answer this large, the call allocates
/// nothing.
///
/// @param network The network.
/// @param lon Longitude in degrees (WGS84); any finite value (wrapped).
/// @param lat Latitude in degrees, -90 to 90.
/// @param filter The chapters to consider; NULL for the default (active,
///   public).
/// @param out_ids An array from ch_id_array_new(); it is emptied, then filled
///   with the chapter ids (distance 0 each). Empty when no chapter covers the
///   point, and on failure.
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_INVALID_VALUE for a NaN or infinite
///   coordinate or a latitude beyond ±90; CH_STATUS_NULL_ARGUMENT.
///
/// # Safety
///
/// `network` and `filter` are NULL or live; `out_ids` is NULL or a live array
/// no other thread uses; `out_error` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_lookup(
    network: *const ch_network,
    lon: f64,
    lat: f64,
    filter: *const ch_filter,
    out_ids: *mut ch_id_array,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let ids = ids_out(out_ids, "out_ids")?;
            let finder = arg_ref(network, "network")?.0.finder();
            let mut found = std::mem::take(&mut ids.scratch);
            let result = finder.lookup_into(lon, lat, filter_or_default(filter), &mut found);
            for entry in found.iter().filter_map(|&i| finder.entry(i)) {
                ids.push(&entry.id, 0.0);
            }
            ids.scratch = found;
            Ok(result?)
        })
    }
}

/// The `k` nearest chapters to a point, nearest first, with the geodesic
/// distance in metres to each territory (0 when it covers the point): for
/// "no group here yet — the nearest is 12 km away".
///
/// @param network The network.
/// @param lon Longitude in degrees (WGS84).
/// @param lat Latitude in degrees, -90 to 90.
/// @param k How many chapters at most.
/// @param filter The chapters to consider; NULL for the default (active,
///   public).
/// @param out_ids An array from ch_id_array_new(); it is emptied, then filled
///   with the chapter ids; ch_id_array_distance_m() gives each distance.
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_INVALID_VALUE for an invalid point;
///   CH_STATUS_NULL_ARGUMENT.
///
/// # Safety
///
/// As ch_network_lookup().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_nearest(
    network: *const ch_network,
    lon: f64,
    lat: f64,
    k: usize,
    filter: *const ch_filter,
    out_ids: *mut ch_id_array,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let ids = ids_out(out_ids, "out_ids")?;
            let net = arg_ref(network, "network")?;
            for (node, distance_m) in net.0.nearest(lon, lat, k, filter_or_default(filter))? {
                ids.push(node.id.as_str(), distance_m);
            }
            Ok(())
        })
    }
}
