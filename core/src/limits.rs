//! Caps on input size, so a hostile or broken export cannot exhaust memory.
//!
//! Every reader of outside data checks the caps that apply to it before it
//! allocates in proportion to the input, and reports the cap it hit with
//! [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded).

use serde::{Deserialize, Serialize};

use crate::error::ErrorKind;

/// Configurable caps on what the library accepts. `Limits::default()` fits
/// a national network with room to spare; raise a cap only for inputs you trust.
///
/// ```
/// use chapterhouse::{Limits, Network, ErrorKind};
/// let limits = Limits { max_input_bytes: 64, ..Limits::default() };
/// let err = Network::from_json_with(&"x".repeat(100), &limits).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::LimitExceeded);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest JSON or CSV text accepted in one call, in bytes (default 256 MiB).
    pub max_input_bytes: usize,
    /// Most nodes in a network (default 1,000,000).
    pub max_nodes: usize,
    /// Most vertices in one territory (default 1,000,000).
    pub max_vertices_per_territory: usize,
    /// Deepest nesting of JSON arrays and objects (default 64; GeoJSON
    /// multipolygons need 5).
    pub max_json_depth: usize,
    /// Most activity rows in one health-scoring call (default 100,000,000).
    pub max_activity_rows: usize,
    /// Most people plus grants in a snapshot (default 10,000,000).
    pub max_grants: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 256 << 20,
            max_nodes: 1_000_000,
            max_vertices_per_territory: 1_000_000,
            max_json_depth: 64,
            max_activity_rows: 100_000_000,
            max_grants: 10_000_000,
        }
    }
}

/// A cap in [`Limits`] was exceeded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} exceeds the limit: {found} > {limit} ({setting})")]
pub struct LimitError {
    /// What was too large (`"snapshot text"`, `"JSON nesting"`).
    pub what: String,
    /// The size found (or the size at which reading stopped).
    pub found: usize,
    /// The cap.
    pub limit: usize,
    /// The `Limits` field that sets the cap (`"max_json_depth"`).
    pub setting: &'static str,
}

impl LimitError {
    /// Always [`ErrorKind::LimitExceeded`].
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::LimitExceeded
    }
}

impl Limits {
    /// Checks a count against a cap.
    pub(crate) fn check(
        what: &str,
        found: usize,
        limit: usize,
        setting: &'static str,
    ) -> Result<(), LimitError> {
        if found > limit {
            return Err(LimitError {
                what: what.to_owned(),
                found,
                limit,
                setting,
            });
        }
        Ok(())
    }

    /// Checks the size and the nesting depth of a JSON text in one linear
    /// pass that allocates nothing, before any parser builds values from it.
    pub fn check_json(&self, what: &str, text: &str) -> Result<(), LimitError> {
        Limits::check(what, text.len(), self.max_input_bytes, "max_input_bytes")?;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        for b in text.bytes() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    if depth > self.max_json_depth {
                        return Err(LimitError {
                            what: format!("JSON nesting in {what}"),
                            found: depth,
                            limit: self.max_json_depth,
                            setting: "max_json_depth",
                        });
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_only_structure_outside_strings() {
        let limits = Limits {
            max_json_depth: 2,
            ..Limits::default()
        };
        assert!(limits.check_json("t", r#"{"a":["[[[[{{{{"]}"#).is_ok());
        assert!(limits.check_json("t", r#"{"a":"\"[[["}"#).is_ok());
        let err = limits.check_json("t", r#"{"a":[[1]]}"#).unwrap_err();
        assert_eq!(err.found, 3);
        assert_eq!(err.setting, "max_json_depth");
        assert_eq!(
            err.to_string(),
            "JSON nesting in t exceeds the limit: 3 > 2 (max_json_depth)"
        );
    }

    #[test]
    fn size_cap() {
        let limits = Limits {
            max_input_bytes: 3,
            ..Limits::default()
        };
        assert!(limits.check_json("t", "[1]").is_ok());
        assert_eq!(
            limits.check_json("t", "[12]").unwrap_err().setting,
            "max_input_bytes"
        );
    }
}
