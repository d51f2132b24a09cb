//! A typed reader for GeoJSON FeatureCollections given as text: the
//! coordinates go straight into rings of `[lon, lat]` pairs, with no
//! `serde_json::Value` per number (the general reader's cost, which
//! dominates building a finder in a browser).
//!
//! It only ever answers for input that the general reader accepts: any
//! surprise (a member of another type, a duplicate member, a geometry whose
//! nesting does not match its type) gives `None`, and the caller reads the
//! text again with the general reader, which names the problem. So both
//! readers accept the same collections and build the same finders (a
//! property test checks this), and errors always read the same.

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde_json::{Map, Value};

#[derive(Deserialize)]
pub(crate) struct FastCollection {
    #[serde(rename = "type")]
    pub(crate) ty: Option<String>,
    pub(crate) features: Option<Vec<FastFeature>>,
}

#[derive(Deserialize)]
pub(crate) struct FastFeature {
    #[serde(rename = "type")]
    pub(crate) ty: Option<String>,
    pub(crate) id: Option<Value>,
    pub(crate) properties: Option<Map<String, Value>>,
    pub(crate) geometry: Option<FastGeometry>,
}

#[derive(Deserialize)]
pub(crate) struct FastGeometry {
    #[serde(rename = "type")]
    pub(crate) ty: Option<String>,
    pub(crate) coordinates: Option<Coords>,
    pub(crate) radius_m: Option<f64>,
}

/// Nested coordinate arrays, by depth.
pub(crate) enum Coords {
    /// `[]`.
    Empty,
    /// A position (its first two numbers; GeoJSON allows more).
    Pos([f64; 2]),
    /// Positions.
    Ring(Vec<[f64; 2]>),
    /// Rings.
    Poly(Vec<Vec<[f64; 2]>>),
    /// Polygons.
    Multi(Vec<Vec<Vec<[f64; 2]>>>),
}

impl FastCollection {
    /// Reads a collection, or `None` when the general reader must.
    pub(crate) fn read(text: &str) -> Option<FastCollection> {
        serde_json::from_str(text).ok()
    }
}

impl<'de> Deserialize<'de> for Coords {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(CoordsVisitor)
    }
}

struct CoordsVisitor;

impl<'de> Visitor<'de> for CoordsVisitor {
    type Value = Coords;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("nested arrays of coordinates")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Coords, A::Error> {
        let Some(first) = seq.next_element::<Elem>()? else {
            return Ok(Coords::Empty);
        };
        Ok(match first {
            Elem::Num(x) => {
                let Some(y) = seq.next_element::<f64>()? else {
                    return Err(de::Error::custom("a position needs two numbers"));
                };
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Coords::Pos([x, y])
            }
            Elem::Arr(Coords::Pos(p)) => {
                let mut ring = Vec::with_capacity(seq.size_hint().unwrap_or(0) + 1);
                ring.push(p);
                while let Some(Position(q)) = seq.next_element()? {
                    ring.push(q);
                }
                Coords::Ring(ring)
            }
            Elem::Arr(Coords::Ring(r)) => {
                let mut poly = vec![r];
                while let Some(Positions(r)) = seq.next_element()? {
                    poly.push(r);
                }
                Coords::Poly(poly)
            }
            Elem::Arr(Coords::Poly(p)) => {
                let mut multi = vec![p];
                while let Some(Rings(p)) = seq.next_element()? {
                    multi.push(p);
                }
                Coords::Multi(multi)
            }
            Elem::Arr(_) => return Err(de::Error::custom("unexpected nesting")),
        })
    }
}

/// An element of a coordinate array before its depth is known.
enum Elem {
    Num(f64),
    Arr(Coords),
}

impl<'de> Deserialize<'de> for Elem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Elem;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or an array")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Elem, E> {
                Ok(Elem::Num(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Elem, E> {
                Ok(Elem::Num(v as f64))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Elem, E> {
                Ok(Elem::Num(v as f64))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Elem, A::Error> {
                CoordsVisitor.visit_seq(seq).map(Elem::Arr)
            }
        }
        d.deserialize_any(V)
    }
}

/// `[lon, lat, …]`.
struct Position([f64; 2]);

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Position;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a position [lon, lat]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Position, A::Error> {
                let (Some(x), Some(y)) = (seq.next_element::<f64>()?, seq.next_element::<f64>()?)
                else {
                    return Err(de::Error::custom("a position needs two numbers"));
                };
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Position([x, y]))
            }
        }
        d.deserialize_seq(V)
    }
}

/// A ring: positions.
struct Positions(Vec<[f64; 2]>);

impl<'de> Deserialize<'de> for Positions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Positions;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of positions")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Positions, A::Error> {
                let mut ring = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(Position(p)) = seq.next_element()? {
                    ring.push(p);
                }
                Ok(Positions(ring))
            }
        }
        d.deserialize_seq(V)
    }
}

/// A polygon: rings.
struct Rings(Vec<Vec<[f64; 2]>>);

impl<'de> Deserialize<'de> for Rings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Rings;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of rings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Rings, A::Error> {
                let mut poly = Vec::new();
                while let Some(Positions(r)) = seq.next_element()? {
                    poly.push(r);
                }
                Ok(Rings(poly))
            }
        }
        d.deserialize_seq(V)
    }
}
