//! Permission checks, side by side with Cedar (`cedar-policy`), on the same
//! generated organization: 1 organization, 50 regions, 5,000 chapters and
//! 100,000 users (5 admins, 100 regional coordinators, 10,000 chapter
//! leaders, the rest members), with suspensions, missing attestations,
//! archived and applied chapters, and lapsed and future member grants.
//!
//! Both engines answer the same queries and every decision is asserted equal
//! before anything is timed. The Cedar side is the natural Cedar encoding of
//! the default policy: one `permit` per role (`resource in principal.<role>`,
//! the role's nodes as a set attribute on the user) and one `forbid` per
//! rule. Cedar has no per-membership validity, so its entities hold only the
//! grants in force at the benchmark's `now` (chapterhouse evaluates the
//! validity of each grant at query time). Cedar requests are built before
//! timing; chapterhouse takes the ids as strings (`check`), and, measured
//! separately, as handles resolved before timing (`check_handles`, the
//! counterpart of Cedar's prebuilt requests).
//!
//! Build: `cargo bench -p chapterhouse-benches --bench access --no-run`,
//! then run the printed executable with `--bench`. The organization comes
//! from `benches/src/access_org.rs`, shared with the quick standalone run
//! (`cargo run --release -p chapterhouse-benches --bin access-quick`).
//! Figures, with the commands and machine load: `benches/access/README.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::str::FromStr;
use std::time::Instant;

use cedar_policy::{Authorizer, Context, Entities, EntityUid, PolicySet, Request};
use chapterhouse::Network;
use chapterhouse::access::{
    AppliesTo, CapabilityHandle, Condition, NodeHandle, PersonHandle, Policy,
};
use chapterhouse_benches::access_org::{
    self, ADMINS, CHAPTERS, NOW, Packed, QUERIES, REGIONS, User, chapter_id, chapter_status,
    min_per_op, region_id, user_id,
};
use chrono::{DateTime, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

fn in_force(u: &User, now: DateTime<Utc>) -> bool {
    let from: DateTime<Utc> = u.from.parse().unwrap();
    from <= now
        && u.until
            .is_none_or(|t| now < t.parse::<DateTime<Utc>>().unwrap())
}

/// The Cedar entities of the organization (grants in force at `now` only).
fn cedar_entities(users: &[User], now: DateTime<Utc>) -> String {
    let mut s = String::with_capacity(40 << 20);
    s.push_str(r#"[{"uid":{"type":"Node","id":"org"},"parents":[],"attrs":{"status":"active"}}"#);
    for r in 0..REGIONS {
        let _ = write!(
            s,
            r#",{{"uid":{{"type":"Node","id":"{}"}},"parents":[{{"type":"Node","id":"org"}}],"attrs":{{"status":"active"}}}}"#,
            region_id(r)
        );
    }
    for c in 0..CHAPTERS {
        let _ = write!(
            s,
            r#",{{"uid":{{"type":"Node","id":"{}"}},"parents":[{{"type":"Node","id":"{}"}}],"attrs":{{"status":"{}"}}}}"#,
            chapter_id(c),
            region_id(c * REGIONS / CHAPTERS),
            chapter_status(c)
        );
    }
    for (i, u) in users.iter().enumerate() {
        let att: Vec<String> = u.attestations.iter().map(|a| format!("\"{a}\"")).collect();
        let mut roles = String::new();
        for role in ["admin", "regional_coordinator", "chapter_leader", "member"] {
            let nodes = if u.role == role && in_force(u, now) {
                format!(r#"{{"__entity":{{"type":"Node","id":"{}"}}}}"#, u.node)
            } else {
                String::new()
            };
            let _ = write!(roles, r#","{role}":[{nodes}]"#);
        }
        let _ = write!(
            s,
            r#",{{"uid":{{"type":"User","id":"{}"}},"parents":[],"attrs":{{"suspended":{},"attestations":[{}]{roles}}}}}"#,
            user_id(i),
            u.suspended,
            att.join(",")
        );
    }
    s.push(']');
    s
}

/// The default policy in Cedar: a permit per role, a forbid per rule.
fn cedar_policies(p: &Policy) -> String {
    let actions = |names: &mut dyn Iterator<Item = &String>| -> String {
        let list: Vec<String> = names.map(|n| format!("Action::\"{n}\"")).collect();
        format!("[{}]", list.join(", "))
    };
    let mut out = String::new();
    for role in ["admin", "regional_coordinator", "chapter_leader", "member"] {
        let r = p.role(role).unwrap();
        // chapter-level roles of the default policy list no reserved capability
        let _ = writeln!(
            out,
            "permit(principal, action in {}, resource) when {{ resource in principal.{role} }};",
            actions(&mut r.capabilities.iter())
        );
    }
    for rule in &p.forbid {
        let covered: Vec<String> = p
            .capabilities
            .iter()
            .filter(|c| match rule.applies_to {
                AppliesTo::All => true,
                AppliesTo::Writes => c.writes,
                AppliesTo::PersonalData => c.personal_data,
                AppliesTo::Listed => rule.capabilities.contains(&c.name),
                _ => false,
            })
            .filter(|c| !rule.except.contains(&c.name))
            .map(|c| c.name.clone())
            .collect();
        let cond = match rule.when {
            Condition::PersonSuspended => "when { principal.suspended }".to_owned(),
            Condition::NodeArchived => "when { resource.status == \"archived\" }".to_owned(),
            Condition::NodeNotActive => "when { resource.status != \"active\" }".to_owned(),
            Condition::MissingAttestation => format!(
                "unless {{ principal.attestations.contains(\"{}\") }}",
                rule.attestation.as_deref().unwrap()
            ),
            _ => unreachable!(),
        };
        let _ = writeln!(
            out,
            "forbid(principal, action in {}, resource) {cond};",
            actions(&mut covered.iter())
        );
    }
    out
}

struct Fixture {
    snapshot: String,
    entities_json: String,
    policies_text: String,
    net: Network,
    entities: Entities,
    policies: PolicySet,
    queries: Vec<(String, String, String)>,
    /// The same queries packed in one buffer, read in order while timing
    /// (through `Packed::slices`), so the harness's own reads stay
    /// sequential (as hot as the ids a host has just received).
    packed: Packed,
    requests: Vec<Request>,
    coordinator: String,
}

fn fixture() -> Fixture {
    let now: DateTime<Utc> = NOW.parse().unwrap();
    let users = access_org::users();
    let snapshot = access_org::snapshot(&users);
    let net = Network::from_json(&snapshot).unwrap();
    let policy = Policy::default();
    let entities_json = cedar_entities(&users, now);
    let policies_text = cedar_policies(&policy);
    let entities = Entities::from_json_str(&entities_json, None).unwrap();
    let policies = PolicySet::from_str(&policies_text).unwrap();
    let caps: Vec<String> = policy.capabilities.iter().map(|c| c.name.clone()).collect();
    let queries = access_org::queries(&users, &caps);
    let requests = queries
        .iter()
        .map(|(u, c, n)| {
            Request::new(
                EntityUid::from_str(&format!("User::\"{u}\"")).unwrap(),
                EntityUid::from_str(&format!("Action::\"{c}\"")).unwrap(),
                EntityUid::from_str(&format!("Node::\"{n}\"")).unwrap(),
                Context::empty(),
                None,
            )
            .unwrap()
        })
        .collect();
    let packed = Packed::new(&queries);
    Fixture {
        packed,
        snapshot,
        entities_json,
        policies_text,
        net,
        entities,
        policies,
        queries,
        requests,
        coordinator: user_id(ADMINS),
    }
}

type Handles<'a> = (PersonHandle<'a>, CapabilityHandle<'a>, NodeHandle<'a>);

/// The queries as handles, resolved before timing (every person is known).
fn handles(f: &Fixture) -> Vec<Handles<'_>> {
    f.queries
        .iter()
        .map(|(u, c, n)| {
            (
                f.net.person_handle(u).unwrap(),
                f.net.capability_handle(c).unwrap(),
                f.net.node_handle(n).unwrap(),
            )
        })
        .collect()
}

fn assert_agreement(f: &Fixture) {
    let now: DateTime<Utc> = NOW.parse().unwrap();
    let authorizer = Authorizer::new();
    let mut allowed = 0;
    for ((u, c, n), req) in f.queries.iter().zip(&f.requests) {
        let ours = f.net.check(u, c, n, now).unwrap();
        let theirs = authorizer.is_authorized(req, &f.policies, &f.entities);
        assert!(
            theirs.diagnostics().errors().next().is_none(),
            "cedar evaluation error for {u} {c} {n}"
        );
        let cedar_allows = theirs.decision() == cedar_policy::Decision::Allow;
        assert_eq!(ours.is_allowed(), cedar_allows, "{u} {c} {n}: {ours}");
        let (p, cap, node) = (
            f.net.person_handle(u).unwrap(),
            f.net.capability_handle(c).unwrap(),
            f.net.node_handle(n).unwrap(),
        );
        let by_handle = f.net.check_handles(p, cap, node, now).unwrap();
        assert_eq!(by_handle.to_string(), ours.to_string());
        allowed += usize::from(cedar_allows);
    }
    eprintln!(
        "access: {} queries, {allowed} allowed, decisions equal between chapterhouse and cedar",
        f.queries.len()
    );
}

fn quick_figures(f: &Fixture, now: DateTime<Utc>) {
    let authorizer = Authorizer::new();
    let hs = handles(f);
    let qs = f.packed.slices();
    let ours = |hot: usize| {
        min_per_op(400, 1000, |i| {
            let [u, c, n] = qs[i % hot];
            black_box(f.net.check(u, c, n, now).unwrap().is_allowed());
        })
    };
    let theirs = |hot: usize| {
        min_per_op(100, 20, |i| {
            let r = &f.requests[i % hot];
            black_box(
                authorizer
                    .is_authorized(r, &f.policies, &f.entities)
                    .decision(),
            );
        })
    };
    let by_handle = |hot: usize| {
        min_per_op(400, 1000, |i| {
            let (p, c, n) = hs[i % hot];
            black_box(f.net.check_handles(p, c, n, now).unwrap().is_allowed());
        })
    };
    let (o, h, t) = (ours(QUERIES), by_handle(QUERIES), theirs(QUERIES));
    eprintln!(
        "access: check, random queries (min of batches): chapterhouse {:.0} ns (ids as strings), {:.0} ns (handles), cedar {:.2} µs, ratio {:.0}x (strings)",
        o * 1e9,
        h * 1e9,
        t * 1e6,
        t / o
    );
    let (o, h, t) = (ours(64), by_handle(64), theirs(64));
    eprintln!(
        "access: check, 64 hot queries (min of batches): chapterhouse {:.0} ns (ids as strings), {:.0} ns (handles), cedar {:.2} µs, ratio {:.0}x (strings)",
        o * 1e9,
        h * 1e9,
        t * 1e6,
        t / o
    );
    let coord = f.coordinator.as_str();
    let nw = min_per_op(200, 100, |_| {
        black_box(
            f.net
                .nodes_where(coord, "chapter.view", now, None, 1000)
                .unwrap()
                .nodes
                .len(),
        );
    });
    eprintln!(
        "access: nodes_where for a regional coordinator (min of batches): {:.0} ns",
        nw * 1e9
    );
    // (each load dropped after its time is taken, as in criterion's)
    let mut load = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        let net = black_box(Network::from_json(&f.snapshot).unwrap());
        load = load.min(t.elapsed().as_secs_f64());
        drop(net);
    }
    let t = Instant::now();
    let entities = black_box(Entities::from_json_str(&f.entities_json, None).unwrap());
    let cedar_load = t.elapsed().as_secs_f64();
    drop(entities);
    eprintln!(
        "access: load from JSON: chapterhouse {:.0} ms (best of 3), cedar {:.0} ms, ratio {:.1}x",
        load * 1e3,
        cedar_load * 1e3,
        cedar_load / load
    );
}

fn bench(c: &mut Criterion) {
    let started = Instant::now();
    let f = fixture();
    eprintln!(
        "access: fixture built in {:.1} s (snapshot {:.1} MB, cedar entities {:.1} MB)",
        started.elapsed().as_secs_f64(),
        f.snapshot.len() as f64 / 1e6,
        f.entities_json.len() as f64 / 1e6
    );
    assert_agreement(&f);
    let now: DateTime<Utc> = NOW.parse().unwrap();
    quick_figures(&f, now);

    let mut g = c.benchmark_group("access/check");
    let qs = f.packed.slices();
    let mut i = 0usize;
    g.bench_function("chapterhouse", |b| {
        b.iter(|| {
            let [u, cap, n] = qs[i % QUERIES];
            i = i.wrapping_add(1);
            black_box(f.net.check(u, cap, n, now).unwrap().is_allowed())
        })
    });
    let hs = handles(&f);
    let mut h = 0usize;
    g.bench_function("chapterhouse_handles", |b| {
        b.iter(|| {
            let (p, cap, n) = hs[h % QUERIES];
            h = h.wrapping_add(1);
            black_box(f.net.check_handles(p, cap, n, now).unwrap().is_allowed())
        })
    });
    let authorizer = Authorizer::new();
    let mut j = 0usize;
    g.bench_function("cedar", |b| {
        b.iter(|| {
            let req = &f.requests[j % QUERIES];
            j = j.wrapping_add(1);
            black_box(
                authorizer
                    .is_authorized(req, &f.policies, &f.entities)
                    .decision(),
            )
        })
    });
    // The same engines on 64 queries that stay in cache: what a check
    // costs when the person's data is hot (a CRM checking the signed-in
    // user again and again), without the memory misses of random users.
    const HOT: usize = 64;
    let mut k = 0usize;
    g.bench_function("chapterhouse_hot", |b| {
        b.iter(|| {
            let [u, cap, n] = qs[k % HOT];
            k = k.wrapping_add(1);
            black_box(f.net.check(u, cap, n, now).unwrap().is_allowed())
        })
    });
    let mut l = 0usize;
    g.bench_function("cedar_hot", |b| {
        b.iter(|| {
            let req = &f.requests[l % HOT];
            l = l.wrapping_add(1);
            black_box(
                authorizer
                    .is_authorized(req, &f.policies, &f.entities)
                    .decision(),
            )
        })
    });
    g.finish();

    let mut g = c.benchmark_group("access/nodes_where");
    let coord = f.coordinator.clone();
    let count = f
        .net
        .nodes_where(&coord, "chapter.view", now, None, 10_000)
        .unwrap()
        .nodes
        .len();
    eprintln!("access: the regional coordinator's nodes_where(chapter.view) has {count} nodes");
    g.bench_function("regional_coordinator", |b| {
        b.iter(|| {
            black_box(
                f.net
                    .nodes_where(&coord, "chapter.view", now, None, 1000)
                    .unwrap()
                    .nodes
                    .len(),
            )
        })
    });
    g.finish();

    // The load alone: each loaded network (and Cedar's entities and
    // policies) is dropped after its time is taken, one at a time, so
    // neither engine's figure counts freeing the previous load's memory.
    let mut g = c.benchmark_group("access/load");
    g.sample_size(10);
    g.bench_function("chapterhouse", |b| {
        b.iter_batched(
            || (),
            |()| black_box(Network::from_json(&f.snapshot).unwrap()),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("cedar", |b| {
        b.iter_batched(
            || (),
            |()| {
                let e = Entities::from_json_str(&f.entities_json, None).unwrap();
                let p = PolicySet::from_str(&f.policies_text).unwrap();
                black_box((e, p))
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
