// The npm package's ChapterFinder against which-polygon (npm), side by side
// in one Node process, over the 3,231 us-atlas counties
// (examples/data/us-counties.geojson).
//
//   cd benches/wasm && npm ci && node bench.mjs [POINTS] [ROUNDS]
//
// Measures: index build time; single-lookup latency (mean over a loop of
// one call per point: two numbers in, one number out); batch throughput
// (lookupMany over a Float64Array; which-polygon has no batch call, so its
// loop is its batch); agreement of the answers; the .wasm's size raw and
// gzipped. Points: POINTS (default 1,000,000) drawn with a fixed seed
// uniformly inside the bounding box of a uniformly chosen county, the
// same draw the criterion bench uses (benches/benches/territory.rs), plus a
// second set uniform over the contiguous US's box.
//
// Every figure is the best of ROUNDS (default 5) rounds, and each round
// also reports CPU time, since this machine is shared: wall time inflates
// when other processes take the cores; CPU time much less so.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib';

import { ChapterFinder, version } from 'chapterhouse';

const require = createRequire(import.meta.url);
const whichPolygon = require('which-polygon');

const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const COUNTIES = new URL('../../examples/data/us-counties.geojson', import.meta.url);
const WASM = new URL('../../bindings-wasm/pkg/web/chapterhouse_bg.wasm', import.meta.url);
const WASM_FINDER = new URL('../../bindings-wasm/pkg/finder/chapterhouse_bg.wasm', import.meta.url);
const OUT = new URL('./out/', import.meta.url);

/** Wall and CPU time of `fn`, in milliseconds. */
function timed(fn) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(cpu0);
  return { wall, cpu: (c.user + c.system) / 1000, result };
}

/**
 * The best (smallest wall) of `rounds` runs, with every round's wall time.
 * `dispose` releases the results not kept (a finder's WASM memory), so
 * later rounds do not run in a heap grown by earlier ones.
 */
function best(rounds, fn, dispose = () => {}) {
  let top;
  const walls = [];
  for (let r = 0; r < rounds; r++) {
    const t = timed(fn);
    walls.push(t.wall);
    if (!top || t.wall < top.wall) {
      if (top) dispose(top.result);
      top = t;
    } else {
      dispose(t.result);
    }
  }
  walls.sort((a, b) => a - b);
  return { ...top, median: walls[Math.floor(walls.length / 2)], walls };
}

/** A small fast PRNG with a fixed seed (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bbox(geometry) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  for (const p of polys) for (const ring of p) for (const [x, y] of ring) {
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
  }
  return b;
}

// ---------------------------------------------------------------- data
const text = readFileSync(COUNTIES, 'utf8');
const parse = best(ROUNDS, () => JSON.parse(text));
const fc = parse.result;
const withGeometry = fc.features.filter((f) => f.geometry);
const boxes = withGeometry.map((f) => bbox(f.geometry));

function countyPoints(n, seed) {
  const r = rng(seed);
  const xy = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const b = boxes[Math.floor(r() * boxes.length)];
    xy[2 * i] = b[0] + r() * (b[2] - b[0]);
    xy[2 * i + 1] = b[1] + r() * (b[3] - b[1]);
  }
  return xy;
}
function usPoints(n, seed) {
  const r = rng(seed);
  const xy = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    xy[2 * i] = -125 + r() * 58;
    xy[2 * i + 1] = 24.5 + r() * 25;
  }
  return xy;
}
const sets = { counties: countyPoints(N, 42), contiguous_us: usPoints(N, 7) };

// ---------------------------------------------------------------- build
// chapterhouse reads the GeoJSON text itself (the parse is inside the
// figure); which-polygon takes the parsed object (JSON.parse is reported
// beside it).
const chBuild = best(ROUNDS, () => new ChapterFinder(text), (f) => f.free());
const finder = chBuild.result;
// which-polygon reads `properties` as the answer: give each feature its index.
const wpFc = { type: 'FeatureCollection', features: fc.features.map((f, i) => ({ ...f, properties: { ix: i } })) };
const wpBuild = best(ROUNDS, () => whichPolygon(wpFc));
const query = wpBuild.result;

// Feature index → finder entry index, to compare answers.
const entryOfFeature = fc.features.map((f) => finder.indexOf(String(f.id)));

// ---------------------------------------------------------------- lookups
function chSingle(xy) {
  const n = xy.length / 2;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = finder.lookup(xy[2 * i], xy[2 * i + 1]);
  return out;
}
function wpSingle(xy) {
  const n = xy.length / 2;
  const out = new Int32Array(n);
  const p = [0, 0];
  for (let i = 0; i < n; i++) {
    p[0] = xy[2 * i];
    p[1] = xy[2 * i + 1];
    const r = query(p);
    out[i] = r ? entryOfFeature[r.ix] : -1;
  }
  return out;
}

// The finder builds the finer layers of its index (the point grid's cells,
// each county's own grid and edge slabs) on the first lookups that reach
// them: one pass over the counties points with a new finder shows what
// that costs (the rounds below run on a finder whose layers are built).
const firstPass = (() => {
  const fresh = new ChapterFinder(text);
  const xy = sets.counties;
  const n = xy.length / 2;
  const t = timed(() => {
    for (let i = 0; i < n; i++) fresh.lookup(xy[2 * i], xy[2 * i + 1]);
  });
  fresh.free();
  return { mean_us: (t.wall * 1000) / n, cpu_mean_us: (t.cpu * 1000) / n };
})();

const results = {};
for (const [name, xy] of Object.entries(sets)) {
  // warm up both (JIT, caches)
  chSingle(xy.subarray(0, 20_000));
  wpSingle(xy.subarray(0, 20_000));
  const ch = best(ROUNDS, () => chSingle(xy));
  const wp = best(ROUNDS, () => wpSingle(xy));
  const many = best(ROUNDS, () => finder.lookupMany(xy));
  let agree = 0;
  let found = 0;
  let sameAsBatch = 0;
  for (let i = 0; i < N; i++) {
    if (ch.result[i] === wp.result[i]) agree++;
    if (ch.result[i] >= 0) found++;
    if (ch.result[i] === many.result[i]) sameAsBatch++;
  }
  results[name] = {
    points: N,
    covered: found,
    agree_with_which_polygon: agree,
    batch_equals_single: sameAsBatch === N,
    chapterhouse_lookup: perPoint(ch),
    which_polygon_query: perPoint(wp),
    chapterhouse_lookupMany: perPoint(many),
  };
}

function perPoint(t) {
  return {
    mean_us: (t.wall * 1000) / N,
    median_round_mean_us: (t.median * 1000) / N,
    cpu_mean_us: (t.cpu * 1000) / N,
    points_per_s: Math.round(N / (t.wall / 1000)),
  };
}

// ---------------------------------------------------------------- size
function sizes(url) {
  const wasm = readFileSync(url);
  return {
    wasm_bytes: wasm.length,
    gzip_9_bytes: gzipSync(wasm, { level: 9 }).length,
    brotli_11_bytes: brotliCompressSync(wasm, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}
// The full module (pkg/web, pkg/node) and the finder-only one (pkg/finder,
// "chapterhouse/finder": what a website ships).
const size = { full: sizes(WASM), finder: sizes(WASM_FINDER) };

const summary = {
  node: process.version,
  chapterhouse: version(),
  which_polygon: require('which-polygon/package.json').version,
  rounds: ROUNDS,
  counties: fc.features.length,
  counties_with_geometry: withGeometry.length,
  indexed: finder.length,
  build_ms: {
    chapterhouse_from_text: round(chBuild.wall),
    chapterhouse_from_text_median: round(chBuild.median),
    chapterhouse_from_text_cpu: round(chBuild.cpu),
    json_parse: round(parse.wall),
    which_polygon_from_object: round(wpBuild.wall),
    which_polygon_from_object_median: round(wpBuild.median),
  },
  lookups: results,
  first_pass_new_finder_counties: firstPass,
  size,
};

function round(x) {
  return Math.round(x * 100) / 100;
}

mkdirSync(OUT, { recursive: true });
writeFileSync(new URL('results.json', OUT), JSON.stringify(summary, null, 2));

const f3 = (x) => x.toFixed(3);
console.log(`chapterhouse ${summary.chapterhouse} (wasm) vs which-polygon ${summary.which_polygon}, node ${summary.node}`);
console.log(`${summary.counties} counties (${summary.indexed} with geometry indexed); best of ${ROUNDS} rounds\n`);
console.log('index build (ms)                       best    median');
console.log(`  chapterhouse new ChapterFinder(text) ${chBuild.wall.toFixed(1).padStart(7)} ${chBuild.median.toFixed(1).padStart(8)}`);
console.log(`  which-polygon(object)                ${wpBuild.wall.toFixed(1).padStart(7)} ${wpBuild.median.toFixed(1).padStart(8)}   (+ JSON.parse ${parse.wall.toFixed(1)})`);
for (const [name, r] of Object.entries(results)) {
  console.log(`\npoints: ${name} (${N.toLocaleString('en-US')}, ${r.covered.toLocaleString('en-US')} covered; ` +
    `${(N - r.agree_with_which_polygon).toLocaleString('en-US')} answers differ from which-polygon's; batch = single: ${r.batch_equals_single})`);
  console.log('                                  mean µs  median-round µs  CPU µs   points/s');
  for (const [label, k] of [['chapterhouse lookup(lon, lat)', 'chapterhouse_lookup'],
    ['which-polygon query([lon, lat])', 'which_polygon_query'],
    ['chapterhouse lookupMany(batch)', 'chapterhouse_lookupMany']]) {
    const p = r[k];
    console.log(`  ${label.padEnd(32)}${f3(p.mean_us).padStart(7)} ${f3(p.median_round_mean_us).padStart(16)} ${f3(p.cpu_mean_us).padStart(7)} ${p.points_per_s.toLocaleString('en-US').padStart(11)}`);
  }
}
console.log(`\nfirst pass over the counties points with a new finder (builds the layers it reaches): ` +
  `${f3(firstPass.mean_us)} µs mean, ${f3(firstPass.cpu_mean_us)} µs CPU`);
for (const [name, z] of Object.entries(size)) {
  console.log(`${name === 'full' ? '\n' : ''}.wasm ${name.padEnd(6)}: ${z.wasm_bytes.toLocaleString('en-US').padStart(9)} bytes, ` +
    `gzip -9 ${z.gzip_9_bytes.toLocaleString('en-US').padStart(7)}, brotli ${z.brotli_11_bytes.toLocaleString('en-US').padStart(7)}`);
}
console.log(`(written to benches/wasm/out/results.json)`);
