// The pages in a real browser: headless Chromium against `jingge serve`
// with the bundled Lantian data. Screenshots land in artifacts/web/.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { startServer, launchBrowser, watchPage, screenshot, WAIT_MS } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
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

/** openCommandCenter opens / (with hash) on a laptop-sized window and waits for the map. */
async function openCommandCenter(hash = '', { width = 1440, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN' });
  await context.addCookies(server.cookies);
  const page = await context.newPage();
  const problems = watchPage(page, server.base);
  await page.goto(`${server.base}/${hash}`);
  // A bound for a loaded machine (software WebGL), not a speed check.
  await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
  return { context, page, problems };
}

/** idle waits until the map has drawn everything it is loading (at most 30 s). */
async function idle(page) {
  await page.evaluate(() => new Promise((resolve, reject) => {
    const map = window.jingge.map;
    const timer = setTimeout(() => reject(new Error('the map did not become idle within 30 s')), 30_000);
    const done = () => { clearTimeout(timer); resolve(); };
    // A frame later, in case a change was just requested.
    requestAnimationFrame(() => (map.loaded() && !map.isMoving() ? done() : map.once('idle', done)));
  }));
}

describe('command center', { timeout: 900_000 }, () => {
  test('the map draws Lantian\'s grids, 15 stations in four regions, and the legend', async () => {
    const { context, page, problems } = await openCommandCenter();
    await idle(page);
    const drawn = await page.evaluate(() => {
      const map = window.jingge.map;
      const grids = map.queryRenderedFeatures({ layers: ['police-grids-fill'] });
      const stations = map.queryRenderedFeatures({ layers: ['stations-point'] });
      return {
        gridIds: [...new Set(grids.map((f) => f.properties.id))].length,
        regions: [...new Set(grids.map((f) => f.properties.region))].sort(),
        stations: [...new Set(stations.map((f) => f.properties.id))].length,
        districts: map.queryRenderedFeatures({ layers: ['districts-fill'] }).length,
        glyphs: map.getStyle().glyphs ?? null,
      };
    });
    const dataset = await api('/api/v1/dataset');
    assert.ok(drawn.gridIds >= dataset.counts.police_grids * 0.9, `${drawn.gridIds} police grids drawn of ${dataset.counts.police_grids}`);
    assert.deepEqual(drawn.regions, ['hill', 'mountain', 'plain', 'plateau']);
    assert.equal(drawn.stations, 15);
    assert.ok(drawn.districts > 0, 'the offline base layer (Xi\'an districts) is drawn');
    assert.equal(drawn.glyphs, null, 'labels come from local fonts');

    const legend = await page.locator('[data-testid=legend-regions] .legend-name').allTextContents();
    assert.deepEqual([...legend].sort(), ['山间', '川下', '岭中', '塬上'].sort());
    const swatches = await page.locator('[data-testid=legend-regions] .swatch').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    assert.equal(new Set(swatches).size, 4, 'four distinct colours');
    await screenshot(page, 'command-center');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('clicking a grid opens its panel with the responsible station', async () => {
    const { context, page, problems } = await openCommandCenter('#map=12.00/34.15200/109.31700');
    await idle(page);
    // Incidents off, so the click lands on the grid, not on a cluster.
    await page.locator('button[data-view=off]').click();
    const seat = [109.3085, 34.1540];
    const want = await api(`/api/v1/lookup?lon=${seat[0]}&lat=${seat[1]}`);
    const box = await page.locator('#map canvas').boundingBox();
    const xy = await page.evaluate((p) => window.jingge.map.project(p), seat);
    await page.mouse.click(box.x + xy.x, box.y + xy.y);
    await page.locator(`#panel[data-grid="${want.police_grid.id}"]`).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid=panel-title]').textContent(), want.police_grid.name);
    assert.equal(await page.locator('[data-testid=panel-station]').textContent(), want.station.name);
    const members = await page.locator('[data-testid=panel-members] li').count();
    assert.equal(members, want.police_grid.members.length);
    assert.match(await page.evaluate(() => location.hash), new RegExp(`grid=${want.police_grid.id}`));
    await idle(page);
    const outlined = await page.evaluate(() => window.jingge.map.queryRenderedFeatures({ layers: ['selection-line'] }).length);
    assert.ok(outlined > 0, 'the selected grid is outlined');
    // Its incidents: counts in the window and a 12-month trend, as the API aggregates them.
    await page.locator('[data-testid=panel-incidents] svg.trend').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid=panel-incidents] svg.trend .bar').count(), 12);
    await screenshot(page, 'grid-panel');

    // The community-grid toggle: the same click answers with the village.
    await page.locator('button[data-layer=community]').click();
    await page.mouse.click(box.x + xy.x, box.y + xy.y);
    await page.locator(`#panel[data-grid="${want.community_grid.id}"]`).waitFor({ timeout: WAIT_MS });
    await idle(page);
    const community = await page.evaluate(() => window.jingge.map.queryRenderedFeatures({ layers: ['community-grids-fill'] }).length);
    assert.ok(community > 0, 'community grids are drawn');
    await screenshot(page, 'grid-panel-community');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('areas, key places and checkpoints: switches, legend, and a click shows each with its liaison', async () => {
    const zone = await api('/api/v1/areas/water-lijiahe');
    const ring = zone.geometry.type === 'Polygon' ? zone.geometry.coordinates[0] : zone.geometry.coordinates[0][0];
    const inside = [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length];
    const hit = await api(`/api/v1/lookup?lon=${inside[0]}&lat=${inside[1]}&include=areas`);
    assert.ok(hit.also_inside.some((a) => a.id === 'water-lijiahe'), 'the ring\'s mean vertex lies in the zone');
    const { context, page, problems } = await openCommandCenter(`#map=13.00/${inside[1].toFixed(5)}/${inside[0].toFixed(5)}`);
    await idle(page);
    await page.locator('button[data-view=off]').click();
    assert.equal(await page.locator('[data-testid=legend-overlays] li').count(), 3);
    assert.equal(await page.locator('[data-testid=overlay-layers] input[type=checkbox]').count(), 3);
    // A click inside the zone: the grid, and the zone with its liaison.
    const box = await page.locator('#map canvas').boundingBox();
    let xy = await page.evaluate((p) => window.jingge.map.project(p), inside);
    await page.mouse.click(box.x + xy.x, box.y + xy.y);
    const area = page.locator('[data-testid=panel-areas] [data-area=water-lijiahe]');
    await area.waitFor({ timeout: WAIT_MS });
    assert.match(await area.textContent(), new RegExp(`李家河饮用水源保护区.*${zone.properties.liaison.name}`));
    assert.match(await area.textContent(), new RegExp(zone.properties.liaison.phone.replace(/\*/g, '\\*')));
    await screenshot(page, 'area-panel');
    // The areas switch hides their layers.
    await page.locator('[data-testid=overlay-layers] input[data-live=areas]').uncheck();
    await page.waitForFunction(() => window.jingge.map.getLayoutProperty('areas-fill', 'visibility') === 'none');
    await page.locator('[data-testid=overlay-layers] input[data-live=areas]').check();
    // A click on a checkpoint opens it.
    const cps = await api('/api/v1/checkpoints');
    const cp = cps.features.find((f) => f.id === 'cp-lanqiao-g40');
    await page.evaluate((c) => window.jingge.map.jumpTo({ center: c, zoom: 13 }), cp.geometry.coordinates);
    await idle(page);
    xy = await page.evaluate((p) => window.jingge.map.project(p), cp.geometry.coordinates);
    await page.mouse.click(box.x + xy.x, box.y + xy.y);
    await page.locator('#panel[data-overlay=cp-lanqiao-g40]').waitFor({ timeout: WAIT_MS });
    assert.match(await page.locator('[data-testid=overlay-facts]').textContent(), /G40沪陕高速/);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('search finds a village and a deep link reopens it', async () => {
    const { context, page, problems } = await openCommandCenter();
    await page.locator('#search').fill('新民街');
    await page.locator('#search-results .search-result').first().waitFor();
    await page.locator('#search').press('Enter');
    await page.locator('#panel[data-grid="61012200100701"]').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid=panel-title]').textContent(), '新民街社区');
    await idle(page);
    const hash = await page.evaluate(() => location.hash);
    assert.match(hash, /grid=61012200100701/);
    assert.match(hash, /layer=community/);
    await context.close();

    const again = await openCommandCenter(hash);
    await again.page.locator('#panel[data-grid="61012200100701"]').waitFor({ timeout: WAIT_MS });
    assert.equal(await again.page.locator('button[data-layer=community]').getAttribute('aria-checked'), 'true');
    assert.deepEqual([...problems(), ...again.problems()], []);
    await again.context.close();
  });

  test('incidents over a chosen window, as clusters or a heat map', async () => {
    const { context, page, problems } = await openCommandCenter('#map=10.50/34.12000/109.40000');
    const total = async () => Number((await page.locator('[data-testid=incident-total]').textContent()).replace(/[^0-9]/g, ''));
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=incident-total]')?.textContent || ''), null, { timeout: WAIT_MS });
    const week = await total();
    assert.ok(week > 0, 'the demo year has incidents in the last 7 days');
    await idle(page);
    const drawn = await page.evaluate(() => window.jingge.map.queryRenderedFeatures({ layers: ['incidents-clusters', 'incidents-points'] })
      .reduce((n, f) => n + f.properties.count, 0));
    assert.ok(drawn > 0, 'incidents are drawn');
    assert.ok(drawn <= week, `the map draws ${drawn} incidents of the ${week} in the window`);
    await page.locator('#incident-window').selectOption('30d');
    await page.waitForFunction((n) => {
      const m = (document.querySelector('[data-testid=incident-total]')?.textContent || '').replace(/[^0-9]/g, '');
      return m && Number(m) > n;
    }, week, { timeout: WAIT_MS });
    assert.match(await page.evaluate(() => location.hash), /win=30d/);
    await page.locator('button[data-view=heat]').click();
    await idle(page);
    assert.equal(await page.evaluate(() => window.jingge.map.getLayoutProperty('incidents-heat', 'visibility')), 'visible');
    await screenshot(page, 'incidents-heat');
    // Hiding a category takes its incidents off the map.
    await page.locator('button[data-view=clusters]').click();
    await page.locator('input[data-category=public_order]').uncheck();
    await page.waitForFunction(() => /category=/.test(window.jingge.map.getSource('incidents').tiles[0]));
    await idle(page);
    const left = await page.evaluate(() => window.jingge.map.querySourceFeatures('incidents', { sourceLayer: 'incidents' }));
    assert.ok(left.length > 0, 'the other categories are still drawn');
    assert.equal(left.filter((f) => f.properties.category === 'public_order').length, 0);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the English switch changes the interface and the map labels', async () => {
    const { context, page, problems } = await openCommandCenter('#map=10.40/34.10000/109.40000');
    await page.locator('#lang').click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await page.locator('h1').textContent(), 'Lantian County PSB · Grid command map');
    const legend = await page.locator('[data-testid=legend-regions] .legend-name').allTextContents();
    assert.deepEqual([...legend].sort(), ['Hill / loess ridge', 'Mountain', 'Plateau', 'River-valley plain']);
    const field = await page.evaluate(() => JSON.stringify(window.jingge.map.getLayoutProperty('stations-label', 'text-field')));
    assert.match(field, /name_en/);
    assert.match(await page.evaluate(() => location.hash), /lang=en/);
    await idle(page);
    await screenshot(page, 'command-center-en');
    // Back to Chinese, and the choice is remembered.
    await page.locator('#lang').click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a wall display gets larger type', async () => {
    const { context, page, problems } = await openCommandCenter('', { width: 3840, height: 2160 });
    await idle(page);
    const px = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    assert.ok(px >= 22, `root font size ${px}px on a 4K wall`);
    await screenshot(page, 'command-center-wall');
    assert.deepEqual(problems(), []);
    await context.close();
  });
});

describe('live patrols', { timeout: 300_000 }, () => {
  test('a simulated ping moves a patrol marker, and its events reach the feed', async (t) => {
    const doc = await api('/api/v1/openapi.json');
    if (!doc.paths['/api/v1/patrols/pings'] || !doc.paths['/api/v1/patrols']) {
      const why = 'the patrols API (POST /api/v1/patrols/pings, GET /api/v1/patrols) is not on this server yet; the patrol layer and feed say so on the page';
      console.warn(`browser test: ${why}`);
      t.todo(why);
      return;
    }
    const grid = await api('/api/v1/grids/61012200100008');
    const officer = grid.properties.members.find((m) => m.role === 'community_officer');
    assert.ok(officer, 'the county seat police grid has a community officer');
    const { context, page, problems } = await openCommandCenter('#map=14.00/34.15300/109.31800');
    await idle(page);

    async function ping(lon, lat) {
      const res = await fetch(`${server.base}/api/v1/patrols/pings`, {
        method: 'POST',
        headers: { ...server.headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ crs: 'wgs84', pings: [{ officer: officer.id, at: new Date().toISOString(), lon, lat, speed_mps: 1.5, heading_deg: 45 }] }),
      });
      const body = await res.text();
      assert.equal(res.status, 200, `POST /api/v1/patrols/pings: ${res.status} ${body}`);
      return JSON.parse(body);
    }
    /** drawnAt waits until the officer's marker is drawn at [lon, lat] (within about 10 m). */
    async function drawnAt(lon, lat) {
      await page.waitForFunction(([id, x, y]) => {
        const f = window.jingge.map.queryRenderedFeatures({ layers: ['patrols-point'] }).find((g) => g.properties.officer === id);
        return f && Math.abs(f.geometry.coordinates[0] - x) < 1e-4 && Math.abs(f.geometry.coordinates[1] - y) < 1e-4;
      }, [officer.id, lon, lat], { timeout: WAIT_MS });
    }

    const a = [109.3150, 34.1520];
    const b = [109.3215, 34.1555];
    await ping(...a);
    await drawnAt(...a);
    const second = await ping(...b);
    await drawnAt(...b);
    for (const e of second.events || []) {
      if (e.officer !== officer.id) continue;
      await page.locator('[data-testid=feed] .event', { hasText: e.grid_name || officer.name }).first().waitFor({ timeout: WAIT_MS });
    }
    assert.equal(await page.locator('[data-testid=feed-state]').getAttribute('class'), 'live live-live', 'the event stream is connected');
    await screenshot(page, 'patrols');
    assert.deepEqual(problems(), []);
    await context.close();
  });
});

describe('basemap', { timeout: 300_000 }, () => {
  test('a configured raster basemap is drawn under the grids, from its own host, with its attribution', async () => {
    // A stand-in for an internal PGIS: one-pixel PNG tiles, counted.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const requested = [];
    const tiles = http.createServer((req, res) => {
      requested.push(req.url);
      res.writeHead(200, { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*' });
      res.end(png);
    });
    await new Promise((r) => tiles.listen(0, '127.0.0.1', r));
    const tileHost = `http://127.0.0.1:${tiles.address().port}`;
    const withBasemap = await startServer({ args: ['--basemap', `${tileHost}/pgis/{z}/{x}/{y}.png`, '--basemap-attribution', '公安PGIS测试底图'] });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addCookies(withBasemap.cookies);
      const page = await context.newPage();
      const problems = watchPage(page, withBasemap.base, { allow: [tileHost] });
      await page.goto(`${withBasemap.base}/#map=11.00/34.15000/109.32000`);
      await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
      await idle(page);
      const order = await page.evaluate(() => window.jingge.map.getStyle().layers.map((l) => l.id));
      assert.ok(order.indexOf('basemap') > 0 && order.indexOf('basemap') < order.indexOf('police-grids-fill'), 'the basemap lies under the grids');
      assert.ok(requested.some((u) => /^\/pgis\/1[12]\/\d+\/\d+\.png$/.test(u)), `tiles asked for: ${requested.slice(0, 5)}`);
      assert.match(await page.locator('.maplibregl-ctrl-attrib').textContent(), /公安PGIS测试底图/);
      assert.deepEqual(problems(), [], 'the Content-Security-Policy admits the basemap host, and only it');
      await context.close();
    } finally {
      await withBasemap.stop();
      tiles.close();
    }
  });
});

describe('officer page', { timeout: 300_000 }, () => {
  async function openOfficer(options = {}) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', ...options });
    await context.addCookies(server.cookies);
    const page = await context.newPage();
    const problems = watchPage(page, server.base);
    await page.goto(`${server.base}/m`);
    await page.waitForFunction(() => window.jingge?.ready === true);
    return { context, page, problems };
  }

  test('a typed GCJ-02 coordinate gives the grid, station and officer', async () => {
    const { context, page, problems } = await openOfficer();
    const [lon, lat] = [109.3228, 34.1505]; // a Gaode (GCJ-02) position in the county seat
    const want = await api(`/api/v1/lookup?lon=${lon}&lat=${lat}&crs=gcj02`);
    const asWGS = await api(`/api/v1/lookup?lon=${lon}&lat=${lat}&crs=wgs84`);
    assert.notEqual(want.point.lon, asWGS.point.lon, 'the CRS matters for this point');
    await page.locator('#lon').fill(String(lon));
    await page.locator('#lat').fill(String(lat));
    await page.locator('#crs').selectOption('gcj02');
    await page.locator('#coord button[type=submit]').click();
    await page.locator('[data-testid=community-grid]').waitFor();
    assert.equal(await page.locator('[data-testid=community-grid]').textContent(), want.community_grid.name);
    assert.equal(await page.locator('[data-testid=police-grid]').textContent(), want.police_grid.name);
    assert.match(await page.locator('[data-testid=station]').textContent(), new RegExp(want.station.name));
    const officer = want.police_grid.members.find((m) => m.role === 'community_officer');
    assert.match(await page.locator('[data-testid=officers]').textContent(), new RegExp(officer.name));
    await page.waitForFunction(() => window.jingge.map, null, { timeout: WAIT_MS });
    await idle(page);
    await screenshot(page, 'officer-gcj02', { fullPage: true });
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('dialable numbers are tel: links', async () => {
    const { context, page } = await openOfficer();
    // The demo data's numbers are masked; answer with dialable ones.
    await page.route('**/api/v1/lookup?*', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      body.station.phone = '029-82631234';
      for (const m of body.police_grid.members) m.phone = '13800000001';
      await route.fulfill({ response: res, json: body });
    });
    await page.locator('#lon').fill('109.317');
    await page.locator('#lat').fill('34.152');
    await page.locator('#coord button[type=submit]').click();
    await page.locator('[data-testid=officers] a[href="tel:13800000001"]').waitFor();
    assert.equal(await page.locator('[data-testid=station] a').getAttribute('href'), 'tel:029-82631234'.replace('-', ''));
    await context.close();
  });

  test('a lookup inside the water-protection zone says so', async () => {
    const zone = await api('/api/v1/areas/water-lijiahe');
    const ring = zone.geometry.type === 'Polygon' ? zone.geometry.coordinates[0] : zone.geometry.coordinates[0][0];
    const inside = [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length];
    const { context, page, problems } = await openOfficer();
    await page.locator('#lon').fill(inside[0].toFixed(6));
    await page.locator('#lat').fill(inside[1].toFixed(6));
    await page.locator('#crs').selectOption('wgs84');
    await page.locator('#coord button[type=submit]').click();
    await page.locator('[data-testid=areas]').waitFor();
    assert.match(await page.locator('[data-testid=areas]').textContent(), /此处位于：李家河饮用水源保护区（饮用水源保护区）/);
    // A point outside every area says nothing of areas.
    await page.locator('#lon').fill('109.3228');
    await page.locator('#lat').fill('34.1505');
    await page.locator('#coord button[type=submit]').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=areas]') && document.querySelector('[data-testid=community-grid]'));
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a position outside the county says so', async () => {
    const { context, page, problems } = await openOfficer();
    await page.locator('#lon').fill('116.397');
    await page.locator('#lat').fill('39.909');
    await page.locator('#coord button[type=submit]').click();
    await page.locator('#message[data-key="m.outside"]').waitFor();
    assert.match(await page.locator('#message').textContent(), /不在蓝田县辖区内/);
    await page.locator('#lon').fill('abc');
    await page.locator('#coord button[type=submit]').click();
    await page.locator('#message[data-key="m.invalid"]').waitFor();
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('"use my position" answers from the phone\'s position, or says it was denied', async () => {
    const granted = await openOfficer({ permissions: ['geolocation'], geolocation: { longitude: 109.317, latitude: 34.152, accuracy: 12 } });
    const want = await api('/api/v1/lookup?lon=109.317&lat=34.152');
    await granted.page.locator('#locate').click();
    await granted.page.locator('[data-testid=community-grid]').waitFor();
    assert.equal(await granted.page.locator('[data-testid=community-grid]').textContent(), want.community_grid.name);
    assert.match(await granted.page.locator('.result').textContent(), /12 米/);
    await granted.context.close();

    const denied = await openOfficer({ permissions: [] });
    await denied.page.locator('#locate').click();
    await denied.page.locator('#message[data-key="m.denied"]').waitFor({ timeout: WAIT_MS });
    await screenshot(denied.page, 'officer-denied', { fullPage: true });
    await denied.page.locator('#lang').click();
    assert.match(await denied.page.locator('#message').textContent(), /permission was denied/);
    await denied.context.close();
  });
});
