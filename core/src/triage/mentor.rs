//! Staff mentors for chapters, by cohort, with balanced weekly load.
//!
//! Invariant: no mentor is over their weekly minutes while another eligible
//! mentor has room for one of their chapters; a kept chapter moves only when
//! its status changed and the load gap exceeds the threshold, or to relieve
//! an overloaded mentor.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::TriageError;
use super::config::MentorConfig;
use super::input::{ChapterHealth, ChapterInfo, Staff};
use crate::id::{NodeId, PersonId};

/// Why a chapter has the mentor it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MentorChange {
    /// Same mentor as before.
    Kept,
    /// The chapter had no mentor before.
    New,
    /// The previous mentor is gone or no longer serves the chapter's cohort.
    MentorGone,
    /// The chapter's status changed and the load gap exceeded the threshold.
    StatusChanged,
    /// Moved to relieve a mentor over their weekly minutes.
    Rebalanced,
}

/// One chapter's mentor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentorAssignment {
    /// The chapter.
    pub chapter: NodeId,
    /// Its mentor.
    pub mentor: PersonId,
    /// The chapter's health when assigned (a later change may move it).
    pub health: ChapterHealth,
    /// Weekly minutes the chapter needs.
    pub minutes: u32,
    /// Why this mentor.
    pub change: MentorChange,
}

/// One mentor's weekly load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorLoad {
    /// The mentor.
    pub staff: PersonId,
    /// Weekly minutes assigned.
    pub minutes: u64,
    /// Their weekly mentoring minutes.
    pub capacity: u64,
    /// Chapters they mentor.
    pub chapters: u32,
}

/// The result of [`assign_mentors`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorPlan {
    /// One per chapter that has a mentor, by chapter id.
    pub assignments: Vec<MentorAssignment>,
    /// One per mentor (staff with mentoring minutes), by staff id.
    pub loads: Vec<MentorLoad>,
    /// Chapters with no possible mentor (no staff has mentoring minutes).
    pub unassigned: Vec<NodeId>,
}

impl MentorPlan {
    /// The mentor of `chapter`, if any.
    pub fn mentor_of(&self, chapter: &str) -> Option<&PersonId> {
        self.assignments
            .binary_search_by(|a| a.chapter.as_str().cmp(chapter))
            .ok()
            .and_then(|i| self.assignments.get(i))
            .map(|a| &a.mentor)
    }
}

/// Assigns a staff mentor to every chapter.
///
/// Mentors are staff with `mentoring_minutes > 0`; a chapter's eligible
/// mentors serve its cohort (or are generalists), else every mentor. Each
/// chapter needs weekly minutes by health ([`MentorConfig`]; more for New and
/// AtRisk). Previous assignments are kept when the mentor is still eligible;
/// a chapter whose health changed moves only when another eligible mentor
/// would still have more than `reassign_gap_minutes` more room than the
/// current one. New chapters go, largest need first, to the eligible mentor
/// with the most room. Finally, chapters move off any mentor over capacity
/// to an eligible mentor with room for them.
///
/// ```
/// use chapterhouse::triage::{assign_mentors, ChapterInfo, MentorConfig, Staff};
/// let chapters: Vec<ChapterInfo> = serde_json::from_str(r#"[
///   {"id": "a", "cohort": "n", "health": "new"},
///   {"id": "b", "cohort": "n", "health": "steady"}]"#).unwrap();
/// let staff: Vec<Staff> = serde_json::from_str(r#"[
///   {"id": "x", "minutes": 300, "cohorts": ["n"], "mentoring_minutes": 120},
///   {"id": "y", "minutes": 300, "cohorts": ["n"], "mentoring_minutes": 120}]"#).unwrap();
/// let plan = assign_mentors(&chapters, &staff, &[], &MentorConfig::default()).unwrap();
/// assert_ne!(plan.mentor_of("a"), plan.mentor_of("b"));
/// ```
pub fn assign_mentors(
    chapters: &[ChapterInfo],
    staff: &[Staff],
    previous: &[MentorAssignment],
    config: &MentorConfig,
) -> Result<MentorPlan, TriageError> {
    let mut seen = BTreeSet::new();
    for c in chapters {
        if !seen.insert(c.id.as_str()) {
            return Err(TriageError::DuplicateChapter {
                chapter: c.id.to_string(),
            });
        }
    }
    let mut mentors: Vec<&Staff> = Vec::new();
    let mut staff_seen = BTreeSet::new();
    for s in staff {
        if !staff_seen.insert(s.id.as_str()) {
            return Err(TriageError::DuplicateStaff {
                staff: s.id.to_string(),
            });
        }
        if s.mentoring_minutes > 0 {
            mentors.push(s);
        }
    }
    mentors.sort_by(|a, b| a.id.cmp(&b.id));
    let mut sorted: Vec<&ChapterInfo> = chapters.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let prev: BTreeMap<&str, &MentorAssignment> =
        previous.iter().map(|a| (a.chapter.as_str(), a)).collect();
    let mentor_ix: BTreeMap<&str, usize> = mentors
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();

    let capacity: Vec<i64> = mentors
        .iter()
        .map(|m| i64::from(m.mentoring_minutes))
        .collect();
    let mut load = vec![0i64; mentors.len()];
    let room = |load: &[i64], m: usize| {
        capacity.get(m).copied().unwrap_or(0) - load.get(m).copied().unwrap_or(0)
    };
    let eligible: Vec<Vec<usize>> = sorted
        .iter()
        .map(|c| {
            let v: Vec<usize> = (0..mentors.len())
                .filter(|&m| {
                    mentors
                        .get(m)
                        .is_some_and(|s| s.serves(c.cohort.as_deref()))
                })
                .collect();
            if v.is_empty() {
                (0..mentors.len()).collect()
            } else {
                v
            }
        })
        .collect();
    let need: Vec<i64> = sorted
        .iter()
        .map(|c| i64::from(config.minutes_for(c.health)))
        .collect();
    let need_of = |c: usize| need.get(c).copied().unwrap_or(0);
    let best = |load: &[i64], c: usize, except: Option<usize>| -> Option<usize> {
        let mut best: Option<usize> = None;
        for &m in eligible.get(c).map_or(&[][..], Vec::as_slice) {
            if Some(m) == except {
                continue;
            }
            if best.is_none_or(|b| room(load, m) > room(load, b)) {
                best = Some(m);
            }
        }
        best
    };

    // Keep, or mark for placement.
    let mut assigned: Vec<Option<(usize, MentorChange)>> = vec![None; sorted.len()];
    let mut pending: Vec<(usize, MentorChange)> = Vec::new();
    let mut changed: Vec<usize> = Vec::new();
    for (c, info) in sorted.iter().enumerate() {
        let kept = prev.get(info.id.as_str()).and_then(|a| {
            mentor_ix
                .get(a.mentor.as_str())
                .copied()
                .filter(|m| eligible.get(c).is_some_and(|e| e.contains(m)))
                .map(|m| (m, a.health))
        });
        match kept {
            Some((m, health)) => {
                if let (Some(slot), Some(l)) = (assigned.get_mut(c), load.get_mut(m)) {
                    *slot = Some((m, MentorChange::Kept));
                    *l += need_of(c);
                }
                if health != info.health {
                    changed.push(c);
                }
            }
            None if prev.contains_key(info.id.as_str()) => {
                pending.push((c, MentorChange::MentorGone))
            }
            None => pending.push((c, MentorChange::New)),
        }
    }

    // Place new chapters, largest need first.
    pending.sort_by(|a, b| need_of(b.0).cmp(&need_of(a.0)).then(a.0.cmp(&b.0)));
    for (c, why) in pending {
        if let Some(m) = best(&load, c, None)
            && let (Some(slot), Some(l)) = (assigned.get_mut(c), load.get_mut(m))
        {
            *slot = Some((m, why));
            *l += need_of(c);
        }
    }

    // Status changes move only across a large enough gap.
    let gap = i64::from(config.reassign_gap_minutes);
    for c in changed {
        let Some(Some((x, _))) = assigned.get(c).copied() else {
            continue;
        };
        if let Some(y) = best(&load, c, Some(x))
            && room(&load, y) - need_of(c) - room(&load, x) > gap
        {
            move_chapter(
                &mut assigned,
                &mut load,
                c,
                x,
                y,
                need_of(c),
                MentorChange::StatusChanged,
            );
        }
    }

    // Relieve overloaded mentors while someone eligible has room.
    let limit = sorted.len().saturating_mul(mentors.len().max(1)) + 1;
    for _ in 0..limit {
        let mut found = None;
        'search: for x in 0..mentors.len() {
            if room(&load, x) >= 0 {
                continue;
            }
            let mut theirs: Vec<usize> = (0..sorted.len())
                .filter(|&c| {
                    assigned
                        .get(c)
                        .copied()
                        .flatten()
                        .is_some_and(|(m, _)| m == x)
                })
                .filter(|&c| need_of(c) > 0)
                .collect();
            theirs.sort_by(|&a, &b| need_of(b).cmp(&need_of(a)).then(a.cmp(&b)));
            for c in theirs {
                if let Some(y) = best(&load, c, Some(x))
                    && room(&load, y) >= need_of(c)
                {
                    found = Some((c, x, y));
                    break 'search;
                }
            }
        }
        let Some((c, x, y)) = found else { break };
        move_chapter(
            &mut assigned,
            &mut load,
            c,
            x,
            y,
            need_of(c),
            MentorChange::Rebalanced,
        );
    }

    let mut out = MentorPlan {
        assignments: Vec::new(),
        loads: Vec::new(),
        unassigned: Vec::new(),
    };
    let mut count = vec![0u32; mentors.len()];
    for (c, info) in sorted.iter().enumerate() {
        match assigned.get(c).copied().flatten() {
            Some((m, change)) => {
                if let (Some(s), Some(k)) = (mentors.get(m), count.get_mut(m)) {
                    *k += 1;
                    out.assignments.push(MentorAssignment {
                        chapter: info.id.clone(),
                        mentor: s.id.clone(),
                        health: info.health,
                        minutes: config.minutes_for(info.health),
                        change,
                    });
                }
            }
            None => out.unassigned.push(info.id.clone()),
        }
    }
    for (m, s) in mentors.iter().enumerate() {
        out.loads.push(MentorLoad {
            staff: s.id.clone(),
            minutes: u64::try_from(load.get(m).copied().unwrap_or(0)).unwrap_or(0),
            capacity: u64::from(s.mentoring_minutes),
            chapters: count.get(m).copied().unwrap_or(0),
        });
    }
    Ok(out)
}

fn move_chapter(
    assigned: &mut [Option<(usize, MentorChange)>],
    load: &mut [i64],
    c: usize,
    from: usize,
    to: usize,
    need: i64,
    why: MentorChange,
) {
    if let Some(slot) = assigned.get_mut(c) {
        *slot = Some((to, why));
    }
    if let Some(l) = load.get_mut(from) {
        *l -= need;
    }
    if let Some(l) = load.get_mut(to) {
        *l += need;
    }
}
