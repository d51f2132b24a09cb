//! Validated identifiers: node and person ids, tags and slugs.
//!
//! Ids are the host's own strings (a CRM's primary keys, or OSDI-style
//! `system:id`). They are validated once, at the boundary, so the rest of the
//! library never sees an empty or whitespace-laden id.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};
use smol_str::SmolStr;

use crate::error::ErrorKind;

/// The longest id, tag or slug accepted, in bytes.
pub const MAX_ID_LEN: usize = 200;

/// An id, tag or slug that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} {value:?}: {reason}")]
pub struct IdError {
    /// What was being parsed: `"node id"`, `"person id"`, `"tag"`, `"slug"`.
    pub what: &'static str,
    /// The rejected text (cut to 80 characters).
    pub value: String,
    /// Why it was rejected, in plain words.
    pub reason: &'static str,
}

impl IdError {
    fn new(what: &'static str, value: &str, reason: &'static str) -> Self {
        IdError {
            what,
            value: value.chars().take(80).collect(),
            reason,
        }
    }

    /// Always [`ErrorKind::InvalidValue`].
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidValue
    }
}

fn check_id(what: &'static str, s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::new(what, s, "must not be empty"));
    }
    if s.len() > MAX_ID_LEN {
        return Err(IdError::new(what, s, "is longer than 200 bytes"));
    }
    // printable ASCII throughout (the usual id) needs no look at characters
    if !printable_ascii(s) && s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(IdError::new(
            what,
            s,
            "must not contain whitespace or control characters",
        ));
    }
    Ok(())
}

/// Every byte is printable ASCII (`!` to `~`): no whitespace, no control
/// character. Folded without early exit, so it compiles to vector code.
pub(crate) fn printable_ascii(s: &str) -> bool {
    s.bytes()
        .fold(true, |ok, b| ok & (b.wrapping_sub(b'!') <= b'~' - b'!'))
}

fn check_slug(what: &'static str, s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::new(what, s, "must not be empty"));
    }
    if s.len() > MAX_ID_LEN {
        return Err(IdError::new(what, s, "is longer than 200 bytes"));
    }
    let ok = s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !ok {
        return Err(IdError::new(
            what,
            s,
            "may contain only lowercase letters, digits, '-' and '_'",
        ));
    }
    Ok(())
}

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident, $what:literal, $check:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(SmolStr);

        impl $name {
            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Consumes the id, returning its string.
            pub fn into_string(self) -> String {
                self.0.into()
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                $check($what, s)?;
                Ok($name(SmolStr::new(s)))
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                $check($what, &s)?;
                Ok($name(SmolStr::from(s)))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(s: &str) -> Result<Self, IdError> {
                s.parse()
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = SmolStr::deserialize(d)?;
                $check($what, &s).map_err(serde::de::Error::custom)?;
                Ok($name(s))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

string_newtype!(
    /// The id of a node (organization, region or chapter): the host's own
    /// string, 1–200 bytes, no whitespace.
    ///
    /// ```
    /// use chapterhouse::NodeId;
    /// let id: NodeId = "civicrm:group:42".parse().unwrap();
    /// assert_eq!(id.as_str(), "civicrm:group:42");
    /// assert!("".parse::<NodeId>().is_err());
    /// ```
    NodeId,
    "node id",
    check_id
);

string_newtype!(
    /// The id of a person (a supporter, leader or staff member): the host's
    /// own string, 1–200 bytes, no whitespace.
    PersonId,
    "person id",
    check_id
);

string_newtype!(
    /// A cross-cutting tag such as `water-quality`: lowercase letters,
    /// digits, `-` and `_`.
    Tag,
    "tag",
    check_slug
);

string_newtype!(
    /// A URL-safe chapter or region slug: lowercase letters, digits, `-` and `_`.
    Slug,
    "slug",
    check_slug
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_reject_empty_whitespace_and_long() {
        assert!("a b".parse::<NodeId>().is_err());
        assert!("".parse::<PersonId>().is_err());
        assert!("x".repeat(201).parse::<NodeId>().is_err());
        assert!("x".repeat(200).parse::<NodeId>().is_ok());
        assert!("osdi:person:7".parse::<PersonId>().is_ok());
    }

    #[test]
    fn tags_are_lowercase_slugs() {
        assert!("water-quality".parse::<Tag>().is_ok());
        let err = "Water".parse::<Tag>().unwrap_err();
        assert_eq!(err.what, "tag");
        assert!(err.to_string().contains("\"Water\""));
    }

    #[test]
    fn deserialize_validates() {
        let r: Result<NodeId, _> = serde_json::from_str("\"has space\"");
        assert!(r.is_err());
        let ok: NodeId = serde_json::from_str("\"r-1\"").unwrap();
        assert_eq!(ok.as_str(), "r-1");
    }
}
