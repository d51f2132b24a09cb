//! Territories: which chapter covers this place, the nearest chapter, bulk
//! assignment and coverage gaps.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ErrorKind;

/// An error in a territory's geometry.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TerritoryError {
    /// The geometry is not valid GeoJSON for a territory.
    #[error("invalid territory geometry: {reason}")]
    InvalidGeometry {
        /// Why, in plain words.
        reason: String,
    },
}

impl TerritoryError {
    /// The stable classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            TerritoryError::InvalidGeometry { .. } => ErrorKind::InvalidGeometry,
        }
    }
}

/// A chapter's territory: a GeoJSON Polygon or MultiPolygon, or a Point with
/// a service radius in metres (`"radius_m"` member). Stored as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Territory {
    geometry: serde_json::Value,
}

impl Territory {
    /// Validates a GeoJSON geometry object as a territory.
    pub fn from_geojson(geometry: serde_json::Value) -> Result<Territory, TerritoryError> {
        match geometry.get("type").and_then(|t| t.as_str()) {
            Some("Polygon" | "MultiPolygon" | "Point") => Ok(Territory { geometry }),
            _ => Err(TerritoryError::InvalidGeometry {
                reason: "expected a Polygon, MultiPolygon or Point".into(),
            }),
        }
    }

    /// The geometry as given, as a GeoJSON object.
    pub fn to_geojson(&self) -> &serde_json::Value {
        &self.geometry
    }
}

impl Serialize for Territory {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.geometry.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Territory {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Territory::from_geojson(v).map_err(serde::de::Error::custom)
    }
}

/// The territory index of a network or a public view (placeholder until the
/// territory module lands).
#[derive(Debug, Clone, Default)]
pub struct ChapterFinder {}
