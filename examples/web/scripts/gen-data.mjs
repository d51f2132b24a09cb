// Build step of the page: everything it shows, computed once with the
// chapterhouse package (its Node build) from examples/data, into
// src/generated/ (not committed):
//
//   public-view.json  the network's public view: listed chapters, public fields only
//   health.json       each chapter's health status and score (calibrated, as the tour)
//   places.json       the sample places
//   borders.json      state and national borders as one SVG path, projected with
//                     the page's own d3-geo projection (the page draws them behind
//                     the territories)
//
// Usage: node scripts/gen-data.mjs
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

import { HealthScorer, Network } from 'chapterhouse';
import { geoPath } from 'd3-geo';

import { NOW, projection } from '../src/map-config.js';

const DATA = new URL('../../data/', import.meta.url);
const OUT = new URL('../src/generated/', import.meta.url);
const read = (name) => readFileSync(new URL(name, DATA), 'utf8');
const write = (name, value) => {
  const text = JSON.stringify(value);
  writeFileSync(new URL(name, OUT), text);
  return text.length;
};

mkdirSync(OUT, { recursive: true });

// The public view: what a website may ship (no people, grants or cohorts).
const network = Network.fromJson(read('network.json'));
const view = network.publicView();
const viewBytes = write('public-view.json', view);

// Health: the sample activity log scored as of the tour's "today",
// calibrated on the network's own history.
const scorer = new HealthScorer(read('groups.json'), NOW);
scorer.addCsv(read('activity.csv'));
scorer.setCalibration(scorer.calibrate().calibration);
const report = scorer.report();
const health = {};
for (const g of report.groups) {
  health[g.group] = { status: g.status, score: Math.floor(g.score * 10) / 10 };
}
write('health.json', health);

write('places.json', JSON.parse(read('places.json')));

// Borders: county edges that only one county has (coasts, the national
// border) or that two counties of different states share. The counties come
// from one topology, so shared edges have identical ends.
const counties = JSON.parse(read('us-counties.geojson'));
const edges = new Map(); // "x1,y1|x2,y2" (sorted ends) -> { a, b, states: Set, n }
for (const f of counties.features) {
  const g = f.geometry;
  if (!g) continue;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const poly of polys) {
    for (const ring of poly) {
      for (let i = 1; i < ring.length; i++) {
        const a = ring[i - 1];
        const b = ring[i];
        const ka = `${a[0]},${a[1]}`;
        const kb = `${b[0]},${b[1]}`;
        if (ka === kb) continue;
        const key = ka < kb ? `${ka}|${kb}` : `${kb}|${ka}`;
        const e = edges.get(key) ?? { a, b, ka, kb, states: new Set(), n: 0 };
        e.n += 1;
        e.states.add(f.properties?.state ?? '');
        edges.set(key, e);
      }
    }
  }
}
const border = [...edges.values()].filter((e) => e.n === 1 || e.states.size > 1);
// Chain the segments into lines (fewer path commands).
const byEnd = new Map();
for (const e of border) {
  for (const k of [e.ka, e.kb]) {
    if (!byEnd.has(k)) byEnd.set(k, []);
    byEnd.get(k).push(e);
  }
}
const used = new Set();
const lines = [];
for (const start of border) {
  if (used.has(start)) continue;
  used.add(start);
  const line = [start.a, start.b];
  for (const forward of [true, false]) {
    let endKey = forward ? start.kb : start.ka;
    for (;;) {
      const next = (byEnd.get(endKey) ?? []).find((e) => !used.has(e));
      if (!next) break;
      used.add(next);
      const [p, k] = next.ka === endKey ? [next.b, next.kb] : [next.a, next.ka];
      if (forward) line.push(p);
      else line.unshift(p);
      endKey = k;
    }
  }
  lines.push(line);
}
const path = geoPath(projection()).digits(1)({ type: 'MultiLineString', coordinates: lines });
const bordersBytes = write('borders.json', { path });

console.log(
  `gen-data: public view ${view.features.length} chapters (${(viewBytes / 1024).toFixed(0)} KiB), ` +
    `health for ${report.groups.length} groups as of ${NOW}, ` +
    `${border.length} border edges in ${lines.length} lines (${(bordersBytes / 1024).toFixed(0)} KiB)`,
);
