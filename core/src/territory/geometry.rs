//! Territory geometry: parsing and validating GeoJSON, the antimeridian
//! rule, self-intersection warnings and spherical areas.
//!
//! Invariants of a parsed [`Shape`]: every coordinate is finite, latitudes
//! are within ±90°, every ring is closed (last position equals the first),
//! has no consecutive duplicate positions and is continuous in longitude (no
//! edge spans more than 180°), and each ring spans at most 360° of longitude.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::TerritoryError;
use super::fastjson::{Coords, FastGeometry};

/// Mean Earth radius (IUGG R1) in metres, for spherical computations.
pub(crate) const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The largest service radius accepted, in metres.
pub const MAX_RADIUS_M: f64 = 2_000_000.0;

/// A closed ring: `ring[0] == ring[len - 1]`.
pub(crate) type Ring = Vec<[f64; 2]>;

/// One polygon: the exterior ring, then its holes.
pub(crate) type Polygon = Vec<Ring>;

/// A parsed, validated territory shape.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// One or more polygons (a GeoJSON Polygon is a list of one).
    Polygons(Vec<Polygon>),
    /// A service circle.
    Circle {
        /// Centre longitude in [-180, 180].
        lon: f64,
        /// Centre latitude.
        lat: f64,
        /// Radius in metres.
        radius_m: f64,
    },
}

#[derive(Debug)]
struct Parsed {
    shape: Shape,
    warnings: Vec<String>,
    area_m2: f64,
}

/// A chapter's territory: a GeoJSON `Polygon` or `MultiPolygon` (holes
/// allowed), or a `Point` with a service radius in metres (a `"radius_m"`
/// member next to `"coordinates"`). Coordinates are WGS84 `[lon, lat]`.
///
/// The geometry is kept exactly as given and serializes back to it.
///
/// Validation (errors name the polygon, ring and position): every ring has
/// at least 4 positions and is closed; coordinates are finite numbers with
/// latitude in [-90, 90] and longitude in [-360, 360]; a service radius is
/// positive, at most [`MAX_RADIUS_M`], and the circle does not reach a pole.
///
/// Accepted with a warning ([`Territory::warnings`]): rings that cross or
/// touch themselves, rings of one polygon that cross each other, and rings
/// with fewer than 3 distinct positions (they cover only their own edges).
///
/// Antimeridian: a shape may cross it as separate parts on either side (as
/// the US Census and us-atlas do), with longitudes beyond ±180 (`[170, 50]`
/// … `[190, 50]`), or with an edge whose ends are more than 180° apart in
/// longitude, which is taken to cross the antimeridian the short way
/// (an edge from exactly -180 to 180 is not: it runs along the parallel).
///
/// ```
/// use chapterhouse::territory::Territory;
/// let t = Territory::from_geojson(serde_json::json!({
///     "type": "Polygon",
///     "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]]
/// }))?;
/// assert!(t.warnings().is_empty());
/// assert!((t.area_m2() / 1e9 - 12.36).abs() < 0.1); // about 12,360 km²
///
/// let bad = Territory::from_geojson(serde_json::json!({
///     "type": "Polygon",
///     "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]]
/// }));
/// assert!(bad.unwrap_err().to_string().contains("ring 0 is not closed"));
/// # Ok::<(), chapterhouse::territory::TerritoryError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Territory {
    // One pointer: chapters stay small and clones are cheap.
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    geometry: Value,
    shape: Arc<Shape>,
    warnings: Vec<String>,
    area_m2: f64,
}

impl PartialEq for Territory {
    /// Territories are equal when their GeoJSON is equal.
    fn eq(&self, other: &Self) -> bool {
        self.inner.geometry == other.inner.geometry
    }
}

impl Territory {
    /// Validates a GeoJSON geometry object as a territory, with the default
    /// [`Limits`](crate::Limits).
    pub fn from_geojson(geometry: Value) -> Result<Territory, TerritoryError> {
        Territory::from_geojson_with(geometry, &crate::Limits::default())
    }

    /// [`Territory::from_geojson`] with explicit limits: a geometry with more
    /// than `max_vertices_per_territory` positions is refused before any
    /// ring is built.
    pub fn from_geojson_with(
        geometry: Value,
        limits: &crate::Limits,
    ) -> Result<Territory, TerritoryError> {
        let vertices = vertex_count(&geometry);
        crate::Limits::check(
            "territory vertices",
            vertices,
            limits.max_vertices_per_territory,
            "max_vertices_per_territory",
        )
        .map_err(|source| TerritoryError::Limit { id: None, source })?;
        let parsed = parse(&geometry)?;
        Ok(Territory {
            inner: Arc::new(Inner {
                geometry,
                shape: Arc::new(parsed.shape),
                warnings: parsed.warnings,
                area_m2: parsed.area_m2,
            }),
        })
    }

    /// A service circle of `radius_m` metres around `(lon, lat)`.
    pub fn circle(lon: f64, lat: f64, radius_m: f64) -> Result<Territory, TerritoryError> {
        let num = |v: f64, what: &str| {
            serde_json::Number::from_f64(v)
                .map(Value::Number)
                .ok_or_else(|| invalid("", format!("{what} {v} is not a finite number")))
        };
        let geometry = serde_json::json!({
            "type": "Point",
            "coordinates": [num(lon, "longitude")?, num(lat, "latitude")?],
            "radius_m": num(radius_m, "radius_m")?,
        });
        Territory::from_geojson(geometry)
    }

    /// The geometry as given, as a GeoJSON object.
    pub fn to_geojson(&self) -> &Value {
        &self.inner.geometry
    }

    /// Problems that did not prevent use (self-intersections, degenerate
    /// rings), in plain words naming the polygon and ring.
    pub fn warnings(&self) -> &[String] {
        &self.inner.warnings
    }

    /// The area in square metres on a sphere of the mean Earth radius
    /// (within about 0.5% of the ellipsoidal area): exterior rings minus
    /// holes for polygons, the spherical cap for a service circle.
    pub fn area_m2(&self) -> f64 {
        self.inner.area_m2
    }

    /// True for a service circle (a `Point` with `radius_m`).
    pub fn is_circle(&self) -> bool {
        matches!(*self.inner.shape, Shape::Circle { .. })
    }

    #[cfg(test)]
    pub(crate) fn shape(&self) -> &Shape {
        &self.inner.shape
    }
}

impl Serialize for Territory {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.inner.geometry.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Territory {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Territory::from_geojson(v).map_err(serde::de::Error::custom)
    }
}

/// What a finder keeps of a territory: its shape, warnings and area.
#[derive(Debug)]
pub(crate) struct ShapeInfo {
    pub(crate) shape: Arc<Shape>,
    pub(crate) warnings: Warnings,
    pub(crate) area_m2: f64,
}

/// A territory's warnings: known, or to be found from its shape when
/// someone asks (the self-intersection sweep is the costliest part of
/// validation, and a web page never reads the warnings).
#[derive(Debug, Clone)]
pub(crate) enum Warnings {
    /// These.
    Known(Vec<String>),
    /// Those of [`polygon_warnings`]; `multi` for a MultiPolygon.
    Later {
        /// Whether the shape was a MultiPolygon (its warnings name the polygon).
        multi: bool,
    },
}

/// The warnings that validating a polygon shape gives, in the same words
/// and order, found from the validated shape: per polygon, its rings with
/// fewer than 3 distinct positions, then its first self-intersection.
pub(crate) fn polygon_warnings(shape: &Shape, multi: bool) -> Vec<String> {
    let mut out = Vec::new();
    let Shape::Polygons(polys) = shape else {
        return out;
    };
    for (i, poly) in polys.iter().enumerate() {
        let prefix = if multi {
            format!("polygon {i}, ")
        } else {
            String::new()
        };
        for (ri, ring) in poly.iter().enumerate() {
            if ring.len() < 4 {
                out.push(degenerate(&prefix, ri));
            }
        }
        if let Some(w) = first_intersection(poly) {
            out.push(format!("{prefix}{w}"));
        }
    }
    out
}

fn degenerate(prefix: &str, ri: usize) -> String {
    format!("{prefix}ring {ri} has fewer than 3 distinct positions and covers only its edges")
}

impl Territory {
    pub(crate) fn info(&self) -> ShapeInfo {
        ShapeInfo {
            shape: Arc::clone(&self.inner.shape),
            warnings: Warnings::Known(self.inner.warnings.clone()),
            area_m2: self.inner.area_m2,
        }
    }
}

impl From<Parsed> for ShapeInfo {
    fn from(p: Parsed) -> ShapeInfo {
        ShapeInfo {
            shape: Arc::new(p.shape),
            warnings: Warnings::Known(p.warnings),
            area_m2: p.area_m2,
        }
    }
}

/// [`Territory::from_geojson_with`] without keeping the JSON: what a
/// finder built from a public view needs.
pub(crate) fn shape_info(
    geometry: &Value,
    limits: &crate::Limits,
) -> Result<ShapeInfo, TerritoryError> {
    crate::Limits::check(
        "territory vertices",
        vertex_count(geometry),
        limits.max_vertices_per_territory,
        "max_vertices_per_territory",
    )
    .map_err(|source| TerritoryError::Limit { id: None, source })?;
    parse(geometry).map(ShapeInfo::from)
}

/// [`shape_info`] for a geometry from the fast reader, or `None` when it is
/// not accepted as it stands (the general reader then names the problem).
pub(crate) fn shape_info_fast(g: FastGeometry, limits: &crate::Limits) -> Option<ShapeInfo> {
    let count = match &g.coordinates {
        Some(Coords::Poly(rings)) => rings.iter().map(Vec::len).sum(),
        Some(Coords::Multi(polys)) => polys.iter().flatten().map(Vec::len).sum(),
        _ => 0,
    };
    if count > limits.max_vertices_per_territory {
        return None;
    }
    // Polygons are checked as the general reader checks them, but their
    // warnings are found when asked for (see [`Warnings::Later`]).
    let polygons = |polys: Vec<Polygon>, multi: bool| {
        let area_m2 = polys.iter().map(polygon_area).sum();
        ShapeInfo {
            shape: Arc::new(Shape::Polygons(polys)),
            warnings: Warnings::Later { multi },
            area_m2,
        }
    };
    let parsed = match (g.ty.as_deref(), g.coordinates) {
        (Some("Polygon"), Some(Coords::Poly(rings))) => {
            let poly = polygon_from_rings(rings, "").ok()?;
            return Some(polygons(vec![poly], false));
        }
        (Some("MultiPolygon"), Some(Coords::Multi(list))) => {
            let mut polys = Vec::with_capacity(list.len());
            for (i, rings) in list.into_iter().enumerate() {
                polys.push(polygon_from_rings(rings, &format!("polygon {i}, ")).ok()?);
            }
            return Some(polygons(polys, true));
        }
        (Some("Point"), Some(Coords::Pos(p))) => {
            let [lon, lat] = check_position(p, &String::new).ok()?;
            circle_shape(normalize_lon(lon), lat, g.radius_m?).ok()?
        }
        _ => return None,
    };
    Some(parsed.into())
}

fn invalid(at: &str, reason: String) -> TerritoryError {
    TerritoryError::InvalidGeometry {
        id: None,
        at: at.to_owned(),
        reason,
    }
}

/// Positions in a Polygon or MultiPolygon's coordinates (0 for anything else),
/// counted without building anything.
fn vertex_count(g: &Value) -> usize {
    let rings = |poly: &Value| -> usize {
        poly.as_array().map_or(0, |rs| {
            rs.iter().map(|r| r.as_array().map_or(0, Vec::len)).sum()
        })
    };
    let coords = g.get("coordinates");
    match g.get("type").and_then(Value::as_str) {
        Some("Polygon") => coords.map_or(0, rings),
        Some("MultiPolygon") => coords
            .and_then(Value::as_array)
            .map_or(0, |ps| ps.iter().map(rings).sum()),
        _ => 0,
    }
}

fn parse(g: &Value) -> Result<Parsed, TerritoryError> {
    let Some(obj) = g.as_object() else {
        return Err(invalid("", "expected a GeoJSON geometry object".into()));
    };
    let ty = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = obj.get("coordinates");
    let mut warnings = Vec::new();
    match ty {
        "Polygon" => {
            let poly = parse_polygon(coords, "", &mut warnings)?;
            let area = polygon_area(&poly);
            Ok(Parsed {
                shape: Shape::Polygons(vec![poly]),
                warnings,
                area_m2: area,
            })
        }
        "MultiPolygon" => {
            let Some(list) = coords.and_then(Value::as_array) else {
                return Err(invalid(
                    "",
                    "\"coordinates\" must be an array of polygons".into(),
                ));
            };
            if list.is_empty() {
                return Err(invalid(
                    "",
                    "a multipolygon needs at least one polygon".into(),
                ));
            }
            let mut polys = Vec::with_capacity(list.len());
            for (i, p) in list.iter().enumerate() {
                polys.push(parse_polygon(
                    Some(p),
                    &format!("polygon {i}, "),
                    &mut warnings,
                )?);
            }
            let area = polys.iter().map(polygon_area).sum();
            Ok(Parsed {
                shape: Shape::Polygons(polys),
                warnings,
                area_m2: area,
            })
        }
        "Point" => parse_circle(obj, coords),
        "" => Err(invalid(
            "",
            "the \"type\" member is missing: expected Polygon, MultiPolygon or Point".into(),
        )),
        other => Err(invalid(
            "",
            format!("unsupported type {other:?}: expected Polygon, MultiPolygon or Point"),
        )),
    }
}

fn parse_position(v: &Value, at: &dyn Fn() -> String) -> Result<[f64; 2], TerritoryError> {
    let Some(arr) = v.as_array() else {
        return Err(invalid(
            &at(),
            "a position must be an array [lon, lat]".into(),
        ));
    };
    let (Some(x), Some(y)) = (
        arr.first().and_then(Value::as_f64),
        arr.get(1).and_then(Value::as_f64),
    ) else {
        return Err(invalid(
            &at(),
            "a position must start with two numbers [lon, lat]".into(),
        ));
    };
    check_position([x, y], at)
}

/// Checks one position's numbers (finite, latitude within ±90, longitude
/// within ±360); `at` names it in the error.
pub(crate) fn check_position(
    [x, y]: [f64; 2],
    at: &dyn Fn() -> String,
) -> Result<[f64; 2], TerritoryError> {
    if !x.is_finite() || !y.is_finite() {
        return Err(invalid(
            &at(),
            format!("coordinate ({x}, {y}) is not finite"),
        ));
    }
    if !(-90.0..=90.0).contains(&y) {
        return Err(invalid(
            &at(),
            format!("latitude {y} is out of range (-90 to 90)"),
        ));
    }
    if !(-360.0..=360.0).contains(&x) {
        return Err(invalid(
            &at(),
            format!("longitude {x} is out of range (-360 to 360)"),
        ));
    }
    Ok([x, y])
}

fn parse_circle(
    obj: &serde_json::Map<String, Value>,
    coords: Option<&Value>,
) -> Result<Parsed, TerritoryError> {
    let Some(c) = coords else {
        return Err(invalid("", "a point needs \"coordinates\"".into()));
    };
    let [lon, lat] = parse_position(c, &|| "coordinates".to_owned())?;
    let lon = normalize_lon(lon);
    let Some(r) = obj.get("radius_m") else {
        return Err(invalid(
            "",
            "a point territory needs a \"radius_m\" member (the service radius in metres)".into(),
        ));
    };
    let Some(r) = r.as_f64().filter(|r| r.is_finite()) else {
        return Err(invalid("radius_m", "must be a number of metres".into()));
    };
    circle_shape(lon, lat, r)
}

/// A service circle of `r` metres around a checked position.
fn circle_shape(lon: f64, lat: f64, r: f64) -> Result<Parsed, TerritoryError> {
    if !r.is_finite() {
        return Err(invalid("radius_m", "must be a number of metres".into()));
    }
    if r <= 0.0 || r > MAX_RADIUS_M {
        return Err(invalid(
            "radius_m",
            format!("{r} is out of range (more than 0, at most {MAX_RADIUS_M} metres)"),
        ));
    }
    // Keep a margin of 1% for the ellipsoid: the circle must not reach a pole.
    let reach = (r * 1.01 / EARTH_RADIUS_M).to_degrees();
    if lat.abs() + reach >= 90.0 {
        return Err(invalid(
            "radius_m",
            format!("the service circle of {r} metres around latitude {lat} reaches a pole"),
        ));
    }
    let cap = 2.0
        * std::f64::consts::PI
        * EARTH_RADIUS_M
        * EARTH_RADIUS_M
        * (1.0 - (r / EARTH_RADIUS_M).cos());
    Ok(Parsed {
        shape: Shape::Circle {
            lon,
            lat,
            radius_m: r,
        },
        warnings: Vec::new(),
        area_m2: cap,
    })
}

fn parse_polygon(
    v: Option<&Value>,
    prefix: &str,
    warnings: &mut Vec<String>,
) -> Result<Polygon, TerritoryError> {
    let Some(rings) = v.and_then(Value::as_array) else {
        return Err(invalid(
            prefix.trim_end_matches(", "),
            "a polygon must be an array of rings".into(),
        ));
    };
    if rings.is_empty() {
        return Err(no_exterior(prefix));
    }
    let mut out: Polygon = Vec::with_capacity(rings.len());
    for (ri, rv) in rings.iter().enumerate() {
        let Some(positions) = rv.as_array() else {
            return Err(invalid(
                &format!("{prefix}ring {ri}"),
                "a ring must be an array of positions".into(),
            ));
        };
        let mut ring: Ring = Vec::with_capacity(positions.len());
        for (pi, pv) in positions.iter().enumerate() {
            ring.push(parse_position(pv, &|| {
                format!("{prefix}ring {ri}, position {pi}")
            })?);
        }
        finish_ring(ring, ri, prefix, warnings, &mut out)?;
    }
    Ok(finish_polygon(out, prefix, warnings))
}

/// A polygon from rings of positions already read (the fast reader's
/// path): the same checks, in the same order, as [`parse_polygon`], and
/// the same polygon; its warnings are left to [`polygon_warnings`].
pub(crate) fn polygon_from_rings(
    rings: Vec<Ring>,
    prefix: &str,
) -> Result<Polygon, TerritoryError> {
    if rings.is_empty() {
        return Err(no_exterior(prefix));
    }
    let mut unused = Vec::new();
    let mut out: Polygon = Vec::with_capacity(rings.len());
    for (ri, ring) in rings.into_iter().enumerate() {
        for (pi, p) in ring.iter().enumerate() {
            check_position(*p, &|| format!("{prefix}ring {ri}, position {pi}"))?;
        }
        finish_ring(ring, ri, prefix, &mut unused, &mut out)?;
    }
    align_holes(&mut out);
    Ok(out)
}

fn no_exterior(prefix: &str) -> TerritoryError {
    invalid(
        prefix.trim_end_matches(", "),
        "a polygon needs at least its exterior ring".into(),
    )
}

/// Orders the holes after the exterior and notes the first
/// self-intersection as a warning.
fn finish_polygon(mut out: Polygon, prefix: &str, warnings: &mut Vec<String>) -> Polygon {
    align_holes(&mut out);
    if let Some(w) = first_intersection(&out) {
        warnings.push(format!("{prefix}{w}"));
    }
    out
}

/// Checks that ring `ri` is closed and long enough, drops repeated
/// positions, unwraps it across the antimeridian and appends it to `out`.
fn finish_ring(
    mut ring: Ring,
    ri: usize,
    prefix: &str,
    warnings: &mut Vec<String>,
    out: &mut Polygon,
) -> Result<(), TerritoryError> {
    {
        if ring.len() < 4 {
            return Err(invalid(
                &format!("{prefix}ring {ri}"),
                format!(
                    "has {} positions; a ring needs at least 4 (the last repeating the first)",
                    ring.len()
                ),
            ));
        }
        if ring.first() != ring.last() {
            let (f, l) = (ring.first().copied(), ring.last().copied());
            let [fx, fy] = f.unwrap_or_default();
            let [lx, ly] = l.unwrap_or_default();
            return Err(invalid(
                &format!("{prefix}ring {ri}"),
                format!(
                    "ring {ri} is not closed: the last position ({lx}, {ly}) differs from the first ({fx}, {fy})"
                ),
            ));
        }
        ring.dedup();
        unwrap_ring(&mut ring).map_err(|reason| invalid(&format!("{prefix}ring {ri}"), reason))?;
        if ring.len() < 4 {
            warnings.push(degenerate(prefix, ri));
        }
        out.push(ring);
    }
    Ok(())
}

/// Wraps a longitude into [-180, 180] (values inside are returned unchanged).
pub(crate) fn normalize_lon(lon: f64) -> f64 {
    if (-180.0..=180.0).contains(&lon) {
        lon
    } else {
        (lon + 180.0).rem_euclid(360.0) - 180.0
    }
}

/// Makes a ring continuous in longitude: an edge whose ends are more than
/// 180° (and less than 360°) apart crosses the antimeridian, so the rest of
/// the ring is shifted by 360°. The ring must come back to its start.
fn unwrap_ring(ring: &mut Ring) -> Result<(), String> {
    let mut offset = 0.0;
    let mut prev: Option<f64> = None;
    let mut changed = false;
    for p in ring.iter_mut() {
        let raw = p[0];
        if let Some(pr) = prev {
            let d = raw - pr;
            if d > 180.0 && d < 360.0 {
                offset -= 360.0;
                changed = true;
            } else if d < -180.0 && d > -360.0 {
                offset += 360.0;
                changed = true;
            }
        }
        prev = Some(raw);
        p[0] = raw + offset;
    }
    if changed && offset != 0.0 {
        return Err(
            "the ring goes around a pole; split it at the antimeridian or add the pole's edges"
                .into(),
        );
    }
    let (lo, hi) = ring
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p[0]), hi.max(p[0]))
        });
    if hi - lo > 360.0 {
        return Err(format!(
            "the ring spans {} degrees of longitude; at most 360 are allowed",
            hi - lo
        ));
    }
    Ok(())
}

/// Shifts holes by a multiple of 360° so they sit in the exterior's frame.
fn align_holes(poly: &mut Polygon) {
    let Some((ext, holes)) = poly.split_first_mut() else {
        return;
    };
    let (lo, hi) = lon_range(ext);
    let mid = (lo + hi) / 2.0;
    for h in holes {
        let (hlo, hhi) = lon_range(h);
        let k = ((mid - (hlo + hhi) / 2.0) / 360.0).round();
        if k != 0.0 {
            for p in h.iter_mut() {
                p[0] += k * 360.0;
            }
        }
    }
}

pub(crate) fn lon_range(ring: &[[f64; 2]]) -> (f64, f64) {
    ring.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p[0]), hi.max(p[0]))
        })
}

/// Spherical area of a polygon (exterior minus holes), in m².
fn polygon_area(poly: &Polygon) -> f64 {
    let mut it = poly.iter();
    let ext = it.next().map(|r| ring_area(r).abs()).unwrap_or(0.0);
    let holes: f64 = it.map(|r| ring_area(r).abs()).sum();
    (ext - holes).max(0.0)
}

/// Signed spherical area of a closed ring (Chamberlain & Duquette 2007).
pub(crate) fn ring_area(ring: &[[f64; 2]]) -> f64 {
    let mut sum = 0.0;
    let mut it = ring.iter();
    let Some(first) = it.next() else {
        return 0.0;
    };
    // One sine per vertex (each is the end of one edge and the start of
    // the next), the same terms summed in the same order.
    let (mut ax, mut sa) = (first[0], first[1].to_radians().sin());
    for b in it {
        let sb = b[1].to_radians().sin();
        sum += (b[0] - ax).to_radians() * (2.0 + sa + sb);
        (ax, sa) = (b[0], sb);
    }
    sum * EARTH_RADIUS_M * EARTH_RADIUS_M / 2.0
}

// ---- self-intersection check ------------------------------------------

/// The most pairs of edges compared before the check gives up (so a
/// pathological shape cannot take quadratic time).
const MAX_PAIR_TESTS: u64 = 20_000_000;

#[derive(Clone, Copy)]
struct SegRef {
    ring: usize,
    /// Index of the first vertex in the ring.
    i: usize,
    a: [f64; 2],
    b: [f64; 2],
}

/// Finds one place where the polygon's rings cross or touch themselves or
/// cross each other, as a plain-words warning. Sweep over edges sorted by
/// their lowest latitude (ties in ring order), each compared with the
/// earlier edges whose latitude range still reaches it, in sweep order;
/// the first pair found is the warning.
fn first_intersection(poly: &Polygon) -> Option<String> {
    /// An edge's box and its index in `segs`, for the sweep.
    #[derive(Clone, Copy)]
    struct Span {
        y0: f64,
        y1: f64,
        x0: f64,
        x1: f64,
        ix: u32,
    }
    let n: usize = poly
        .iter()
        .filter(|r| r.len() >= 4)
        .map(|r| r.len() - 1)
        .sum();
    let mut segs: Vec<SegRef> = Vec::with_capacity(n);
    let mut spans: Vec<(i64, Span)> = Vec::with_capacity(n);
    for (ri, ring) in poly.iter().enumerate() {
        if ring.len() < 4 {
            continue; // already warned about
        }
        for (i, w) in ring.windows(2).enumerate() {
            if let [a, b] = w {
                let ix = u32::try_from(segs.len()).ok()?;
                let (y0, y1) = minmax(a[1], b[1]);
                let (x0, x1) = minmax(a[0], b[0]);
                spans.push((total_key(y0), Span { y0, y1, x0, x1, ix }));
                segs.push(SegRef {
                    ring: ri,
                    i,
                    a: *a,
                    b: *b,
                });
            }
        }
    }
    let ring_len = |r: usize| poly.get(r).map_or(0, |x| x.len().saturating_sub(1));
    // The order of a stable sort by lowest latitude (`f64::total_cmp`).
    spans.sort_unstable_by_key(|(k, s)| (*k, s.ix));
    let mut active: Vec<Span> = Vec::new();
    let mut tests: u64 = 0;
    for (_, s) in &spans {
        tests += active.len() as u64;
        // Drops the edges that end below this one while comparing the
        // others (one pass, the order kept).
        let mut kept = 0;
        for r in 0..active.len() {
            let Some(t) = active.get(r).copied() else {
                break;
            };
            if t.y1 < s.y0 {
                continue;
            }
            if let Some(slot) = active.get_mut(kept) {
                *slot = t;
            }
            kept += 1;
            tests += 1;
            if tests > MAX_PAIR_TESTS {
                return Some(
                    "is too complex to check for self-intersections completely".to_owned(),
                );
            }
            if t.x1 < s.x0 || t.x0 > s.x1 {
                continue;
            }
            if let (Some(sr), Some(tr)) = (segs.get(s.ix as usize), segs.get(t.ix as usize))
                && let Some(msg) = pair_problem(sr, tr, ring_len)
            {
                return Some(msg);
            }
        }
        active.truncate(kept);
        active.push(*s);
    }
    None
}

/// A key that orders as [`f64::total_cmp`] does.
fn total_key(v: f64) -> i64 {
    let b = v.to_bits() as i64;
    b ^ ((((b >> 63) as u64) >> 1) as i64)
}

fn pair_problem(s: &SegRef, t: &SegRef, ring_len: impl Fn(usize) -> usize) -> Option<String> {
    let near = |p: [f64; 2]| format!("near ({:.6}, {:.6})", p[0], p[1]);
    if s.ring == t.ring {
        let n = ring_len(s.ring);
        let adjacent = (s.i + 1) % n == t.i || (t.i + 1) % n == s.i;
        if adjacent {
            // Adjacent edges share a vertex; only a fold back along the same
            // line (a spike) is a problem.
            let (shared, p, q) = if s.b == t.a {
                (s.b, s.a, t.b)
            } else {
                (s.a, s.b, t.a)
            };
            if orient(p, shared, q) == 0.0 {
                let d = (p[0] - shared[0]) * (q[0] - shared[0])
                    + (p[1] - shared[1]) * (q[1] - shared[1]);
                if d > 0.0 {
                    return Some(format!(
                        "ring {} folds back on itself {}",
                        s.ring,
                        near(shared)
                    ));
                }
            }
            return None;
        }
        if let Some(p) = touch_point(s.a, s.b, t.a, t.b) {
            return Some(format!(
                "ring {} crosses or touches itself {}",
                s.ring,
                near(p)
            ));
        }
        return None;
    }
    // Different rings may touch at a point; crossing or sharing a stretch is a problem.
    let o1 = orient(s.a, s.b, t.a);
    let o2 = orient(s.a, s.b, t.b);
    let o3 = orient(t.a, t.b, s.a);
    let o4 = orient(t.a, t.b, s.b);
    let proper = o1 * o2 < 0.0 && o3 * o4 < 0.0;
    let collinear_overlap = o1 == 0.0 && o2 == 0.0 && overlap_len(s, t);
    if proper || collinear_overlap {
        let (lo, hi) = (s.ring.min(t.ring), s.ring.max(t.ring));
        return Some(format!("rings {lo} and {hi} cross {}", near(s.a)));
    }
    None
}

/// True when two collinear segments share more than a point.
fn overlap_len(s: &SegRef, t: &SegRef) -> bool {
    let use_x = (s.a[0] - s.b[0]).abs() >= (s.a[1] - s.b[1]).abs();
    let k = usize::from(!use_x);
    let (s0, s1) = minmax(pick(s.a, k), pick(s.b, k));
    let (t0, t1) = minmax(pick(t.a, k), pick(t.b, k));
    s0.max(t0) < s1.min(t1)
}

fn pick(p: [f64; 2], k: usize) -> f64 {
    if k == 0 { p[0] } else { p[1] }
}

fn minmax(a: f64, b: f64) -> (f64, f64) {
    if a <= b { (a, b) } else { (b, a) }
}

/// A point where segments ab and cd meet, if they do (touching included).
fn touch_point(a: [f64; 2], b: [f64; 2], c: [f64; 2], d: [f64; 2]) -> Option<[f64; 2]> {
    let o1 = orient(a, b, c);
    let o2 = orient(a, b, d);
    let o3 = orient(c, d, a);
    let o4 = orient(c, d, b);
    if o1 * o2 < 0.0 && o3 * o4 < 0.0 {
        return Some(a);
    }
    if o1 == 0.0 && on_segment(a, b, c) {
        return Some(c);
    }
    if o2 == 0.0 && on_segment(a, b, d) {
        return Some(d);
    }
    if o3 == 0.0 && on_segment(c, d, a) {
        return Some(a);
    }
    if o4 == 0.0 && on_segment(c, d, b) {
        return Some(b);
    }
    None
}

/// For a point `p` collinear with `ab`: is it within the segment's box?
pub(crate) fn on_segment(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> bool {
    a[0].min(b[0]) <= p[0]
        && p[0] <= a[0].max(b[0])
        && a[1].min(b[1]) <= p[1]
        && p[1] <= a[1].max(b[1])
}

/// Exact orientation: > 0 when `p` is left of `a → b`, < 0 right, 0 on the line.
#[inline]
pub(crate) fn orient(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> f64 {
    robust::orient2d(
        robust::Coord { x: a[0], y: a[1] },
        robust::Coord { x: b[0], y: b[1] },
        robust::Coord { x: p[0], y: p[1] },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn square(x0: f64, y0: f64, s: f64) -> Value {
        json!([
            [x0, y0],
            [x0 + s, y0],
            [x0 + s, y0 + s],
            [x0, y0 + s],
            [x0, y0]
        ])
    }

    #[test]
    fn round_trips_as_given() {
        let g = json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 1.0)], "extra": 1});
        let t = Territory::from_geojson(g.clone()).unwrap();
        assert_eq!(serde_json::to_value(&t).unwrap(), g);
        let p = json!({"type": "Point", "coordinates": [2.35, 48.85], "radius_m": 5000});
        let t = Territory::from_geojson(p.clone()).unwrap();
        assert_eq!(serde_json::to_value(&t).unwrap(), p);
        assert!(t.is_circle());
    }

    #[test]
    fn rejects_bad_geometry_naming_the_position() {
        let cases = [
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}),
                "ring 0: has 3 positions",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}),
                "is not closed",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 91], [0, 0]]]}),
                "ring 0, position 2: latitude 91",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [400, 1], [0, 0]]]}),
                "longitude 400",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], ["x", 1], [0, 0]]]}),
                "position 2: a position must start with two numbers",
            ),
            (
                json!({"type": "MultiPolygon", "coordinates": [[square(0.0, 0.0, 1.0)], [[[0, 0], [1, 0]]]]}),
                "polygon 1, ring 0",
            ),
            (
                json!({"type": "Polygon", "coordinates": []}),
                "at least its exterior ring",
            ),
            (
                json!({"type": "LineString", "coordinates": []}),
                "unsupported type \"LineString\"",
            ),
            (json!({"type": "Point", "coordinates": [0, 0]}), "radius_m"),
            (
                json!({"type": "Point", "coordinates": [0, 0], "radius_m": -3}),
                "out of range",
            ),
            (
                json!({"type": "Point", "coordinates": [0, 89.9], "radius_m": 50000}),
                "reaches a pole",
            ),
            (json!([1, 2]), "geometry object"),
        ];
        for (g, want) in cases {
            let e = Territory::from_geojson(g.clone()).unwrap_err();
            assert!(e.to_string().contains(want), "{g}: {e} (wanted {want:?})");
            assert_eq!(e.kind(), crate::ErrorKind::InvalidGeometry);
        }
        assert!(Territory::circle(f64::NAN, 0.0, 10.0).is_err());
    }

    #[test]
    fn warns_about_self_intersections() {
        let bowtie =
            json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]});
        let t = Territory::from_geojson(bowtie).unwrap();
        assert_eq!(t.warnings().len(), 1);
        assert!(
            t.warnings()[0].contains("ring 0 crosses or touches itself"),
            "{:?}",
            t.warnings()
        );
        // a ring touching itself at a vertex
        let touch = json!({"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [1, 0], [0, 2], [0, 0]]]});
        assert_eq!(Territory::from_geojson(touch).unwrap().warnings().len(), 1);
        // a hole crossing the exterior
        let cross = json!({"type": "MultiPolygon", "coordinates": [[square(0.0, 0.0, 2.0), square(1.0, 1.0, 2.0)]]});
        let t = Territory::from_geojson(cross).unwrap();
        assert!(
            t.warnings()[0].starts_with("polygon 0, rings 0 and 1 cross"),
            "{:?}",
            t.warnings()
        );
        // a valid polygon with a hole
        let ok = json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 4.0), square(1.0, 1.0, 1.0)]});
        assert!(Territory::from_geojson(ok).unwrap().warnings().is_empty());
        // a degenerate ring
        let flat = json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 0], [0, 0]]]});
        let t = Territory::from_geojson(flat).unwrap();
        assert!(t.warnings()[0].contains("fewer than 3 distinct"));
    }

    #[test]
    fn unwraps_antimeridian_jumps() {
        let g = json!({"type": "Polygon", "coordinates": [[[170, 50], [-170, 50], [-170, 60], [170, 60], [170, 50]]]});
        let t = Territory::from_geojson(g).unwrap();
        let Shape::Polygons(p) = t.shape() else {
            panic!()
        };
        assert_eq!(p[0][0][1], [190.0, 50.0]);
        let small = Territory::from_geojson(json!({"type": "Polygon", "coordinates": [[[170, 50], [190, 50], [190, 60], [170, 60], [170, 50]]]})).unwrap();
        assert!((t.area_m2() - small.area_m2()).abs() < 1.0);
        let polar =
            json!({"type": "Polygon", "coordinates": [[[0, 80], [120, 80], [-120, 80], [0, 80]]]});
        assert!(
            Territory::from_geojson(polar)
                .unwrap_err()
                .to_string()
                .contains("around a pole")
        );
    }

    #[test]
    fn areas_subtract_holes() {
        let outer = Territory::from_geojson(
            json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 2.0)]}),
        )
        .unwrap();
        let holed = Territory::from_geojson(json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 2.0), square(0.5, 0.5, 1.0)]})).unwrap();
        let hole = Territory::from_geojson(
            json!({"type": "Polygon", "coordinates": [square(0.5, 0.5, 1.0)]}),
        )
        .unwrap();
        assert!((outer.area_m2() - holed.area_m2() - hole.area_m2()).abs() < 1.0);
        let c = Territory::circle(0.0, 0.0, 1000.0).unwrap();
        assert!((c.area_m2() - std::f64::consts::PI * 1e6).abs() < 1.0);
    }
}
