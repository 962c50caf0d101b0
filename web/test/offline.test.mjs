// The officer page with no network, in Chromium: signed in, the page
// installs its service worker and downloads the station pack; then the
// browser goes offline (context.setOffline), the page reloads from the
// worker's cache, and typed and GPS positions in the mountain stations
// (葛牌, 灞源, 李家河) get the server's grid, police grid and station from
// the pack, saying which day's pack answered.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startServer, launchBrowser, watchPage, screenshot, WAIT_MS, pointInLeaves } from './harness.mjs';
import { convert } from '../src/shared/crs.js';
import { PackIndex } from '../src/shared/pack.js';

let server;
let browser;
let officerCookies;
// 葛牌's community officer, signed in with a password as on a phone.
const OFFICER = { name: 'gepai-officer', role: 'officer', officer: 'M00132', password: 'offline-pack-test-2026' };
// Another officer, who signs in on the same phone after them.
const NEXT_SHIFT = { name: 'next-shift-officer', role: 'officer', officer: 'M00001', password: 'offline-next-shift-2026' };

before(async () => {
  // A port of its own (JINGGE_OFFLINE_TEST_PORT, 18931 by default): the
  // service worker and the pack's cache belong to the origin.
  server = await startServer({ port: Number(process.env.JINGGE_OFFLINE_TEST_PORT || 18931), users: [OFFICER, NEXT_SHIFT] });
  officerCookies = await server.signIn(OFFICER.name, OFFICER.password);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function officerHeaders() {
  return { Cookie: officerCookies.map((c) => `${c.name}=${c.value}`).join('; ') };
}

async function api(path) {
  const res = await fetch(server.base + path, { headers: officerHeaders() });
  assert.equal(res.status, 200, `${path}: ${res.status} ${res.status === 200 ? "" : await res.clone().text()}`);
  return res.json();
}

/**
 * pointIn finds a WGS-84 point the server places in station, seeded
 * points in the boxes of the station's grids, with the server's answer.
 */
async function pointIn(station) {
  const pack = new PackIndex(await api('/api/v1/pack'));
  const leaves = pack.leaves.filter((l) => l.grid.station === station);
  assert.ok(leaves.length, `station ${station} has grids in the pack`);
  return pointInLeaves({ base: server.base, headers: officerHeaders(), leaves, accept: (hit) => hit.station.id === station });
}

/** lookUp asks the page for the grid of point, typed in. */
async function lookUp(page, point) {
  await page.fill('#lon', String(point.lon));
  await page.fill('#lat', String(point.lat));
  await page.click('#coord button[type=submit]');
}

/** recordVisit records a home visit to whom at the point shown. */
async function recordVisit(page, whom) {
  await page.locator('#visit').waitFor({ state: 'visible', timeout: WAIT_MS });
  await page.selectOption('#visit-kind', 'home_service');
  await page.fill('#visit-whom', whom);
  await page.fill('#visit-outcome', '无异常');
  await page.click('#visit button[type=submit]');
}

async function expectAnswer(page, want) {
  await page.locator('[data-testid=offline-note]').waitFor({ timeout: WAIT_MS });
  assert.equal(await page.locator('[data-testid=community-grid]').textContent(), want.community_grid?.name || '—');
  assert.equal(await page.locator('[data-testid=police-grid]').textContent(), want.police_grid?.name || '—');
  assert.match(await page.locator('[data-testid=station]').textContent(), new RegExp(want.station.name));
  assert.match(await page.locator('[data-testid=offline-note]').textContent(), /\d{4}-\d{2}-\d{2} \d{2}:\d{2} 下载的离线包/);
}

test('offline, the officer page answers from the station pack', { timeout: 300_000 }, async () => {
  const gepai = await pointIn('gepai');
  const bayuan = await pointIn('bayuan');
  const lijiahe = await pointIn('lijiahe');
  // 灞源 typed as a Baidu (BD-09) position: the page converts it as the server does.
  const [bdLon, bdLat] = convert([bayuan.lon, bayuan.lat], 'wgs84', 'bd09');
  const bayuanBD = await api(`/api/v1/lookup?lon=${bdLon}&lat=${bdLat}&crs=bd09`);

  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  await context.addCookies(officerCookies);
  await context.grantPermissions(['geolocation'], { origin: server.base });
  const page = await context.newPage();
  const problems = watchPage(page, server.base);
  await page.goto(`${server.base}/m`);
  // Signed in: the worker is active (its shell cached) and the pack is in.
  await page.waitForFunction(() => window.jingge?.worker === true && window.jingge?.pack === 'new', null, { timeout: WAIT_MS });
  await page.locator('[data-testid=pack-status]').waitFor({ timeout: WAIT_MS });
  assert.deepEqual(problems(), []);
  assert.equal((await api('/api/v1/pack')).station, 'gepai', 'an officer\'s pack is asked for their own station');

  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction(() => window.jingge?.ready === true && window.jingge?.pack === 'failed', null, { timeout: WAIT_MS });
  assert.match(await page.locator('[data-testid=pack-status]').textContent(), /离线包/);

  await page.fill('#lon', String(gepai.lon));
  await page.fill('#lat', String(gepai.lat));
  await page.selectOption('#crs', 'wgs84');
  await page.click('#coord button[type=submit]');
  await expectAnswer(page, gepai.hit);
  // The mini-map, drawn from the pack's grids with the answer's grid outlined.
  const want = gepai.hit.community_grid?.id || gepai.hit.police_grid.id;
  await page.waitForFunction((id) => window.jingge?.mapMode === 'pack' && window.jingge?.mapGrid === id
    && window.jingge.map.loaded() && window.jingge.map.querySourceFeatures('pack').length > 0, want, { timeout: WAIT_MS });
  assert.equal(await page.locator('#minimap').isVisible(), true, 'the mini-map is shown offline');
  await screenshot(page, 'officer-offline-gepai', { fullPage: true });

  await page.fill('#lon', String(bdLon));
  await page.fill('#lat', String(bdLat));
  await page.selectOption('#crs', 'bd09');
  await page.click('#coord button[type=submit]');
  await page.waitForFunction((name) => document.querySelector('[data-testid=community-grid]')?.textContent === name, bayuanBD.community_grid.name, { timeout: WAIT_MS });
  await expectAnswer(page, bayuanBD);

  await context.setGeolocation({ longitude: lijiahe.lon, latitude: lijiahe.lat, accuracy: 15 });
  await page.click('#locate');
  await page.waitForFunction((name) => document.querySelector('[data-testid=community-grid]')?.textContent === name, lijiahe.hit.community_grid.name, { timeout: WAIT_MS });
  await expectAnswer(page, lijiahe.hit);

  // Back online, the page checks its pack's version: unchanged, a 304.
  await context.setOffline(false);
  await page.evaluate(() => { window.jingge.pack = null; window.dispatchEvent(new Event('online')); });
  await page.waitForFunction(() => window.jingge?.pack === 'current', null, { timeout: WAIT_MS });
  await context.close();
});

test('a visit recorded offline is kept through a reload and sent once when the network is back', { timeout: 300_000 }, async () => {
  const gepai = await pointIn('gepai');
  const whom = `离线走访测试 ${Date.now()}`;
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  await context.addCookies(officerCookies);
  const page = await context.newPage();
  await page.goto(`${server.base}/m`);
  await page.waitForFunction(() => window.jingge?.worker === true && window.jingge?.pack !== undefined, null, { timeout: WAIT_MS });

  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
  await lookUp(page, gepai);
  await page.locator('[data-testid=offline-note]').waitFor({ timeout: WAIT_MS });
  await recordVisit(page, whom);
  await page.waitForFunction(() => document.querySelector('[data-testid=visit-queue]')?.dataset.pending === '1', null, { timeout: WAIT_MS });

  // Still offline, the page reloads: the visit is still waiting.
  await page.reload();
  await page.waitForFunction(() => window.jingge?.ready === true && document.querySelector('[data-testid=visit-queue]')?.dataset.pending === '1', null, { timeout: WAIT_MS });
  assert.match(await page.locator('[data-testid=visit-queue]').textContent(), /1 条走访记录/);
  const entry = await page.evaluate(() => JSON.parse(localStorage.getItem('jingge.visitQueue'))[0]);

  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.waitForFunction(() => document.querySelector('[data-testid=visit-queue]')?.dataset.pending === '0', null, { timeout: WAIT_MS });
  assert.match(await page.locator('[data-testid=visit-queue]').textContent(), /已发送/);

  // The answer was lost on the way, say, and the phone sends it again with its key: still one visit.
  const again = await page.evaluate(async ({ key, body }) => {
    const res = await fetch('api/v1/visits', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify(body) });
    return res.status;
  }, entry);
  assert.equal(again, 200, 'a second send with the same key is a replay');
  const visits = await api(`/api/v1/visits?officer=${OFFICER.officer}`);
  const mine = visits.features.filter((f) => f.properties.whom === whom);
  assert.equal(mine.length, 1, `one visit on the server, not ${mine.length}`);
  assert.equal(mine[0].properties.kind, 'home_service');
  assert.equal(mine[0].properties.station, 'gepai');
  await context.close();
});

test('a visit queued on a shared phone is sent only when the officer who made it is signed in', { timeout: 300_000 }, async () => {
  const gepai = await pointIn('gepai');
  const whom = `换班走访测试 ${Date.now()}`;
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  await context.addCookies(officerCookies);
  const page = await context.newPage();
  const signedInAs = (name) => page.waitForFunction(
    (n) => window.jingge?.ready === true && JSON.parse(localStorage.getItem('jingge.me') || 'null')?.user === n, name, { timeout: WAIT_MS });
  await page.goto(`${server.base}/m`);
  await page.waitForFunction(() => window.jingge?.worker === true && window.jingge?.pack !== undefined, null, { timeout: WAIT_MS });
  await signedInAs(OFFICER.name);

  // The first officer records a visit with no signal.
  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
  await lookUp(page, gepai);
  await recordVisit(page, whom);
  await page.waitForFunction(() => document.querySelector('[data-testid=visit-queue]')?.dataset.pending === '1', null, { timeout: WAIT_MS });

  // The next shift signs in on the same phone, with a signal: the visit
  // is not theirs to send, nor to see.
  const nextShift = await server.signIn(NEXT_SHIFT.name, NEXT_SHIFT.password);
  await context.clearCookies();
  await context.addCookies(nextShift);
  await context.setOffline(false);
  // The page hears the signal is back (and tries its queues) before it is
  // reloaded: a navigation as the network comes back may be aborted.
  await page.waitForFunction(() => navigator.onLine === true, null, { timeout: WAIT_MS });
  await page.reload();
  await signedInAs(NEXT_SHIFT.name);
  await page.evaluate(() => window.jingge.sendVisits());
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('jingge.visitQueue') || '[]').length), 1, 'the first officer\'s visit is still on the phone');
  assert.equal(await page.locator('[data-testid=visit-queue]').getAttribute('data-pending'), '0', 'the next shift is shown no visit of another officer waiting');
  const whose = async () => (await api(`/api/v1/visits?officer=${OFFICER.officer}`)).features.filter((f) => f.properties.whom === whom);
  assert.deepEqual(await whose(), [], 'nothing was sent while another officer was signed in');

  // The first officer signs in again: the visit goes, as theirs, once.
  await context.clearCookies();
  await context.addCookies(officerCookies);
  await page.reload();
  await signedInAs(OFFICER.name);
  await page.evaluate(() => window.jingge.sendVisits());
  await page.waitForFunction(() => document.querySelector('[data-testid=visit-queue]')?.dataset.pending === '0', null, { timeout: WAIT_MS });
  const sent = await whose();
  assert.equal(sent.length, 1, `one visit on the server, not ${sent.length}`);
  assert.equal(sent[0].properties.officer, OFFICER.officer);
  assert.equal(sent[0].properties.recorded_by, OFFICER.name);
  await context.close();
});

test('a visit whose send failed while the phone still said it was online is sent again within half a minute', { timeout: 300_000 }, async () => {
  const gepai = await pointIn('gepai');
  const whom = `弱信号走访测试 ${Date.now()}`;
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  await context.addCookies(officerCookies);
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(`${server.base}/m`);
  await page.waitForFunction((n) => window.jingge?.ready === true && JSON.parse(localStorage.getItem('jingge.me') || 'null')?.user === n, OFFICER.name, { timeout: WAIT_MS });

  // A weak signal: the send is cut, and the browser still says it is online.
  let cut = 0;
  await page.route('**/api/v1/visits', (route) => {
    cut++;
    return route.abort('internetdisconnected');
  });
  await lookUp(page, gepai);
  await recordVisit(page, whom);
  await page.waitForFunction(() => document.querySelector('[data-testid=visit-queue]')?.dataset.pending === '1', null, { timeout: WAIT_MS });
  for (const until = Date.now() + WAIT_MS; cut === 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 50));
  assert.ok(cut > 0, 'the page tried to send the visit at once');
  assert.equal(await page.evaluate(() => navigator.onLine), true);

  // The signal is back, with no 'online' event: half a minute later the visit is sent.
  await page.unroute('**/api/v1/visits');
  await page.clock.fastForward(31_000);
  await page.waitForFunction(() => document.querySelector('[data-testid=visit-queue]')?.dataset.pending === '0', null, { timeout: WAIT_MS });
  const sent = (await api(`/api/v1/visits?officer=${OFFICER.officer}`)).features.filter((f) => f.properties.whom === whom);
  assert.equal(sent.length, 1, `one visit on the server, not ${sent.length}`);
  await context.close();
});
