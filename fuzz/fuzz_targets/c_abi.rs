//! Arbitrary bytes through the C entry points of bindings-c, called as the
//! Rust functions they are (the same source, built as an rlib by
//! `fuzz/c_abi`): snapshots, mutations, lookups with arbitrary doubles,
//! permission questions with arbitrary strings, health and triage JSON/CSV,
//! NULL pointers and invalid UTF-8. The input is read as a little program:
//! a base network, then up to 24 calls, each taking its arguments from the
//! bytes that follow. Checked after every call: no panic (libfuzzer aborts
//! on one even inside the ABI's guard), an error is returned exactly when
//! the status is not OK and carries that status, every returned string is
//! NUL-terminated UTF-8 of the reported length, a failed call leaves its
//! out-pointers NULL (and a failed check denies), a rejected mutation leaves
//! the snapshot byte-identical, and every returned pointer is freed (the
//! sanitizer's leak check runs at exit).
#![no_main]

use std::ffi::{CStr, c_char};
use std::ptr;
use std::sync::OnceLock;

use chapterhouse_c::*;
use libfuzzer_sys::fuzz_target;

/// Known strings, so the fuzzer reaches past "not found" without guessing.
const WORDS: [&str; 16] = [
    "coord",
    "leader",
    "boston",
    "ne",
    "members.export",
    "event.create",
    "chapter.approve",
    "2026-11-01T00:00:00Z",
    "org",
    "big",
    "circle",
    r#"{"op":"archive","id":"boston","reason":"r"}"#,
    r#"{"op":"add_region","id":"x","parent":"org","name":"X","slug":"x"}"#,
    "group,time,kind,value,actor\nch-1,2026-10-25T18:00:00Z,event_held,18,ana\n",
    r#"{"staff":[{"id":"ana","minutes":60}],"requests":[{"id":"r","kind":"event_approval","chapter":"c","tier":2,"created":"2026-10-30T09:00:00Z","minutes":45}]}"#,
    r#"{"statuses":["active","archived"],"visibilities":["public","hidden"]}"#,
];

fn bases() -> &'static [String; 2] {
    static BASES: OnceLock<[String; 2]> = OnceLock::new();
    BASES.get_or_init(|| {
        let snap = |text: &str| -> String {
            let v: serde_json::Value = serde_json::from_str(text).expect("vector parses");
            v["snapshot"].to_string()
        };
        [
            snap(include_str!(
                "../../tests/conformance/access-decisions.json"
            )),
            snap(include_str!(
                "../../tests/conformance/territory-lookup.json"
            )),
        ]
    })
}

struct Reader<'a> {
    data: &'a [u8],
}

/// What the string arguments of one call were like.
#[derive(Default, Clone, Copy)]
struct Args {
    null_required: bool,
    bad_utf8: bool,
}

impl Args {
    fn and(self, other: Args) -> Args {
        Args {
            null_required: self.null_required || other.null_required,
            bad_utf8: self.bad_utf8 || other.bad_utf8,
        }
    }
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.data.split_first().unwrap_or((&0, &[]));
        self.data = rest;
        b
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    /// A string argument: NULL (tag 0xFF), a known word (0xF0..), or the
    /// next `tag` bytes as they are (any bytes, so often not UTF-8).
    fn text(&mut self) -> Option<&'a [u8]> {
        match self.byte() {
            0xFF => None,
            t @ 0xF0..=0xFE => Some(WORDS[usize::from(t - 0xF0)].as_bytes()),
            t => Some(self.take(usize::from(t))),
        }
    }

    /// A string argument for `args`; `required` when NULL is an error.
    fn arg(&mut self, args: &mut Args, required: bool) -> (*const c_char, usize) {
        match self.text() {
            None => {
                args.null_required |= required;
                // a NULL pointer with any length is within the contract
                (ptr::null(), usize::from(self.byte()))
            }
            Some(b) => {
                args.bad_utf8 |= std::str::from_utf8(b).is_err();
                (b.as_ptr().cast(), b.len())
            }
        }
    }

    /// A double: small and meaningful (hundredths of a degree) or raw bits
    /// (NaN, infinities, subnormals, huge values).
    fn f64(&mut self) -> f64 {
        if self.byte() % 2 == 0 {
            let b = self.take(2);
            let v = i16::from_le_bytes([
                b.first().copied().unwrap_or(0),
                b.get(1).copied().unwrap_or(0),
            ]);
            f64::from(v) / 100.0
        } else {
            let mut raw = [0u8; 8];
            for (slot, b) in raw.iter_mut().zip(self.take(8)) {
                *slot = *b;
            }
            f64::from_le_bytes(raw)
        }
    }
}

/// Checks a call's status against its error and arguments; frees the error.
fn settle(st: ch_status, err: *mut ch_error, args: &Args, want_error: bool) {
    assert_ne!(st, ch_status::CH_STATUS_PANIC, "a C entry point panicked");
    if st == ch_status::CH_STATUS_OK {
        assert!(!args.null_required, "a NULL argument was accepted");
        assert!(!args.bad_utf8, "invalid UTF-8 was accepted");
    }
    if st == ch_status::CH_STATUS_INVALID_UTF8 {
        assert!(args.bad_utf8, "invalid_utf8 without invalid UTF-8");
    }
    if st == ch_status::CH_STATUS_NULL_ARGUMENT {
        assert!(args.null_required, "null_argument without a NULL argument");
    }
    if want_error {
        assert_eq!(
            err.is_null(),
            st == ch_status::CH_STATUS_OK,
            "an error exactly on failure ({st:?})"
        );
    }
    if !err.is_null() {
        unsafe {
            assert_eq!(ch_error_kind(err), st);
            let msg = ch_error_message(err);
            assert!(!msg.is_null());
            let msg = CStr::from_ptr(msg).to_str().expect("the message is UTF-8");
            assert!(!msg.is_empty());
            assert!(!ch_error_code(err).is_null());
            ch_error_free(err);
        }
    }
}

/// Checks and frees a returned string; `len` is the reported length.
fn take_string(st: ch_status, s: *mut c_char, len: Option<usize>) -> Option<String> {
    if st != ch_status::CH_STATUS_OK {
        assert!(s.is_null(), "a failed call returned a string");
        return None;
    }
    assert!(!s.is_null(), "a successful call returned no string");
    let text = unsafe { CStr::from_ptr(s) }
        .to_str()
        .expect("returned strings are UTF-8")
        .to_owned();
    if let Some(len) = len {
        assert_eq!(len, text.len(), "the reported length");
    }
    unsafe { ch_string_free(s) };
    Some(text)
}

fn snapshot(net: *const ch_network) -> String {
    let mut out = ptr::null_mut();
    let mut len = 0;
    let st = unsafe { ch_network_to_json(net, &mut out, &mut len, ptr::null_mut()) };
    take_string(st, out, Some(len)).expect("a live network saves")
}

fn ids_of(ids: *const ch_id_array) -> Vec<(String, f64)> {
    unsafe {
        (0..ch_id_array_len(ids))
            .map(|i| {
                let p = ch_id_array_get(ids, i);
                assert!(!p.is_null());
                let id = CStr::from_ptr(p)
                    .to_str()
                    .expect("ids are UTF-8")
                    .to_owned();
                (id, ch_id_array_distance_m(ids, i))
            })
            .collect()
    }
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader { data };
    let base = &bases()[usize::from(r.byte() % 2)];
    let mut net: *mut ch_network = ptr::null_mut();
    let st = unsafe {
        ch_network_from_json(base.as_ptr().cast(), base.len(), &mut net, ptr::null_mut())
    };
    assert_eq!(st, ch_status::CH_STATUS_OK);
    let ids = ch_id_array_new();
    let mut filter: *mut ch_filter = ptr::null_mut();
    let mut steps = 0;
    while !r.data.is_empty() && steps < 24 {
        steps += 1;
        let mut a = Args::default();
        let mut err: *mut ch_error = ptr::null_mut();
        let with_error = r.byte() % 8 != 0;
        let e = if with_error {
            &mut err as *mut _
        } else {
            ptr::null_mut()
        };
        match r.byte() % 13 {
            0 => unsafe {
                let (p, n) = r.arg(&mut a, true);
                let mut other = ptr::null_mut();
                let st = ch_network_from_json(p, n, &mut other, e);
                settle(st, err, &a, with_error);
                if st == ch_status::CH_STATUS_OK {
                    assert!(!other.is_null());
                    let saved = snapshot(other);
                    let mut again = ptr::null_mut();
                    let st2 = ch_network_from_json(
                        saved.as_ptr().cast(),
                        saved.len(),
                        &mut again,
                        ptr::null_mut(),
                    );
                    assert_eq!(st2, ch_status::CH_STATUS_OK, "a saved snapshot loads");
                    assert_eq!(snapshot(again), saved, "save is canonical");
                    ch_network_free(again);
                    ch_network_free(net);
                    net = other;
                } else {
                    assert!(other.is_null(), "a failed load returned a network");
                }
            },
            1 => unsafe {
                let (op, op_len) = r.arg(&mut a, true);
                let (person, person_len) = r.arg(&mut a, false);
                let (now, now_len) = r.arg(&mut a, true);
                let before = snapshot(net);
                let mut change = ptr::null_mut();
                let mut change_len = 0;
                let st = ch_network_apply(
                    net,
                    op,
                    op_len,
                    person,
                    person_len,
                    now,
                    now_len,
                    &mut change,
                    &mut change_len,
                    e,
                );
                settle(st, err, &a, with_error);
                if take_string(st, change, Some(change_len)).is_none() {
                    assert_eq!(
                        snapshot(net),
                        before,
                        "a rejected mutation changed the network"
                    );
                }
            },
            2 | 3 => unsafe {
                let (lon, lat) = (r.f64(), r.f64());
                let use_filter = r.byte() % 2 == 0;
                let f = if use_filter {
                    filter as *const ch_filter
                } else {
                    ptr::null()
                };
                let st = ch_network_lookup(net, lon, lat, f, ids, e);
                settle(st, err, &a, with_error);
                let covering = ids_of(ids);
                if st != ch_status::CH_STATUS_OK {
                    assert!(covering.is_empty());
                }
                assert!(covering.iter().all(|(_, d)| *d == 0.0));
                let k = usize::from(r.byte() % 12);
                let mut err2 = ptr::null_mut();
                let st2 = ch_network_nearest(net, lon, lat, k, f, ids, &mut err2);
                settle(st2, err2, &a, true);
                assert_eq!(
                    st == ch_status::CH_STATUS_OK,
                    st2 == ch_status::CH_STATUS_OK,
                    "lookup and nearest agree on ({lon}, {lat})"
                );
                let near = ids_of(ids);
                assert!(near.len() <= k);
                assert!(
                    near.windows(2).all(|w| w[0].1 <= w[1].1),
                    "nearest is sorted"
                );
                assert!(near.iter().all(|(_, d)| *d >= 0.0));
                // the covering chapters are the nearest ones, at distance 0
                let zero = near.iter().filter(|(_, d)| *d == 0.0).count();
                assert_eq!(
                    zero,
                    covering.len().min(k),
                    "lookup vs nearest at ({lon}, {lat})"
                );
            },
            4 => unsafe {
                let (p, pl) = r.arg(&mut a, true);
                let (c, cl) = r.arg(&mut a, true);
                let (n, nl) = r.arg(&mut a, true);
                let (t, tl) = r.arg(&mut a, true);
                let mut decision = ch_decision::CH_DECISION_ALLOW;
                let mut expl = ptr::null_mut();
                let want_expl = r.byte() % 2 == 0;
                let ex = if want_expl {
                    &mut expl as *mut _
                } else {
                    ptr::null_mut()
                };
                let st = ch_network_check(net, p, pl, c, cl, n, nl, t, tl, &mut decision, ex, e);
                settle(st, err, &a, with_error);
                if st != ch_status::CH_STATUS_OK {
                    assert_eq!(
                        decision,
                        ch_decision::CH_DECISION_DENY,
                        "a failed check fails closed"
                    );
                }
                if want_expl {
                    take_string(st, expl, None);
                }
                let mut report = ptr::null_mut();
                let mut len = 0;
                let st2 = ch_network_explain(
                    net,
                    p,
                    pl,
                    c,
                    cl,
                    n,
                    nl,
                    t,
                    tl,
                    &mut report,
                    &mut len,
                    ptr::null_mut(),
                );
                assert_eq!(st2, st, "check and explain fail alike");
                if let Some(json) = take_string(st2, report, Some(len)) {
                    let v: serde_json::Value =
                        serde_json::from_str(&json).expect("explain gives JSON");
                    assert_eq!(
                        v["allowed"].as_bool(),
                        Some(decision == ch_decision::CH_DECISION_ALLOW),
                        "check and explain agree"
                    );
                }
            },
            5 => unsafe {
                let (p, pl) = r.arg(&mut a, true);
                let (c, cl) = r.arg(&mut a, true);
                let (t, tl) = r.arg(&mut a, true);
                let (after, after_len) = r.arg(&mut a, false);
                let limit = usize::from(r.byte() % 4);
                let mut next = ptr::null_mut();
                let st = ch_network_nodes_where(
                    net, p, pl, c, cl, t, tl, after, after_len, limit, ids, &mut next, e,
                );
                settle(st, err, &a, with_error);
                if st != ch_status::CH_STATUS_OK {
                    assert!(next.is_null() && ch_id_array_len(ids) == 0);
                } else {
                    assert!(ch_id_array_len(ids) <= limit.max(1));
                    // follow a few pages by the cursor
                    let mut pages = 0;
                    while !next.is_null() && pages < 8 {
                        pages += 1;
                        let cursor = take_string(st, next, None).expect("cursor");
                        next = ptr::null_mut();
                        let st2 = ch_network_nodes_where(
                            net,
                            p,
                            pl,
                            c,
                            cl,
                            t,
                            tl,
                            cursor.as_ptr().cast(),
                            cursor.len(),
                            limit.max(1),
                            ids,
                            &mut next,
                            ptr::null_mut(),
                        );
                        assert_eq!(
                            st2,
                            ch_status::CH_STATUS_OK,
                            "a returned cursor is accepted"
                        );
                    }
                    ch_string_free(next);
                }
            },
            6 => unsafe {
                let (mut ac, mut an, mut at) = (Args::default(), Args::default(), Args::default());
                let (c, cl) = r.arg(&mut ac, true);
                let (n, nl) = r.arg(&mut an, true);
                let (t, tl) = r.arg(&mut at, true);
                let mut out = ptr::null_mut();
                let mut len = 0;
                let st = ch_network_who_can(net, c, cl, n, nl, t, tl, &mut out, &mut len, e);
                settle(st, err, &ac.and(an).and(at), with_error);
                take_string(st, out, Some(len));
                let mut err2 = ptr::null_mut();
                let mut out2 = ptr::null_mut();
                let st2 =
                    ch_network_audit(net, c, cl, t, tl, &mut out2, ptr::null_mut(), &mut err2);
                settle(st2, err2, &ac.and(at), true);
                take_string(st2, out2, None);
            },
            7 | 8 => unsafe {
                let csv = r.byte() % 2 == 0;
                let (act, al) = r.arg(&mut a, true);
                let (facts, fl) = r.arg(&mut a, false);
                let (model, ml) = r.arg(&mut a, false);
                let calibrate = r.byte() % 2 == 0;
                let (t, tl) = r.arg(&mut a, true);
                let mut out = ptr::null_mut();
                let mut len = 0;
                let st = if csv {
                    ch_health_score_csv(
                        act, al, facts, fl, model, ml, calibrate, t, tl, &mut out, &mut len, e,
                    )
                } else {
                    ch_health_score_json(
                        act, al, facts, fl, model, ml, calibrate, t, tl, &mut out, &mut len, e,
                    )
                };
                settle(st, err, &a, with_error);
                take_string(st, out, Some(len));
            },
            9 => unsafe {
                let (input, il) = r.arg(&mut a, true);
                let (config, cl) = r.arg(&mut a, false);
                let (t, tl) = r.arg(&mut a, true);
                let mut out = ptr::null_mut();
                let mut len = 0;
                let st = ch_triage_plan(input, il, config, cl, t, tl, &mut out, &mut len, e);
                settle(st, err, &a, with_error);
                take_string(st, out, Some(len));
            },
            10 => unsafe {
                let mut ao = Args::default();
                let (id, il) = r.arg(&mut a, true);
                let (other, ol) = r.arg(&mut ao, true);
                let mut out = ptr::null_mut();
                let st = ch_network_node_json(net, id, il, &mut out, ptr::null_mut(), e);
                settle(st, err, &a, with_error);
                take_string(st, out, None);
                let mut err = ptr::null_mut();
                let st = ch_network_subtree(net, id, il, ids, &mut err);
                settle(st, err, &a, true);
                let sub = ids_of(ids);
                if st == ch_status::CH_STATUS_OK {
                    assert!(!sub.is_empty());
                }
                let mut status = ch_chapter_status::CH_CHAPTER_APPLIED;
                let st = ch_network_chapter_status(net, id, il, &mut status, ptr::null_mut());
                settle(st, ptr::null_mut(), &a, false);
                let mut yes = false;
                let mut err = ptr::null_mut();
                let st = ch_network_is_ancestor(net, id, il, other, ol, &mut yes, &mut err);
                settle(st, err, &a.and(ao), true);
                let mut n = 0;
                let st = ch_network_len(net, &mut n, ptr::null_mut());
                assert_eq!(st, ch_status::CH_STATUS_OK);
                assert!(n >= sub.len());
            },
            11 => unsafe {
                let (p, n) = r.arg(&mut a, true);
                let mut f = ptr::null_mut();
                let st = ch_filter_from_json(p, n, &mut f, e);
                settle(st, err, &a, with_error);
                if st == ch_status::CH_STATUS_OK {
                    assert!(!f.is_null());
                    ch_filter_free(filter);
                    filter = f;
                } else {
                    assert!(f.is_null());
                }
            },
            _ => unsafe {
                // NULL handles and out-parameters everywhere
                let mut out = ptr::null_mut();
                settle(
                    ch_network_to_json(ptr::null(), &mut out, ptr::null_mut(), e),
                    err,
                    &Args {
                        null_required: true,
                        ..Args::default()
                    },
                    with_error,
                );
                assert!(out.is_null());
                let st =
                    ch_network_lookup(net, 0.0, 0.0, ptr::null(), ptr::null_mut(), ptr::null_mut());
                assert_eq!(st, ch_status::CH_STATUS_NULL_ARGUMENT);
                let st = ch_network_from_json(ptr::null(), 0, ptr::null_mut(), ptr::null_mut());
                assert_eq!(st, ch_status::CH_STATUS_NULL_ARGUMENT);
                assert!(ch_id_array_get(ids, usize::MAX).is_null());
                assert!(ch_id_array_distance_m(ptr::null(), 0).is_nan());
                ch_network_free(ptr::null_mut());
                ch_string_free(ptr::null_mut());
                ch_error_free(ptr::null_mut());
                ch_filter_free(ptr::null_mut());
                ch_id_array_free(ptr::null_mut());
            },
        }
    }
    unsafe {
        ch_filter_free(filter);
        ch_id_array_free(ids);
        ch_network_free(net);
    }
});
