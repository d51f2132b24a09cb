// Shared by the node tests: sample data and an assertion for library errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const DATA = new URL('../../examples/data/', import.meta.url);

/** A file of examples/data as text. */
export function sample(name) {
  return readFileSync(new URL(name, DATA), 'utf8');
}

/** Asserts that `fn` throws a ChapterhouseError with `code` (and a message matching `re`). */
export function assertThrowsCode(fn, code, re = /./) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, `an Error object, not ${typeof err}`);
    assert.equal(err.name, 'ChapterhouseError');
    assert.equal(err.code, code, err.message);
    assert.match(err.message, re);
    return true;
  });
}

/** Two unit squares, north above south, sharing the border y = 1. */
export const SQUARES = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', id: 'north', properties: { name: 'North', join_url: 'https://example.org/n' },
      geometry: { type: 'Polygon', coordinates: [[[0, 1], [2, 1], [2, 2], [0, 2], [0, 1]]] } },
    { type: 'Feature', id: 'south', properties: { name: 'South', kind: 'campaign' },
      geometry: { type: 'Polygon', coordinates: [[[0, 0], [2, 0], [2, 1], [0, 1], [0, 0]]] } },
    { type: 'Feature', id: 'issue', properties: { name: 'Issue group', kind: 'issue' }, geometry: null },
  ],
};
