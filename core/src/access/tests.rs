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
