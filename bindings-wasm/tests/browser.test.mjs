// The browser build (pkg/web, ES module) loaded in a real headless Chromium
// (Debian's, driven by playwright-core) from a server on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import { SNAPSHOT } from './snapshot.mjs';

const PKG_WEB = fileURLToPath(new URL('../pkg/web/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
// No background traffic: this machine has no network beyond loopback.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function serve() {
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    if (pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!doctype html><meta charset="utf-8"><title>chapterhouse smoke</title>');
    }
    const file = path.join(PKG_WEB, path.normalize(pathname.replace(/^\/pkg\/web\//, '')));
    if (!pathname.startsWith('/pkg/web/') || !file.startsWith(PKG_WEB)) {
      res.writeHead(404);
      return res.end();
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('the web build runs in headless Chromium', { timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run scripts/setup, or set CHROMIUM`);
  const server = await serve();
  t.after(() => server.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);

  const got = await page.evaluate(async (snapshot) => {
    const ch = await import('/pkg/web/chapterhouse.js');
    await ch.default(); // fetches chapterhouse_bg.wasm next to the module
    const net = ch.Network.fromJson(snapshot);
    const saved = net.toJson();
    let error = null;
    try {
      ch.Network.fromJson('{"format":');
    } catch (e) {
      error = { isError: e instanceof Error, name: e.name, code: e.code, message: e.message };
    }
    return { version: ch.version(), len: net.len(), stable: ch.Network.fromJson(saved).toJson() === saved, error };
  }, SNAPSHOT);

  assert.match(got.version, /^\d+\.\d+\.\d+/);
  assert.equal(got.len, 1);
  assert.equal(got.stable, true);
  assert.equal(got.error?.isError, true);
  assert.equal(got.error.name, 'ChapterhouseError');
  assert.equal(got.error.code, 'parse');
  assert.match(got.error.message, /line 1/);
  assert.deepEqual(pageErrors, []);
});
