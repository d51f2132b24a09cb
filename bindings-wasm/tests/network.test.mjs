// Node tests of the npm package, imported by its own name as a user would
// (the "node" export condition resolves to the pkg/node build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { Network, version } from 'chapterhouse';
import { SNAPSHOT } from './snapshot.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

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

/** Asserts that `fn` throws a ChapterhouseError with `code` and a message matching `re`. */
function assertThrowsCode(fn, code, re) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, 'an Error object, not a string');
    assert.equal(err.name, 'ChapterhouseError');
    assert.equal(err.code, code);
    assert.match(err.message, re);
    return true;
  });
}

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
