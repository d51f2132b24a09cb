// The page as a visitor uses it, in Debian's headless Chromium driven by
// playwright-core. Run by ../test.sh, which builds the page and serves it:
// PAGE_URL is the page, TEST_OUTPUT the folder for screenshots.
//
// Expected answers come from the same package in Node (its Node build over
// the same public view), so the page is checked against the library, not
// against numbers copied here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ChapterFinder } from 'chapterhouse';
import { chromium } from 'playwright-core';

import { projection } from '../src/map-config.js';

const PAGE_URL = process.env.PAGE_URL;
const OUT = process.env.TEST_OUTPUT ?? 'test-output';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// No traffic beyond loopback: this machine has no other network, and the
// page must load nothing from the internet anyway.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'];

const generated = (name) => JSON.parse(readFileSync(new URL(`../src/generated/${name}`, import.meta.url), 'utf8'));
const VIEW = generated('public-view.json');
const HEALTH = generated('health.json');
const FINDER = new ChapterFinder(VIEW);
const feature = (id) => VIEW.features.find((f) => f.id === id);

let browser;
let page;
const pageErrors = [];
const consoleErrors = [];
const foreign = [];

before(async () => {
  assert.ok(PAGE_URL, 'PAGE_URL is not set: run the test through examples/web/test.sh');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('request', (r) => { if (!r.url().startsWith(PAGE_URL)) foreign.push(r.url()); });
  await page.goto(PAGE_URL);
  await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
});

test('the page starts, draws every territory and loads nothing from elsewhere', async () => {
  assert.equal(await page.getAttribute('body', 'data-ready'), 'true', await page.textContent('#status'));
  const drawn = await page.locator('#map path.territory').count();
  assert.ok(drawn >= FINDER.length - 1 && drawn <= FINDER.length, `${drawn} of ${FINDER.length} territories drawn`);
  // Coloured by health: a thriving and an at-risk chapter differ.
  const fills = await page.$$eval('#map path.territory', (ps) => ps.map((p) => [p.dataset.id, p.getAttribute('fill')]));
  const byStatus = new Map();
  for (const [id, fill] of fills) byStatus.set(HEALTH[id]?.status, fill);
  assert.ok(byStatus.size >= 3, `several health colours: ${[...byStatus.keys()]}`);
  assert.equal(new Set(byStatus.values()).size, byStatus.size, 'one colour per status');
  assert.match(await page.textContent('#status'), /Ready: \d+ chapter territories/);
  assert.deepEqual(foreign, []);
});

/** Where a longitude, latitude is on the screen now (through the page's projection and the map's viewBox). */
async function screenPoint(lon, lat) {
  const [x, y] = projection()([lon, lat]);
  const { rect, vb } = await page.$eval('#map', (svg) => ({
    rect: svg.getBoundingClientRect().toJSON(),
    vb: svg.viewBox.baseVal && { x: svg.viewBox.baseVal.x, y: svg.viewBox.baseVal.y, w: svg.viewBox.baseVal.width, h: svg.viewBox.baseVal.height },
  }));
  return { x: rect.left + ((x - vb.x) * rect.width) / vb.w, y: rect.top + ((y - vb.y) * rect.height) / vb.h };
}

test('clicking inside a county shows the chapter that covers it', async () => {
  // Downtown Phoenix, inside Maricopa County, AZ: the Phoenix chapter.
  const id = 'ch-phoenix';
  const [lon, lat] = [-112.074, 33.4484];
  assert.equal(FINDER.chapterAt(lon, lat)?.id, id);
  const at = await screenPoint(lon, lat);
  await page.mouse.click(at.x, at.y);
  const card = page.locator('#result .card');
  await card.waitFor();
  assert.equal(await card.getAttribute('data-chapter-id'), id);
  const f = feature(id);
  assert.equal(await card.locator('h2').textContent(), f.properties.name);
  assert.match(await card.locator('.meta').textContent(), /Local group/);
  assert.equal(await card.locator('[data-field="status"]').textContent(), 'active');
  const expectedHealth = { thriving: 'Thriving', steady: 'Steady', new: 'New', at_risk: 'At risk', dormant: 'Dormant' }[HEALTH[id].status];
  assert.equal(await card.locator('[data-field="health"]').textContent(), expectedHealth);
  assert.equal(await card.locator('a.join').getAttribute('href'), f.properties.join_url);
  assert.equal(await page.locator(`#map path.territory.selected`).getAttribute('data-id'), id);
  await page.screenshot({ path: path.join(OUT, 'click-phoenix.png') });
});

test('zoomed in, a click still lands on the right county', async () => {
  // Downtown Boston (Suffolk County, a few pixels wide on the whole map).
  const [lon, lat] = [-71.0589, 42.3601];
  assert.equal(FINDER.chapterAt(lon, lat)?.id, 'ch-boston');
  let at = await screenPoint(lon, lat);
  await page.mouse.move(at.x, at.y);
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -100);
  await page.waitForFunction(() => Number(document.querySelector('#map').dataset.zoom) > 8);
  at = await screenPoint(lon, lat);
  await page.mouse.click(at.x, at.y);
  assert.equal(await page.locator('#result .card').getAttribute('data-chapter-id'), 'ch-boston');
  await page.screenshot({ path: path.join(OUT, 'zoomed-boston.png') });
  // A drag pans without picking.
  await page.mouse.move(at.x, at.y);
  await page.mouse.down();
  await page.mouse.move(at.x + 120, at.y + 40, { steps: 5 });
  await page.mouse.up();
  assert.equal(await page.locator('#result .card').getAttribute('data-chapter-id'), 'ch-boston');
  assert.notEqual(await page.getAttribute('#map', 'viewBox'), '0 0 975 610');
  await page.click('#zoom-reset');
  assert.equal(await page.getAttribute('#map', 'viewBox'), '0 0 975 610');
});

test('a point outside every territory shows the nearest chapters and a call to start one', async () => {
  // The Gulf of Maine, typed as "latitude, longitude".
  const [lat, lon] = [42.8, -68.5];
  assert.equal(FINDER.lookup(lon, lat), -1, 'the point is outside every territory');
  const expected = FINDER.nearest(lon, lat, 3);
  await page.fill('#coords', `${lat}, ${lon}`);
  await page.click('#search button[type="submit"]');
  const card = page.locator('#result .card');
  await card.locator('h2', { hasText: 'No chapter here yet' }).waitFor();
  const items = card.locator('ol.nearest li');
  assert.equal(await items.count(), expected.length);
  for (let i = 0; i < expected.length; i++) {
    const item = items.nth(i);
    assert.equal(await item.getAttribute('data-id'), expected[i].chapter.id);
    assert.equal(Number(await item.getAttribute('data-distance-m')), expected[i].distance_m);
    const km = expected[i].distance_m / 1000; // the page: one decimal below 100 km, none above
    const shown = km.toLocaleString('en-US', { maximumFractionDigits: km < 100 ? 1 : 0 });
    assert.equal(await item.textContent(), `${expected[i].chapter.name} — ${shown} km away`);
  }
  const start = await card.locator('a.start').getAttribute('href');
  assert.match(start, /\/start\?lat=42\.8000&lon=-68\.5000$/);
  assert.equal(await card.locator('a.start').textContent(), 'Start a chapter here');
  await page.screenshot({ path: path.join(OUT, 'find-your-chapter.png') });

  // Following the nearest link opens that chapter's card.
  await items.nth(0).locator('button').click();
  assert.equal(await page.locator('#result .card').getAttribute('data-chapter-id'), expected[0].chapter.id);
});

test('the sample places and bad input', async () => {
  await page.click('#places button:text-is("Downtown Boston")');
  assert.equal(await page.locator('#result .card').getAttribute('data-chapter-id'), 'ch-boston');
  await page.fill('#coords', 'somewhere nice');
  await page.click('#search button[type="submit"]');
  assert.match(await page.textContent('#search-error'), /latitude and a longitude/);
  await page.fill('#coords', '95, 10');
  await page.click('#search button[type="submit"]');
  assert.match(await page.textContent('#search-error'), /within ±90/);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(foreign, []);
});
