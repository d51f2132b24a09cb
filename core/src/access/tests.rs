use super::*;

#[test]
fn default_policy_is_valid_and_quiet() {
    let p = Policy::default();
    let warnings = p.validate().unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    for (name, _) in BUILT_IN_CAPABILITIES {
        assert!(p.capability(name).is_some(), "{name}");
    }
}

#[test]
fn policy_json_round_trips_canonically() {
    let p = Policy::default();
    let text = p.to_json();
    let (back, _) = Policy::from_json(&text).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.to_json(), text);
}

#[test]
fn the_hasher_spreads_similar_ids_over_buckets() {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let b = BuildHasherDefault::<super::fx::FxHasher>::default();
    let mut low: std::collections::HashSet<u64> = std::collections::HashSet::new();
    for i in 0..4096 {
        low.insert(b.hash_one(format!("u-{i:06}")) & 0xfff);
    }
    // 4096 ids over 4096 low-bit buckets: a good hash fills most of them
    assert!(low.len() > 2000, "{}", low.len());
}

#[test]
fn inline_ids_find_exactly_their_own_entry() {
    let mut m = super::fx::IdMap::default();
    let ids: Vec<String> = (0..40)
        .map(|n| {
            "abcdefghijklmnopqrstuvwxyz0123456789-_.:ABCD"
                .chars()
                .take(n)
                .collect()
        })
        .collect();
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(m.insert(id, i as u32), None);
    }
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(m.get(id), Some(i as u32), "{id:?}");
    }
    assert_eq!(m.get("abcdefghX"), None);
    assert_eq!(m.remove("abc"), Some(3));
    assert_eq!(m.get("abc"), None);
    assert_eq!(m.len(), 39);
}
