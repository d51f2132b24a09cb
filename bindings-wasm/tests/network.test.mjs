// Node tests of the npm package, imported by its own name as a user would
// (the "node" export condition resolves to the pkg/node build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { Network, version } from 'chapterhouse';
import { SNAPSHOT } from './snapshot.mjs';
import { assertThrowsCode, sample } from './helpers.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const T0 = '2026-02-01T00:00:00Z';

/** The tiny snapshot, with a region, a chapter in it and a coordinator. */
function small() {
  const net = Network.fromJson(SNAPSHOT);
  const ops = [
    { op: 'add_region', id: 'ne', parent: 'org', name: 'Northeast', slug: 'ne' },
    { op: 'apply_chapter', id: 'ch-1', parent: 'ne', name: 'Boston Water', slug: 'boston', group_kind: 'local',
      territory: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] },
      join_url: 'https://example.org/join' },
    { op: 'set_person', id: 'p-1', name: 'Ana' },
    { op: 'grant', id: 'g-1', person: 'p-1', role: 'regional_coordinator', scope: { node: 'ne' } },
  ];
  for (const op of ops) net.apply(op, 'host', T0);
  return net;
}

test('version() is the package version', () => {
  assert.equal(version(), pkg.version);
});

test('fromJson / toJson / len round-trip through the core', () => {
  const net = Network.fromJson(SNAPSHOT);
  assert.equal(net.len(), 1);
  assert.equal(net.isEmpty(), false);
  const saved = net.toJson();
  assert.equal(JSON.parse(saved).format, 'chapterhouse/1');
  assert.equal(JSON.parse(saved).organization.id, 'org');
  // Saving is canonical: load(save(x)) saves to the same text.
  const again = Network.fromJson(saved);
  assert.equal(again.toJson(), saved);
  net.free();
  again.free();
});

test('apply returns the change record; ops may be objects or JSON text, times Dates or strings', () => {
  const net = Network.fromJson(SNAPSHOT);
  assert.equal(net.revision(), 0);
  const c = net.apply({ op: 'add_region', id: 'ne', parent: 'org', name: 'Northeast', slug: 'ne' }, 'host', new Date(T0));
  assert.equal(c.revision, 1);
  assert.equal(c.actor, 'host');
  assert.equal(c.at, T0);
  assert.equal(c.op.op, 'add_region');
  assert.match(c.summary, /ne/);
  const c2 = net.apply('{"op":"apply_chapter","id":"ch-1","parent":"ne","name":"B","slug":"b","group_kind":"local"}', 'host', T0);
  assert.equal(c2.revision, 2);
  assert.equal(net.revision(), 2);
  assert.equal(net.node('ch-1').status, 'applied');
  const c3 = net.apply({ op: 'approve', id: 'ch-1' }, 'host', T0);
  assert.equal(c3.summary, 'approved chapter ch-1 (applied → active)');
});

test('a rejected op throws its code and leaves the network unchanged', () => {
  const net = small();
  const before = net.toJson();
  assertThrowsCode(() => net.apply({ op: 'approve', id: 'ch-404' }, 'host', T0), 'not_found', /ch-404/);
  assertThrowsCode(() => net.apply({ op: 'restore', id: 'ch-1' }, 'host', T0), 'invalid_transition');
  assertThrowsCode(() => net.apply({ op: 'add_region', id: 'x', parent: 'ch-1', name: 'X', slug: 'x' }, 'host', T0),
    'invalid_structure');
  assertThrowsCode(() => net.apply({ op: 'add_region', id: 'ne', parent: 'org', name: 'Again', slug: 'ne2' }, 'host', T0),
    'already_exists');
  // A person without the capability.
  assertThrowsCode(() => net.apply({ op: 'add_region', id: 'r2', parent: 'org', name: 'R2', slug: 'r2' }, { person: 'p-1' }, T0),
    'permission_denied', /p-1/);
  // Arguments that do not convert.
  assertThrowsCode(() => net.apply({ op: 'fly', id: 'ch-1' }, 'host', T0), 'parse', /fly/);
  assertThrowsCode(() => net.apply('{"op":', 'host', T0), 'parse');
  assertThrowsCode(() => net.apply({ op: 'approve', id: 'ch-1' }, 'robot', T0), 'parse', /actor/);
  assertThrowsCode(() => net.apply({ op: 'approve', id: 'ch-1' }, 'host', 'yesterday'), 'invalid_value', /yesterday/);
  assertThrowsCode(() => net.apply({ op: 'approve', id: 'ch-1' }, 'host', new Date(NaN)), 'invalid_value', /invalid Date/);
  assertThrowsCode(() => net.apply({ op: 'approve', id: 'ch-1' }, 'host', 42), 'invalid_value');
  assertThrowsCode(() => net.apply(undefined, 'host', T0), 'invalid_value', /op is missing/);
  assert.equal(net.toJson(), before);
});

test('node, root and the tree queries', () => {
  const net = small();
  const ch = net.node('ch-1');
  assert.equal(ch.kind, 'chapter');
  assert.equal(ch.parent, 'ne');
  assert.equal(ch.group_kind, 'local');
  assert.equal(ch.join_url, 'https://example.org/join');
  assert.equal(ch.territory.type, 'Polygon');
  assert.equal(net.node('nope'), undefined);
  assert.equal(net.root().id, 'org');
  assert.equal(net.root().kind, 'organization');
  assert.deepEqual(net.children('org'), ['ne']);
  assert.deepEqual(net.subtree('org'), ['org', 'ne', 'ch-1']);
  assert.deepEqual(net.chaptersUnder('org'), ['ch-1']);
  assert.deepEqual(net.pathFromRoot('ch-1'), ['org', 'ne', 'ch-1']);
  assert.equal(net.depth('ch-1'), 2);
  assert.equal(net.isAncestor('org', 'ch-1'), true);
  assert.equal(net.isAncestor('ch-1', 'org'), false);
  for (const call of [() => net.children('x'), () => net.subtree('x'), () => net.chaptersUnder('x'),
    () => net.pathFromRoot('x'), () => net.depth('x'), () => net.isAncestor('org', 'x')]) {
    assertThrowsCode(call, 'not_found', /x/);
  }
});

test('check explains allow and deny', () => {
  const net = small();
  const yes = net.check('p-1', 'chapter.approve', 'ch-1', T0);
  assert.equal(yes.allowed, true);
  assert.equal(yes.code, 'allow');
  assert.equal(yes.grant, 'g-1');
  assert.deepEqual(yes.path, ['ne', 'ch-1']);
  assert.equal(yes.personal_data, false);
  assert.match(yes.explanation, /^allowed: p-1 may chapter.approve at ch-1, through grant g-1/);
  const no = net.check('p-1', 'policy.edit', 'ne', T0);
  assert.equal(no.allowed, false);
  assert.equal(no.code, 'no_grant');
  assert.equal(no.explanation, 'denied: p-1 holds no grant that gives policy.edit at ne');
  const stranger = net.check('p-9', 'chapter.view', 'ne', T0);
  assert.equal(stranger.allowed, false);
  assert.match(stranger.explanation, /not a known person/);
  // before the grant existed
  assert.equal(net.check('p-1', 'chapter.approve', 'ch-1', '2025-01-01T00:00:00Z').code, 'not_yet_valid');
  assertThrowsCode(() => net.check('p-1', 'fly', 'ne', T0), 'not_found', /fly/);
  assertThrowsCode(() => net.check('p-1', 'chapter.view', 'nowhere', T0), 'not_found', /nowhere/);
});

test('nodesWhere pages through the nodes a person may act on', () => {
  const net = small();
  const all = net.nodesWhere('p-1', 'chapter.view', T0, 10);
  assert.deepEqual(all, { nodes: ['ne', 'ch-1'], next: null });
  const first = net.nodesWhere('p-1', 'chapter.view', T0, 1);
  assert.deepEqual(first, { nodes: ['ne'], next: 'ne' });
  assert.deepEqual(net.nodesWhere('p-1', 'chapter.view', T0, 1, first.next), { nodes: ['ch-1'], next: null });
  assert.deepEqual(net.nodesWhere('p-9', 'chapter.view', T0, 10), { nodes: [], next: null });
  assertThrowsCode(() => net.nodesWhere('p-1', 'fly', T0, 10), 'not_found');
  assertThrowsCode(() => net.nodesWhere('p-1', 'chapter.view', T0, 10, 'nowhere'), 'not_found', /nowhere/);
});

test('whoCan and capabilitiesAt give decisions check agrees with', () => {
  const net = small();
  const who = net.whoCan('chapter.approve', 'ch-1', T0);
  assert.deepEqual(who.map((d) => d.person), ['p-1']);
  assert.deepEqual(who[0], net.check('p-1', 'chapter.approve', 'ch-1', T0));
  assert.deepEqual(net.whoCan('policy.edit', 'ch-1', T0), []);
  const caps = net.capabilitiesAt('p-1', 'ch-1', T0);
  assert.ok(caps.length > 5);
  for (const d of caps) assert.deepEqual(d, net.check('p-1', d.capability, 'ch-1', T0));
  assert.ok(!caps.some((d) => d.capability === 'policy.edit'));
  assert.deepEqual(net.capabilitiesAt('p-9', 'ch-1', T0), []);
  assertThrowsCode(() => net.whoCan('chapter.approve', 'nowhere', T0), 'not_found');
  assertThrowsCode(() => net.capabilitiesAt('p-1', 'nowhere', T0), 'not_found');
});

test('the sample network: public view and an explained decision', () => {
  const net = Network.fromJson(sample('network.json'));
  const view = net.publicView();
  assert.equal(view.type, 'FeatureCollection');
  const ids = view.features.map((f) => f.id);
  assert.ok(ids.includes('ch-boston'));
  for (const f of view.features) {
    assert.equal(f.properties.status, 'active');
    assert.equal(f.properties.cohort, undefined, 'no staff fields');
  }
  const boston = view.features.find((f) => f.id === 'ch-boston');
  assert.equal(boston.properties.join_url, 'https://cleanwateralliance.example/join/boston');
  const d = net.check('p-0001', 'members.export', 'ch-boston', '2026-11-01T00:00:00Z');
  assert.equal(d.allowed, true);
  assert.equal(d.personal_data, true);
  assert.match(d.explanation, /reveals personal data/);
});

test('malformed JSON throws a parse error naming the position', () => {
  assertThrowsCode(() => Network.fromJson('{"format":'), 'parse', /line 1/);
  assertThrowsCode(() => Network.fromJson(''), 'parse', /line 1/);
});

test('a future format throws unsupported_version', () => {
  assertThrowsCode(
    () => Network.fromJson('{"format":"chapterhouse/9"}'),
    'unsupported_version',
    /chapterhouse\/9/,
  );
});

test('a snapshot that breaks a rule throws that rule\'s code', () => {
  const doc = JSON.parse(SNAPSHOT);
  doc.nodes = [
    { id: 'r', kind: 'region', parent: 'nowhere', name: 'R', slug: 'r',
      created: '2026-01-01T00:00:00Z', updated: '2026-01-01T00:00:00Z' },
  ];
  assert.throws(() => Network.fromJson(JSON.stringify(doc)), (err) => {
    assert.equal(err.name, 'ChapterhouseError');
    assert.equal(typeof err.code, 'string');
    assert.notEqual(err.code, 'parse');
    assert.match(err.message, /nowhere/);
    return true;
  });
});
