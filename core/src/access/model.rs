//! People, grants and scopes: the data shapes of the snapshot's `people` and
//! `grants` sections and of the grant operations.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use smol_str::SmolStr;

use super::AccessError;
use crate::id::{NodeId, PersonId, Tag, printable_ascii};
use crate::small::Name;

const MAX_NAME: usize = 200;

fn cut(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Checks a host id (grant ids): 1–200 bytes, no whitespace or control characters.
pub(crate) fn check_host_id(what: &'static str, s: &str) -> Result<(), AccessError> {
    let bad = |reason| AccessError::InvalidName {
        what,
        value: cut(s),
        reason,
    };
    if s.is_empty() {
        return Err(bad("must not be empty"));
    }
    if s.len() > MAX_NAME {
        return Err(bad("is longer than 200 bytes"));
    }
    if !printable_ascii(s) && s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("must not contain whitespace or control characters"));
    }
    Ok(())
}

/// The bytes of a policy name, as a table over all bytes: lowercase
/// letters, digits, `_` and `-`.
// evaluated at compile time: an index out of bounds would fail the build
#[allow(clippy::indexing_slicing)]
const WORD_BYTES: [bool; 256] = {
    let mut m = [false; 256];
    let mut c = 0u8;
    while c < 128 {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-' {
            m[c as usize] = true;
        }
        c += 1;
    }
    m
};

/// Checks a policy name (role, rule, attestation): 1–100 bytes of lowercase
/// letters, digits, `_` and `-`.
pub(crate) fn check_word(what: &'static str, s: &str) -> Result<(), AccessError> {
    let bad = |reason| AccessError::InvalidName {
        what,
        value: cut(s),
        reason,
    };
    if s.is_empty() {
        return Err(bad("must not be empty"));
    }
    if s.len() > 100 {
        return Err(bad("is longer than 100 bytes"));
    }
    let word = s.bytes().fold(true, |ok, b| {
        ok & WORD_BYTES.get(usize::from(b)).copied().unwrap_or(false)
    });
    if !word {
        return Err(bad(
            "may contain only lowercase letters, digits, '_' and '-'",
        ));
    }
    Ok(())
}

/// Checks a capability name: dot-separated lowercase words such as
/// `members.export`, at most 100 bytes.
pub(crate) fn check_capability_name(s: &str) -> Result<(), AccessError> {
    let bad = |reason| AccessError::InvalidName {
        what: "capability",
        value: cut(s),
        reason,
    };
    if s.is_empty() {
        return Err(bad("must not be empty"));
    }
    if s.len() > 100 {
        return Err(bad("is longer than 100 bytes"));
    }
    let ok = s.split('.').all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    });
    if !ok {
        return Err(bad(
            "must be dot-separated words of lowercase letters, digits and '_' (like members.export)",
        ));
    }
    Ok(())
}

/// The host's id for a grant: 1–200 bytes, no whitespace.
///
/// ```
/// use chapterhouse::access::GrantId;
/// let id: GrantId = "g-0001".parse().unwrap();
/// assert_eq!(id.as_str(), "g-0001");
/// assert!("".parse::<GrantId>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct GrantId(SmolStr);

impl GrantId {
    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for GrantId {
    type Err = AccessError;
    fn from_str(s: &str) -> Result<Self, AccessError> {
        check_host_id("grant id", s)?;
        Ok(GrantId(SmolStr::new(s)))
    }
}

impl TryFrom<String> for GrantId {
    type Error = AccessError;
    fn try_from(s: String) -> Result<Self, AccessError> {
        check_host_id("grant id", &s)?;
        Ok(GrantId(SmolStr::from(s)))
    }
}

impl<'de> Deserialize<'de> for GrantId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = SmolStr::deserialize(d)?;
        check_host_id("grant id", &s).map_err(serde::de::Error::custom)?;
        Ok(GrantId(s))
    }
}

impl fmt::Display for GrantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Borrow<str> for GrantId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Where a grant applies: a node and its whole subtree, or every node that
/// carries a tag (and their subtrees). Serialized as `{"node": "ch-boston"}`
/// or `{"tag": "water-quality"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Scope {
    /// A node and everything below it.
    Node(NodeId),
    /// Every node carrying the tag, and everything below those.
    Tag(Tag),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Node(n) => write!(f, "{n}"),
            Scope::Tag(t) => write!(f, "the {t} tag"),
        }
    }
}

/// A person known to the network. Only what permissions need: the id, an
/// optional display name, attestations (signed agreement, trainings) and
/// whether the person is suspended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// The host's id for the person.
    pub id: PersonId,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Attestations the person holds (`data_agreement`), sorted, no duplicates.
    #[serde(default, skip_serializing_if = "Attestations::is_none")]
    pub attestations: Attestations,
    /// A suspended person is denied everything (default policy rule `suspended`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub suspended: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Person {
    /// True when the person holds the attestation.
    pub fn has_attestation(&self, name: &str) -> bool {
        self.attestations
            .binary_search_by(|a| a.as_str().cmp(name))
            .is_ok()
    }

    /// Validates the fields and puts attestations in canonical order.
    pub(crate) fn normalized(mut self) -> Result<Person, AccessError> {
        self.normalize()?;
        Ok(self)
    }

    /// [`Person::normalized`] in place.
    pub(crate) fn normalize(&mut self) -> Result<(), AccessError> {
        self.normalize_after(None)
    }

    /// [`Person::normalize`], skipping the check of an attestation list
    /// shared with `checked` (a list already normalized).
    pub(crate) fn normalize_after(
        &mut self,
        checked: Option<&Attestations>,
    ) -> Result<(), AccessError> {
        if let Some(name) = &self.name {
            check_text(self.id.as_str(), name)?;
        }
        if checked.is_some_and(|c| c.shared_with(&self.attestations)) {
            return Ok(());
        }
        for a in &self.attestations {
            check_word("attestation", a)?;
        }
        if !self.attestations.is_sorted_by(|a, b| a < b) {
            let mut v = self.attestations.to_vec();
            v.sort();
            v.dedup();
            self.attestations = Attestations::from(v);
        }
        Ok(())
    }
}

/// The attestations a person holds: a list of names, shared between the
/// people who hold the same ones (a network of 100,000 people usually has
/// a handful of distinct lists, so loading it allocates a handful). Reads
/// as a slice of [`Name`]s; build one from a `Vec` or an iterator.
///
/// ```
/// use chapterhouse::access::{Attestations, Name};
/// let a: Attestations = ["data_agreement", "data_protection_training"]
///     .into_iter()
///     .map(Name::from)
///     .collect();
/// assert_eq!(a.len(), 2);
/// assert_eq!(a, ["data_agreement", "data_protection_training"]);
/// assert!(Attestations::default().is_empty());
/// ```
#[derive(Clone, Default)]
pub struct Attestations(Option<Arc<[Name]>>);

impl Attestations {
    /// True when there are none (for `skip_serializing_if`).
    fn is_none(&self) -> bool {
        self.is_empty()
    }

    /// The same shared list (so the same names), or both empty.
    pub(crate) fn shared_with(&self, other: &Attestations) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl Deref for Attestations {
    type Target = [Name];
    fn deref(&self) -> &[Name] {
        self.0.as_deref().unwrap_or_default()
    }
}

impl From<Vec<Name>> for Attestations {
    fn from(v: Vec<Name>) -> Attestations {
        Attestations((!v.is_empty()).then(|| Arc::from(v)))
    }
}

impl From<&[Name]> for Attestations {
    fn from(v: &[Name]) -> Attestations {
        Attestations((!v.is_empty()).then(|| Arc::from(v)))
    }
}

impl FromIterator<Name> for Attestations {
    fn from_iter<I: IntoIterator<Item = Name>>(iter: I) -> Attestations {
        Attestations::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl<'a> IntoIterator for &'a Attestations {
    type Item = &'a Name;
    type IntoIter = std::slice::Iter<'a, Name>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl PartialEq for Attestations {
    fn eq(&self, other: &Attestations) -> bool {
        **self == **other
    }
}

impl Eq for Attestations {}

impl<T, const N: usize> PartialEq<[T; N]> for Attestations
where
    Name: PartialEq<T>,
{
    fn eq(&self, other: &[T; N]) -> bool {
        self.len() == N && self.iter().zip(other).all(|(a, b)| a == b)
    }
}

impl PartialEq<Vec<Name>> for Attestations {
    fn eq(&self, other: &Vec<Name>) -> bool {
        **self == **other
    }
}

impl fmt::Debug for Attestations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Attestations {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Attestations {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Name>::deserialize(d).map(Attestations::from)
    }
}

pub(crate) fn check_text(id: &str, name: &str) -> Result<(), AccessError> {
    let bad = |reason: &str| AccessError::InvalidPerson {
        id: id.to_owned(),
        reason: reason.to_owned(),
    };
    if name.trim().is_empty() {
        return Err(bad("name must not be empty"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(bad("name is longer than 200 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(bad("name must not contain control characters"));
    }
    Ok(())
}

/// A role given to a person at a scope for a time: the only way anyone holds
/// a capability. Valid from `valid_from` (included) until `valid_until`
/// (excluded; open-ended when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// The host's id for the grant.
    pub id: GrantId,
    /// Who holds it.
    pub person: PersonId,
    /// The role's name in the policy.
    pub role: Name,
    /// Where it applies.
    pub scope: Scope,
    /// When it starts.
    #[serde(deserialize_with = "stamp::deserialize")]
    pub valid_from: DateTime<Utc>,
    /// When it lapses (excluded); `None` = until revoked.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "stamp::deserialize_opt"
    )]
    pub valid_until: Option<DateTime<Utc>>,
}

impl Grant {
    /// True when the grant is in force at `now`.
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        self.valid_from <= now && self.valid_until.is_none_or(|u| now < u)
    }

    /// Checks the validity interval.
    pub(crate) fn check_interval(&self) -> Result<(), AccessError> {
        match self.valid_until {
            Some(u) if u <= self.valid_from => Err(AccessError::InvertedValidity {
                id: self.id.to_string(),
                from: self.valid_from.to_rfc3339(),
                until: u.to_rfc3339(),
            }),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Grant {
    /// `g-0003 (regional_coordinator of ne for p-0001)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "grant {} ({} at {} for {})",
            self.id, self.role, self.scope, self.person
        )
    }
}

/// Deserializing times with a fast path for the canonical form a snapshot
/// writes (`2026-01-01T00:00:00Z`): the same value chrono's parser gives,
/// without its general machinery; any other text goes to that parser, so
/// values and error messages are chrono's.
pub(crate) mod stamp {
    use std::fmt;

    use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
    use serde::{Deserializer, de};

    /// `YYYY-MM-DDTHH:MM:SSZ` with a valid date, hour, minute and second
    /// below 60 (a leap second goes to chrono); `None` for anything else.
    pub(crate) fn fast(s: &str) -> Option<DateTime<Utc>> {
        let b: &[u8; 20] = s.as_bytes().try_into().ok()?;
        let [
            y0,
            y1,
            y2,
            y3,
            b'-',
            m0,
            m1,
            b'-',
            d0,
            d1,
            b'T',
            h0,
            h1,
            b':',
            i0,
            i1,
            b':',
            s0,
            s1,
            b'Z',
        ] = *b
        else {
            return None;
        };
        let digits = |ds: &[u8]| -> Option<u32> {
            ds.iter().try_fold(0u32, |acc, &d| {
                d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
            })
        };
        let year = digits(&[y0, y1, y2, y3])?;
        if year < 1000 {
            return None;
        }
        let (month, day) = (digits(&[m0, m1])?, digits(&[d0, d1])?);
        let (hour, min, sec) = (digits(&[h0, h1])?, digits(&[i0, i1])?, digits(&[s0, s1])?);
        if hour > 23 || min > 59 || sec > 59 {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
        Some(date.and_hms_opt(hour, min, sec)?.and_utc())
    }

    /// What deserializing gives for this text, `None` for an error.
    pub(crate) fn parse(s: &str) -> Option<DateTime<Utc>> {
        match fast(s) {
            Some(t) => Some(t),
            None => s
                .parse::<DateTime<FixedOffset>>()
                .ok()
                .map(|t| t.with_timezone(&Utc)),
        }
    }

    struct Visitor;

    impl de::Visitor<'_> for Visitor {
        type Value = DateTime<Utc>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            // chrono's words, so type errors read as before
            f.write_str("an RFC 3339 formatted date and time string")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<DateTime<Utc>, E> {
            match fast(v) {
                Some(t) => Ok(t),
                None => v
                    .parse::<DateTime<FixedOffset>>()
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(E::custom),
            }
        }
    }

    /// For `#[serde(deserialize_with)]` on a `DateTime<Utc>` field.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        d.deserialize_str(Visitor)
    }

    struct OptVisitor;

    impl<'de> de::Visitor<'de> for OptVisitor {
        type Value = Option<DateTime<Utc>>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("option")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            deserialize(d).map(Some)
        }
    }

    /// For `#[serde(default, deserialize_with)]` on an `Option<DateTime<Utc>>`
    /// field: `null` is `None`, as with the derived impl.
    pub(crate) fn deserialize_opt<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        d.deserialize_option(OptVisitor)
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Wherever the fast path answers, chrono answers the same.
            #[test]
            fn the_fast_path_agrees_with_chrono(
                y in 0u32..10_000, mo in 0u32..14, d in 0u32..33,
                h in 0u32..26, mi in 0u32..62, s in 0u32..62,
                sep in prop::sample::select(vec!['T', 't', ' ']),
                z in prop::sample::select(vec!["Z", "z", "+00:00", "+01:00"]),
            ) {
                let text = format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{z}");
                let chrono = text.parse::<DateTime<FixedOffset>>().ok().map(|t| t.with_timezone(&Utc));
                if let Some(t) = fast(&text) {
                    prop_assert_eq!(Some(t), chrono, "{}", text);
                }
                // the canonical form is taken by the fast path whenever chrono takes it
                if sep == 'T' && z == "Z" && y >= 1000 && s < 60 {
                    prop_assert_eq!(fast(&text), chrono, "{}", text);
                }
            }
        }
    }
}
