//! The public view (a GeoJSON FeatureCollection of listed chapters with
//! public fields only) and building finders from a network or from a view.
//!
//! Invariant: a finder built from `public_view(net)` answers every query
//! with the default filter exactly as the network's own finder does.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::index::{ChapterEntry, ChapterFinder};
use super::{Territory, TerritoryError};
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
            items.push((entry, t.clone()));
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
                Some(g) => g.clone(),
            };
            let territory = Territory::from_geojson(geometry).map_err(|e| e.with_id(&id))?;
            let empty = Map::new();
            let props = f
                .get("properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let entry = entry_from_properties(&id, props, territory.area_m2())?;
            items.push((entry, territory));
        }
        Ok(ChapterFinder::build(items))
    }
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
