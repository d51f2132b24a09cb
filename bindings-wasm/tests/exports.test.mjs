// Every export and every method is covered: adding one without listing it
// here (and testing it in the suite named) fails, so nothing ships untested.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as ch from 'chapterhouse';

// export → the test file that covers it
const FUNCTIONS = {
  version: 'network.test.mjs',
  healthReport: 'health.test.mjs',
  triagePlan: 'triage.test.mjs',
};
// class → its methods and getters (each covered in the file named)
const CLASSES = {
  ChapterFinder: ['finder.test.mjs', ['lookup', 'lookupAll', 'chapterAt', 'lookupMany', 'nearest', 'entry',
    'indexOf', 'entries', 'warnings', 'buildAll', 'length', 'free'], ['fromNetwork']],
  Network: ['network.test.mjs', ['toJson', 'len', 'isEmpty', 'revision', 'apply', 'node', 'root', 'children',
    'subtree', 'chaptersUnder', 'pathFromRoot', 'depth', 'isAncestor', 'check', 'nodesWhere', 'whoCan',
    'capabilitiesAt', 'publicView', 'free'], ['fromJson']],
  HealthScorer: ['health.test.mjs', ['addCsv', 'calibrate', 'setCalibration', 'report', 'groupCount', 'free'], []],
};
const IGNORED = new Set(['constructor', '__destroy_into_raw', '__wbg_ptr']);

test('the package exports exactly the documented API', () => {
  const names = Object.keys(ch).filter((k) => k !== 'default' && k !== 'initSync').sort();
  assert.deepEqual(names, [...Object.keys(FUNCTIONS), ...Object.keys(CLASSES)].sort());
  for (const f of Object.keys(FUNCTIONS)) assert.equal(typeof ch[f], 'function', f);
});

for (const [cls, [file, methods, statics]] of Object.entries(CLASSES)) {
  test(`${cls}: every method is listed (tested in ${file})`, () => {
    const proto = Object.getOwnPropertyNames(ch[cls].prototype)
      .filter((m) => !IGNORED.has(m) && !m.startsWith('__') && !(typeof Symbol.dispose === 'symbol' && m === Symbol.dispose))
      .sort();
    assert.deepEqual(proto, [...methods].sort());
    const own = Object.getOwnPropertyNames(ch[cls])
      .filter((m) => !['length', 'name', 'prototype', '__wrap'].includes(m) && !m.startsWith('__'))
      .sort();
    assert.deepEqual(own, [...statics].sort());
  });
}
