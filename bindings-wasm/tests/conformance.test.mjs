// The shared vectors of tests/conformance/, one to one with the core's
// runner (core/tests/conformance.rs): the package gives the same answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

import { ChapterFinder, Network } from 'chapterhouse';

const DIR = new URL('../../tests/conformance/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

function snapshotText(c) {
  if ('snapshot' in c && !('snapshot_text' in c)) return JSON.stringify(c.snapshot);
  if ('snapshot_text' in c && !('snapshot' in c)) return c.snapshot_text;
  throw new Error('a case needs exactly one of snapshot / snapshot_text');
}

function runStep(net, step, name) {
  const expect = step.expect;
  if ('apply' in step) {
    const before = net.toJson();
    let change;
    let error;
    try {
      change = net.apply(step.apply, step.actor, step.now);
    } catch (e) {
      error = e;
    }
    if (expect.error !== undefined) {
      assert.ok(error, `${name}: expected ${expect.error}, got change ${change?.summary}`);
      assert.equal(error.name, 'ChapterhouseError', `${name}: ${error}`);
      assert.equal(error.code, expect.error, `${name}: ${error.message}`);
      assert.equal(net.toJson(), before, `${name}: a rejected step changed the network`);
    } else {
      assert.ifError(error);
      if ('summary' in expect) assert.equal(change.summary, expect.summary, name);
    }
    return;
  }
  const got = (() => {
    switch (step.query) {
      case 'subtree': return net.subtree(step.id);
      case 'status': return net.node(step.id).status;
      case 'is_ancestor': return net.isAncestor(step.ancestor, step.node);
      case 'check': case 'nodes_where': case 'who_can': case 'lookup': case 'nearest':
        try {
          return queryStep(net, step);
        } catch (e) {
          if (e.name !== 'ChapterhouseError') throw e;
          return { error: e.code };
        }
      default: throw new Error(`${name}: unknown query ${step.query}; every runner must know every step kind`);
    }
  })();
  if (step.query === 'nearest' && Array.isArray(expect)) {
    // distances agree to the metre (geodesic arithmetic may differ in the last bits)
    assert.equal(got.length, expect.length, `${name}: nearest ${JSON.stringify(got)}`);
    got.forEach((g, i) => {
      assert.equal(g.id, expect[i].id, `${name}: nearest`);
      assert.ok(Math.abs(g.distance_m - expect[i].distance_m) <= 1, `${name}: nearest distance ${g.distance_m} vs ${expect[i].distance_m}`);
    });
    return;
  }
  assert.deepEqual(got, expect, `${name}: query ${step.query}`);
}

/** Permission and territory queries, as the core's runner asks them. */
function queryStep(net, step) {
  switch (step.query) {
    case 'check': {
      const d = net.check(step.person, step.capability, step.node, step.now);
      return { allowed: d.allowed, code: d.code, ...(d.grant !== null ? { grant: d.grant } : {}) };
    }
    case 'nodes_where': {
      // pages of 2, so every vector exercises pagination
      const ids = [];
      let after;
      for (;;) {
        const page = net.nodesWhere(step.person, step.capability, step.now, 2, after);
        ids.push(...page.nodes);
        if (page.next === null) return ids;
        after = page.next;
      }
    }
    case 'who_can':
      return net.whoCan(step.capability, step.node, step.now).map((d) => d.person).sort();
    case 'lookup': {
      const finder = ChapterFinder.fromNetwork(net); // the default filter: active, public
      try {
        return [...finder.lookupAll(step.lon, step.lat)].map((i) => finder.entry(i).id);
      } finally {
        finder.free();
      }
    }
    case 'nearest': {
      const finder = ChapterFinder.fromNetwork(net);
      try {
        return finder.nearest(step.lon, step.lat, step.k).map((n) => ({ id: n.chapter.id, distance_m: n.distance_m }));
      } finally {
        finder.free();
      }
    }
    default:
      throw new Error(`unknown query ${step.query}`);
  }
}

test('there are vectors to run', () => {
  assert.ok(files.length >= 8, `conformance vectors missing: ${files.length}`);
});

for (const file of files) {
  test(`conformance: ${file}`, () => {
    const c = JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));
    let net;
    let error;
    try {
      net = Network.fromJson(snapshotText(c));
    } catch (e) {
      error = e;
    }
    if (c.load_error !== undefined) {
      assert.ok(error, `${file}: expected load error ${c.load_error}`);
      assert.equal(error.code, c.load_error, `${file}: ${error.message}`);
      return;
    }
    assert.ifError(error);
    for (const step of c.steps) runStep(net, step, file);
    net.free();
  });
}
