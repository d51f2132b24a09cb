// The finder-only build (pkg/finder, export "chapterhouse/finder"): what a
// website ships. Loaded here as a browser loads it (the web target, fed the
// module's bytes), it exports ChapterFinder alone and answers as the full
// build does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as full from 'chapterhouse';
import * as finderOnly from 'chapterhouse/finder';
import { sample } from './helpers.mjs';

const WASM = new URL('../pkg/finder/chapterhouse_bg.wasm', import.meta.url);

test('the finder build exports ChapterFinder and version only, and is smaller', () => {
  finderOnly.initSync({ module: readFileSync(WASM) });
  const names = Object.keys(finderOnly).filter((k) => k !== 'default' && k !== 'initSync').sort();
  assert.deepEqual(names, ['ChapterFinder', 'version']);
  assert.equal(finderOnly.version(), full.version());
  assert.equal(typeof finderOnly.ChapterFinder.fromNetwork, 'undefined');
  const fullSize = readFileSync(new URL('../pkg/web/chapterhouse_bg.wasm', import.meta.url)).length;
  assert.ok(readFileSync(WASM).length < fullSize / 2, 'less than half the full module');
});

test('the finder build answers as the full build does', () => {
  finderOnly.initSync({ module: readFileSync(WASM) });
  const view = full.Network.fromJson(sample('network.json')).publicView();
  const a = new finderOnly.ChapterFinder(view);
  const b = new full.ChapterFinder(view);
  assert.equal(a.length, b.length);
  for (const p of JSON.parse(sample('places.json'))) {
    assert.equal(a.lookup(p.lon, p.lat), b.lookup(p.lon, p.lat), p.name);
    assert.deepEqual(a.nearest(p.lon, p.lat, 3), b.nearest(p.lon, p.lat, 3), p.name);
  }
  assert.throws(() => a.lookup(NaN, 0), (e) => e.name === 'ChapterhouseError' && e.code === 'invalid_value');
});
