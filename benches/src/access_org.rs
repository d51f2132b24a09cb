//! The generated organization of the access benchmark, shared by the
//! criterion bench (`benches/access.rs`, side by side with Cedar) and the
//! quick standalone run (`access/quick.rs`): 1 organization, 50 regions,
//! 5,000 chapters and 100,000 users (5 admins, 100 regional coordinators,
//! 10,000 chapter leaders, the rest members), with suspensions, missing
//! attestations, archived and applied chapters, and lapsed and future
//! member grants. The same organization on every run.

use std::fmt::Write as _;

/// Regions under the organization.
pub const REGIONS: usize = 50;
/// Chapters, spread evenly over the regions.
pub const CHAPTERS: usize = 5_000;
/// People, each with one grant.
pub const USERS: usize = 100_000;
/// Organization admins (the first users).
pub const ADMINS: usize = 5;
/// Regional coordinators, two a region (after the admins).
pub const COORDINATORS: usize = 2 * REGIONS;
/// Chapter leaders, two a chapter (after the coordinators).
pub const LEADERS: usize = 2 * CHAPTERS;
/// Queries the check benchmarks cycle through.
pub const QUERIES: usize = 20_000;
/// The time every query is asked at.
pub const NOW: &str = "2026-06-01T00:00:00Z";

/// A small deterministic generator (no dependency, same org on every run).
pub struct Lcg(pub u64);

impl Lcg {
    /// The next 31-bit value.
    pub fn next_value(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A value in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_value() % n as u64) as usize
    }
}

/// The id of region `r`.
pub fn region_id(r: usize) -> String {
    format!("r-{r:02}")
}

/// The id of chapter `c`.
pub fn chapter_id(c: usize) -> String {
    format!("ch-{c:04}")
}

/// The id of user `u`.
pub fn user_id(u: usize) -> String {
    format!("u-{u:06}")
}

/// Chapter `c`'s status: some archived, some applied, the rest active.
pub fn chapter_status(c: usize) -> &'static str {
    if c % 50 == 7 {
        "archived"
    } else if c % 37 == 3 {
        "applied"
    } else {
        "active"
    }
}

/// A user and their one grant.
pub struct User {
    /// The role granted.
    pub role: &'static str,
    /// The node it is granted at.
    pub node: String,
    /// Whether the user is suspended.
    pub suspended: bool,
    /// The attestations the user holds.
    pub attestations: Vec<&'static str>,
    /// The grant's start.
    pub from: &'static str,
    /// The grant's end, if any.
    pub until: Option<&'static str>,
}

/// Every user of the organization.
pub fn users() -> Vec<User> {
    let mut rng = Lcg(7);
    (0..USERS)
        .map(|u| {
            let (role, node) = if u < ADMINS {
                ("admin", "org".to_owned())
            } else if u < ADMINS + COORDINATORS {
                ("regional_coordinator", region_id((u - ADMINS) / 2))
            } else if u < ADMINS + COORDINATORS + LEADERS {
                (
                    "chapter_leader",
                    chapter_id((u - ADMINS - COORDINATORS) / 2),
                )
            } else {
                ("member", chapter_id(u % CHAPTERS))
            };
            let a = rng.below(100);
            let attestations = if a < 85 {
                vec!["data_agreement", "data_protection_training"]
            } else if a < 95 {
                vec!["data_agreement"]
            } else {
                vec![]
            };
            let t = rng.below(100);
            let (from, until) = if role != "member" || t >= 7 {
                ("2025-01-01T00:00:00Z", None)
            } else if t < 5 {
                ("2025-01-01T00:00:00Z", Some("2025-12-31T00:00:00Z"))
            } else {
                ("2026-09-01T00:00:00Z", None)
            };
            User {
                role,
                node,
                suspended: rng.below(100) == 0,
                attestations,
                from,
                until,
            }
        })
        .collect()
}

/// The chapterhouse snapshot of the organization.
pub fn snapshot(users: &[User]) -> String {
    let mut s = String::with_capacity(40 << 20);
    s.push_str(r#"{"format":"chapterhouse/1","organization":{"id":"org","name":"Org","slug":"org","created":"2025-01-01T00:00:00Z","updated":"2025-01-01T00:00:00Z"},"nodes":["#);
    for r in 0..REGIONS {
        let id = region_id(r);
        let _ = write!(
            s,
            r#"{}{{"id":"{id}","kind":"region","parent":"org","name":"Region {r}","slug":"{id}","created":"2025-01-01T00:00:00Z","updated":"2025-01-01T00:00:00Z"}}"#,
            if r == 0 { "" } else { "," }
        );
    }
    for c in 0..CHAPTERS {
        let id = chapter_id(c);
        let _ = write!(
            s,
            r#",{{"id":"{id}","kind":"chapter","parent":"{}","name":"Chapter {c}","slug":"{id}","created":"2025-01-01T00:00:00Z","updated":"2025-01-01T00:00:00Z","group_kind":"local","status":"{}"}}"#,
            region_id(c * REGIONS / CHAPTERS),
            chapter_status(c)
        );
    }
    s.push_str(r#"],"people":["#);
    for (i, u) in users.iter().enumerate() {
        let att: Vec<String> = u.attestations.iter().map(|a| format!("\"{a}\"")).collect();
        let _ = write!(
            s,
            r#"{}{{"id":"{}","attestations":[{}],"suspended":{}}}"#,
            if i == 0 { "" } else { "," },
            user_id(i),
            att.join(","),
            u.suspended
        );
    }
    s.push_str(r#"],"grants":["#);
    for (i, u) in users.iter().enumerate() {
        let _ = write!(
            s,
            r#"{}{{"id":"g-{i:06}","person":"{}","role":"{}","scope":{{"node":"{}"}},"valid_from":"{}""#,
            if i == 0 { "" } else { "," },
            user_id(i),
            u.role,
            u.node,
            u.from
        );
        if let Some(t) = u.until {
            let _ = write!(s, r#","valid_until":"{t}""#);
        }
        s.push('}');
    }
    s.push_str("]}");
    s
}

/// The benchmark's queries, (user, capability, node): half at the user's
/// own node, the rest at random chapters, regions and the organization.
pub fn queries(users: &[User], capabilities: &[String]) -> Vec<(String, String, String)> {
    let mut rng = Lcg(42);
    let mut queries = Vec::with_capacity(QUERIES);
    for _ in 0..QUERIES {
        let u = rng.below(USERS);
        let node = match rng.below(10) {
            0..=4 => users.get(u).map(|u| u.node.clone()).unwrap_or_default(),
            5..=7 => chapter_id(rng.below(CHAPTERS)),
            8 => region_id(rng.below(REGIONS)),
            _ => "org".to_owned(),
        };
        let node = if node == "org" && rng.below(2) == 0 {
            chapter_id(rng.below(CHAPTERS))
        } else {
            node
        };
        let cap = capabilities
            .get(rng.below(capabilities.len().max(1)))
            .cloned()
            .unwrap_or_default();
        queries.push((user_id(u), cap, node));
    }
    queries
}

/// Queries packed in one buffer, read in order while timing, so the
/// harness's own reads stay sequential (as hot as the ids a host has just
/// received).
pub struct Packed {
    text: String,
    spans: Vec<[(u32, u32); 3]>,
}

impl Packed {
    /// Packs the queries.
    pub fn new(queries: &[(String, String, String)]) -> Packed {
        let mut text = String::new();
        let mut spans = Vec::with_capacity(queries.len());
        for (u, c, n) in queries {
            let mut span = [(0, 0); 3];
            for (slot, part) in span.iter_mut().zip([u, c, n]) {
                let start = text.len() as u32;
                text.push_str(part);
                *slot = (start, text.len() as u32);
            }
            spans.push(span);
        }
        Packed { text, spans }
    }

    /// Every query as its three string slices into the buffer: what a
    /// timed loop reads, so the harness's own cost for a query is one load
    /// (as Cedar's, whose requests are built before timing), not three
    /// slicings of the buffer, each checking two character boundaries.
    pub fn slices(&self) -> Vec<[&str; 3]> {
        (0..self.spans.len())
            .map(|i| {
                let (u, c, n) = self.get(i);
                [u, c, n]
            })
            .collect()
    }

    /// Query `i` (empty strings past the end).
    #[inline]
    pub fn get(&self, i: usize) -> (&str, &str, &str) {
        let [a, b, c] = self.spans.get(i).copied().unwrap_or_default();
        let part = |(s, e): (u32, u32)| self.text.get(s as usize..e as usize).unwrap_or_default();
        (part(a), part(b), part(c))
    }
}

/// The least time per operation over many short batches: on a shared,
/// busy machine the minimum is the figure least disturbed by other work.
pub fn min_per_op(batches: usize, per_batch: usize, mut op: impl FnMut(usize)) -> f64 {
    let mut best = f64::INFINITY;
    let mut i = 0usize;
    for _ in 0..batches {
        let t = std::time::Instant::now();
        for _ in 0..per_batch {
            op(i);
            i = i.wrapping_add(1);
        }
        best = best.min(t.elapsed().as_secs_f64() / per_batch as f64);
    }
    best
}
