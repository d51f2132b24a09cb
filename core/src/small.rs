//! Short strings kept inline: ids and policy names are mostly a few bytes,
//! and a snapshot holds hundreds of thousands of them, so each one owning a
//! heap allocation made loading and dropping a network slow. Strings of up
//! to 23 bytes live inside the value; longer ones are shared (cloning them
//! copies a pointer).

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// A policy name as a grant or person holds it (a role, an attestation):
/// a string, inline when short, so people and grants own no allocation for
/// it. Reads like a `&str` (`Deref`, `as_str`, comparisons with `str`).
///
/// ```
/// use chapterhouse::access::Name;
/// let role = Name::from("chapter_leader");
/// assert_eq!(role, "chapter_leader");
/// assert_eq!(role.as_str().len(), 14);
/// assert_eq!(role.to_string(), "chapter_leader");
/// ```
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Name(SmolStr);

impl Name {
    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Name {
        Name(SmolStr::new(s))
    }
}

impl From<String> for Name {
    fn from(s: String) -> Name {
        Name(SmolStr::from(s))
    }
}

impl From<&String> for Name {
    fn from(s: &String) -> Name {
        Name(SmolStr::new(s))
    }
}

impl From<Name> for String {
    fn from(n: Name) -> String {
        n.0.into()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_and_compare_as_strings() {
        for s in ["", "member", "data_protection_training", &"x".repeat(300)] {
            let n = Name::from(s);
            assert_eq!(n.as_str(), s);
            assert_eq!(n, s);
            assert_eq!(
                serde_json::to_string(&n).unwrap(),
                serde_json::to_string(s).unwrap()
            );
            let back: Name = serde_json::from_str(&serde_json::to_string(s).unwrap()).unwrap();
            assert_eq!(back, n);
        }
    }

    #[test]
    fn wrong_types_read_as_string_errors_do() {
        for text in ["5", "null", "[]", "{}", "true"] {
            let ours = serde_json::from_str::<Name>(text).unwrap_err().to_string();
            let strings = serde_json::from_str::<String>(text)
                .unwrap_err()
                .to_string();
            assert_eq!(ours, strings);
        }
    }
}
