// Converts the Census cartographic county boundaries shipped by the npm package
// `us-atlas` (counties-10m.json, TopoJSON, WGS84 lon/lat) into
// examples/data/us-counties.geojson: a GeoJSON FeatureCollection with one
// feature per county, written one feature per line.
//
//   feature.id            5-digit county FIPS code ("25025")
//   properties.name       county name as the Census spells it ("Suffolk")
//   properties.state      2-letter postal code from the FIPS state prefix ("MA")
//   properties.state_name state name ("Massachusetts")
//
// Coordinates are rounded to 6 decimals (about 0.1 m); us-atlas quantizes to
// about 0.0036° x 0.00086° already, so rounding merges no distinct vertices.
// Every ring is closed (first vertex = last vertex). Rings are oriented as
// RFC 7946 asks (exterior counter-clockwise, holes clockwise; us-atlas/d3 use
// the opposite). Rings that the 10m quantization collapsed to a point or a line
// are dropped (22 of them, slivers where counties meet); Falls Church VA
// (51610, about 5 km²) collapses entirely and is kept with "geometry": null
// (GeoJSON's unlocated feature), so there are 3,231 features and 3,230 shapes.
// Holes: 12 Virginia counties have holes (the independent cities inside them,
// e.g. Albemarle 51003 around Charlottesville); 110 counties are MultiPolygons.
//
// Antimeridian: us-atlas does not cut, shift or wrap anything; every longitude
// is in [-180, 180]. Aleutians West AK (02016) is the only county spanning it:
// a MultiPolygon of 43 island polygons, 12 of them in the eastern hemisphere
// (Near, Rat and Semisopochnoi islands, 172.46° E .. 179.78° E) and 31 in the
// western (-179.14° .. -166.09°). No single ring crosses 180° (checked below:
// no edge jumps more than 180° in longitude), so each part is an ordinary
// lon/lat polygon, but the county's naive bounding box spans nearly the whole
// globe (-179.14 .. 179.78). A territory index should box each part on its own
// rather than one box per feature.
//
// Usage: node counties.mjs [output path]
// Deterministic: the same us-atlas version gives the same bytes.

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { feature } from "topojson-client";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const out = resolve(process.argv[2] ?? resolve(here, "../../examples/data/us-counties.geojson"));

// FIPS state code -> [postal code, name]. Covers the 50 states, DC and the
// territories us-atlas includes.
export const STATES = {
  "01": ["AL", "Alabama"], "02": ["AK", "Alaska"], "04": ["AZ", "Arizona"],
  "05": ["AR", "Arkansas"], "06": ["CA", "California"], "08": ["CO", "Colorado"],
  "09": ["CT", "Connecticut"], "10": ["DE", "Delaware"], "11": ["DC", "District of Columbia"],
  "12": ["FL", "Florida"], "13": ["GA", "Georgia"], "15": ["HI", "Hawaii"],
  "16": ["ID", "Idaho"], "17": ["IL", "Illinois"], "18": ["IN", "Indiana"],
  "19": ["IA", "Iowa"], "20": ["KS", "Kansas"], "21": ["KY", "Kentucky"],
  "22": ["LA", "Louisiana"], "23": ["ME", "Maine"], "24": ["MD", "Maryland"],
  "25": ["MA", "Massachusetts"], "26": ["MI", "Michigan"], "27": ["MN", "Minnesota"],
  "28": ["MS", "Mississippi"], "29": ["MO", "Missouri"], "30": ["MT", "Montana"],
  "31": ["NE", "Nebraska"], "32": ["NV", "Nevada"], "33": ["NH", "New Hampshire"],
  "34": ["NJ", "New Jersey"], "35": ["NM", "New Mexico"], "36": ["NY", "New York"],
  "37": ["NC", "North Carolina"], "38": ["ND", "North Dakota"], "39": ["OH", "Ohio"],
  "40": ["OK", "Oklahoma"], "41": ["OR", "Oregon"], "42": ["PA", "Pennsylvania"],
  "44": ["RI", "Rhode Island"], "45": ["SC", "South Carolina"], "46": ["SD", "South Dakota"],
  "47": ["TN", "Tennessee"], "48": ["TX", "Texas"], "49": ["UT", "Utah"],
  "50": ["VT", "Vermont"], "51": ["VA", "Virginia"], "53": ["WA", "Washington"],
  "54": ["WV", "West Virginia"], "55": ["WI", "Wisconsin"], "56": ["WY", "Wyoming"],
  "60": ["AS", "American Samoa"], "66": ["GU", "Guam"],
  "69": ["MP", "Northern Mariana Islands"], "72": ["PR", "Puerto Rico"],
  "78": ["VI", "U.S. Virgin Islands"],
};

const round6 = (x) => {
  const r = Math.round(x * 1e6) / 1e6;
  return Object.is(r, -0) ? 0 : r;
};

function fail(msg) {
  console.error(`counties.mjs: ${msg}`);
  process.exit(1);
}

// Twice the signed area of a ring (shoelace), in square degrees.
function area2(r) {
  let s = 0;
  for (let i = 1; i < r.length; i++) s += r[i - 1][0] * r[i][1] - r[i][0] * r[i - 1][1];
  return s;
}

// Rounds a ring, drops repeated vertices, keeps it closed. Returns null for a
// ring that quantization collapsed to a point or a line (zero area): us-atlas
// has 21 such rings (slivers where counties meet, e.g. in Broomfield CO), which
// no validator should be asked to accept.
function cleanRing(ring, id, exterior) {
  const pts = [];
  for (const [lon, lat] of ring) {
    const p = [round6(lon), round6(lat)];
    const last = pts[pts.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) pts.push(p);
  }
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (first[0] !== last[0] || first[1] !== last[1]) pts.push([first[0], first[1]]);
  const a = area2(pts);
  if (pts.length < 4 || a === 0) return null;
  if (exterior ? a < 0 : a > 0) pts.reverse();
  for (let i = 1; i < pts.length; i++) {
    if (Math.abs(pts[i][0] - pts[i - 1][0]) > 180) fail(`${id}: ring crosses the antimeridian`);
  }
  return pts;
}

let droppedRings = 0;

// A polygon without its degenerate rings, or null if its exterior collapsed.
function cleanPolygon(rings, id) {
  const out = [];
  for (let i = 0; i < rings.length; i++) {
    const r = cleanRing(rings[i], id, i === 0);
    if (r) out.push(r);
    else {
      droppedRings++;
      if (i === 0) {
        droppedRings += rings.length - 1;
        return null;
      }
    }
  }
  return out;
}

// The cleaned geometry, or null (GeoJSON's "unlocated feature") when nothing
// of area is left: only Falls Church VA (51610), about 5 km², which the 10m
// quantization flattens to a line.
function cleanGeometry(g, id) {
  if (g.type === "Polygon") {
    const p = cleanPolygon(g.coordinates, id);
    return p ? { type: "Polygon", coordinates: p } : null;
  }
  if (g.type === "MultiPolygon") {
    const ps = g.coordinates.map((poly) => cleanPolygon(poly, id)).filter((p) => p);
    return ps.length ? { type: "MultiPolygon", coordinates: ps } : null;
  }
  return fail(`${id}: unexpected geometry type ${g && g.type}`);
}

export function buildCounties() {
  const topo = JSON.parse(readFileSync(require.resolve("us-atlas/counties-10m.json"), "utf8"));
  const fc = feature(topo, topo.objects.counties);
  const features = fc.features.map((f) => {
    const id = String(f.id);
    if (!/^\d{5}$/.test(id)) fail(`bad county id ${id}`);
    const st = STATES[id.slice(0, 2)];
    if (!st) fail(`${id}: unknown state FIPS prefix`);
    return {
      type: "Feature",
      id,
      properties: { name: f.properties.name, state: st[0], state_name: st[1] },
      geometry: cleanGeometry(f.geometry, id),
    };
  });
  features.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 1; i < features.length; i++) {
    if (features[i].id === features[i - 1].id) fail(`duplicate county id ${features[i].id}`);
  }
  return features;
}

function main() {
  const features = buildCounties();
  if (features.length !== 3231) fail(`expected 3231 counties, got ${features.length}`);
  const aw = features.find((f) => f.id === "02016");
  if (!aw || aw.properties.name !== "Aleutians West") fail("Aleutians West (02016) missing");
  const unlocated = features.filter((f) => f.geometry === null).map((f) => f.id);
  if (unlocated.join() !== "51610") fail(`unexpected counties without area: ${unlocated}`);
  const text =
    '{"type":"FeatureCollection","features":[\n' +
    features.map((f) => JSON.stringify(f)).join(",\n") +
    "\n]}\n";
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  console.log(`counties.mjs: wrote ${features.length} counties (${droppedRings} degenerate rings dropped, no area: ${unlocated}), ${Buffer.byteLength(text)} bytes to ${out}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
