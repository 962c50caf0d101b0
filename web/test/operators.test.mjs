// The command center and the officer page as operators use them: the heat
// map at the opening zoom, incident times in the county's zone, the
// 12-month trend, labels above the data, and the officer's coordinate box.
// Its own `jingge serve`; screenshots land in artifacts/web/.
import assert from 'node:assert/strict';
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

async function open(path, { width = 1440, height = 900, timezoneId, colorScheme = 'light', ready = () => window.jingge?.ready === true } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', timezoneId, colorScheme });
  await context.addCookies(server.cookies);
  const page = await context.newPage();
  const problems = watchPage(page, server.base);
  await page.goto(`${server.base}${path}`);
  try {
    await page.waitForFunction(ready, null, { timeout: WAIT_MS });
  } catch (err) {
    // Say what the page was doing, so a page that never gets ready is
    // not only a timeout.
    const state = await page.evaluate(() => ({ map: Boolean(window.jingge?.map), loaded: window.jingge?.map?.loaded?.(), webgl: Boolean(document.createElement('canvas').getContext('webgl')) })).catch((e) => String(e));
    throw new Error(`${path} was not ready: ${err.message}; page ${JSON.stringify(state)}; problems ${JSON.stringify(problems())}`);
  }
  return { context, page, problems };
}

async function idle(page) {
  await page.evaluate(() => new Promise((resolve, reject) => {
    const map = window.jingge.map;
    const timer = setTimeout(() => reject(new Error('the map did not become idle within 30 s')), 30_000);
    const done = () => { clearTimeout(timer); resolve(); };
    requestAnimationFrame(() => (map.loaded() && !map.isMoving() ? done() : map.once('idle', done)));
  }));
}

/**
 * heatPixels counts the pixels of the map that the heat map turns warm:
 * two screenshots of the map, heat on and off, compared in a blank page
 * (no Content-Security-Policy there to refuse the images).
 */
async function heatPixels(context, on, off) {
  const blank = await context.newPage();
  try {
    return await blank.evaluate(async ([a, b]) => {
      const pixels = async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        const ctx = c.getContext('2d');
        ctx.drawImage(img, 0, 0);
        return ctx.getImageData(0, 0, c.width, c.height).data;
      };
      const [pa, pb] = [await pixels(a), await pixels(b)];
      let warm = 0;
      for (let i = 0; i < pa.length; i += 4) {
        const changed = Math.abs(pa[i] - pb[i]) + Math.abs(pa[i + 1] - pb[i + 1]) + Math.abs(pa[i + 2] - pb[i + 2]) > 60;
        const hot = pa[i] > 180 && pa[i] - pa[i + 2] > 90;
        if (changed && hot) warm++;
      }
      return { warm, total: pa.length / 4 };
    }, [on.toString('base64'), off.toString('base64')]);
  } finally {
    await blank.close();
  }
}

describe('operators', { timeout: 900_000 }, () => {
  test('the heat map shows at the opening zoom for a day, a week and a month', async () => {
    const { context, page, problems } = await open('/');
    const opening = await page.evaluate(() => window.jingge.map.getZoom());
    const map = page.locator('#map');
    for (const win of ['24h', '7d', '30d']) {
      await page.locator('#incident-window').selectOption(win);
      await page.waitForFunction((w) => location.hash.includes(`win=${w}`) || w === '7d', win);
      await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=incident-total]')?.textContent || ''));
      await page.locator('button[data-view=heat]').click();
      await idle(page);
      const on = await map.screenshot();
      if (win === '30d') await screenshot(page, 'heat-opening-zoom');
      await page.locator('button[data-view=off]').click();
      await idle(page);
      const off = await map.screenshot();
      const { warm, total } = await heatPixels(context, on, off);
      assert.ok(warm / total > 0.005, `${win} at zoom ${opening.toFixed(2)}: ${warm} of ${total} pixels warmed by the heat map`);
    }
    assert.equal(await page.evaluate(() => window.jingge.map.getZoom()), opening, 'still the opening zoom');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('an incident\'s time is the county\'s clock in a browser set to UTC', async () => {
    const { context, page, problems } = await open('/', { timezoneId: 'UTC' });
    const list = await api('/api/v1/incidents?limit=20');
    const at = list.features.find((f) => f.geometry);
    await page.locator('#incident-window').selectOption('365d');
    await page.evaluate((c) => window.jingge.map.jumpTo({ center: c, zoom: 16.5 }), at.geometry.coordinates);
    await idle(page);
    const xy = await page.evaluate((c) => window.jingge.map.project(c), at.geometry.coordinates);
    // Incidents gather at hotspots: the popup describes the incident drawn
    // on top at that point, which need not be the one looked for.
    const shownId = await page.evaluate((p) => window.jingge.map.queryRenderedFeatures([p.x, p.y], { layers: ['incidents-clusters', 'incidents-points'] })[0]?.properties.id, xy);
    assert.ok(shownId, 'an incident is drawn where the listed one lies');
    const inc = await api(`/api/v1/incidents/${encodeURIComponent(shownId)}`);
    const county = new Date(new Date(inc.properties.occurred_at).getTime() + 8 * 3600_000);
    const hhmm = `${String(county.getUTCHours()).padStart(2, '0')}:${String(county.getUTCMinutes()).padStart(2, '0')}`;
    const browserHHMM = await page.evaluate((s) => { const d = new Date(s); return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`; }, inc.properties.occurred_at);
    assert.notEqual(browserHHMM, hhmm, 'the browser\'s own zone would show another time');
    const box = await page.locator('#map canvas').boundingBox();
    await page.mouse.click(box.x + xy.x, box.y + xy.y);
    const popup = page.locator('.incident-popup');
    await popup.waitFor();
    await page.waitForFunction(() => /\d\d:\d\d/.test(document.querySelector('.incident-popup')?.textContent || ''));
    const text = await popup.textContent();
    assert.ok(text.includes(hhmm), `the popup says ${text}, want ${hhmm} (+08:00)`);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the 12-month trend names the year and marks the month still running', async () => {
    const { context, page, problems } = await open('/#map=12.00/34.15200/109.31700');
    await idle(page);
    await page.locator('button[data-view=off]').click();
    const seat = [109.3085, 34.1540];
    const box = await page.locator('#map canvas').boundingBox();
    const xy = await page.evaluate((p) => window.jingge.map.project(p), seat);
    await page.mouse.click(box.x + xy.x, box.y + xy.y);
    const trend = page.locator('[data-testid=panel-incidents] svg.trend');
    await trend.waitFor();
    const labels = await trend.locator('.bar > text:last-child').allTextContents();
    assert.equal(labels.length, 12);
    for (const l of labels) assert.match(l, /^\d{4}-\d{2}$/);
    assert.equal(await trend.locator('.bar.partial').count(), 1, 'one partial month');
    assert.equal(await trend.locator('.bar.partial').getAttribute('data-month'), labels[11]);
    assert.equal(await trend.locator('.bar.partial .partial-label').textContent(), '本月至今');
    assert.equal(await trend.locator('.bar.partial rect').getAttribute('stroke-dasharray'), '3 2');
    assert.equal(await page.locator('.maplibregl-marker').count(), 0, 'the clicked point is no DOM marker over the labels');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('station and grid names lie above the incidents and the clicked point', async () => {
    const { context, page, problems } = await open('/#map=15.00/34.15200/109.31700&win=365d');
    await idle(page);
    const order = await page.evaluate(() => window.jingge.map.getStyle().layers.map((l) => l.id));
    const at = (id) => { const i = order.indexOf(id); assert.ok(i >= 0, `${id} in the style`); return i; };
    for (const data of ['incidents-heat', 'incidents-clusters', 'incidents-points', 'incidents-count', 'click-point', 'selection-fill']) {
      for (const label of ['stations-label', 'police-grids-label', 'regions-label']) {
        assert.ok(at(data) < at(label), `${data} is drawn under ${label}`);
      }
      assert.ok(at(data) > at('regions-fill') && at(data) > at('police-grids-fill'), `${data} is drawn over the grid fills`);
    }
    const cg = await page.evaluate(() => window.jingge.map.queryRenderedFeatures({ layers: ['stations-label'] }).map((f) => f.properties.id));
    assert.ok(cg.includes('chengguan'), `the 城关 label is drawn among the incidents: ${cg}`);
    await screenshot(page, 'labels-over-incidents');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the officer page takes a pasted pair in either order and box, degrees-minutes-seconds too', async () => {
    const { context, page, problems } = await open('/m', { width: 390, height: 844 });
    const want = await api('/api/v1/lookup?lon=109.3228&lat=34.1505');
    const paste = async (box, text) => {
      await page.locator('#lon').fill('');
      await page.locator('#lat').fill('');
      await page.locator(box).focus();
      await page.evaluate(([sel, t]) => {
        const dt = new DataTransfer();
        dt.setData('text/plain', t);
        document.querySelector(sel).dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      }, [box, text]);
    };
    const lookUp = async () => {
      await page.evaluate(() => { document.querySelector('[data-testid=police-grid]')?.remove(); });
      await page.locator('#coord button[type=submit]').click();
      await page.locator('[data-testid=police-grid]').waitFor();
      return page.locator('[data-testid=police-grid]').textContent();
    };
    for (const [box, text] of [['#lon', '109.3228,34.1505'], ['#lat', '34.1505, 109.3228'], ['#lat', '34°09\'01.8"N 109°19\'22.1"E']]) {
      await paste(box, text);
      assert.match(await page.locator('#lon').inputValue(), /^109\.32/, `${text} pasted in ${box}`);
      assert.match(await page.locator('#lat').inputValue(), /^34\.15/, `${text} pasted in ${box}`);
      assert.equal(await lookUp(), want.police_grid.name, text);
    }
    // Typed, not pasted: swapped numbers, and DMS in each box.
    await page.locator('#lon').fill('34.1505');
    await page.locator('#lat').fill('109.3228');
    assert.equal(await lookUp(), want.police_grid.name, 'swapped boxes');
    await page.locator('#lon').fill('109°19\'22.1"E');
    await page.locator('#lat').fill('34°09\'01.8"N');
    assert.equal(await lookUp(), want.police_grid.name, 'DMS typed');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a point outside the county names the nearest station and its phone', async () => {
    const { context, page, problems } = await open('/m#108.95,34.26', { width: 390, height: 844 });
    const near = page.locator('[data-testid=nearest-station]');
    await near.waitFor();
    const res = await fetch(`${server.base}/api/v1/lookup?lon=108.95&lat=34.26`, { headers: server.headers });
    assert.equal(res.status, 404);
    const problem = await res.json();
    assert.ok(problem.nearest_station?.name, 'the API names the nearest station');
    const text = await near.textContent();
    assert.ok(text.includes(problem.nearest_station.name), text);
    assert.ok(text.includes(problem.nearest_station.phone), `${text} has the phone ${problem.nearest_station.phone}`);
    assert.match(text, /公里/);
    assert.deepEqual(problems().filter((p) => !/\b404\b/.test(p)), []);
    await context.close();
  });

  test('every button and link on the officer page is at least 44 px each way', async () => {
    const { context, page, problems } = await open('/m#109.3228,34.1505', { width: 390, height: 844 });
    await page.locator('[data-testid=police-grid]').waitFor();
    await page.locator('details summary').click();
    const small = await page.evaluate(() => [...document.querySelectorAll('button, a, summary, select, input')]
      .filter((el) => el.checkVisibility())
      .map((el) => { const r = el.getBoundingClientRect(); return { what: `${el.tagName} ${el.textContent.trim().slice(0, 20)}`, w: r.width, h: r.height }; })
      .filter((b) => b.w < 44 || b.h < 44));
    assert.deepEqual(small, [], 'targets under 44 px');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the wall goes dark with the system or the switch, and each live layer hides and shows', async () => {
    const { context, page, problems } = await open('/', { width: 1920, height: 1080, colorScheme: 'dark' });
    await idle(page);
    const look = () => page.evaluate(() => ({
      theme: document.documentElement.dataset.theme,
      body: getComputedStyle(document.body).backgroundColor,
      map: window.jingge.map.getPaintProperty('background', 'background-color'),
      label: window.jingge.map.getPaintProperty('stations-label', 'text-color'),
    }));
    const dark = await look();
    assert.equal(dark.theme, 'dark', 'follows the system');
    assert.equal(dark.body, 'rgb(18, 22, 30)');
    assert.equal(dark.map, '#161A22');
    assert.equal(dark.label, '#FFFFFF');
    await screenshot(page, 'command-center-dark');

    await page.locator('#theme').click();
    const light = await look();
    assert.equal(light.theme, 'light');
    assert.equal(light.map, '#F2F0EB', 'the style\'s own colours come back');
    assert.equal(light.label, '#1B1B1B');
    await page.reload();
    await page.waitForFunction(() => window.jingge?.ready === true);
    assert.equal((await look()).theme, 'light', 'the switch is remembered over the system');

    const vis = (id) => page.evaluate((l) => window.jingge.map.getLayoutProperty(l, 'visibility') ?? 'visible', id);
    await page.locator('[data-live=patrols]').uncheck();
    assert.equal(await vis('patrols-point'), 'none');
    assert.equal(await vis('patrols-label'), 'visible', 'the names are their own layer');
    await page.locator('[data-live=incidents]').uncheck();
    assert.equal(await vis('incidents-clusters'), 'none');
    await page.locator('button[data-view=heat]').click();
    assert.equal(await vis('incidents-heat'), 'none', 'a hidden layer stays hidden whatever the view');
    await page.locator('[data-live=incidents]').check();
    await page.locator('[data-live=patrols]').check();
    assert.equal(await vis('incidents-heat'), 'visible');
    assert.equal(await vis('patrols-point'), 'visible');
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
