#!/usr/bin/env bash
# Asserts the output of the CRM example (PHP or C; they print the same) read
# from the file given as $1. Used by examples/php/test.sh and examples/c/test.sh.
set -euo pipefail
out="$1"
fail() { printf 'ERROR: %s\n--- output was:\n' "$*" >&2; cat "$out" >&2; exit 1; }
want() { grep -qxF -- "$1" "$out" || fail "missing line: $1"; }

want "network: 90 nodes"
want "member at Harvard Square, Cambridge (-71.1189, 42.3733): ch-cambridge (Cambridge), also inside ch-middlesex"
want "member at Chicago Loop (-87.6298, 41.8781): no chapter here; nearest is ch-louisville, 423.8 km away"
want "may p-0009 use members.export at ch-boston? yes"
want "  allowed: p-0009 may members.export at ch-boston, through grant g-0009 (regional_coordinator at northeast), which covers it along northeast → new-england → ch-boston; members.export reveals personal data"
want "may p-0081 use members.view at ch-queens? no"
want "  denied by rule data_agreement (member data needs a signed data agreement): p-0081 lacks the attestation data_agreement, so members.view is forbidden; otherwise grant g-0154 (chapter_leader at ch-queens) would allow it; members.view reveals personal data"
want '  an unknown capability is an error: [not_found] unknown capability "members.teleport"'
grep -qE '^chapterhouse [0-9]+\.[0-9]+\.[0-9]+' "$out" || fail "no version line"
# Health figures follow the scoring model, which may be tuned: check the shape.
grep -qE '^health of ch-boston: [0-9]{1,3}\.[0-9], (new|thriving|steady|at_risk|dormant)$' "$out" ||
    fail "no health line for ch-boston"
grep -qE '^  what to do: .+' "$out" || fail "no intervention line"
grep -qE '^\([0-9]+ groups scored\)$' "$out" || fail "no group count"
