// Group health from an activity log and facts: healthReport and HealthScorer.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { HealthScorer, healthReport } from 'chapterhouse';
import { assertThrowsCode, sample } from './helpers.mjs';

const CSV = sample('activity.csv');
const FACTS = JSON.parse(sample('groups.json'));
const NOW = '2026-11-01T00:00:00Z';
const STATUSES = ['new', 'thriving', 'steady', 'at_risk', 'dormant'];

test('healthReport scores every group with explained components', () => {
  const r = healthReport(CSV, FACTS, NOW);
  assert.equal(r.as_of, NOW);
  assert.ok(r.groups.length >= FACTS.groups.length);
  const ids = r.groups.map((g) => g.group);
  assert.deepEqual(ids, [...ids].sort(), 'sorted by group id');
  for (const g of r.groups) {
    assert.ok(STATUSES.includes(g.status), g.status);
    assert.ok(g.score >= 0 && g.score <= 100);
    const sum = g.components.reduce((s, c) => s + c.contribution, 0);
    assert.ok(Math.abs(sum - g.score) < 1e-9, `${g.group}: contributions add up to the score`);
    assert.equal(typeof g.status_reason, 'string');
    assert.ok(g.intervention_text.length > 0);
  }
  assert.equal(r.metrics.groups, r.groups.length);
  const counted = STATUSES.reduce((s, k) => s + r.metrics.groups_by_status[k], 0);
  assert.equal(counted, r.groups.length);
  // facts as JSON text give the same report
  assert.deepEqual(healthReport(CSV, sample('groups.json'), new Date(NOW)), r);
});

test('without facts, groups are scored from the log alone', () => {
  const csv = 'group,time,kind,value,actor\nch-1,2026-10-25T18:00:00Z,event_held,18,ana\nch-1,2026-10-30T09:00:00Z,leader_action,,ana\n';
  const r = healthReport(csv, undefined, NOW);
  assert.equal(r.groups.length, 1);
  const g = r.groups[0];
  assert.equal(g.group, 'ch-1');
  assert.ok(g.score > 0);
  assert.equal(g.bus_factor, true);
  const activity = g.components.find((c) => c.component === 'activity');
  assert.equal(activity.facts, '1 event in the last 45 days, 18 people attending in all, last one 6 days ago');
});

test('HealthScorer: uncalibrated it equals healthReport; calibration changes scores; previous metrics give the change', () => {
  const s = new HealthScorer(FACTS, NOW);
  s.addCsv(CSV);
  assert.ok(s.groupCount >= FACTS.groups.length);
  const plain = s.report();
  assert.deepEqual(plain, healthReport(CSV, FACTS, NOW));
  const cal = s.calibrate();
  assert.ok(cal.notes.length > 0);
  assert.ok(cal.established_groups > 0);
  s.setCalibration(cal.calibration);
  const calibrated = s.report(plain.metrics);
  assert.notDeepEqual(calibrated.groups.map((g) => g.score), plain.groups.map((g) => g.score));
  assert.equal(calibrated.metrics.change.since, NOW);
});

test('health errors carry codes naming the line, field or group', () => {
  assertThrowsCode(() => healthReport('group,time,kind,value,actor\nch-1,yesterday,post,,a\n', undefined, NOW),
    'parse', /line 2, column time/);
  assertThrowsCode(() => healthReport('nope\n', undefined, NOW), 'parse', /header/);
  assertThrowsCode(() => healthReport('group,time,kind,value,actor\nch-1,2026-10-01T00:00:00Z,dance,,a\n', undefined, NOW),
    'parse', /dance/);
  assertThrowsCode(() => healthReport(CSV, { groups: [{ group: 'a' }, { group: 'a' }] }, NOW), 'already_exists', /"a"/);
  assertThrowsCode(() => healthReport(CSV, { teams: [] }, NOW), 'parse', /teams/);
  assertThrowsCode(() => healthReport(CSV, FACTS, 'soon'), 'invalid_value', /soon/);
  assertThrowsCode(() => healthReport(CSV, FACTS, NOW, { weights: 'heavy' }), 'parse', /weights/);
  const s = new HealthScorer(undefined, NOW);
  assertThrowsCode(() => s.addCsv('group,time\n'), 'parse');
  assertThrowsCode(() => s.setCalibration({ nonsense: 1 }), 'parse', /nonsense/);
  assertThrowsCode(() => s.report({ as_of: 'then' }), 'parse', /previous metrics/);
  assertThrowsCode(() => new HealthScorer(FACTS, new Date(NaN)), 'invalid_value');
});
