// The shared vectors of tests/conformance/, one to one with the core's
// runner (core/tests/conformance.rs): the package gives the same answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

import { Network } from 'chapterhouse';

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
      default: throw new Error(`${name}: unknown query ${step.query}; every runner must know every step kind`);
    }
  })();
  assert.deepEqual(got, expect, `${name}: query ${step.query}`);
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
