// "Find your chapter": the chapterhouse package in a page. Every lookup runs
// here, in WebAssembly, over the public view shipped with the page; nothing
// is sent anywhere and nothing is loaded from the internet.
// The finder-only build: a quarter of the full module's size.
import init, { ChapterFinder, version } from 'chapterhouse/finder';
import { geoArea, geoCircle, geoPath } from 'd3-geo';

import borders from './generated/borders.json';
import health from './generated/health.json';
import places from './generated/places.json';
import view from './generated/public-view.json';
import { HEIGHT, STATUSES, WIDTH, projection } from './map-config.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const METRES_PER_DEGREE = 111_195; // mean Earth radius × π / 180
const KIND = { local: 'Local group', issue: 'Issue group', campaign: 'Campaign group' };

const $ = (id) => document.getElementById(id);

/** An element with attributes and children (strings become text). */
function el(tag, attrs = {}, ...children) {
  const svg = ['svg', 'g', 'path', 'circle', 'title'].includes(tag);
  const node = svg ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null && c !== false) node.append(c);
  }
  return node;
}

function formatKm(m) {
  const km = m / 1000;
  return `${km.toLocaleString('en-US', { maximumFractionDigits: km < 100 ? 1 : 0 })} km`;
}

function formatPoint(lon, lat) {
  return `${lat.toFixed(4)}, ${lon.toFixed(4)}`;
}

/**
 * A territory as d3 draws it. d3-geo reads rings on the sphere and takes a
 * ring's interior to be on its right, the opposite of GeoJSON's right-hand
 * rule: a polygon that comes out larger than a hemisphere is read inside
 * out, so its rings are reversed. Service circles become polygons.
 */
function drawable(geometry) {
  const rewind = (rings) =>
    geoArea({ type: 'Polygon', coordinates: rings }) > 2 * Math.PI ? rings.map((r) => [...r].reverse()) : rings;
  switch (geometry.type) {
    case 'Point':
      return geoCircle().center(geometry.coordinates).radius(geometry.radius_m / METRES_PER_DEGREE).precision(2)();
    case 'Polygon':
      return { type: 'Polygon', coordinates: rewind(geometry.coordinates) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: geometry.coordinates.map(rewind) };
    default:
      return geometry;
  }
}

function healthOf(id) {
  const h = health[id];
  return h ? { ...STATUSES[h.status], ...h } : undefined;
}

async function main() {
  const started = performance.now();
  await init(); // fetches chapterhouse_bg.wasm, bundled next to the page
  const finder = new ChapterFinder(view);
  const readyMs = performance.now() - started;

  const features = new Map(view.features.map((f) => [String(f.id), f]));
  const proj = projection();
  const path = geoPath(proj);
  const svg = $('map');

  // Background borders (projected at build time with the same projection).
  svg.append(el('path', { class: 'borders', d: borders.path }));
  // Territories: larger first, so smaller ones stay on top and clickable.
  const layer = el('g', { class: 'territories' });
  const entries = finder.entries();
  for (const entry of [...entries].reverse()) {
    const f = features.get(entry.id);
    const h = healthOf(entry.id);
    const d = path(drawable(f.geometry));
    if (!d) continue; // outside the projection's insets
    layer.append(
      el('path', { class: 'territory', d, fill: h?.colour ?? '#999', 'data-id': entry.id },
        el('title', {}, `${entry.name}${h ? ` · ${h.label}` : ''}`)),
    );
  }
  svg.append(layer);
  const pin = el('g', { class: 'pin', visibility: 'hidden' }, el('circle', { r: 5 }));
  svg.append(pin);
  /** The pin keeps its size on screen whatever the zoom. */
  function placePin() {
    if (!pin.dataset.xy) return;
    pin.setAttribute('transform', `translate(${pin.dataset.xy}) scale(${box.w / WIDTH})`);
  }

  $('legend').append(
    ...Object.values(STATUSES).map((s) => el('li', { style: `--c: ${s.colour}` }, s.label)),
  );

  /** Shows what covers the point: a chapter's card, or the nearest chapters. */
  function show(lon, lat, label) {
    let ix;
    try {
      ix = finder.lookup(lon, lat);
    } catch (e) {
      return showError(e.code === 'invalid_value' ? 'That is not a place on Earth.' : e.message);
    }
    const xy = proj([lon, lat]);
    pin.setAttribute('visibility', xy ? 'visible' : 'hidden');
    if (xy) {
      pin.dataset.xy = xy.join(',');
      placePin();
    }
    const where = el('p', { class: 'where' }, label ? `${label} (${formatPoint(lon, lat)})` : formatPoint(lon, lat));
    if (ix >= 0) {
      const entry = finder.entry(ix);
      const others = [...finder.lookupAll(lon, lat)].slice(1).map((i) => finder.entry(i).name);
      render(where, chapterCard(entry, others));
      select(entry.id);
    } else {
      render(where, nearestCard(lon, lat, finder.nearest(lon, lat, 3)));
      select(null);
    }
  }

  function chapterCard(entry, others) {
    const p = features.get(entry.id)?.properties ?? {};
    const h = healthOf(entry.id);
    return el('article', { class: 'card', 'data-chapter-id': entry.id },
      el('h2', {}, entry.name),
      el('p', { class: 'meta' },
        [KIND[entry.kind] ?? entry.kind, entry.region && `${entry.region} region`].filter(Boolean).join(' · ')),
      el('p', {},
        el('span', { class: 'badge', style: '--c: #0b6fb8', 'data-field': 'status' }, entry.status), ' ',
        h && el('span', { class: 'badge', style: `--c: ${h.colour}`, 'data-field': 'health', title: `health score ${h.score} of 100` }, h.label)),
      p.description && el('p', {}, p.description),
      p.join_url
        ? el('a', { class: 'join', href: p.join_url, target: '_blank', rel: 'noopener' }, `Join ${entry.name}`)
        : el('p', {}, 'Ask central staff how to join.'),
      others.length > 0 && el('p', { class: 'also' }, `This place is also in: ${others.join(', ')}.`),
    );
  }

  function nearestCard(lon, lat, near) {
    const start = startUrl(lon, lat);
    return el('article', { class: 'card', 'data-chapter-id': '' },
      el('h2', {}, 'No chapter here yet'),
      near.length > 0
        ? [
            el('p', {}, 'The nearest chapters:'),
            el('ol', { class: 'nearest' },
              near.map((n) => el('li', { 'data-id': n.chapter.id, 'data-distance-m': n.distance_m },
                el('button', { type: 'button', onclick: () => showChapter(n.chapter.id) }, n.chapter.name),
                ` — ${formatKm(n.distance_m)} away`))),
          ]
        : el('p', {}, 'There is no chapter anywhere yet.'),
      el('a', { class: 'start', href: start, target: '_blank', rel: 'noopener' }, 'Start a chapter here'),
    );
  }

  /** The organization's "start a chapter" page, from its join links' site. */
  function startUrl(lon, lat) {
    const join = view.features.map((f) => f.properties?.join_url).find(Boolean);
    const base = join ? new URL('/start', join) : new URL('#start', location.href);
    base.searchParams.set('lat', lat.toFixed(4));
    base.searchParams.set('lon', lon.toFixed(4));
    return base.href;
  }

  /** A chapter's card, from a nearest-chapter link. */
  function showChapter(id) {
    const entry = finder.entry(finder.indexOf(id));
    render(el('p', { class: 'where' }, 'Nearest chapter'), chapterCard(entry, []));
    select(id);
  }

  function select(id) {
    for (const p of layer.querySelectorAll('.selected')) p.classList.remove('selected');
    if (id) {
      const p = layer.querySelector(`[data-id="${CSS.escape(id)}"]`);
      if (p) {
        p.classList.add('selected');
        layer.append(p); // on top
      }
    }
  }

  function render(...nodes) {
    $('search-error').hidden = true;
    $('result').replaceChildren(...nodes);
  }

  function showError(message) {
    $('search-error').textContent = message;
    $('search-error').hidden = false;
  }

  // Zoom (wheel, buttons) and pan (drag) by moving the SVG's viewBox, so
  // the click mapping below needs no change.
  const full = { x: 0, y: 0, w: WIDTH, h: HEIGHT };
  let box = { ...full };
  const setBox = (b) => {
    const w = Math.min(WIDTH, Math.max(WIDTH / 64, b.w));
    const h = (w * HEIGHT) / WIDTH;
    const x = Math.min(WIDTH - w, Math.max(0, b.x));
    const y = Math.min(HEIGHT - h, Math.max(0, b.y));
    box = { x, y, w, h };
    svg.setAttribute('viewBox', `${x} ${y} ${w} ${h}`);
    svg.dataset.zoom = (WIDTH / w).toFixed(2);
    placePin();
  };
  const toSvg = (clientX, clientY) =>
    new DOMPoint(clientX, clientY).matrixTransform(svg.getScreenCTM().inverse());
  const zoomAt = (factor, at) =>
    setBox({ x: at.x - (at.x - box.x) / factor, y: at.y - (at.y - box.y) / factor, w: box.w / factor });
  svg.addEventListener('wheel', (event) => {
    event.preventDefault();
    zoomAt(event.deltaY < 0 ? 1.5 : 1 / 1.5, toSvg(event.clientX, event.clientY));
  }, { passive: false });
  const centre = () => ({ x: box.x + box.w / 2, y: box.y + box.h / 2 });
  $('zoom-in').addEventListener('click', () => zoomAt(2, centre()));
  $('zoom-out').addEventListener('click', () => zoomAt(0.5, centre()));
  $('zoom-reset').addEventListener('click', () => setBox(full));
  let drag = null;
  svg.addEventListener('pointerdown', (event) => {
    drag = { x: event.clientX, y: event.clientY, box: { ...box }, moved: false };
    svg.setPointerCapture(event.pointerId); // keep panning when the pointer leaves the map
  });
  svg.addEventListener('pointermove', (event) => {
    if (!drag || (event.buttons & 1) === 0) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag.moved = true;
    const scale = box.w / svg.getBoundingClientRect().width;
    setBox({ ...drag.box, x: drag.box.x - dx * scale, y: drag.box.y - dy * scale });
  });

  // Clicks on the map: screen point → SVG point → longitude, latitude.
  svg.addEventListener('click', (event) => {
    const dragged = drag?.moved;
    drag = null;
    if (dragged) return; // the end of a pan, not a pick
    const pt = toSvg(event.clientX, event.clientY);
    const lonLat = proj.invert([pt.x, pt.y]);
    if (!lonLat) return showError('That point is outside the map.');
    show(lonLat[0], lonLat[1]);
  });

  // The search box: "latitude, longitude".
  $('search').addEventListener('submit', (event) => {
    event.preventDefault();
    const m = $('coords').value.trim().match(/^(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)$/);
    if (!m) return showError('Enter a latitude and a longitude, like 42.36, -71.06.');
    const lat = Number(m[1]);
    const lon = Number(m[2]);
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      return showError('Latitude must be within ±90 and longitude within ±180.');
    }
    show(lon, lat);
  });

  $('places').append(
    ...places.map((p) => el('li', {}, el('button', { type: 'button', onclick: () => show(p.lon, p.lat, p.name) }, p.name))),
  );

  $('status').textContent =
    `Ready: ${finder.length} chapter territories indexed in your browser in ${Math.round(readyMs)} ms ` +
    `(chapterhouse ${version()}, WebAssembly). Health as of ${'2026-11-01'}.`;
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  $('status').textContent = `The page could not start: ${e.message}`;
  document.body.dataset.ready = 'error';
  throw e;
});
