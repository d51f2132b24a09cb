// Shared helpers for the sample-data generators in scripts/sample/:
// a seeded PRNG, the fixed "now" of the sample, time formatting, paths, and
// JSON writers that match the canonical layout of `chapterhouse/1`.
//
// Everything here is deterministic: the same seed gives the same sequence on
// every machine (32-bit integer arithmetic only; no Math.random, no clock).

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** scripts/sample/ */
export const HERE = dirname(fileURLToPath(import.meta.url));
/** examples/data/ */
export const DATA_DIR = resolve(HERE, "../../examples/data");

/** The sample's "now": health, triage and grant validity are judged at this time. */
export const NOW = "2026-11-01T00:00:00Z";
/** NOW in milliseconds since the epoch. */
export const NOW_MS = Date.parse(NOW);
/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** Path of a file in examples/data/. */
export function dataPath(name) {
  return resolve(DATA_DIR, name);
}

/** Reads and parses a JSON file from examples/data/. */
export function readData(name) {
  return JSON.parse(readFileSync(dataPath(name), "utf8"));
}

/** Writes text to examples/data/<name>, creating the folder. Returns the byte count. */
export function writeData(name, text) {
  const p = dataPath(name);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return Buffer.byteLength(text);
}

// xmur3: hashes a seed string to 32-bit state words.
function xmur3(str) {
  let h = 1779033703 ^ str.length;
  for (let i = 0; i < str.length; i++) {
    h = Math.imul(h ^ str.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    h ^= h >>> 16;
    return h >>> 0;
  };
}

/**
 * A seeded PRNG (sfc32, seeded from a string with xmur3). Give each generator
 * (and each independent part of one) its own seed string, so that adding
 * draws in one part does not shift the numbers of another.
 */
export function makeRng(seed) {
  const h = xmur3(String(seed));
  let a = h(), b = h(), c = h(), d = h();
  const u32 = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) u32();
  const rng = {
    /** Uniform integer in [0, 2^32). */
    u32,
    /** Uniform float in [0, 1). */
    next: () => u32() / 4294967296,
    /** Uniform integer in [lo, hi], both included. */
    int: (lo, hi) => lo + Math.floor(rng.next() * (hi - lo + 1)),
    /** True with probability p. */
    chance: (p) => rng.next() < p,
    /** One element of a non-empty array. */
    pick: (arr) => arr[Math.floor(rng.next() * arr.length)],
    /** One element, with weights: pickWeighted([[item, weight], ...]). */
    pickWeighted: (pairs) => {
      const total = pairs.reduce((s, [, w]) => s + w, 0);
      let x = rng.next() * total;
      for (const [item, w] of pairs) {
        if ((x -= w) < 0) return item;
      }
      return pairs[pairs.length - 1][0];
    },
    /** A shuffled copy (Fisher–Yates). */
    shuffle: (arr) => {
      const out = arr.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
    /** k distinct elements, in random order. */
    sample: (arr, k) => rng.shuffle(arr).slice(0, k),
    /** A whole-minute time in [fromMs, toMs), as milliseconds. */
    timeBetween: (fromMs, toMs) => {
      const minutes = Math.floor((toMs - fromMs) / 60000);
      return fromMs + Math.floor(rng.next() * minutes) * 60000;
    },
  };
  return rng;
}

/** RFC 3339 UTC time as chrono writes a `DateTime<Utc>`: `2026-01-02T03:04:05Z` (no fraction when it is zero). */
export function iso(ms) {
  const s = new Date(ms).toISOString(); // 2026-01-02T03:04:05.000Z
  return s.endsWith(".000Z") ? s.slice(0, -5) + "Z" : s;
}

/** Milliseconds since the epoch of an RFC 3339 time. */
export function ms(isoText) {
  return Date.parse(isoText);
}

/** Rounds to 6 decimals (about 0.1 m in lon/lat), without producing -0. */
export function round6(x) {
  const r = Math.round(x * 1e6) / 1e6;
  return Object.is(r, -0) ? 0 : r;
}

function checkNumber(n) {
  if (!Number.isFinite(n)) throw new Error(`non-finite number ${n}`);
  // JavaScript and serde_json (ryu) print the same shortest digits, but
  // choose exponent notation in different ranges; stay where both agree.
  if (!Number.isInteger(n) && (Math.abs(n) < 1e-5 || Math.abs(n) >= 1e15)) {
    throw new Error(`number ${n} would be printed differently by serde_json`);
  }
  if (Number.isInteger(n) && Math.abs(n) >= 1e15) throw new Error(`number ${n} too large`);
}

/**
 * JSON text of a value the way serde_json writes a `serde_json::Value`
 * (without the preserve_order feature): compact, object keys sorted by
 * their UTF-8 bytes, shortest round-trip numbers. Use it for the parts of a
 * snapshot that the library keeps as plain JSON (territory geometry, people,
 * grants, policy).
 */
export function valueJson(v) {
  if (v === null || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") {
    checkNumber(v);
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return "[" + v.map(valueJson).join(",") + "]";
  if (typeof v === "object") {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    keys.sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + valueJson(v[k])).join(",") + "}";
  }
  throw new Error(`cannot write ${typeof v} as JSON`);
}

/**
 * JSON text of a record whose keys are already in the order the library's
 * serde structs write them; `undefined` members are skipped (serde's
 * skip_serializing_if). Nested values given as `{ raw: text }` are written
 * verbatim.
 */
export function recordJson(obj) {
  const parts = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    const text = v !== null && typeof v === "object" && "raw" in v ? v.raw : JSON.stringify(v);
    parts.push(JSON.stringify(k) + ":" + text);
  }
  return "{" + parts.join(",") + "}";
}

/** A JSON array written as `Network::to_json` writes its lists: one item per line, indented 2. */
export function linesJson(items) {
  return items.length === 0 ? "[]" : "[\n  " + items.join(",\n  ") + "\n]";
}
