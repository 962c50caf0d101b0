// The command-center wall as it runs all day: live positions over the
// positions stream and what that costs a display, fullscreen, the legend,
// the incident time slider, the event filters and the alert sound, the
// side column at wall and laptop sizes, the PNG export, and axe on / and
// /m in their open states. Its own `jingge serve`; screenshots land in
// artifacts/web/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer, launchBrowser, watchPage, screenshot, axeViolations, WAIT_MS } from './harness.mjs';

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

async function open(path, { width = 1920, height = 1080, ready = () => window.jingge?.ready === true } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN' });
  await context.addCookies(server.cookies);
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
    return home ? [{ id: m.id, lon: home[0], lat: home[1] }] : [];
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
    // few metres each time: a busy shift. Times start 8 minutes back and
    // advance 10 s a step, so no officer turns silent and none is ahead.
    const stepSeconds = 10;
    const steps = 60; // 10 simulated minutes
    const start = Date.now() - 8 * 60_000;
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
    console.log(`wall: ${officers.length} officers, ${steps} pings each over ${steps * stepSeconds / 60} simulated minutes: ` +
      `stream ${(perMinute / 1e3).toFixed(1)} kB a minute; polling GET /api/v1/patrols every 4 s: ${(pollAnswer / 1e3).toFixed(1)} kB an answer, ` +
      `${(pollPerMinute / 1e3).toFixed(1)} kB a minute (${(pollPerMinute / perMinute).toFixed(1)}×)`);
    assert.ok(bytes.streamBytes() > steps * 211 * 50, `the stream's ${bytes.streamBytes()} bytes were counted`);
    assert.ok(perMinute < 1e6, `${(perMinute / 1e3).toFixed(1)} kB a simulated minute`);
    assert.ok(pollAnswer > 0, 'the poll answer was counted');
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
