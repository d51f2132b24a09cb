//! A network shared read-only across threads while a writer prepares the
//! next version and swaps it in (clone-on-write behind an `Arc`).
//!
//! The pattern a host uses:
//!
//! ```text
//! let current: RwLock<Arc<Network>>;                  // shared by every request
//! readers:  let net = current.read().clone();         // an Arc clone: O(1), then lock released
//!           net.check(..) / net.lookup(..)             // answers from one consistent version
//! writer:   let mut next = (*current.read().clone()).clone();
//!           next.apply(op, actor, now)?;               // validate and apply off to the side
//!           *current.write() = Arc::new(next);         // swap; old readers finish on the old version
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use chapterhouse::{Actor, Network, Op};

const REGIONS: usize = 8;
const CHAPTERS_PER_REGION: usize = 25;

fn build() -> Network {
    let now = "2026-01-01T00:00:00Z".parse().unwrap();
    let mut net = Network::new("org".parse().unwrap(), "Org", "org".parse().unwrap(), now).unwrap();
    for r in 0..REGIONS {
        let op: Op = serde_json::from_value(serde_json::json!({
            "op": "add_region", "id": format!("r{r}"), "parent": "org",
            "name": format!("Region {r}"), "slug": format!("r{r}")
        }))
        .unwrap();
        net.apply(op, &Actor::Host, now).unwrap();
        for c in 0..CHAPTERS_PER_REGION {
            let id = format!("c{r}-{c}");
            let op: Op = serde_json::from_value(serde_json::json!({
                "op": "apply_chapter", "id": id, "parent": format!("r{r}"),
                "name": format!("Chapter {r}-{c}"), "slug": id, "group_kind": "issue"
            }))
            .unwrap();
            net.apply(op, &Actor::Host, now).unwrap();
        }
    }
    for op in [
        serde_json::json!({"op": "set_person", "id": "coord", "name": "Regional Coordinator"}),
        serde_json::json!({"op": "grant", "id": "g-coord", "person": "coord",
                           "role": "regional_coordinator", "scope": {"node": "r0"}}),
    ] {
        net.apply(serde_json::from_value(op).unwrap(), &Actor::Host, now)
            .unwrap();
    }
    net
}

/// Where chapter `c0-0` sits after `moves` moves: it walks r0 → r1 → … → r7 → r0.
fn expected_region(moves: u64) -> String {
    format!("r{}", moves as usize % REGIONS)
}

#[test]
fn readers_see_consistent_versions_while_a_writer_swaps() {
    let base = build();
    let base_revision = base.revision();
    let current = Arc::new(RwLock::new(Arc::new(base)));
    let done = Arc::new(AtomicBool::new(false));
    let checked = Arc::new(AtomicU64::new(0));

    let readers: Vec<_> = (0..6)
        .map(|_| {
            let current = Arc::clone(&current);
            let done = Arc::clone(&done);
            let checked = Arc::clone(&checked);
            std::thread::spawn(move || {
                let now = "2026-03-01T00:00:00Z".parse().unwrap();
                let mut last_seen = 0;
                while !done.load(Ordering::Acquire) {
                    let net = Arc::clone(&current.read().unwrap());
                    let moves = net.revision() - base_revision;
                    assert!(moves >= last_seen, "versions only move forward");
                    last_seen = moves;
                    let home = expected_region(moves);
                    // every answer agrees with the version this reader holds
                    assert_eq!(net.parent("c0-0").unwrap().unwrap().id.as_str(), home);
                    assert!(net.is_ancestor(&home, "c0-0").unwrap());
                    // inherited access moves with the chapter: the coordinator of r0
                    // sees c0-0 exactly in the versions where it sits under r0
                    let d = net.check("coord", "chapter.view", "c0-0", now).unwrap();
                    assert_eq!(d.is_allowed(), home == "r0", "version {moves}: {d}");
                    for r in 0..REGIONS {
                        let region = format!("r{r}");
                        let n = net.chapters_under(&region).unwrap().count();
                        let want =
                            CHAPTERS_PER_REGION + usize::from(region == home) - usize::from(r == 0);
                        assert_eq!(n, want, "version {moves}, region {region}");
                    }
                    checked.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    let now = "2026-02-01T00:00:00Z".parse().unwrap();
    for m in 1..=200u64 {
        let mut next = Network::clone(&current.read().unwrap());
        let op = Op::Move {
            id: "c0-0".parse().unwrap(),
            parent: expected_region(m).parse().unwrap(),
        };
        next.apply(op, &Actor::Host, now).unwrap();
        *current.write().unwrap() = Arc::new(next);
        if m % 20 == 0 {
            std::thread::yield_now();
        }
    }
    // let readers observe the final version too
    while checked.load(Ordering::Relaxed) < 1_000 {
        std::thread::yield_now();
    }
    done.store(true, Ordering::Release);
    for r in readers {
        r.join().expect("a reader saw an inconsistent version");
    }
    let final_net = current.read().unwrap();
    assert_eq!(final_net.revision() - base_revision, 200);
}

#[test]
fn network_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Network>();
}
