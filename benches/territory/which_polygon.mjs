// which-polygon (npm) over the same counties and points, for compare.py.
//
//   node which_polygon.mjs COUNTIES.geojson POINTS.f64 OUT_DIR
//
// Writes OUT_DIR/wp_first.i32 (feature index of the first county found, or
// -1) and prints a JSON summary. which-polygon returns one polygon per point
// (the first its R-tree yields), so it is compared on membership: is its
// answer one of the counties shapely finds?
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const whichPolygon = require("which-polygon");

const [counties, points, out] = process.argv.slice(2);
const fc = JSON.parse(readFileSync(counties, "utf8"));
fc.features.forEach((f, i) => { f.properties = { ix: i }; });

let t = performance.now();
const query = whichPolygon(fc);
const buildS = (performance.now() - t) / 1000;

const buf = readFileSync(points);
const xy = new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8);
const n = xy.length / 2;
const first = new Int32Array(n);
const p = [0, 0];
// warm up
for (let i = 0; i < Math.min(n, 10000); i++) { p[0] = xy[2 * i]; p[1] = xy[2 * i + 1]; query(p); }
const rssBefore = process.memoryUsage().rss;
const cpu0 = process.cpuUsage();
t = performance.now();
for (let i = 0; i < n; i++) {
  p[0] = xy[2 * i];
  p[1] = xy[2 * i + 1];
  const r = query(p);
  first[i] = r ? r.ix : -1;
}
const queryS = (performance.now() - t) / 1000;
const cpu = process.cpuUsage(cpu0);
const queryCpuS = (cpu.user + cpu.system) / 1e6;
const rssAfter = process.memoryUsage().rss;
writeFileSync(`${out}/wp_first.i32`, Buffer.from(first.buffer));
console.log(JSON.stringify({
  points: n,
  build_s: buildS,
  query_s: queryS,
  points_per_s: n / queryS,
  query_cpu_s: queryCpuS,
  points_per_cpu_s: n / queryCpuS,
  us_per_lookup: (queryS / n) * 1e6,
  extra_rss_mib: (rssAfter - rssBefore) / 2 ** 20,
  node: process.version,
}));
