//! Deficit round robin across chapters within a class, with deficits carried
//! from one day's plan to the next.
//!
//! Invariant: while two chapters of a class both have requests waiting, the
//! minutes emitted for them (each divided by its quantum) differ by at most
//! one quantum plus one request, plus what they carried in.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use serde::{Deserialize, Serialize};

use super::TriageError;
use super::classify::Class;
use crate::id::NodeId;

/// The deficits carried from one plan to the next: per class (P2–P4), the
/// minutes each chapter has earned but not yet used, and the chapter the
/// round robin resumes after. Give a plan's `fairness` to the next day's plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairnessState {
    /// One entry per class that has state, P2 to P4.
    #[serde(default)]
    pub classes: Vec<ClassFairness>,
}

/// The round robin state of one class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassFairness {
    /// The class (P2, P3 or P4).
    pub class: Class,
    /// The chapter served last; the next round starts after it (by id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_after: Option<NodeId>,
    /// Minutes each chapter has earned and not used (chapters with none are left out).
    #[serde(default)]
    pub deficits: BTreeMap<NodeId, u64>,
}

/// The largest carried deficit accepted, in minutes.
const MAX_DEFICIT: u64 = 1_000_000_000;

impl FairnessState {
    /// Checks that classes are P2–P4, each at most once, and deficits are in range.
    pub fn validate(&self) -> Result<(), TriageError> {
        let mut seen = [false; 4];
        for c in &self.classes {
            if c.class == Class::P1 {
                return Err(TriageError::InvalidFairness {
                    reason: "class P1 has no round robin state".into(),
                });
            }
            let slot = seen.get_mut(c.class.index());
            match slot {
                Some(s) if !*s => *s = true,
                _ => {
                    return Err(TriageError::InvalidFairness {
                        reason: format!("class {} appears more than once", c.class),
                    });
                }
            }
            if let Some((ch, d)) = c.deficits.iter().find(|(_, d)| **d > MAX_DEFICIT) {
                return Err(TriageError::InvalidFairness {
                    reason: format!(
                        "class {} chapter {ch}: deficit {d} is larger than {MAX_DEFICIT}",
                        c.class
                    ),
                });
            }
        }
        Ok(())
    }

    /// The state of one class, if any.
    pub fn class(&self, class: Class) -> Option<&ClassFairness> {
        self.classes.iter().find(|c| c.class == class)
    }
}

/// One chapter's queue within a class, in key order.
#[derive(Debug, Clone)]
pub(crate) struct ChapterQueue {
    /// Minutes earned per round (≥ 1).
    pub quantum: u64,
    /// Deficit carried in.
    pub deficit: u64,
    /// Item indices, best key first.
    pub items: Vec<u32>,
}

/// One emission of the round robin.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Emit {
    pub item: u32,
    /// Index of the chapter queue.
    pub queue: u32,
    /// The item's minutes.
    pub minutes: u32,
    pub round: u64,
}

/// Runs the round robin over `queues` (sorted by chapter id), starting the
/// first round at queue `start`. Rounds are visited lazily: a chapter that
/// cannot send its head for k rounds is woken k rounds later with the same
/// deficit it would have had, so the cost is O(n log m), not O(rounds × m).
pub(crate) fn order(queues: &[ChapterQueue], start: usize, size: impl Fn(u32) -> u64) -> Vec<Emit> {
    let m = queues.len();
    let total: usize = queues.iter().map(|q| q.items.len()).sum();
    let mut out = Vec::with_capacity(total);
    let mut deficit: Vec<u64> = queues.iter().map(|q| q.deficit).collect();
    let mut pos = vec![0usize; m];
    let mut heap = BinaryHeap::with_capacity(m);
    for (i, q) in queues.iter().enumerate() {
        if !q.items.is_empty() {
            let cyc = (i + m - start % m.max(1)) % m.max(1);
            heap.push(Reverse((0u64, cyc, i)));
        }
    }
    while let Some(Reverse((round, cyc, i))) = heap.pop() {
        let (Some(q), Some(d), Some(p)) = (queues.get(i), deficit.get_mut(i), pos.get_mut(i))
        else {
            continue;
        };
        let quantum = q.quantum.max(1);
        *d = d.saturating_add(quantum);
        while let Some(&item) = q.items.get(*p) {
            let s = size(item);
            if s > *d {
                break;
            }
            *d -= s;
            *p += 1;
            out.push(Emit {
                item,
                queue: u32::try_from(i).unwrap_or(u32::MAX),
                minutes: u32::try_from(s).unwrap_or(u32::MAX),
                round,
            });
        }
        match q.items.get(*p) {
            None => *d = 0,
            Some(&head) => {
                let need = size(head) - *d;
                let k = need.div_ceil(quantum).max(1);
                *d = d.saturating_add(quantum.saturating_mul(k - 1));
                heap.push(Reverse((round + k, cyc, i)));
            }
        }
    }
    out
}
