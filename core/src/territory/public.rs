//! The public view (a GeoJSON FeatureCollection of listed chapters with
//! public fields only) and building finders from a network or from a view.
//!
//! Invariant: a finder built from `public_view(net)` answers every query
//! with the default filter exactly as the network's own finder does.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::TerritoryError;
use super::fastjson::FastCollection;
use super::geometry::{shape_info, shape_info_fast};
use super::index::{ChapterEntry, ChapterFinder};
use crate::Limits;
use crate::network::{ChapterStatus, GroupKind, Network, NodeBody, Visibility};

impl ChapterFinder {
    /// Indexes every chapter of the network that has a territory, whatever
    /// its status or visibility (queries filter; the default filter keeps
    /// active, public chapters).
    pub fn from_network(net: &Network) -> ChapterFinder {
        let mut items = Vec::new();
        for (ix, node) in net.nodes.iter().enumerate() {
            let NodeBody::Chapter(c) = &node.body else {
                continue;
            };
            let Some(t) = &c.territory else { continue };
            let ix = ix as u32;
            let region = net
                .parent_ix(ix)
                .and_then(|p| net.at(p))
                .filter(|p| matches!(p.body, NodeBody::Region))
                .map(|p| p.name.clone());
            let entry = ChapterEntry {
                id: node.id.to_string(),
                name: node.name.clone(),
                slug: Some(node.slug.to_string()),
                kind: c.group_kind,
                status: c.status,
                visibility: c.visibility,
                tags: node.tags.iter().map(|t| t.to_string()).collect(),
                region,
                depth: net.depth.get(ix as usize).copied().unwrap_or(0),
                area_m2: t.area_m2(),
                node: Some(ix),
            };
            items.push((entry, t.info()));
        }
        ChapterFinder::build(items)
    }

    /// Indexes a GeoJSON FeatureCollection: a public view from
    /// [`public_view`], or any collection of areas (US counties, wards) to
    /// use as reference areas or as a finder of their own.
    ///
    /// Each feature needs an `id` (string or number, unique); features with
    /// a `null` geometry are skipped. Properties are optional: `name`
    /// (default: the id), `slug`, `kind` (default `local`), `status`
    /// (default `active`), `visibility` (default `public`), `tags`,
    /// `region`, `depth`. Errors name the feature.
    pub fn from_geojson(collection: &Value) -> Result<ChapterFinder, TerritoryError> {
        let bad = |at: String, reason: &str| TerritoryError::InvalidFeature {
            at,
            reason: reason.to_owned(),
        };
        if collection.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
            return Err(bad(".".into(), "expected a GeoJSON FeatureCollection"));
        }
        let Some(features) = collection.get("features").and_then(Value::as_array) else {
            return Err(bad("features".into(), "must be an array of features"));
        };
        let mut items = Vec::with_capacity(features.len());
        let mut seen = HashSet::with_capacity(features.len());
        for (i, f) in features.iter().enumerate() {
            let at = || format!("features[{i}]");
            if f.get("type").and_then(Value::as_str) != Some("Feature") {
                return Err(bad(at(), "expected a Feature"));
            }
            let id = match f.get("id") {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => {
                    return Err(bad(
                        at(),
                        "a feature needs an \"id\" (a string or a number)",
                    ));
                }
            };
            if !seen.insert(id.clone()) {
                return Err(bad(
                    format!("feature {id}"),
                    "the id is used by another feature",
                ));
            }
            let geometry = match f.get("geometry") {
                None | Some(Value::Null) => continue,
                Some(g) => g,
            };
            let info = shape_info(geometry, &Limits::default()).map_err(|e| e.with_id(&id))?;
            let empty = Map::new();
            let props = f
                .get("properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let entry = entry_from_properties(&id, props, info.area_m2)?;
            items.push((entry, info));
        }
        Ok(ChapterFinder::build(items))
    }

    /// [`ChapterFinder::from_geojson`] from JSON text, read straight into
    /// rings of coordinates (several times faster than through a
    /// `serde_json::Value`; what a web page does with a fetched view).
    /// Accepts and rejects exactly what `from_geojson` does, with the same
    /// errors; text that is not JSON is an `InvalidFeature` error at "the document".
    ///
    /// ```
    /// use chapterhouse::territory::{ChapterFinder, Filter};
    /// let text = r#"{"type": "FeatureCollection", "features": [
    ///     {"type": "Feature", "id": "sq", "properties": {"name": "Square"},
    ///      "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}"#;
    /// let finder = ChapterFinder::from_geojson_str(text)?;
    /// assert_eq!(finder.first(0.5, 0.5, &Filter::default()), finder.position("sq"));
    /// assert!(ChapterFinder::from_geojson_str("{").is_err());
    /// # Ok::<(), chapterhouse::territory::TerritoryError>(())
    /// ```
    pub fn from_geojson_str(text: &str) -> Result<ChapterFinder, TerritoryError> {
        if let Some(finder) = FastCollection::read(text).and_then(from_fast) {
            return Ok(finder);
        }
        let view: Value =
            serde_json::from_str(text).map_err(|e| TerritoryError::InvalidFeature {
                at: "the document".into(),
                reason: e.to_string(),
            })?;
        ChapterFinder::from_geojson(&view)
    }
}

/// A finder from the fast reader's collection, or `None` for anything the
/// general reader must look at (see the `fastjson` module).
fn from_fast(fc: FastCollection) -> Option<ChapterFinder> {
    if fc.ty.as_deref() != Some("FeatureCollection") {
        return None;
    }
    let features = fc.features?;
    let limits = Limits::default();
    let mut items = Vec::with_capacity(features.len());
    let mut seen = HashSet::with_capacity(features.len());
    for f in features {
        if f.ty.as_deref() != Some("Feature") {
            return None;
        }
        let id = match f.id {
            Some(Value::String(s)) if !s.is_empty() => s,
            Some(Value::Number(n)) => n.to_string(),
            _ => return None,
        };
        if !seen.insert(id.clone()) {
            return None;
        }
        let Some(geometry) = f.geometry else { continue };
        let info = shape_info_fast(geometry, &limits)?;
        let props = f.properties.unwrap_or_default();
        let entry = entry_from_properties(&id, &props, info.area_m2).ok()?;
        items.push((entry, info));
    }
    Some(ChapterFinder::build(items))
}

fn entry_from_properties(
    id: &str,
    props: &Map<String, Value>,
    area_m2: f64,
) -> Result<ChapterEntry, TerritoryError> {
    let bad = |field: &str, reason: &str| TerritoryError::InvalidFeature {
        at: format!("feature {id}, property {field:?}"),
        reason: reason.to_owned(),
    };
    let text = |field: &str| -> Result<Option<String>, TerritoryError> {
        match props.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(field, "must be a string")),
        }
    };
    fn word<T: serde::de::DeserializeOwned>(v: Option<&Value>) -> Option<Result<T, ()>> {
        match v {
            None | Some(Value::Null) => None,
            Some(v) => Some(serde_json::from_value(v.clone()).map_err(|_| ())),
        }
    }
    let kind: GroupKind = match word(props.get("kind")) {
        None => GroupKind::Local,
        Some(Ok(k)) => k,
        Some(Err(())) => return Err(bad("kind", "must be one of local, issue, campaign")),
    };
    let status: ChapterStatus = match word(props.get("status")) {
        None => ChapterStatus::Active,
        Some(Ok(s)) => s,
        Some(Err(())) => {
            return Err(bad(
                "status",
                "must be one of applied, active, rejected, archived",
            ));
        }
    };
    let visibility: Visibility = match word(props.get("visibility")) {
        None => Visibility::Public,
        Some(Ok(v)) => v,
        Some(Err(())) => return Err(bad("visibility", "must be one of public, unlisted, hidden")),
    };
    let mut tags: Vec<String> = match props.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|t| t.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| bad("tags", "must be an array of strings"))?,
        Some(_) => return Err(bad("tags", "must be an array of strings")),
    };
    tags.sort();
    tags.dedup();
    let depth = match props.get("depth") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_u64()
            .and_then(|d| u32::try_from(d).ok())
            .ok_or_else(|| bad("depth", "must be a non-negative whole number"))?,
    };
    Ok(ChapterEntry {
        id: id.to_owned(),
        name: text("name")?.unwrap_or_else(|| id.to_owned()),
        slug: text("slug")?,
        kind,
        status,
        visibility,
        tags,
        region: text("region")?,
        depth,
        area_m2,
        node: None,
    })
}

/// What a website ships: a GeoJSON FeatureCollection of the network's
/// listed chapters (visibility public, status active) with public fields
/// only — no people, grants, cohorts or status reasons.
///
/// Each feature has the chapter id as `id`, its territory as `geometry`
/// (`null` for chapters without one, such as issue groups) and the
/// properties `name`, `slug`, `kind`, `status`, `tags`, `description`,
/// `join_url`, `region` (the parent region's name, or `null`) and `depth`
/// (the chapter's depth in the hierarchy, so that a finder built from the
/// view orders answers as the network does). Features follow the
/// network's node order.
pub fn public_view(net: &Network) -> Value {
    let mut features = Vec::new();
    for (ix, node) in net.nodes.iter().enumerate() {
        let NodeBody::Chapter(c) = &node.body else {
            continue;
        };
        if c.visibility != Visibility::Public || c.status != ChapterStatus::Active {
            continue;
        }
        let ix = ix as u32;
        let region = net
            .parent_ix(ix)
            .and_then(|p| net.at(p))
            .filter(|p| matches!(p.body, NodeBody::Region))
            .map(|p| p.name.clone());
        features.push(json!({
            "type": "Feature",
            "id": node.id.as_str(),
            "geometry": c.territory.as_ref().map(|t| t.to_geojson().clone()),
            "properties": {
                "name": node.name,
                "slug": node.slug.as_str(),
                "kind": c.group_kind.as_str(),
                "status": c.status.as_str(),
                "tags": node.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                "description": c.description,
                "join_url": c.join_url,
                "region": region,
                "depth": net.depth.get(ix as usize).copied().unwrap_or(0),
            }
        }));
    }
    json!({"type": "FeatureCollection", "features": features})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(text: &str) -> Option<ChapterFinder> {
        FastCollection::read(text).and_then(from_fast)
    }

    #[test]
    fn the_fast_reader_takes_valid_collections_and_leaves_odd_ones() {
        let counties = include_str!("../../../examples/data/us-counties.geojson");
        let f = fast(counties).map(|f| f.len());
        assert_eq!(f, Some(3230));
        let circle = r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "id": 1,
            "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2, 3], "radius_m": 500}}]}"#;
        assert_eq!(fast(circle).map(|f| f.len()), Some(1));
        for odd in [
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "id": 1, "id": 2}]}"#,
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "id": 1,
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 1]]]}}]}"#,
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "id": 1,
                "geometry": {"type": "Polygon", "coordinates": [[0, 0], [1, 0], [0, 1], [0, 0]]}}]}"#,
        ] {
            assert!(fast(odd).is_none(), "{odd}");
            let general = serde_json::from_str(odd).map(|v: Value| ChapterFinder::from_geojson(&v));
            assert_eq!(
                ChapterFinder::from_geojson_str(odd)
                    .map(|f| f.len())
                    .map_err(|e| e.to_string()),
                general
                    .unwrap_or_else(|e| panic!("{e}"))
                    .map(|f| f.len())
                    .map_err(|e| e.to_string()),
            );
        }
    }
}
