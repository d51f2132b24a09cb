// The daily review queue: triagePlan.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { triagePlan } from 'chapterhouse';
import { assertThrowsCode } from './helpers.mjs';

const NOW = '2026-11-01T09:00:00Z';
const INPUT = {
  chapters: [{ id: 'ch-1', cohort: 'north', health: 'new' }, { id: 'ch-2', cohort: 'north' }],
  staff: [{ id: 'ana', minutes: 120, cohorts: ['north'] }],
  requests: [
    { id: 'r-1', kind: 'event_approval', chapter: 'ch-1', tier: 2,
      created: '2026-10-30T09:00:00Z', due: '2026-11-02T12:00:00Z', minutes: 45 },
    { id: 'r-2', kind: 'support_request', chapter: 'ch-2', tier: 1, safety_legal: true,
      created: '2026-11-01T08:00:00Z', minutes: 30, title: 'venue unsafe' },
    { id: 'r-3', kind: 'campaign_review', chapter: 'ch-2', tier: 3,
      created: '2026-10-31T09:00:00Z', minutes: 200 },
  ],
};

test('triagePlan orders every request once and draws the line', () => {
  const plan = triagePlan(INPUT, NOW);
  assert.equal(plan.now, NOW);
  assert.deepEqual(plan.rows.map((r) => r.rank), [1, 2, 3]);
  assert.deepEqual(new Set(plan.rows.map((r) => r.request)), new Set(['r-1', 'r-2', 'r-3']));
  const r2 = plan.rows[0];
  assert.equal(r2.request, 'r-2', 'safety and legal first');
  assert.equal(r2.lane, 'escalate_now');
  const r1 = plan.rows.find((r) => r.request === 'r-1');
  assert.equal(r1.today, true);
  assert.equal(r1.assignee, 'ana');
  assert.match(r1.reason, /^P2: tier 2 × due in 1 day/);
  const r3 = plan.rows.find((r) => r.request === 'r-3');
  assert.equal(r3.today, false, '200 minutes do not fit');
  assert.ok(plan.line.planned_minutes <= plan.line.capacity_minutes);
  assert.equal(typeof plan.fairness, 'object');
  // the same plan from JSON text, in any input order, and with a config
  const shuffled = { ...INPUT, requests: [...INPUT.requests].reverse() };
  assert.deepEqual(triagePlan(JSON.stringify(shuffled), new Date(NOW)), plan);
  assert.deepEqual(triagePlan(INPUT, NOW, {}), plan);
});

test('triage errors name the request and field', () => {
  const bad = structuredClone(INPUT);
  bad.requests[0].minutes = -5;
  assertThrowsCode(() => triagePlan(bad, NOW), 'invalid_value', /request r-1: field minutes/);
  const dup = structuredClone(INPUT);
  dup.requests.push(dup.requests[0]);
  assertThrowsCode(() => triagePlan(dup, NOW), 'already_exists', /r-1/);
  const mentor = structuredClone(INPUT);
  mentor.chapters[0].mentor = 'bo';
  assertThrowsCode(() => triagePlan(mentor, NOW), 'not_found', /bo/);
  assertThrowsCode(() => triagePlan('{"requests":', NOW), 'parse');
  assertThrowsCode(() => triagePlan(INPUT, '2026-10-01T00:00:00Z'), 'invalid_value', /after now/);
  assertThrowsCode(() => triagePlan(INPUT, NOW, { reserve: 'lots' }), 'parse', /reserve/);
});
