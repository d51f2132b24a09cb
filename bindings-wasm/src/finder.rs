//! `ChapterFinder`: which chapter covers a place, and the nearest ones, over
//! a public view (GeoJSON) or a network. The single lookup takes two numbers
//! and returns one, allocating nothing.

use chapterhouse::ErrorKind;
use chapterhouse::territory::{self, Filter, TerritoryError};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::convert::{
    self, FilterArg, index_in, index_out, json_text, opt_from_js, opt_to_js, optional, to_js,
};
use crate::error::JsFailure;
#[cfg(feature = "network")]
use crate::network::Network;

#[allow(dead_code)] // the macro below copies its text, so rustc sees no use
const TS_FINDER_TEXT: &str = r#"
/** Local, issue or campaign group. */
export type GroupKind = "local" | "issue" | "campaign";
/** A chapter's lifecycle status. */
export type ChapterStatus = "applied" | "active" | "rejected" | "archived";
/** Whether a chapter is listed. */
export type Visibility = "public" | "unlisted" | "hidden";

/**
 * Which chapters a query considers. Left out: active, public chapters of any
 * kind (what a public website shows). `kinds: []` means any kind; every tag
 * in `tags` must be carried.
 */
export interface Filter {
  statuses?: ChapterStatus[];
  visibilities?: Visibility[];
  kinds?: GroupKind[];
  tags?: string[];
}

/** One chapter of a finder, with the public fields an answer shows. */
export interface ChapterEntry {
  id: string;
  name: string;
  slug?: string;
  kind: GroupKind;
  status: ChapterStatus;
  visibility: Visibility;
  tags: string[];
  /** The name of the region the chapter sits in. */
  region?: string;
  /** Depth in the hierarchy (0 when unknown). */
  depth: number;
  /** Territory area in square metres. */
  area_m2: number;
}

/** A chapter and its geodesic distance from the query point. */
export interface NearestChapter {
  chapter: ChapterEntry;
  /** Metres to the territory's edge (0 when the point is inside). */
  distance_m: number;
}

/** A warning about one territory (self-intersection, degenerate ring). */
export interface TerritoryWarning {
  id: string;
  message: string;
}

/** A GeoJSON FeatureCollection, such as a network's public view. */
export interface FeatureCollection {
  type: "FeatureCollection";
  features: Array<{
    type: "Feature";
    id: string | number;
    geometry: { type: string; coordinates: unknown; radius_m?: number } | null;
    properties?: Record<string, unknown> | null;
  }>;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_FINDER: &str = TS_FINDER_TEXT;

/// The territory index of a public view or a network.
///
/// Chapters are numbered by specificity: index 0 is the smallest territory.
/// `lookup` returns such an index (or -1); `entry(index)` gives the chapter.
#[wasm_bindgen]
pub struct ChapterFinder {
    finder: territory::ChapterFinder,
    filter: Filter,
}

#[wasm_bindgen]
impl ChapterFinder {
    /// Indexes a GeoJSON FeatureCollection: a network's public view (what a
    /// website ships), or any collection of areas. `view` is the object or
    /// its JSON text. `filter` chooses which chapters every query of this
    /// finder considers (default: active, public).
    ///
    /// Throws `parse` for malformed JSON or a feature that is not one (the
    /// message names the feature), `invalid_geometry` for a bad territory.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "FeatureCollection | string")] view: JsValue,
        filter: Option<FilterArg>,
    ) -> Result<ChapterFinder, JsValue> {
        let text = json_text(&view, "public view")?;
        Ok(ChapterFinder::from_text(&text, filter_of(filter)?).map_err(JsFailure::from)?)
    }

    /// The number of chapters indexed (those with a territory).
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.finder.len()
    }

    /// The index of the most specific chapter covering the point (smallest
    /// territory, then deepest, then id), or -1 when none does. Boundary
    /// points are covered. Takes numbers, returns a number, allocates
    /// nothing: call it per mouse move.
    ///
    /// Throws `invalid_value` when the point is not a place (NaN, infinite,
    /// latitude beyond ±90).
    pub fn lookup(&self, lon: f64, lat: f64) -> Result<i32, JsValue> {
        Ok(index_out(
            self.finder
                .try_first(lon, lat, &self.filter)
                .map_err(JsFailure::from)?,
        ))
    }

    /// The indexes of every chapter covering the point, most specific first.
    #[wasm_bindgen(js_name = lookupAll)]
    pub fn lookup_all(&self, lon: f64, lat: f64) -> Result<Vec<u32>, JsValue> {
        let mut out = Vec::new();
        self.finder
            .lookup_into(lon, lat, &self.filter, &mut out)
            .map_err(JsFailure::from)?;
        Ok(out)
    }

    /// The most specific chapter covering the point, or `undefined`.
    #[wasm_bindgen(js_name = chapterAt, unchecked_return_type = "ChapterEntry | undefined")]
    pub fn chapter_at(&self, lon: f64, lat: f64) -> Result<JsValue, JsValue> {
        let ix = self
            .finder
            .try_first(lon, lat, &self.filter)
            .map_err(JsFailure::from)?;
        Ok(opt_to_js(ix.and_then(|i| self.finder.entry(i)))?)
    }

    /// Batch lookup: `coords` holds `[lon0, lat0, lon1, lat1, …]`; returns
    /// one index per point (-1 where no chapter covers it or the point is
    /// not a place). Points are visited in a cache-friendly order; answers
    /// come back in input order.
    ///
    /// Throws `invalid_value` when `coords` has an odd length.
    #[wasm_bindgen(js_name = lookupMany)]
    pub fn lookup_many(&self, coords: &[f64]) -> Result<Vec<i32>, JsValue> {
        let pts = convert::points(coords)?;
        Ok(self
            .finder
            .assign(pts, &self.filter)
            .into_iter()
            .map(index_out)
            .collect())
    }

    /// The `k` nearest chapters, nearest first, with the geodesic distance
    /// in metres to each territory (0 when the point is inside): for "no
    /// group here yet — the nearest is 12 km away".
    ///
    /// Throws `invalid_value` for a point that is not a place.
    #[wasm_bindgen(unchecked_return_type = "NearestChapter[]")]
    pub fn nearest(&self, lon: f64, lat: f64, k: usize) -> Result<JsValue, JsValue> {
        let near = self
            .finder
            .nearest(lon, lat, k, &self.filter)
            .map_err(JsFailure::from)?;
        Ok(to_js(&near)?)
    }

    /// The chapter at an index from `lookup`, `lookupAll` or `lookupMany`.
    ///
    /// Throws `not_found` for an index out of range (such as -1).
    #[wasm_bindgen(unchecked_return_type = "ChapterEntry")]
    pub fn entry(&self, index: f64) -> Result<JsValue, JsValue> {
        let entry = index_in(index)
            .and_then(|i| self.finder.entry(i))
            .ok_or_else(|| {
                JsFailure::argument(
                    ErrorKind::NotFound,
                    format!(
                        "no chapter at index {index} (the finder has {})",
                        self.finder.len()
                    ),
                )
            })?;
        Ok(to_js(entry)?)
    }

    /// The index of the chapter with this id, or -1.
    #[wasm_bindgen(js_name = indexOf)]
    pub fn index_of(&self, id: &str) -> i32 {
        index_out(self.finder.position(id))
    }

    /// Every chapter, by index (most specific first).
    #[wasm_bindgen(unchecked_return_type = "ChapterEntry[]")]
    pub fn entries(&self) -> Result<JsValue, JsValue> {
        Ok(to_js(self.finder.entries())?)
    }

    /// Builds every layer of the index now. A new finder indexes only the
    /// territories' boxes; each cell of its point grid, and each
    /// territory's own grid and edge slabs, is built by the first lookup
    /// that reaches it, which makes the first lookups in a region a little
    /// slower. A server that wants every lookup to take the same time calls
    /// this once after loading. Answers are the same either way.
    #[wasm_bindgen(js_name = buildAll)]
    pub fn build_all(&self) {
        self.finder.build_all();
    }

    /// Warnings about the territories (self-intersections, degenerate rings).
    #[wasm_bindgen(unchecked_return_type = "TerritoryWarning[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        Ok(to_js(self.finder.warnings())?)
    }
}

#[cfg(feature = "network")]
#[wasm_bindgen]
impl ChapterFinder {
    /// Indexes the chapters of a network that have a territory.
    #[wasm_bindgen(js_name = fromNetwork)]
    pub fn from_network(
        network: &Network,
        filter: Option<FilterArg>,
    ) -> Result<ChapterFinder, JsValue> {
        Ok(ChapterFinder {
            finder: territory::ChapterFinder::from_network(network.core()),
            filter: filter_of(filter)?,
        })
    }
}

impl ChapterFinder {
    /// Indexes a public view given as JSON text (what the constructor does
    /// with a string).
    pub fn from_text(text: &str, filter: Filter) -> Result<ChapterFinder, TerritoryError> {
        Ok(ChapterFinder {
            finder: territory::ChapterFinder::from_geojson_str(text)?,
            filter,
        })
    }

    /// The core finder.
    pub fn core(&self) -> &territory::ChapterFinder {
        &self.finder
    }

    /// The filter every query uses.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }
}

/// The filter argument: left out means the default (active, public).
fn filter_of(v: Option<FilterArg>) -> Result<Filter, JsFailure> {
    Ok(opt_from_js(&optional(v), "filter")?.unwrap_or_default())
}
