// ChapterFinder: lookups over a public view, as a website uses them.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ChapterFinder, Network } from 'chapterhouse';
import { SQUARES, assertThrowsCode, sample } from './helpers.mjs';

const SAMPLE = Network.fromJson(sample('network.json'));
const VIEW = SAMPLE.publicView();
const PLACES = JSON.parse(sample('places.json'));

test('lookup returns the index of the covering chapter, -1 outside', () => {
  const f = new ChapterFinder(SQUARES);
  assert.equal(f.length, 2, 'the feature without geometry is skipped');
  const n = f.lookup(1, 1.5);
  assert.equal(typeof n, 'number');
  assert.equal(f.entry(n).id, 'north');
  assert.equal(f.entry(f.lookup(1, 0.5)).id, 'south');
  assert.equal(f.lookup(5, 5), -1);
  assert.equal(f.lookup(-179.9, -89.9), -1);
});

test('a border point is covered by both; lookupAll orders them most specific first', () => {
  const f = new ChapterFinder(JSON.stringify(SQUARES));
  const all = f.lookupAll(1, 1);
  assert.ok(all instanceof Uint32Array);
  assert.deepEqual([...all].map((i) => f.entry(i).id), ['north', 'south']);
  assert.equal(f.lookup(1, 1), all[0]);
  assert.deepEqual([...f.lookupAll(9, 9)], []);
});

test('entries carry the public properties', () => {
  const f = new ChapterFinder(SQUARES);
  const south = f.entry(f.indexOf('south'));
  assert.equal(south.name, 'South');
  assert.equal(south.kind, 'campaign');
  assert.equal(south.status, 'active');
  assert.equal(south.visibility, 'public');
  assert.ok(Math.abs(south.area_m2 / 1e9 - 24.7) < 0.3, `two square degrees at the equator: ${south.area_m2}`);
  assert.equal(f.indexOf('nope'), -1);
  assert.deepEqual(f.entries().map((e) => e.id).sort(), ['north', 'south']);
  assert.deepEqual(f.warnings(), []);
  assert.equal(f.chapterAt(1, 1.5).id, 'north');
  assert.equal(f.chapterAt(9, 9), undefined);
});

test('nearest gives geodesic distances, 0 inside', () => {
  const f = new ChapterFinder(SQUARES);
  const near = f.nearest(1, 3, 2);
  assert.equal(near.length, 2);
  assert.equal(near[0].chapter.id, 'north');
  assert.ok(Math.abs(near[0].distance_m - 110_600) < 500, `one degree of latitude: ${near[0].distance_m}`);
  assert.equal(near[1].chapter.id, 'south');
  assert.ok(near[1].distance_m > near[0].distance_m);
  assert.equal(f.nearest(1, 1.5, 1)[0].distance_m, 0);
  assert.deepEqual(f.nearest(1, 3, 0), []);
});

test('lookupMany answers a Float64Array of lon, lat pairs in input order', () => {
  const f = new ChapterFinder(SQUARES);
  const out = f.lookupMany(new Float64Array([1, 1.5, 5, 5, 1, 0.5, NaN, 1, 0, 91]));
  assert.ok(out instanceof Int32Array);
  assert.deepEqual([...out], [f.indexOf('north'), -1, f.indexOf('south'), -1, -1]);
  assert.deepEqual([...f.lookupMany(new Float64Array(0))], []);
  // Many points: the batch sorts them internally, answers stay in order.
  const n = 5000;
  const xy = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) { xy[2 * i] = (i % 50) / 20 - 0.2; xy[2 * i + 1] = Math.floor(i / 50) / 40 - 0.1; }
  const many = f.lookupMany(xy);
  for (let i = 0; i < n; i++) {
    const one = Number.isFinite(xy[2 * i]) ? f.lookup(xy[2 * i], xy[2 * i + 1]) : -1;
    assert.equal(many[i], one, `point ${i}`);
  }
});

test('the filter chooses which chapters count', () => {
  const f = new ChapterFinder(SQUARES, { kinds: ['local'] });
  assert.equal(f.lookup(1, 0.5), -1, 'south is a campaign group');
  assert.equal(f.entry(f.lookup(1, 1.5)).id, 'north');
  assert.equal(new ChapterFinder(SQUARES, { statuses: [] }).lookup(1, 1.5), -1);
  assert.equal(new ChapterFinder(SQUARES, null).lookup(1, 1.5), f.lookup(1, 1.5));
});

test('over the sample network: places, and the public view agrees with the network', () => {
  const fromView = new ChapterFinder(VIEW);
  const fromNet = ChapterFinder.fromNetwork(SAMPLE);
  const boston = PLACES.find((p) => p.name === 'Downtown Boston');
  assert.equal(fromView.chapterAt(boston.lon, boston.lat).id, 'ch-boston');
  const gulf = PLACES.find((p) => p.name === 'Gulf of Maine');
  assert.equal(fromView.lookup(gulf.lon, gulf.lat), -1);
  const near = fromView.nearest(gulf.lon, gulf.lat, 3);
  assert.equal(near.length, 3);
  assert.ok(near[0].distance_m > 0 && near[0].distance_m <= near[1].distance_m);
  for (const p of PLACES) {
    const a = [...fromView.lookupAll(p.lon, p.lat)].map((i) => fromView.entry(i).id);
    const b = [...fromNet.lookupAll(p.lon, p.lat)].map((i) => fromNet.entry(i).id);
    assert.deepEqual(a, b, p.name);
    assert.deepEqual(fromView.nearest(p.lon, p.lat, 2), fromNet.nearest(p.lon, p.lat, 2), p.name);
  }
});

test('buildAll builds the lazy layers up front and changes no answer', () => {
  const lazy = new ChapterFinder(VIEW);
  const built = new ChapterFinder(VIEW);
  assert.equal(built.buildAll(), undefined);
  built.buildAll(); // a second call finds everything built
  // A grid over the sample network's territories and beyond: the lazy
  // finder builds each layer on the first lookup that reaches it.
  let covered = 0;
  for (let lon = -125; lon <= -66; lon += 0.37) {
    for (let lat = 24; lat <= 50; lat += 0.29) {
      const a = lazy.lookup(lon, lat);
      assert.equal(a, built.lookup(lon, lat), `${lon}, ${lat}`);
      if (a >= 0) covered += 1;
    }
  }
  assert.ok(covered > 0, 'the grid reaches some territory');
  const pts = new Float64Array(PLACES.flatMap((p) => [p.lon, p.lat]));
  assert.deepEqual([...new ChapterFinder(VIEW).lookupMany(pts)], [...built.lookupMany(pts)]);
});

test('bad GeoJSON throws parse or invalid_geometry, naming the feature', () => {
  assertThrowsCode(() => new ChapterFinder('{"type":'), 'parse', /line 1/);
  assertThrowsCode(() => new ChapterFinder({ type: 'Feature' }), 'parse', /FeatureCollection/);
  assertThrowsCode(() => new ChapterFinder({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {} }] }),
    'parse', /features\[0\].*id/);
  const dup = { type: 'FeatureCollection', features: [SQUARES.features[0], SQUARES.features[0]] };
  assertThrowsCode(() => new ChapterFinder(dup), 'parse', /north/);
  const twoPoints = { type: 'FeatureCollection', features: [{ type: 'Feature', id: 'bad', properties: {},
    geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 1]]] } }] };
  assertThrowsCode(() => new ChapterFinder(twoPoints), 'invalid_geometry', /bad/);
  const badKind = { type: 'FeatureCollection', features: [{ ...SQUARES.features[0], properties: { kind: 'club' } }] };
  assertThrowsCode(() => new ChapterFinder(badKind), 'parse', /kind/);
  assertThrowsCode(() => new ChapterFinder(undefined), 'invalid_value', /missing/);
  const cyclic = {}; cyclic.self = cyclic;
  assertThrowsCode(() => new ChapterFinder(cyclic), 'parse', /JSON/);
});

test('a bad filter throws parse naming the field', () => {
  assertThrowsCode(() => new ChapterFinder(SQUARES, { colours: ['red'] }), 'parse', /colours/);
  assertThrowsCode(() => new ChapterFinder(SQUARES, { kinds: ['club'] }), 'parse', /club/);
});

test('a point that is not a place throws invalid_value', () => {
  const f = new ChapterFinder(SQUARES);
  assertThrowsCode(() => f.lookup(NaN, 1), 'invalid_value', /NaN/);
  assertThrowsCode(() => f.lookup(1, 91), 'invalid_value', /latitude/);
  assertThrowsCode(() => f.lookup(Infinity, 1), 'invalid_value', /inf/);
  assertThrowsCode(() => f.lookupAll(1, NaN), 'invalid_value');
  assertThrowsCode(() => f.chapterAt(1, -90.5), 'invalid_value');
  assertThrowsCode(() => f.nearest(NaN, 0, 3), 'invalid_value');
  // the finder still works after a throw
  assert.equal(f.entry(f.lookup(1, 1.5)).id, 'north');
});

test('an unknown index throws not_found; odd coordinates throw invalid_value', () => {
  const f = new ChapterFinder(SQUARES);
  assertThrowsCode(() => f.entry(-1), 'not_found', /index -1/);
  assertThrowsCode(() => f.entry(2), 'not_found', /has 2/);
  assertThrowsCode(() => f.entry(0.5), 'not_found');
  assertThrowsCode(() => f.lookupMany(new Float64Array(3)), 'invalid_value', /pairs; got 3/);
});

test('a freed finder cannot be used by mistake', () => {
  const f = new ChapterFinder(SQUARES);
  f.free();
  assert.throws(() => f.lookup(1, 1));
});

test('a long view with non-ASCII text reads the same as a short one', () => {
  // Long strings cross into WASM memory by TextEncoder.encodeInto (several
  // rounds when characters take more than one byte); short ones by
  // wasm-bindgen's own path. Names with 2-, 3- and 4-byte characters, in a
  // view padded past the long-string threshold by a long description.
  const names = ['Zürich', '東京', 'Ünïcødé 🙂 ok', 'plain'];
  const features = names.map((name, i) => ({
    type: 'Feature',
    id: `n${i}`,
    properties: { name, description: i === 0 ? 'é'.repeat(6000) + '🙂'.repeat(500) : '' },
    geometry: { type: 'Polygon', coordinates: [[[i, 0], [i + 1, 0], [i + 1, 1], [i, 1], [i, 0]]] },
  }));
  const view = { type: 'FeatureCollection', features };
  const text = JSON.stringify(view);
  assert.ok(text.length > 6000);
  for (const f of [new ChapterFinder(text), new ChapterFinder(view)]) {
    for (let i = 0; i < names.length; i++) {
      assert.equal(f.entry(f.lookup(i + 0.5, 0.5)).name, names[i]);
    }
    f.free();
  }
});
