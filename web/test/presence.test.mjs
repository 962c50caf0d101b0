// Presence (下沉) in a real browser, against its own `jingge serve` with the
// demo's synthetic year of visits: the command-center map shaded by days
// since each police grid's last visit, with its legend and the grid
// panel's figures; the planner's per-station table; and an officer on a
// phone recording a visit in two taps that then shows in the grid's
// presence. Screenshots land in artifacts/web/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, launchBrowser, watchPage, screenshot, axeViolations, WAIT_MS } from './harness.mjs';
import { bandsFor, colorFor } from '../src/command/presence.js';
import { stationPresenceRows } from '../src/planner/presence.js';

let server;
let browser;
let officerCookies;
// 葛牌's community officer, signed in with a password as on a phone.
const OFFICER = { name: 'presence-officer', role: 'officer', officer: 'M00132', password: 'presence-test-2026' };

before(async () => {
  server = await startServer({ users: [OFFICER] });
  officerCookies = await server.signIn(OFFICER.name, OFFICER.password);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function api(path) {
  const res = await fetch(server.base + path, { headers: server.headers });
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.json();
}

/** waitFor polls fn until it returns a truthy value (at most WAIT_MS). */
async function waitFor(fn, what) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${WAIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('presence', { timeout: 900_000 }, () => {
  test('the map shades police grids by days since the last visit, with a legend, and the panel shows it', async () => {
    const report = await api('/api/v1/presence/grids');
    const known = report.grids.filter((g) => g.days_since_visit !== null);
    assert.ok(known.length > report.grids.length / 2, 'the demo year of visits gives most grids a last visit');
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await context.addCookies(server.cookies);
    const page = await context.newPage();
    const problems = watchPage(page, server.base);
    await page.goto(`${server.base}/#map=10.00/34.10000/109.40000`);
    await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid=presence-legend]').count(), 0, 'the layer is off at first');
    await page.locator('input[data-live=presence]').check();
    await page.locator('[data-testid=presence-legend] li').first().waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid=presence-legend] li').count(), 5);
    assert.match(await page.locator('#presence').textContent(), /距责任民警上次到访/);
    // The fill of a grid is its band's colour.
    const bands = bandsFor(report.unvisited_after_days);
    const drawn = await page.waitForFunction(() => {
      const fs = window.jingge.map.queryRenderedFeatures({ layers: ['presence-fill'] });
      return fs.length ? fs.map((f) => ({ id: f.properties.id, color: f.layer.paint['fill-color'] })) : null;
    }, null, { timeout: WAIT_MS }).then((h) => h.jsonValue());
    const byId = Object.fromEntries(report.grids.map((g) => [g.grid, g]));
    const checked = drawn.filter((f) => byId[f.id]);
    assert.ok(checked.length > 0, 'police grids are drawn in the layer');
    for (const f of checked.slice(0, 20)) {
      const want = colorFor(bands, byId[f.id].days_since_visit).toLowerCase();
      const got = f.color;
      const hex = `#${[got.r, got.g, got.b].map((c) => Math.round(c * 255).toString(16).padStart(2, '0')).join('')}`;
      assert.equal(hex, want, `grid ${f.id}, ${byId[f.id].days_since_visit} days`);
    }
    await screenshot(page, 'presence-map');

    // The panel of a grid with a known visit: when, and the week against the target.
    const grid = known[0];
    await page.evaluate((id) => window.jingge.selectGrid(id), grid.grid);
    await page.locator('[data-testid=panel-last-visit]').waitFor({ timeout: WAIT_MS });
    assert.match(await page.locator('[data-testid=panel-last-visit]').textContent(), new RegExp(`${grid.days_since_visit} 天前`));
    await page.locator('[data-testid=panel-visits-week]').waitFor({ timeout: WAIT_MS });
    assert.match(await page.locator('[data-testid=panel-visits-week]').textContent(), /每周 .* 次 \/ 目标 .* 次/);
    // The demo's neglected grids are raised on the first sweep; the feed names the grid.
    const unvisited = page.locator('[data-testid=feed] .event.kind-grid_unvisited').first();
    await unvisited.waitFor({ timeout: WAIT_MS });
    assert.match(await unvisited.textContent(), /责任民警超过规定天数未到访/);
    await page.locator('#lang').click();
    await page.waitForFunction(() => /not visited by its officers/.test(document.querySelector('[data-testid=feed] .event.kind-grid_unvisited')?.textContent || ''), null, { timeout: WAIT_MS });
    await page.waitForFunction(() => /Since its officers last came/.test(document.querySelector('#presence')?.textContent || ''), null, { timeout: WAIT_MS });
    await page.locator('[data-testid=panel-last-visit]').waitFor({ timeout: WAIT_MS });
    assert.match(await page.locator('[data-testid=panel-last-visit]').textContent(), /days ago/);
    await screenshot(page, 'presence-panel-en');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the planner shows presence per station, in both languages, and axe finds nothing', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
    await context.addCookies(server.cookies);
    const page = await context.newPage();
    const problems = watchPage(page, server.base);
    await page.goto(`${server.base}/plan#tab=assessment`);
    await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
    const rows = page.locator('[data-testid=station-presence] tbody tr');
    await rows.first().waitFor({ timeout: WAIT_MS });
    const stations = (await api('/api/v1/stations')).features.map((f) => f.properties.id);
    assert.equal(await rows.count(), stations.length);
    // The figures are the reports' sums.
    const last = await api('/api/v1/presence/grids');
    const from = `${String(last.as_of).slice(0, 7)}-01`;
    const want = stationPresenceRows(stations, await api(`/api/v1/presence?from=${from}`), await api('/api/v1/presence'), last);
    const unvisited = await page.locator('[data-testid=station-presence] tbody tr td:last-child').allTextContents();
    assert.deepEqual(unvisited.map(Number), want.map((r) => r.unvisited));
    assert.ok(want.some((r) => r.unvisited > 0) && want.some((r) => r.grids > 0), 'the demo has neglected grids and counted ones');
    assert.match(await page.locator('#station-presence h2').textContent(), /各所下沉情况/);
    assert.deepEqual(await axeViolations(page), [], 'assessment tab with the presence table');
    await screenshot(page, 'presence-planner');
    await page.locator('#lang').click();
    await page.waitForFunction(() => /Presence by station/.test(document.querySelector('#station-presence h2')?.textContent || ''), null, { timeout: WAIT_MS });
    assert.doesNotMatch(await page.locator('#station-presence thead').textContent(), /[\u4e00-\u9fff]/);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('an officer records a visit on a phone in two taps from "which grid am I in", and it shows in the grid\'s presence', async () => {
    // A point in one of the officer's own police grids.
    const presence = await api('/api/v1/presence?station=gepai');
    const ownGrid = presence.grids.find((g) => g.officers.includes(OFFICER.officer));
    assert.ok(ownGrid, `${OFFICER.officer} is an officer of a police grid of 葛牌`);
    const id = ownGrid.grid;
    const own = await api(`/api/v1/grids/${id}`);
    let point = null;
    const [minX, minY, maxX, maxY] = bboxOf(own.geometry);
    for (let i = 1; i < 10 && !point; i++) {
      for (let j = 1; j < 10 && !point; j++) {
        const lon = Number((minX + (maxX - minX) * i / 10).toFixed(6));
        const lat = Number((minY + (maxY - minY) * j / 10).toFixed(6));
        const res = await fetch(`${server.base}/api/v1/lookup?lon=${lon}&lat=${lat}`, { headers: server.headers });
        if (res.status === 200 && (await res.json()).police_grid?.id === id) point = { lon, lat };
      }
    }
    assert.ok(point, `a point inside ${id}`);

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN',
      permissions: ['geolocation'], geolocation: { longitude: point.lon, latitude: point.lat, accuracy: 10 } });
    await context.addCookies(officerCookies);
    const page = await context.newPage();
    const problems = watchPage(page, server.base);
    await page.goto(`${server.base}/m`);
    await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
    const before = Date.now();
    await page.locator('#locate').tap(); // one
    await page.locator('#visit').waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.locator('#visit button[type=submit]').tap(); // two
    await page.waitForFunction(() => document.querySelector('[data-testid=visit-queue]')?.dataset.pending === '0', null, { timeout: WAIT_MS });
    await screenshot(page, 'presence-officer-visit', { fullPage: true });

    const mine = await waitFor(async () => {
      const list = await api(`/api/v1/visits?officer=${OFFICER.officer}&grid=${id}&from=${new Date(before - 60_000).toISOString()}`);
      return list.features[0];
    }, 'the visit on the server');
    assert.equal(mine.properties.police_grid, id);
    // The grid's presence follows within its refresh (30 s) and a sweep.
    const seen = await waitFor(async () => {
      const g = (await api('/api/v1/presence/grids')).grids.find((x) => x.grid === id);
      return g?.recorded && Date.parse(g.last_visit) === Date.parse(mine.properties.at) ? g : null;
    }, `the visit in ${id}'s presence`);
    assert.equal(seen.days_since_visit, 0);
    assert.deepEqual(problems(), []);
    await context.close();
  });
});

/** bboxOf is [minX, minY, maxX, maxY] of a (Multi)Polygon. */
function bboxOf(geometry) {
  const pts = geometry.type === 'Polygon' ? geometry.coordinates.flat() : geometry.coordinates.flat(2);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}
