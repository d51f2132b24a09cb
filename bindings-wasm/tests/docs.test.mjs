// The Node example of docs/wasm.md runs as written (on a copy of
// examples/data/, with 'chapterhouse' resolved to this package), so the
// guide cannot drift from the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DOC = new URL('../../docs/wasm.md', import.meta.url);
const DATA = fileURLToPath(new URL('../../examples/data/', import.meta.url));
const PKG = pathToFileURL(fileURLToPath(new URL('../pkg/node/chapterhouse.js', import.meta.url))).href;

test('the Node example in docs/wasm.md runs and prints what it says', (t) => {
  const doc = readFileSync(DOC, 'utf8');
  const section = doc.slice(doc.indexOf('## In Node'), doc.indexOf('| export | what |'));
  const block = section.match(/```js\n([\s\S]*?)```/);
  assert.ok(block, 'docs/wasm.md has a js block under "In Node"');
  const dir = mkdtempSync(path.join(tmpdir(), 'chapterhouse-docs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(DATA, dir, { recursive: true });
  writeFileSync(path.join(dir, 'example.mjs'), block[1].replaceAll("from 'chapterhouse'", `from '${PKG}'`));
  const out = execFileSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8' });
  const lines = out.trim().split('\n');
  assert.equal(lines[0], 'approved chapter ch-savannah (applied → active)');
  assert.match(lines[1], /^true allowed: p-0002 may members.export at ch-boston/);
  assert.match(lines[2], /^\d+ p-\d+/);
  assert.ok(lines[3].length > 10, 'a status reason');
  assert.match(lines[4], /^P\d: tier 2/);
  // The saved snapshot has the approval.
  const saved = JSON.parse(readFileSync(path.join(dir, 'network.json'), 'utf8'));
  assert.equal(saved.nodes.find((n) => n.id === 'ch-savannah').status, 'active');
});
