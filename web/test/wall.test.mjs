// The command-center wall as it runs all day: live positions over the
// positions stream and what that costs a display, fullscreen, the legend,
// the incident time slider, the event filters and the alert sound, the
// side column at wall and laptop sizes, the PNG export, and axe on / and
// /m in their open states. Its own `jingge serve`; screenshots land in
// artifacts/web/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startServer, launchBrowser, watchPage, screenshot, axeViolations, artifactsDir, WAIT_MS } from './harness.mjs';

let server;
let browser;

// A community officer of 文姬路, signed in with a password as on a phone.
const OFFICER = { name: 'wall-officer', role: 'officer', officer: 'M00001', password: 'wall-test-officer-2026' };

before(async () => {
  server = await startServer({ users: [OFFICER] });
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

async function open(path, { width = 1920, height = 1080, ready = () => window.jingge?.ready === true, cookies = server.cookies, ...options } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', ...options });
  await context.addCookies(cookies);
  const page = await context.newPage();
  const problems = watchPage(page, server.base);
  await page.goto(`${server.base}${path}`);
  await page.waitForFunction(ready, null, { timeout: WAIT_MS });
  return { context, page, problems };
}

async function postPings(pings) {
  const res = await fetch(`${server.base}/api/v1/patrols/pings`, {
    method: 'POST',
    headers: { ...server.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ crs: 'wgs84', pings }),
  });
  const body = await res.text();
  assert.equal(res.status, 200, `POST /api/v1/patrols/pings: ${res.status} ${body}`);
  return JSON.parse(body);
}

/**
 * officersOnPatrol lists the county's police officers (community and
 * auxiliary: 211 in the demo) with a starting point near their station.
 */
async function officersOnPatrol() {
  const pack = await api('/api/v1/pack');
  const stations = await api('/api/v1/stations');
  const at = Object.fromEntries(stations.features.map((f) => [f.properties.id, f.geometry.coordinates]));
  const stationOf = new Map();
  for (const g of pack.grids) for (const i of g.members || []) if (!stationOf.has(i)) stationOf.set(i, g.station);
  return pack.members.flatMap((m, i) => {
    if (m.role !== 'community_officer' && m.role !== 'auxiliary_officer') return [];
    const home = at[stationOf.get(i)];
    return home ? [{ id: m.id, station: stationOf.get(i), lon: home[0], lat: home[1] }] : [];
  });
}

/**
 * wireBytes counts the bytes the page receives (bodies as sent, compressed
 * or not, and headers) through the debugging protocol's Network events,
 * which also see an event stream's chunks as they arrive.
 */
async function wireBytes(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const byRequest = new Map(); // requestId -> { url, bytes }
  let total = 0;
  const entry = (id) => byRequest.get(id) || byRequest.set(id, { url: '', bytes: 0, stream: false }).get(id);
  cdp.on('Network.requestWillBeSent', (e) => { entry(e.requestId).url = e.request.url; });
  cdp.on('Network.responseReceived', (e) => { entry(e.requestId).stream = e.response.mimeType === 'text/event-stream'; });
  cdp.on('Network.dataReceived', (e) => {
    const r = entry(e.requestId);
    if (r.stream) return; // counted by message below
    r.bytes += e.encodedDataLength;
    total += e.encodedDataLength;
  });
  // Chromium reports an EventSource's messages, not its chunks. Event
  // streams are sent uncompressed: a message's wire form is its lines
  // (heartbeat comments, a few bytes every 15 s, are left out).
  const utf8 = new TextEncoder();
  cdp.on('Network.eventSourceMessageReceived', (e) => {
    const r = entry(e.requestId);
    r.stream = true;
    const wire = (e.eventId ? `id: ${e.eventId}\n` : '') + (e.eventName && e.eventName !== 'message' ? `event: ${e.eventName}\n` : '') + `data: ${e.data}\n\n`;
    const n = utf8.encode(wire).length;
    r.bytes += n;
    total += n;
  });
  cdp.on('Network.loadingFinished', (e) => {
    // Some answers report their size only when they finish.
    const r = entry(e.requestId);
    if (e.encodedDataLength > r.bytes) {
      total += e.encodedDataLength - r.bytes;
      r.bytes = e.encodedDataLength;
    }
  });
  return {
    total: () => total,
    requests: () => [...byRequest.values()],
    streamBytes: () => [...byRequest.values()].filter((r) => r.stream).reduce((a, r) => a + r.bytes, 0),
  };
}

describe('the wall', { timeout: 900_000 }, () => {
  test('positions arrive on the stream: 211 officers for 10 simulated minutes under 1 MB a minute', async () => {
    const officers = await officersOnPatrol();
    assert.equal(officers.length, 211, 'the demo county has 211 police officers');
    // Every officer reports once every 10 s (six times a minute), moving a
    // few metres each time: a busy shift. Times start 9 minutes back and
    // advance 10 s a step, so no officer turns silent and none is more
    // than a minute ahead.
    const stepSeconds = 10;
    const steps = 60; // 10 simulated minutes
    const start = Date.now() - 9 * 60_000;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pingsAt = (k) => officers.map((o) => {
      o.lon += (random() - 0.5) * 0.0003;
      o.lat += (random() - 0.5) * 0.0003;
      return { officer: o.id, at: new Date(start + k * stepSeconds * 1000).toISOString(), lon: o.lon, lat: o.lat, speed_mps: 1.4, heading_deg: Math.round(random() * 359) };
    });
    await postPings(pingsAt(0));

    const { context, page, problems } = await open('/');
    await page.waitForFunction(() => window.jingge.patrols.transport === 'stream');
    const last = officers[officers.length - 1].id;
    const bytes = await wireBytes(page);
    for (let k = 1; k <= steps; k++) {
      const pings = pingsAt(k);
      await postPings(pings);
      // The next step waits for the page to hold this one, so every step
      // reaches the page as its own frame, as it would in real time.
      await page.waitForFunction(([id, at]) => Date.parse(window.jingge.patrols.latest(id)?.at) === at, [last, Date.parse(pings[pings.length - 1].at)], { timeout: WAIT_MS });
    }
    const perMinute = bytes.total() / (steps * stepSeconds / 60);
    const polled = bytes.requests().filter((r) => /\/api\/v1\/patrols(\?|$)/.test(r.url));
    assert.deepEqual(polled.map((r) => r.url), [], 'no polling while the stream is up');
    assert.equal(await page.evaluate(() => Object.keys(window.jingge.patrols.positions()).length), 211);

    // What polling cost: one answer of GET /api/v1/patrols as the page
    // receives it (gzip), every 4 s.
    const before = bytes.total();
    await page.evaluate(() => fetch('api/v1/patrols').then((r) => r.text()));
    await page.waitForFunction(() => true);
    const pollAnswer = bytes.total() - before;
    const pollPerMinute = pollAnswer * 15;
    // And before answers were compressed: the answer's own size.
    const plain = (await (await fetch(`${server.base}/api/v1/patrols`, { headers: server.headers })).arrayBuffer()).byteLength;
    console.log(`wall: ${officers.length} officers, ${steps} pings each over ${steps * stepSeconds / 60} simulated minutes: ` +
      `stream ${(perMinute / 1e3).toFixed(1)} kB a minute; polling GET /api/v1/patrols every 4 s: ${(pollAnswer / 1e3).toFixed(1)} kB an answer, ` +
      `${(pollPerMinute / 1e3).toFixed(1)} kB a minute; uncompressed ${(plain / 1e3).toFixed(1)} kB an answer, ${(plain * 15 / 1e3).toFixed(1)} kB a minute`);
    assert.ok(bytes.streamBytes() > steps * 211 * 50, `the stream's ${bytes.streamBytes()} bytes were counted`);
    assert.ok(perMinute < 1e6, `${(perMinute / 1e3).toFixed(1)} kB a simulated minute`);
    assert.ok(pollAnswer > 0, 'the poll answer was counted');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('fullscreen from a button, and back', async () => {
    const { context, page, problems } = await open('/');
    const button = page.locator('#fullscreen');
    assert.equal(await button.getAttribute('aria-pressed'), 'false');
    // The document changes state before its fullscreenchange event redraws
    // the button, so each step waits for both.
    const pressed = (on) => page.waitForFunction((on) => {
      const b = document.getElementById('fullscreen');
      return (document.fullscreenElement === (on ? document.documentElement : null)) && b.getAttribute('aria-pressed') === String(on);
    }, on, { timeout: 30_000 });
    await button.click();
    await pressed(true);
    assert.equal(await button.textContent(), '退出全屏');
    await button.click();
    await pressed(false);
    assert.equal(await button.textContent(), '全屏');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the legend shows officers by status and incidents by category, as the map draws them', async () => {
    const { context, page, problems } = await open('/');
    const patrolKeys = await page.locator('[data-testid=legend-patrols] li').evaluateAll((els) => els.map((e) => e.dataset.key));
    assert.deepEqual(patrolKeys, ['moving', 'stopped', 'silent', 'out']);
    const incidentKeys = await page.locator('[data-testid=legend-incidents] li').evaluateAll((els) => els.map((e) => e.dataset.key));
    assert.deepEqual(incidentKeys, ['criminal', 'public_order', 'traffic', 'dispute', 'assistance', 'fire', 'other', 'cluster']);
    // Each swatch has the colour the map's layer paints.
    const painted = await page.evaluate(() => JSON.stringify(window.jingge.map.getPaintProperty('incidents-points', 'circle-color')));
    const swatches = await page.locator('[data-testid=legend-incidents] .sym-dot').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    const hex = (rgb) => `#${rgb.match(/\d+/g).slice(0, 3).map((v) => Number(v).toString(16).padStart(2, '0')).join('')}`.toUpperCase();
    for (const c of swatches.slice(0, 7).map(hex)) assert.ok(painted.includes(c), `${c} is painted on the map`);
    const moving = await page.evaluate(() => JSON.stringify(window.jingge.map.getPaintProperty('patrols-point', 'circle-color')));
    assert.ok(moving.includes(hex(await page.locator('[data-testid=legend-patrols] [data-key=moving] .sym-dot').evaluate((e) => getComputedStyle(e).backgroundColor))));
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the time slider steps the incidents through the window by keyboard', async () => {
    const { context, page, problems } = await open('/#win=7d');
    const slider = page.locator('[data-testid=incident-slider]');
    await page.waitForFunction(() => window.jingge.incidents.available);
    const whole = await page.evaluate(() => window.jingge.incidents.total);
    assert.equal(await slider.getAttribute('max'), '7');
    assert.equal(await slider.inputValue(), '7');
    assert.doesNotMatch(await page.evaluate(() => window.jingge.incidents.tiles), /[?&]to=/);
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await slider.inputValue(), '6');
    await page.waitForFunction(() => /[?&]to=/.test(window.jingge.map.getSource('incidents').tiles[0]));
    const text = await slider.getAttribute('aria-valuetext');
    assert.match(text, /至/, `a day is named: ${text}`);
    assert.equal(await page.locator('[data-testid=incident-slider-value]').textContent(), text);
    await page.waitForFunction((n) => window.jingge.incidents.total < n, whole);
    await page.keyboard.press('End');
    await page.waitForFunction(() => !/[?&]to=/.test(window.jingge.map.getSource('incidents').tiles[0]));
    await page.waitForFunction((n) => window.jingge.incidents.total === n, whole);
    assert.match(await slider.getAttribute('aria-valuetext'), /近7天/);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('events by station and kind, with priority, and a beep for out-of-area alerts when turned on', async () => {
    // A community officer in their own grid in the county seat.
    const [lon, lat] = [109.3150, 34.1520];
    const hit = await api(`/api/v1/lookup?lon=${lon}&lat=${lat}&crs=wgs84`);
    const officer = { id: hit.police_grid.members.find((m) => m.role === 'community_officer').id, station: hit.station.id, lon, lat };
    const stations = await api('/api/v1/stations');
    const far = stations.features.find((f) => f.properties.id !== officer.station && f.properties.kind !== 'area' && Math.abs(f.geometry.coordinates[0] - officer.lon) > 0.1);
    const { context, page, problems } = await open('/');
    await page.waitForFunction(() => window.jingge.patrols.transport === 'stream');
    const now = Date.now();
    // After every ping the first test sent (at most a minute ahead).
    const at = (s) => new Date(now + 60_000 + s * 1000).toISOString();
    // In their area, then far out of it: an out-of-area event.
    await postPings([{ officer: officer.id, at: at(0), lon: officer.lon, lat: officer.lat, speed_mps: 1 }]);
    const out = await postPings([{ officer: officer.id, at: at(10), lon: far.geometry.coordinates[0], lat: far.geometry.coordinates[1], speed_mps: 1 }]);
    const leave = out.events.find((e) => e.kind === 'area_leave');
    assert.ok(leave, `events: ${JSON.stringify(out.events)}`);
    const high = page.locator('[data-testid=feed] .event.kind-area_leave.priority-high').first();
    await high.waitFor();
    assert.equal(await high.locator('.priority').textContent(), '高');
    assert.equal(await page.evaluate(() => window.jingge.eventFilter.beeps), 0, 'silent until turned on');

    // Events are filtered by the station of where they happen: another
    // station hides this one, and the list says so.
    assert.notEqual(leave.station, officer.station);
    await page.selectOption('#feed-station', officer.station);
    await page.locator('[data-testid=feed-hidden]').waitFor();
    assert.equal(await page.locator('[data-testid=feed] .event.kind-area_leave').count(), 0);
    await page.selectOption('#feed-station', leave.station);
    await high.waitFor();
    assert.equal(await page.locator('[data-testid=feed] .event').count(), await page.locator(`[data-testid=feed] .event:has-text("${leave.station_name}")`).count());
    // Unticking a kind hides it.
    await page.locator('[data-kind=area_leave]').uncheck();
    await page.waitForFunction(() => !document.querySelector('[data-testid=feed] .event.kind-area_leave'));
    await page.locator('[data-kind=area_leave]').check();
    await high.waitFor();

    // The sound on, the next out-of-area event beeps once.
    await page.locator('[data-testid=alert-sound]').check();
    await postPings([{ officer: officer.id, at: at(20), lon: officer.lon, lat: officer.lat, speed_mps: 1 }]);
    const again = await postPings([{ officer: officer.id, at: at(30), lon: far.geometry.coordinates[0], lat: far.geometry.coordinates[1], speed_mps: 1 }]);
    assert.ok(again.events.some((e) => e.kind === 'area_leave'));
    await page.waitForFunction(() => window.jingge.eventFilter.beeps === 1);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  for (const [width, height] of [[1920, 1080], [1366, 768]]) {
    test(`at ${width}×${height} the event list stays on screen with the grid panel open`, async () => {
      const { context, page, problems } = await open('/', { width, height });
      await page.evaluate(() => window.jingge.selectGrid('61012200100008'));
      await page.locator('#panel .members').waitFor();
      const box = await page.locator('#feed-dock').boundingBox();
      assert.ok(box.y >= 0 && box.y + box.height <= height, `the event dock at ${JSON.stringify(box)} in ${width}×${height}`);
      assert.ok(box.height >= 150, `the event dock is ${box.height} px tall`);
      const title = await page.locator('#feed h2').boundingBox();
      assert.ok(title.y >= box.y && title.y + title.height <= height, 'the event list\'s title is in view');
      if (width === 1920) await screenshot(page, 'command-center-panel-and-events');
      assert.deepEqual(problems(), []);
      await context.close();
    });
  }

  test('the map exports as a PNG with its legend and a caption', async () => {
    const { context, page, problems } = await open('/', { acceptDownloads: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
    assert.match(download.suggestedFilename(), /^jingge-map-\d{8}-\d{4}\.png$/);
    const file = await download.path();
    const png = fs.readFileSync(file);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    const canvas = await page.evaluate(() => [window.jingge.map.getCanvas().width, window.jingge.map.getCanvas().height]);
    assert.ok(width > canvas[0] && height > canvas[1], `${width}×${height} holds the map (${canvas}), a legend and a caption`);
    const { caption } = await page.evaluate(() => window.jingge.exported);
    assert.match(caption[0], /蓝田县公安局.*\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}/);
    assert.match(caption[1], /警格.*巡逻警员.*警情 · 近7天/);
    assert.match(caption[2], /东经 109\.\d{3}–109\.\d{3}.*北纬 3[34]\.\d{3}–34\.\d{3}/);
    fs.mkdirSync(artifactsDir, { recursive: true });
    fs.copyFileSync(file, path.join(artifactsDir, 'command-center-export.png'));
    assert.deepEqual(problems(), []);
    await context.close();
  });
});

describe('axe', { timeout: 600_000 }, () => {
  test('axe finds nothing on / closed, with the grid panel, search results, the dark theme and the filters open', async () => {
    const { context, page, problems } = await open('/', { width: 1440, height: 900 });
    assert.deepEqual(await axeViolations(page), [], 'the page as it opens');
    await page.evaluate(() => window.jingge.selectGrid('61012200100008'));
    await page.locator('#panel .members').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'the grid panel open');
    await page.locator('#search').fill('蓝关');
    await page.locator('#search-results li').first().waitFor();
    assert.deepEqual(await axeViolations(page), [], 'search results open');
    await page.keyboard.press('Escape');
    await page.locator('#theme').click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    assert.deepEqual(await axeViolations(page), [], 'the dark wall');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('axe finds nothing on /m, its results and its visit form', async () => {
    const cookies = await server.signIn(OFFICER.name, OFFICER.password);
    const { context, page, problems } = await open('/m', { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true, cookies });
    assert.deepEqual(await axeViolations(page), [], 'the page as it opens');
    await page.locator('#lon').fill('109.3228');
    await page.locator('#lat').fill('34.1505');
    await page.locator('#coord button[type=submit]').click();
    await page.locator('[data-testid=community-grid]').waitFor();
    await page.locator('#visit').waitFor({ state: 'visible' });
    assert.deepEqual(await axeViolations(page), [], 'a result with the visit form');
    await page.locator('#visit button[type=submit]').click(); // nobody named: the form says so
    assert.deepEqual(await axeViolations(page), [], 'the visit form refusing an empty name');
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
