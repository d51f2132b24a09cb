//! The single-point lookup allocates nothing: counted with a global
//! allocator around many lookups (inside, outside, on a border) once the
//! index layers they reach are built (by a first pass over the same
//! places, or by `build_all`). Runs natively; the same Rust runs in wasm.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chapterhouse::territory::Filter;
use chapterhouse_wasm::ChapterFinder;

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const COUNTIES: &str = include_str!("../../examples/data/us-counties.geojson");

#[test]
fn lookup_allocates_nothing() {
    let finder = ChapterFinder::from_text(COUNTIES, Filter::default()).unwrap();
    // Suffolk County, MA; the Gulf of Maine; a point on a county line.
    let points = [
        (-71.0589, 42.3601),
        (-68.5, 42.8),
        (-71.11318, 42.258786),
        (-104.9903, 39.7392),
        (173.18, 52.86),
    ];
    let lookups = |found: &mut usize| {
        for i in 0..2_000 {
            let (lon, lat) = points[i % points.len()];
            let jitter = (i as f64) * 1e-5;
            if finder.lookup(lon + jitter, lat).unwrap() >= 0 {
                *found += 1;
            }
        }
    };
    // The first pass over a region builds the index layers there (once);
    // from then on lookups in it allocate nothing.
    let mut found = 0;
    lookups(&mut found);
    found = 0;
    COUNTING.store(true, Ordering::SeqCst);
    lookups(&mut found);
    COUNTING.store(false, Ordering::SeqCst);
    assert_eq!(ALLOCATIONS.load(Ordering::SeqCst), 0, "lookup allocated");
    assert!(found > 1_000, "most points are in a county: {found}");
    // A finder built up front allocates nothing even on its first pass.
    let cold = ChapterFinder::from_text(COUNTIES, Filter::default()).unwrap();
    cold.core().build_all();
    COUNTING.store(true, Ordering::SeqCst);
    for i in 0..2_000 {
        let (lon, lat) = points[i % points.len()];
        let jitter = (i as f64) * 1e-5;
        let _ = cold.lookup(lon + jitter, lat).unwrap();
    }
    COUNTING.store(false, Ordering::SeqCst);
    assert_eq!(
        ALLOCATIONS.load(Ordering::SeqCst),
        0,
        "lookup after build_all allocated"
    );
    // The index is the core's most specific answer.
    let core = finder.core().first(-71.0589, 42.3601, finder.filter());
    assert_eq!(
        finder.lookup(-71.0589, 42.3601).unwrap(),
        core.unwrap() as i32
    );
}
