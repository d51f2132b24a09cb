//! Territories: which chapter covers this place, the nearest chapter, bulk
//! assignment and coverage gaps.
//!
//! Invariants: a [`ChapterFinder`] answers exactly what a brute-force scan
//! over every territory would (same boundary rule, tested against one, and
//! against shapely on a million points), its answers are ordered most
//! specific first, and queries take `&self` and do not allocate on the hot
//! path ([`ChapterFinder::lookup_into`], [`ChapterFinder::first`]).
//!
//! The index is a point grid that sends a point straight to the parts that
//! can cover it (answering outright where one territory covers the whole
//! cell), a packed R-tree over polygon parts for nearest and coverage
//! searches, and per part a cell grid and y-sorted edge slabs for exact
//! point-in-polygon tests (not a linear scan over every edge); see the
//! `index` and `pointgrid` module sources for the layers and invariants.
//!
//! # Coverage rule
//!
//! A point is covered by a polygon when it lies on one of its edges, or when
//! a ray from it crosses the polygon's rings (exterior and holes together)
//! an odd number of times (the even-odd rule, as GEOS and shapely locate
//! points). Boundary points are therefore covered by every territory that
//! shares the boundary. The parts of a MultiPolygon cover their union. A
//! service circle covers the points whose geodesic (WGS84) distance to its
//! centre is at most its radius. Coordinates are compared exactly (robust
//! orientation predicates), in the planar lon/lat plane, so an edge is the
//! straight line between its ends on a plate carrée map, as in GeoJSON.
//!
//! ```
//! use chapterhouse::territory::{ChapterFinder, Filter};
//! let fc = serde_json::json!({"type": "FeatureCollection", "features": [
//!     {"type": "Feature", "id": "north", "properties": {"name": "North"},
//!      "geometry": {"type": "Polygon", "coordinates": [[[0,1],[2,1],[2,2],[0,2],[0,1]]]}},
//!     {"type": "Feature", "id": "south", "properties": {"name": "South"},
//!      "geometry": {"type": "Polygon", "coordinates": [[[0,0],[2,0],[2,1],[0,1],[0,0]]]}},
//! ]});
//! let finder = ChapterFinder::from_geojson(&fc)?;
//! let ids = |v: Vec<&chapterhouse::territory::ChapterEntry>| v.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
//! assert_eq!(ids(finder.lookup(1.0, 1.5, &Filter::default())?), ["north"]);
//! // on the shared border: both, the smaller first (equal here, so by id)
//! assert_eq!(ids(finder.lookup(1.0, 1.0, &Filter::default())?), ["north", "south"]);
//! let near = finder.nearest(1.0, 3.0, 1, &Filter::default())?;
//! assert_eq!(near[0].chapter.id, "north");
//! assert!((near[0].distance_m - 110_600.0).abs() < 500.0); // one degree of latitude
//! # Ok::<(), chapterhouse::territory::TerritoryError>(())
//! ```

mod coverage;
mod fastjson;
mod geometry;
mod index;
mod nearest;
mod network;
mod pointgrid;
mod public;
mod rtree;

pub use coverage::{CoverageReport, Gap, MIN_OVERLAP_M2, Overlap};
pub use geometry::{MAX_RADIUS_M, Territory};
pub use index::{ChapterEntry, ChapterFinder, TerritoryWarning};
pub use nearest::Nearest;
pub use public::public_view;

use serde::{Deserialize, Serialize};

use crate::error::ErrorKind;
use crate::network::{ChapterStatus, GroupKind, Visibility};

/// An error in a territory, a public view or a query point.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TerritoryError {
    /// A territory's geometry is not valid.
    #[error("invalid territory{}{}: {reason}", id_part(id), at_part(at))]
    InvalidGeometry {
        /// The chapter or feature whose territory it is, when known.
        id: Option<String>,
        /// Where in the geometry: `polygon 2, ring 0, position 5`, or empty.
        at: String,
        /// Why, in plain words.
        reason: String,
    },
    /// A public view (GeoJSON FeatureCollection) is malformed.
    #[error("invalid public view at {at}: {reason}")]
    InvalidFeature {
        /// Where: `features[3]`, `feature 06037, property "kind"`.
        at: String,
        /// Why, in plain words.
        reason: String,
    },
    /// A query point is not a valid lon/lat pair.
    #[error(
        "invalid point ({lon}, {lat}): coordinates must be finite and latitude within -90 to 90"
    )]
    InvalidPoint {
        /// The longitude given.
        lon: f64,
        /// The latitude given.
        lat: f64,
    },
    /// Columns of coordinates (or an output buffer) have different lengths.
    #[error("length mismatch: {what}")]
    LengthMismatch {
        /// Which lengths differ, in plain words.
        what: String,
    },
    /// A territory exceeds a configured limit (vertices).
    #[error("territory{}: {source}", id_part(id))]
    Limit {
        /// The chapter or feature whose territory it is, when known.
        id: Option<String>,
        /// The limit exceeded.
        source: crate::LimitError,
    },
}

fn id_part(id: &Option<String>) -> String {
    id.as_ref().map(|i| format!(" of {i}")).unwrap_or_default()
}

fn at_part(at: &str) -> String {
    if at.is_empty() {
        String::new()
    } else {
        format!(" at {at}")
    }
}

impl TerritoryError {
    /// The stable classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            TerritoryError::InvalidGeometry { .. } => ErrorKind::InvalidGeometry,
            TerritoryError::InvalidFeature { .. } => ErrorKind::Parse,
            TerritoryError::InvalidPoint { .. } | TerritoryError::LengthMismatch { .. } => {
                ErrorKind::InvalidValue
            }
            TerritoryError::Limit { .. } => ErrorKind::LimitExceeded,
        }
    }

    /// The same error, naming the chapter or feature whose territory it is.
    pub fn with_id(self, chapter: &str) -> TerritoryError {
        match self {
            TerritoryError::InvalidGeometry { at, reason, .. } => TerritoryError::InvalidGeometry {
                id: Some(chapter.to_owned()),
                at,
                reason,
            },
            TerritoryError::Limit { source, .. } => TerritoryError::Limit {
                id: Some(chapter.to_owned()),
                source,
            },
            other => other,
        }
    }
}

/// Which chapters a query considers. The default is what a public website
/// shows: active, public chapters of any kind and tag.
///
/// An empty list means "any" for `kinds`; `statuses` and `visibilities`
/// are sets to match (an empty set matches nothing); every tag in `tags`
/// must be carried by the chapter.
///
/// ```
/// use chapterhouse::territory::Filter;
/// use chapterhouse::{ChapterStatus, Visibility};
/// let staff = Filter {
///     statuses: vec![ChapterStatus::Active, ChapterStatus::Applied],
///     visibilities: vec![Visibility::Public, Visibility::Unlisted, Visibility::Hidden],
///     ..Filter::default()
/// };
/// assert_eq!(Filter::default().statuses, [ChapterStatus::Active]);
/// # let _ = staff;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Filter {
    /// Statuses to include (default: active only).
    pub statuses: Vec<ChapterStatus>,
    /// Visibilities to include (default: public only, i.e. listed).
    pub visibilities: Vec<Visibility>,
    /// Kinds to include; empty for any (default).
    pub kinds: Vec<GroupKind>,
    /// Tags the chapter must all carry (default: none required).
    pub tags: Vec<String>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            statuses: vec![ChapterStatus::Active],
            visibilities: vec![Visibility::Public],
            kinds: Vec::new(),
            tags: Vec::new(),
        }
    }
}

impl Filter {
    /// A filter that matches every chapter with a territory.
    pub fn all() -> Filter {
        Filter {
            statuses: vec![
                ChapterStatus::Applied,
                ChapterStatus::Active,
                ChapterStatus::Rejected,
                ChapterStatus::Archived,
            ],
            visibilities: vec![Visibility::Public, Visibility::Unlisted, Visibility::Hidden],
            kinds: Vec::new(),
            tags: Vec::new(),
        }
    }

    /// The bit masks of the filter (see [`attr_bits`]).
    pub(crate) fn masks(&self) -> Masks {
        let mut m = Masks {
            status: 0,
            visibility: 0,
            kind: 0,
        };
        for s in &self.statuses {
            m.status |= status_bit(*s);
        }
        for v in &self.visibilities {
            m.visibility |= visibility_bit(*v);
        }
        if self.kinds.is_empty() {
            m.kind = KIND_ALL;
        }
        for k in &self.kinds {
            m.kind |= kind_bit(*k);
        }
        m
    }
}

/// A filter compiled to bit masks over [`attr_bits`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Masks {
    status: u16,
    visibility: u16,
    kind: u16,
}

impl Masks {
    #[inline]
    pub(crate) fn matches(self, attr: u16) -> bool {
        attr & self.status != 0 && attr & self.visibility != 0 && attr & self.kind != 0
    }
}

const KIND_ALL: u16 = 0b111 << 7;

fn status_bit(s: ChapterStatus) -> u16 {
    match s {
        ChapterStatus::Applied => 1,
        ChapterStatus::Active => 1 << 1,
        ChapterStatus::Rejected => 1 << 2,
        ChapterStatus::Archived => 1 << 3,
    }
}

fn visibility_bit(v: Visibility) -> u16 {
    match v {
        Visibility::Public => 1 << 4,
        Visibility::Unlisted => 1 << 5,
        Visibility::Hidden => 1 << 6,
    }
}

fn kind_bit(k: GroupKind) -> u16 {
    match k {
        GroupKind::Local => 1 << 7,
        GroupKind::Issue => 1 << 8,
        GroupKind::Campaign => 1 << 9,
    }
}

/// One bit each for the status, the visibility and the kind of a chapter.
pub(crate) fn attr_bits(s: ChapterStatus, v: Visibility, k: GroupKind) -> u16 {
    status_bit(s) | visibility_bit(v) | kind_bit(k)
}
