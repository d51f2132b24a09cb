// The hand-written TypeScript interfaces of the results against the objects
// the package really returns: every field returned is declared, and every
// field declared as required is returned. So the .d.ts cannot drift from the
// library's JSON forms unnoticed. (tsc over api.mts checks the other half:
// that code written against the types compiles.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import ts from 'typescript';
import { ChapterFinder, HealthScorer, Network, triagePlan } from 'chapterhouse';
import { sample } from './helpers.mjs';

const DTS = new URL('../pkg/node/chapterhouse.d.ts', import.meta.url);
const source = ts.createSourceFile('chapterhouse.d.ts', readFileSync(DTS, 'utf8'), ts.ScriptTarget.Latest, true);

/** interface or type-literal alias name → { props: Map<name, optional>, open: has an index signature } */
const shapes = new Map();
function members(list) {
  const props = new Map();
  let open = false;
  for (const m of list) {
    if (ts.isPropertySignature(m)) props.set(m.name.getText(source), Boolean(m.questionToken));
    if (ts.isIndexSignatureDeclaration(m)) open = true;
  }
  return { props, open };
}
ts.forEachChild(source, (node) => {
  if (ts.isInterfaceDeclaration(node)) shapes.set(node.name.text, members(node.members));
  if (ts.isTypeAliasDeclaration(node) && ts.isTypeLiteralNode(node.type)) {
    shapes.set(node.name.text, members(node.type.members));
  }
});

function assertShape(name, value) {
  const shape = shapes.get(name);
  assert.ok(shape, `the .d.ts declares ${name}`);
  assert.equal(typeof value, 'object', `${name} is an object`);
  for (const key of Object.keys(value)) {
    assert.ok(shape.open || shape.props.has(key), `${name} returns "${key}", which its type does not declare`);
  }
  for (const [key, optional] of shape.props) {
    if (!optional) assert.ok(key in value, `${name} declares "${key}" as always there, but it is missing`);
  }
}

const NOW = '2026-11-01T00:00:00Z';
const net = Network.fromJson(sample('network.json'));

test('network results match their declared types', () => {
  const view = net.publicView();
  assertShape('FeatureCollection', view);
  assertShape('NodeRecord', net.node('ch-boston'));
  assertShape('NodeRecord', net.root());
  assertShape('DecisionReport', net.check('p-0001', 'members.export', 'ch-boston', NOW));
  assertShape('DecisionReport', net.check('p-0400', 'policy.edit', 'ch-boston', NOW));
  assertShape('NodesPage', net.nodesWhere('p-0001', 'chapter.view', NOW, 5));
  const copy = Network.fromJson(net.toJson());
  assertShape('Change', copy.apply({ op: 'archive', id: 'ch-boston', reason: 'test' }, 'host', NOW));
});

test('finder results match their declared types', () => {
  const finder = new ChapterFinder(net.publicView());
  assertShape('ChapterEntry', finder.entry(0));
  const [near] = finder.nearest(-68.5, 42.8, 1);
  assertShape('NearestChapter', near);
  assertShape('ChapterEntry', near.chapter);
});

test('health and triage results match their declared types', () => {
  const scorer = new HealthScorer(sample('groups.json'), NOW);
  scorer.addCsv(sample('activity.csv'));
  const cal = scorer.calibrate();
  assertShape('CalibrationResult', cal);
  const report = scorer.report();
  assertShape('HealthReport', report);
  assertShape('NetworkMetrics', report.metrics);
  for (const g of report.groups) {
    assertShape('GroupReport', g);
    for (const c of g.components) assertShape('ComponentReport', c);
  }
  const plan = triagePlan({
    staff: [{ id: 'ana', minutes: 60 }],
    requests: [
      { id: 'r-1', kind: 'event_approval', chapter: 'c', tier: 2, created: '2026-10-30T09:00:00Z', minutes: 45, title: 'x' },
      { id: 'r-2', kind: 'support_request', chapter: 'c', tier: 3, created: '2026-10-30T09:00:00Z', minutes: 90 },
    ],
  }, NOW);
  assertShape('Plan', plan);
  for (const row of plan.rows) assertShape('PlanRow', row);
});
