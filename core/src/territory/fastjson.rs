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

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub(crate) struct FastCollection {
    pub(crate) ty: Option<String>,
    pub(crate) features: Option<Vec<FastFeature>>,
}

pub(crate) struct FastFeature {
    pub(crate) ty: Option<String>,
    pub(crate) id: Option<Value>,
    pub(crate) properties: Option<Map<String, Value>>,
    pub(crate) geometry: Option<FastGeometry>,
}

pub(crate) struct FastGeometry {
    pub(crate) ty: Option<String>,
    pub(crate) coordinates: Option<Coords>,
    pub(crate) radius_m: Option<f64>,
}

/// Nested coordinate arrays, by depth.
#[derive(Debug, PartialEq)]
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
    ///
    /// The members of the collection, its features and their geometries
    /// are read here (keys and `type` strings without escapes, members
    /// at most once, `null` for an absent member, as serde reads an
    /// `Option`); ids, properties and unknown members are handed to
    /// serde_json as they come, and coordinates to [`read_coords`]'s
    /// reader.
    pub(crate) fn read(text: &str) -> Option<FastCollection> {
        let mut r = Reader {
            text,
            b: text.as_bytes(),
            i: 0,
        };
        let mut fc = FastCollection {
            ty: None,
            features: None,
        };
        let (mut has_ty, mut has_features) = (false, false);
        r.object(|r, key| {
            match key {
                "type" => {
                    once(&mut has_ty)?;
                    fc.ty = r.opt_string()?;
                }
                "features" => {
                    once(&mut has_features)?;
                    if !r.null() {
                        let mut list = Vec::new();
                        r.array(|r| {
                            list.push(r.feature()?);
                            Some(())
                        })?;
                        fc.features = Some(list);
                    }
                }
                _ => r.skip()?,
            }
            Some(())
        })?;
        r.ws();
        (r.i == r.b.len()).then_some(fc)
    }
}

/// Marks a member as seen; `None` when it was already.
fn once(seen: &mut bool) -> Option<()> {
    if *seen {
        return None;
    }
    *seen = true;
    Some(())
}

/// How deep a value handed to serde_json may nest: well within
/// serde_json's own limit for a whole document, so that the general
/// reader accepts every value this one does.
const MAX_VALUE_DEPTH: usize = 64;

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Reads the text of a `coordinates` member: nested arrays of numbers,
/// each array of arrays holding arrays of one depth (positions, rings or
/// polygons), as deep as a MultiPolygon. `None` for anything else (other
/// values, mixed depths, a position with fewer than two numbers, numbers
/// out of range), which the general reader then looks at.
///
/// Numbers come out bit for bit as serde_json reads them: a decimal of at
/// most 19 digits whose digits fit in 53 bits and with at most 22 after
/// the point is exactly `digits / 10^k`, one correctly rounded division of
/// two exact doubles; anything else (exponents, longer digit strings) is
/// handed to serde_json itself.
#[cfg(test)]
pub(crate) fn read_coords(text: &str) -> Option<Coords> {
    let mut r = Reader {
        text,
        b: text.as_bytes(),
        i: 0,
    };
    r.ws();
    let c = r.coords(0)?;
    r.ws();
    (r.i == r.b.len()).then_some(c)
}

/// The deepest nesting of coordinates (a MultiPolygon's).
const MAX_DEPTH: usize = 3;

/// Powers of ten that are exact doubles.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    /// An object, calling `member` with the reader at each member's value.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            self.ws();
            let key = self.string()?;
            if !self.eat(b':') {
                return None;
            }
            self.ws();
            member(self, key)?;
            self.ws();
            let c = self.peek()?;
            self.i += 1;
            match c {
                b',' => {}
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    /// An array, calling `element` with the reader at each element.
    fn array(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if !self.eat(b'[') {
            return None;
        }
        if self.eat(b']') {
            return Some(());
        }
        loop {
            self.ws();
            element(self)?;
            if !self.next()? {
                return Some(());
            }
        }
    }

    /// A string without escapes (anything else is left to serde_json).
    fn string(&mut self) -> Option<&'a str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.i + 1;
        let mut j = start;
        loop {
            match self.b.get(j)? {
                b'"' => break,
                b'\\' => return None,
                c if *c < 0x20 => return None,
                _ => j += 1,
            }
        }
        self.i = j + 1;
        self.text.get(start..j)
    }

    /// `null`, consumed; `false` (nothing consumed) for anything else.
    fn null(&mut self) -> bool {
        if self.b.get(self.i..self.i + 4) == Some(b"null") {
            self.i += 4;
            true
        } else {
            false
        }
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        if self.null() {
            return Some(None);
        }
        Some(Some(self.string()?.to_owned()))
    }

    /// One value read by serde_json from the current position.
    fn serde<T: DeserializeOwned>(&mut self) -> Option<T> {
        let rest = self.text.get(self.i..)?;
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        let v = values.next()?.ok()?;
        self.i += values.byte_offset();
        Some(v)
    }

    /// A value of any kind, not too deep (see [`MAX_VALUE_DEPTH`]).
    fn value(&mut self) -> Option<Value> {
        self.serde::<Value>()
            .filter(|v| depth(v) <= MAX_VALUE_DEPTH)
    }

    /// A member nobody asked for.
    fn skip(&mut self) -> Option<()> {
        self.value().map(drop)
    }

    fn feature(&mut self) -> Option<FastFeature> {
        let mut f = FastFeature {
            ty: None,
            id: None,
            properties: None,
            geometry: None,
        };
        let mut seen = [false; 4];
        let [ty, id, props, geom] = &mut seen;
        self.object(|r, key| {
            match key {
                "type" => {
                    once(ty)?;
                    f.ty = r.opt_string()?;
                }
                "id" => {
                    once(id)?;
                    f.id = Some(r.value()?).filter(|v| !v.is_null());
                }
                "properties" => {
                    once(props)?;
                    f.properties = match r.value()? {
                        Value::Null => None,
                        Value::Object(m) => Some(m),
                        _ => return None,
                    };
                }
                "geometry" => {
                    once(geom)?;
                    if !r.null() {
                        f.geometry = Some(r.geometry()?);
                    }
                }
                _ => r.skip()?,
            }
            Some(())
        })?;
        Some(f)
    }

    fn geometry(&mut self) -> Option<FastGeometry> {
        let mut g = FastGeometry {
            ty: None,
            coordinates: None,
            radius_m: None,
        };
        let mut seen = [false; 3];
        let [ty, coords, radius] = &mut seen;
        self.object(|r, key| {
            match key {
                "type" => {
                    once(ty)?;
                    g.ty = r.opt_string()?;
                }
                "coordinates" => {
                    once(coords)?;
                    if !r.null() {
                        g.coordinates = Some(r.coords(0)?);
                    }
                }
                "radius_m" => {
                    once(radius)?;
                    if !r.null() {
                        g.radius_m = Some(r.number()?);
                    }
                }
                _ => r.skip()?,
            }
            Some(())
        })?;
        Some(g)
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    #[inline]
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// After an element: `true` when another follows (a comma), `false`
    /// at the closing bracket, `None` for anything else.
    #[inline]
    fn next(&mut self) -> Option<bool> {
        self.ws();
        let c = self.peek()?;
        self.i += 1;
        match c {
            b',' => Some(true),
            b']' => Some(false),
            _ => None,
        }
    }

    /// An array of any depth, its kind set by its first element.
    fn coords(&mut self, depth: usize) -> Option<Coords> {
        if !self.eat(b'[') {
            return None;
        }
        if self.eat(b']') {
            return Some(Coords::Empty);
        }
        self.ws();
        if self.peek() != Some(b'[') {
            let x = self.number()?;
            return Some(Coords::Pos(self.position_tail(x)?));
        }
        if depth >= MAX_DEPTH {
            return None;
        }
        Some(match self.coords(depth + 1)? {
            Coords::Pos(p) => {
                let mut ring = Vec::with_capacity(16);
                ring.push(p);
                self.positions_tail(&mut ring)?;
                Coords::Ring(ring)
            }
            Coords::Ring(r) => {
                let mut poly = vec![r];
                while self.next()? {
                    poly.push(self.positions()?);
                }
                Coords::Poly(poly)
            }
            Coords::Poly(p) => {
                let mut multi = vec![p];
                while self.next()? {
                    multi.push(self.rings()?);
                }
                Coords::Multi(multi)
            }
            Coords::Empty | Coords::Multi(_) => return None,
        })
    }

    /// The rest of a position after its first number: the second number,
    /// then any further numbers (ignored), then `]`.
    fn position_tail(&mut self, x: f64) -> Option<[f64; 2]> {
        if self.next()? {
            self.ws();
            let y = self.number()?;
            while self.next()? {
                self.ws();
                self.number()?;
            }
            Some([x, y])
        } else {
            None
        }
    }

    /// `[lon, lat, …]`.
    #[inline]
    fn position(&mut self) -> Option<[f64; 2]> {
        if !self.eat(b'[') {
            return None;
        }
        self.ws();
        let x = self.number()?;
        self.position_tail(x)
    }

    /// The positions after a ring's first one, and its `]`.
    fn positions_tail(&mut self, ring: &mut Vec<[f64; 2]>) -> Option<()> {
        while self.next()? {
            ring.push(self.position()?);
        }
        Some(())
    }

    /// A ring: `[position, …]` (possibly empty).
    fn positions(&mut self) -> Option<Vec<[f64; 2]>> {
        if !self.eat(b'[') {
            return None;
        }
        if self.eat(b']') {
            return Some(Vec::new());
        }
        let mut ring = Vec::with_capacity(16);
        ring.push(self.position()?);
        self.positions_tail(&mut ring)?;
        Some(ring)
    }

    /// A polygon: `[ring, …]` (possibly empty).
    fn rings(&mut self) -> Option<Vec<Vec<[f64; 2]>>> {
        if !self.eat(b'[') {
            return None;
        }
        if self.eat(b']') {
            return Some(Vec::new());
        }
        let mut poly = vec![self.positions()?];
        while self.next()? {
            poly.push(self.positions()?);
        }
        Some(poly)
    }

    /// A JSON number, as serde_json reads it into an `f64`.
    #[inline]
    fn number(&mut self) -> Option<f64> {
        let start = self.i;
        let neg = self.peek() == Some(b'-');
        if neg {
            self.i += 1;
        }
        let mut m: u64 = 0;
        let mut digits = 0u32;
        match self.peek()? {
            b'0' => {
                self.i += 1;
                digits += 1;
            }
            b'1'..=b'9' => {
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    m = m.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                    digits += 1;
                    self.i += 1;
                }
            }
            _ => return None,
        }
        let mut frac = 0usize;
        if self.peek() == Some(b'.') {
            self.i += 1;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                m = m.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                digits += 1;
                frac += 1;
                self.i += 1;
            }
            if frac == 0 {
                return None;
            }
        }
        let mut exp = false;
        if let Some(b'e' | b'E') = self.peek() {
            exp = true;
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            let from = self.i;
            while let Some(b'0'..=b'9') = self.peek() {
                self.i += 1;
            }
            if self.i == from {
                return None;
            }
        }
        if !exp
            && digits <= 19
            && m <= 1 << 53
            && let Some(p) = POW10.get(frac)
        {
            let v = m as f64 / p;
            return Some(if neg { -v } else { v });
        }
        let text = std::str::from_utf8(self.b.get(start..self.i)?).ok()?;
        serde_json::from_str::<f64>(text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What serde_json reads for `[x, y]`, as the reader should.
    fn serde_pos(x: &str, y: &str) -> Option<[u64; 2]> {
        let v: Vec<f64> = serde_json::from_str(&format!("[{x}, {y}]")).ok()?;
        Some([v.first()?.to_bits(), v.get(1)?.to_bits()])
    }

    fn read_pos(x: &str, y: &str) -> Option<[u64; 2]> {
        match read_coords(&format!("[{x}, {y}]"))? {
            Coords::Pos([a, b]) => Some([a.to_bits(), b.to_bits()]),
            _ => None,
        }
    }

    #[test]
    fn numbers_read_as_serde_json_reads_them() {
        for n in [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "1",
            "-1",
            "12.5",
            "-86.916842",
            "32.663949",
            "179.99999999999997",
            "0.1",
            "0.30000000000000004",
            "9007199254740993",
            "9007199254740992",
            "123456789012345678901234567890",
            "1e5",
            "1E-5",
            "-2.5e+3",
            "0.000000000000000000001",
            "0.0000000000000000000000123",
            "4.9e-324",
            "1.7976931348623157e308",
            "12345678901234567890",
            "1234567890123456789",
            "0.1234567890123456789",
        ] {
            assert_eq!(read_pos(n, "1"), serde_pos(n, "1"), "{n}");
            assert!(read_pos(n, "1").is_some(), "{n}");
        }
        for bad in [
            "01", "1.", ".5", "-", "+1", "1e", "1e+", "1e400", "--1", "0x10", "NaN", "1.5.2",
        ] {
            assert_eq!(read_pos(bad, "1"), None, "{bad}");
        }
    }

    #[test]
    fn documents_read_by_depth_or_not_at_all() {
        let pos = |x: f64, y: f64| [x, y];
        assert_eq!(read_coords(" [ ] "), Some(Coords::Empty));
        assert_eq!(
            read_coords("[1, 2, 3, 4.5e3]"),
            Some(Coords::Pos(pos(1.0, 2.0)))
        );
        assert_eq!(
            read_coords("[ [1,2] ,\n [3 , 4,5] ]"),
            Some(Coords::Ring(vec![pos(1.0, 2.0), pos(3.0, 4.0)]))
        );
        assert_eq!(
            read_coords("[[[0,0],[1,0]],[]]"),
            Some(Coords::Poly(vec![
                vec![pos(0.0, 0.0), pos(1.0, 0.0)],
                vec![]
            ]))
        );
        assert_eq!(
            read_coords("[[[[0,0]]],[],[[]]]"),
            Some(Coords::Multi(vec![
                vec![vec![pos(0.0, 0.0)]],
                vec![],
                vec![vec![]]
            ]))
        );
        for odd in [
            "",
            "[",
            "[1]",
            "[1,]",
            "[1 2]",
            "[[]]",
            "[[1,2],[[3,4]]]",
            "[[1,2],3]",
            "[[[[[1,2]]]]]",
            "[\"1\", 2]",
            "[1, 2, \"z\"]",
            "[1, 2] x",
            "[[1,2]",
            "{}",
            "[1, null]",
            "[[1,2],]",
        ] {
            assert_eq!(read_coords(odd), None, "{odd}");
        }
    }

    #[test]
    fn collections_with_escapes_or_repeated_members_are_left_to_serde() {
        let ok = r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "id": 1,
            "geometry": null, "extra": {"deep": [1, {"x": null}]}}], "bbox": [0, 0, 1, 1]}"#;
        let fc = FastCollection::read(ok).map(|fc| fc.features.map(|f| f.len()));
        assert_eq!(fc, Some(Some(1)));
        for odd in [
            r#"{"type": "FeatureCollection", "type": "FeatureCollection", "features": []}"#,
            r#"{"typ\u0065": "FeatureCollection", "features": []}"#,
            r#"{"type": "Feature\u0043ollection", "features": []}"#,
            r#"{"type": "FeatureCollection", "features": [{"geometry": {"coordinates": [], "coordinates": []}}]}"#,
            r#"{"type": "FeatureCollection", "features": {}}"#,
            r#"["FeatureCollection", []]"#,
            r#"{"type": "FeatureCollection", "features": []} {}"#,
        ] {
            assert!(FastCollection::read(odd).is_none(), "{odd}");
        }
    }

    proptest! {
        /// Any finite double, written the ways JSON writers write it, reads
        /// back bit for bit as serde_json reads it.
        #[test]
        fn doubles_read_as_serde_json_reads_them(v in any::<f64>().prop_filter("finite", |v| v.is_finite()),
                                                 places in 0usize..20) {
            for text in [format!("{v}"), format!("{v:e}"), format!("{v:.places$}"), format!("{:?}", v as f32)] {
                prop_assert_eq!(read_pos(&text, "0"), serde_pos(&text, "0"), "{}", text);
            }
        }

        /// Decimal strings of every length and shape (leading zeros, long
        /// fractions, exponents, bad grammar) read as serde_json reads
        /// them, or not at all when serde_json refuses them.
        #[test]
        fn decimal_strings_read_as_serde_json_reads_them(text in "-?[0-9]{1,22}(\\.[0-9]{0,25})?([eE][+-]?[0-9]{1,3})?") {
            prop_assert_eq!(read_pos(&text, "7"), serde_pos(&text, "7"), "{}", text);
            prop_assert_eq!(read_pos("7", &text), serde_pos("7", &text), "{}", text);
        }
    }
}
