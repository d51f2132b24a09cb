//! Mutations by people: each operation needs its capability, grants obey
//! delegation safety, the application flow self-activates leaders, and the
//! change log replays.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chapterhouse::access::{Decision, Policy, Scope};
use chapterhouse::{Actor, Change, ErrorKind, Network, Op};
use chrono::{DateTime, Utc};
use serde_json::json;

fn now() -> DateTime<Utc> {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

fn op(v: serde_json::Value) -> Op {
    serde_json::from_value(v).unwrap()
}

fn person(id: &str) -> Actor {
    Actor::Person(id.parse().unwrap())
}

/// org → ne → {ch-boston (active), ch-lowell (active)}; people with roles.
fn network() -> (Network, Vec<Change>) {
    let mut net =
        Network::new("org".parse().unwrap(), "Org", "org".parse().unwrap(), now()).unwrap();
    let mut log = Vec::new();
    let ops = vec![
        json!({"op": "add_region", "id": "ne", "parent": "org", "name": "Northeast", "slug": "ne"}),
        json!({"op": "apply_chapter", "id": "ch-boston", "parent": "ne", "name": "Boston", "slug": "boston", "group_kind": "local"}),
        json!({"op": "apply_chapter", "id": "ch-lowell", "parent": "ne", "name": "Lowell", "slug": "lowell", "group_kind": "local"}),
        json!({"op": "approve", "id": "ch-boston"}),
        json!({"op": "approve", "id": "ch-lowell"}),
    ];
    for o in ops {
        log.push(net.apply(op(o), &Actor::Host, now()).unwrap());
    }
    for (id, role, scope) in [
        ("admin", "admin", "org"),
        ("coord", "regional_coordinator", "ne"),
        ("leader", "chapter_leader", "ch-boston"),
        ("co", "co_leader", "ch-boston"),
        ("newbie", "supporter", "org"),
        ("other", "chapter_leader", "ch-lowell"),
    ] {
        log.push(
            net.apply(
                op(json!({"op": "set_person", "id": id, "name": id})),
                &Actor::Host,
                now(),
            )
            .unwrap(),
        );
        for a in ["data_agreement", "data_protection_training"] {
            log.push(
                net.apply(
                    op(json!({"op": "attest", "person": id, "attestation": a})),
                    &Actor::Host,
                    now(),
                )
                .unwrap(),
            );
        }
        log.push(
            net.apply(op(json!({"op": "grant", "id": format!("g-{id}"), "person": id, "role": role, "scope": {"node": scope}})), &Actor::Host, now())
                .unwrap(),
        );
    }
    (net, log)
}

fn denied(r: Result<Change, chapterhouse::Error>) -> String {
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
    e.to_string()
}

#[test]
fn operations_need_their_capability() {
    let (mut net, _) = network();
    let reject = op(json!({"op": "reject", "id": "ch-boston", "reason": "duplicate"}));
    let msg = denied(net.apply(reject, &person("leader"), now()));
    assert!(
        msg.contains("person \"leader\" may not reject ch-boston"),
        "{msg}"
    );
    assert!(
        msg.contains("chapter.approve is reserved to central"),
        "{msg}"
    );
    // the leader customizes their own hub, but not another chapter's
    let edit = |id: &str| {
        op(json!({"op": "update_profile", "id": id, "description": "We test the river."}))
    };
    net.apply(edit("ch-boston"), &person("leader"), now())
        .unwrap();
    let msg = denied(net.apply(edit("ch-lowell"), &person("leader"), now()));
    assert!(
        msg.contains("the nearest grant that gives it is grant g-leader"),
        "{msg}"
    );
    // changing tags needs network.structure
    let tags = op(json!({"op": "update_profile", "id": "ch-boston", "tags": ["water-quality"]}));
    denied(net.apply(tags.clone(), &person("leader"), now()));
    net.apply(tags, &person("coord"), now()).unwrap();
    // a failed operation leaves the network unchanged
    let before = net.clone();
    let _ = net.apply(
        op(json!({"op": "archive", "id": "ch-lowell", "reason": "x"})),
        &person("other"),
        now(),
    );
    assert_eq!(net, before);
}

#[test]
fn delegation_is_safe() {
    let (mut net, _) = network();
    let grant = |id: &str, who: &str, role: &str, node: &str| {
        op(json!({"op": "grant", "id": id, "person": who, "role": role, "scope": {"node": node}}))
    };
    // a chapter leader appoints a host in their own chapter
    let c = net
        .apply(
            grant("g-1", "newbie", "host", "ch-boston"),
            &person("leader"),
            now(),
        )
        .unwrap();
    assert_eq!(c.summary, "granted host to newbie at ch-boston (grant g-1)");
    // the change records valid_from as applied
    let Op::Grant(spec) = &c.op else { panic!() };
    assert_eq!(spec.valid_from, Some(now()));
    // a co-leader cannot appoint
    let msg = denied(net.apply(
        grant("g-2", "newbie", "host", "ch-boston"),
        &person("co"),
        now(),
    ));
    assert!(msg.contains("leaders.appoint"), "{msg}");
    // nobody grants themselves anything
    let msg = denied(net.apply(
        grant("g-3", "leader", "co_leader", "ch-boston"),
        &person("leader"),
        now(),
    ));
    assert!(msg.contains("nobody grants themselves anything"), "{msg}");
    // a leader cannot hand out a regional role, nor act in another chapter
    denied(net.apply(
        grant("g-4", "newbie", "regional_coordinator", "ne"),
        &person("leader"),
        now(),
    ));
    denied(net.apply(
        grant("g-5", "newbie", "host", "ch-lowell"),
        &person("leader"),
        now(),
    ));
    // without the data attestations the leader does not hold members.contact, so cannot give host
    net.apply(op(json!({"op": "attest", "person": "leader", "attestation": "data_agreement", "held": false})), &person("admin"), now()).unwrap();
    let msg = denied(net.apply(
        grant("g-6", "co", "host", "ch-boston"),
        &person("leader"),
        now(),
    ));
    assert!(msg.contains("members.contact"), "{msg}");
    // the coordinator appoints chapter leaders in the region
    net.apply(
        grant("g-7", "newbie", "chapter_leader", "ch-lowell"),
        &person("coord"),
        now(),
    )
    .unwrap();
    assert_eq!(
        net.can_grant(
            "coord",
            "newbie",
            "staff",
            &Scope::Node("ne".parse().unwrap()),
            now()
        )
        .unwrap()
        .map(|r| r.to_string())
        .unwrap_or_default(),
        "the granter does not hold campaign.create there (denied: coord holds no grant that gives campaign.create at ne)"
    );
}

#[test]
fn revoking_needs_the_same_rights_but_anyone_may_step_down() {
    let (mut net, _) = network();
    let revoke = |id: &str| op(json!({"op": "revoke", "id": id}));
    denied(net.apply(revoke("g-leader"), &person("co"), now()));
    denied(net.apply(revoke("g-coord"), &person("leader"), now()));
    net.apply(revoke("g-co"), &person("co"), now()).unwrap();
    net.apply(revoke("g-other"), &person("coord"), now())
        .unwrap();
    assert!(net.grant("g-other").is_none());
    assert!(
        !net.check("other", "chapter.view", "ch-lowell", now())
            .unwrap()
            .is_allowed()
    );
    let e = net
        .apply(revoke("g-nope"), &Actor::Host, now())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[test]
fn applicants_self_activate_through_the_application_flow() {
    let (mut net, _) = network();
    let apply = op(
        json!({"op": "apply_chapter", "id": "ch-salem", "parent": "ne", "name": "Salem", "slug": "salem", "group_kind": "local"}),
    );
    let c = net.apply(apply, &person("newbie"), now()).unwrap();
    assert!(
        c.summary
            .ends_with("; newbie becomes its chapter_leader (grant ch-salem/applicant)"),
        "{}",
        c.summary
    );
    // the applicant prepares the hub at once …
    assert!(
        net.check("newbie", "chapter.edit_profile", "ch-salem", now())
            .unwrap()
            .is_allowed()
    );
    // … but events wait for central approval
    let d = net
        .check("newbie", "event.create", "ch-salem", now())
        .unwrap();
    assert_eq!(d.code(), "node_not_active");
    assert!(
        d.to_string()
            .starts_with("denied: ch-salem is applied, not active, and rule active_only"),
        "{d}"
    );
    // the applicant cannot approve their own chapter; the coordinator is who to notify
    denied(net.apply(
        op(json!({"op": "approve", "id": "ch-salem"})),
        &person("newbie"),
        now(),
    ));
    let who: Vec<String> = net
        .who_can("chapter.approve", "ch-salem", now())
        .unwrap()
        .iter()
        .map(|a| a.person.id.to_string())
        .collect();
    assert_eq!(who, ["coord", "admin"]);
    net.apply(
        op(json!({"op": "approve", "id": "ch-salem"})),
        &person("coord"),
        now(),
    )
    .unwrap();
    assert!(
        net.check("newbie", "event.create", "ch-salem", now())
            .unwrap()
            .is_allowed()
    );
    // people without chapter.apply at the parent cannot apply
    let apply = op(
        json!({"op": "apply_chapter", "id": "ch-x", "parent": "ne", "name": "X", "slug": "x", "group_kind": "issue"}),
    );
    net.apply(
        op(json!({"op": "set_person", "id": "walker"})),
        &Actor::Host,
        now(),
    )
    .unwrap();
    denied(net.apply(apply, &person("walker"), now()));
}

#[test]
fn suspended_people_can_do_nothing() {
    let (mut net, _) = network();
    denied(net.apply(
        op(json!({"op": "suspend", "person": "admin"})),
        &person("admin"),
        now(),
    ));
    net.apply(
        op(json!({"op": "suspend", "person": "leader", "reason": "under review"})),
        &person("admin"),
        now(),
    )
    .unwrap();
    let d = net
        .check("leader", "chapter.view", "ch-boston", now())
        .unwrap();
    assert_eq!(
        d.to_string(),
        "denied by rule suspended (a suspended person can do nothing until reinstated): leader is suspended, so chapter.view is forbidden; otherwise grant g-leader (chapter_leader at ch-boston) would allow it"
    );
    assert!(
        net.capabilities_at("leader", "ch-boston", now())
            .unwrap()
            .is_empty()
    );
    let audit = net.audit("members.export", now()).unwrap();
    let e = audit
        .iter()
        .find(|e| e.person.id.as_str() == "leader")
        .unwrap();
    assert_eq!(e.blocked_by.map(|r| r.id.as_str()), Some("suspended"));
    net.apply(
        op(json!({"op": "suspend", "person": "leader", "suspended": false})),
        &person("admin"),
        now(),
    )
    .unwrap();
    assert!(
        net.check("leader", "chapter.view", "ch-boston", now())
            .unwrap()
            .is_allowed()
    );
}

#[test]
fn archived_chapters_are_read_only_but_restorable() {
    let (mut net, _) = network();
    net.apply(
        op(json!({"op": "archive", "id": "ch-boston", "reason": "inactive"})),
        &person("coord"),
        now(),
    )
    .unwrap();
    let d = net
        .check("leader", "chapter.edit_profile", "ch-boston", now())
        .unwrap();
    assert_eq!(d.code(), "forbidden");
    assert_eq!(d.report().rule.as_deref(), Some("archived_read_only"));
    assert!(
        net.check("leader", "members.export", "ch-boston", now())
            .unwrap()
            .is_allowed()
    );
    net.apply(
        op(json!({"op": "restore", "id": "ch-boston"})),
        &person("coord"),
        now(),
    )
    .unwrap();
}

#[test]
fn policy_changes_are_checked_and_diffed() {
    let (mut net, _) = network();
    let mut stricter = Policy::default();
    // leaders lose export; co-leaders gain it
    stricter.roles[4]
        .capabilities
        .retain(|c| c != "members.export");
    stricter.roles[3].capabilities.push("members.export".into());
    let diff = net.diff(&Policy::default(), &stricter, now()).unwrap();
    let lines: Vec<String> = diff.grants.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        lines,
        [
            "leader at ch-boston (grant g-leader) loses members.export",
            "co at ch-boston (grant g-co) gains members.export",
            "other at ch-lowell (grant g-other) loses members.export",
        ]
    );
    denied(net.apply(
        op(json!({"op": "set_policy", "policy": stricter.clone()})),
        &person("coord"),
        now(),
    ));
    net.apply(
        op(json!({"op": "set_policy", "policy": stricter.clone()})),
        &person("admin"),
        now(),
    )
    .unwrap();
    assert!(net.has_own_policy());
    assert!(
        !net.check("leader", "members.export", "ch-boston", now())
            .unwrap()
            .is_allowed()
    );
    assert!(
        net.check("co", "members.export", "ch-boston", now())
            .unwrap()
            .is_allowed()
    );
    // a policy that would orphan a grant is refused
    let mut broken = stricter;
    broken.roles.retain(|r| r.name != "co_leader");
    let e = net
        .apply(
            op(json!({"op": "set_policy", "policy": broken})),
            &Actor::Host,
            now(),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidPolicy);
    assert!(e.to_string().contains("g-co"), "{e}");
}

#[test]
fn the_change_log_replays_to_the_same_network() {
    let (mut net, mut log) = network();
    log.push(net.apply(op(json!({"op": "apply_chapter", "id": "ch-salem", "parent": "ne", "name": "Salem", "slug": "salem", "group_kind": "local"})), &person("newbie"), now()).unwrap());
    log.push(net.apply(op(json!({"op": "grant", "id": "g-x", "person": "co", "role": "host", "scope": {"node": "ch-lowell"}, "valid_until": "2026-06-01T00:00:00Z"})), &person("other"), now()).unwrap());
    log.push(
        net.apply(
            op(json!({"op": "revoke", "id": "g-co"})),
            &person("leader"),
            now(),
        )
        .unwrap(),
    );
    let text = serde_json::to_string(&log).unwrap();
    let log: Vec<Change> = serde_json::from_str(&text).unwrap();
    let mut replay =
        Network::new("org".parse().unwrap(), "Org", "org".parse().unwrap(), now()).unwrap();
    for c in log {
        replay.apply(c.op, &c.actor, c.at).unwrap();
    }
    assert_eq!(replay, net);
    assert_eq!(replay.to_json(), net.to_json());
    assert!(matches!(
        replay
            .check("newbie", "chapter.view", "ch-salem", now())
            .unwrap(),
        Decision::Allow(_)
    ));
}
