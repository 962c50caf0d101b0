// The officer page's prevention work, in Chromium against the real binary,
// signed in as 葛牌's community officer on a phone-sized screen: the task
// list of the grid they stand in and of their area, marking a task done
// online and offline (pending on the phone, sent once when the network is
// back, dropped with a message when someone else did it meanwhile), and
// disputes recorded online, offline (sent once when the network is back)
// and refused by the server (its detail shown, kept for correction).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startServer, launchBrowser, watchPage, screenshot, axeViolations, WAIT_MS, pointInLeaves } from './harness.mjs';
import { PackIndex } from '../src/shared/pack.js';
import { officerArea } from '../src/officer/tasks.js';

let server;
let browser;
let officerCookies;
const OFFICER = { name: 'gepai-tasks', role: 'officer', officer: 'M00132', password: 'officer-tasks-test-2026' };

before(async () => {
  server = await startServer({ users: [OFFICER] });
  officerCookies = await server.signIn(OFFICER.name, OFFICER.password);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function officerHeaders(extra = {}) {
  return { Cookie: officerCookies.map((c) => `${c.name}=${c.value}`).join('; '), ...extra };
}

async function api(path, { method = 'GET', body, want = method === 'POST' ? 201 : 200 } = {}) {
  const res = await fetch(server.base + path, {
    method,
    headers: officerHeaders(body ? { 'Content-Type': 'application/json' } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.equal(res.status, want, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * pointInArea finds a WGS-84 point the server places in a grid of the
 * officer's area, with the server's answer.
 */
let found = null;
async function pointInArea() {
  if (found) return found;
  const raw = await api('/api/v1/pack');
  const area = officerArea(raw, OFFICER.officer);
  assert.ok(area?.size, `officer ${OFFICER.officer} has an area in the pack`);
  const pack = new PackIndex(raw);
  const leaves = pack.leaves.filter((l) => area.has(l.grid.id));
  const point = await pointInLeaves({ base: server.base, headers: officerHeaders(), leaves, seed: 11, accept: (hit) => hit.police_grid && area.has(hit.police_grid.id) });
  found = { ...point, area };
  return found;
}

async function openAt(point, { lang = 'zh-CN' } = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true, locale: lang });
  await context.addCookies(officerCookies);
  const page = await context.newPage();
  const problems = watchPage(page, server.base);
  await page.goto(`${server.base}/m`);
  await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
  await page.fill('#lon', String(point.lon));
  await page.fill('#lat', String(point.lat));
  await page.click('#coord button[type=submit]');
  await page.locator('#dispute').waitFor({ state: 'visible', timeout: WAIT_MS });
  return { context, page, problems };
}

function waitForTask(page, list, title, state = 'visible') {
  return page.locator(`[data-testid=${list}] [data-testid=task]`, { hasText: title }).waitFor({ state, timeout: WAIT_MS });
}

test('the task list shows the grid here first, marks overdue ones, and marking one done changes what the API answers', { timeout: 300_000 }, async () => {
  const point = await pointInArea();
  const grid = point.hit.police_grid.id;
  const stamp = Date.now();
  const here = await api('/api/v1/tasks', { method: 'POST', body: { grid, title: `核查本格出租屋 ${stamp}`, due: '2026-01-05' } });
  const mine = await api('/api/v1/tasks', { method: 'POST', body: { officer: OFFICER.officer, title: `回访调解当事人 ${stamp}`, due: '2099-12-31' } });
  const taken = await api('/api/v1/tasks', { method: 'POST', body: { officer: OFFICER.officer, title: `更新基础信息 ${stamp}`, due: '2099-12-30' } });

  const { context, page, problems } = await openAt(point);
  await waitForTask(page, 'tasks-here', here.title);
  await waitForTask(page, 'tasks-mine', mine.title);
  const hereItem = page.locator(`[data-testid=task][data-id="${here.id}"]`);
  assert.equal(await hereItem.getAttribute('data-status'), 'overdue');
  assert.match(await hereItem.textContent(), /已逾期/);
  assert.match(await hereItem.textContent(), /截止 2026-01-05/);
  assert.match(await hereItem.textContent(), new RegExp(point.hit.police_grid.name));
  assert.doesNotMatch(await page.locator('#result').textContent(), /null|undefined/, 'the answer holds no left-out parts as text');
  const mineItem = page.locator(`[data-testid=task][data-id="${mine.id}"]`);
  assert.equal(await mineItem.getAttribute('data-status'), 'open');
  assert.doesNotMatch(await mineItem.textContent(), /已逾期/);
  // The grid here comes before the rest of the officer's tasks.
  const order = await page.evaluate(() => [...document.querySelectorAll('#tasks [data-testid^=tasks-]')].map((el) => el.dataset.testid));
  assert.deepEqual(order.slice(0, 2), ['tasks-here', 'tasks-mine']);

  // One-handed on a 360 px phone: no sideways scroll, thumb-sized buttons, nothing axe objects to.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scroll at 360 px');
  for (const box of await page.locator('#tasks button, #dispute button, #dispute select, #dispute input').evaluateAll((els) => els.filter((e) => e.checkVisibility()).map((e) => e.getBoundingClientRect().toJSON()))) {
    assert.ok(box.height >= 44 && box.width >= 44, `a touch target of ${box.width}x${box.height}`);
  }
  assert.deepEqual(await axeViolations(page), []);
  await screenshot(page, 'officer-tasks', { fullPage: true });

  await hereItem.getByRole('button', { name: `标记完成：${here.title}` }).click();
  await waitForTask(page, 'tasks-here', here.title, 'detached');
  assert.match(await page.locator('[data-testid=tasks-status]').textContent(), /已标记完成/);
  const done = await api(`/api/v1/tasks?grid=${encodeURIComponent(grid)}&status=done&limit=1000`);
  const got = done.tasks.find((x) => x.id === here.id);
  assert.ok(got, 'the task is done on the server');
  assert.equal(got.done_by, OFFICER.name);
  assert.equal(got.late, true, 'done after it fell due');

  // Done elsewhere meanwhile: the page's button meets the API's conflict and says so.
  await api(`/api/v1/tasks/${taken.id}`, { method: 'PATCH', body: { done: true } });
  await page.locator(`[data-testid=task][data-id="${taken.id}"]`).getByRole('button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=tasks-status]')?.dataset.key === 'm.tasks.conflict', null, { timeout: WAIT_MS });
  assert.match(await page.locator('[data-testid=tasks-status]').textContent(), /已被标记完成.*a task is done once/);
  await waitForTask(page, 'tasks-mine', taken.title, 'detached');

  // With no signal, after a reload from the page's own cache, the list last
  // answered is still there, saying so.
  await page.waitForFunction(() => window.jingge?.worker === true && window.jingge?.pack !== undefined, null, { timeout: WAIT_MS });
  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
  await page.fill('#lon', String(point.lon));
  await page.fill('#lat', String(point.lat));
  await page.click('#coord button[type=submit]');
  await page.locator('[data-testid=offline-note]').waitFor({ timeout: WAIT_MS });
  await page.waitForFunction(() => document.querySelector('[data-testid=tasks-status]')?.dataset.key === 'm.tasks.offline', null, { timeout: WAIT_MS });
  await waitForTask(page, 'tasks-mine', mine.title);
  assert.equal(await page.locator(`[data-testid=task][data-id="${here.id}"]`).count(), 0, 'the task done is not in the list kept');
  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.waitForFunction(() => document.querySelector('[data-testid=tasks-status]')?.dataset.key === '', null, { timeout: WAIT_MS });

  // In English too.
  await page.click('#lang');
  await page.locator('#tasks h2', { hasText: 'Task list' }).waitFor({ timeout: WAIT_MS });
  assert.match(await mineItem.getByRole('button').getAttribute('aria-label'), /^Mark done: /);
  assert.deepEqual(problems().filter((p) => !/ERR_INTERNET_DISCONNECTED/.test(p)), [], 'nothing went wrong but the requests made offline');
  await context.close();
});

test('a task marked done with no signal is pending on the phone and sent once when the network is back; one done meanwhile elsewhere is dropped with a message', { timeout: 300_000 }, async () => {
  const point = await pointInArea();
  const stamp = Date.now();
  const mine = await api('/api/v1/tasks', { method: 'POST', body: { officer: OFFICER.officer, title: `山间回访 ${stamp}`, due: '2099-11-30' } });
  const theirs = await api('/api/v1/tasks', { method: 'POST', body: { officer: OFFICER.officer, title: `山间巡查 ${stamp}`, due: '2099-11-29' } });
  const { context, page, problems } = await openAt(point);
  await waitForTask(page, 'tasks-mine', mine.title);
  await waitForTask(page, 'tasks-mine', theirs.title);
  const patches = [];
  page.on('response', (r) => {
    if (r.request().method() === 'PATCH') patches.push(`${new URL(r.url()).pathname} ${r.status()}`);
  });
  const status = () => page.locator('[data-testid=tasks-status]');
  const item = (task) => page.locator(`[data-testid=task][data-id="${task.id}"]`);

  await context.setOffline(true);
  // The small map, moved with no signal, asks for tiles it cannot get: the
  // page says it is offline, and nothing is logged as an error.
  await page.evaluate(() => new Promise((resolve) => {
    const map = window.jingge.map;
    if (!map) return resolve();
    map.once('idle', resolve);
    map.jumpTo({ center: [map.getCenter().lng + 0.05, map.getCenter().lat + 0.05], zoom: 14 });
  }));
  const pressedAt = Date.now();
  await item(mine).getByRole('button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=tasks-status]')?.dataset.key === 'm.tasks.queued', null, { timeout: WAIT_MS });
  await item(mine).locator('[data-testid=task-pending]').waitFor({ timeout: WAIT_MS });
  assert.match(await item(mine).textContent(), /待发送/);
  assert.equal(await item(mine).getByRole('button').count(), 0, 'a pending task cannot be marked again');
  assert.match(await status().textContent(), /1 项完成标记待发送/);
  await item(theirs).getByRole('button').click();
  await item(theirs).locator('[data-testid=task-pending]').waitFor({ timeout: WAIT_MS });
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('jingge.taskDoneQueue')).length), 2);
  const doneNow = async () => (await api(`/api/v1/tasks?officer=${OFFICER.officer}&status=done&limit=1000`)).tasks;
  assert.equal((await doneNow()).filter((x) => x.id === mine.id).length, 0, 'nothing sent while offline');
  // Meanwhile the other task is done from elsewhere (the station's desk).
  const elsewhere = await api(`/api/v1/tasks/${theirs.id}`, { method: 'PATCH', body: { done: true } });

  const onlineAt = Date.now();
  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('jingge.taskDoneQueue') || '[]').length === 0, null, { timeout: WAIT_MS });
  await page.waitForFunction(() => document.querySelector('[data-testid=tasks-status]')?.dataset.key === 'm.tasks.queuedConflict', null, { timeout: WAIT_MS });
  assert.match(await status().textContent(), new RegExp(`${theirs.title}.*已被他人标记完成.*a task is done once`));
  await waitForTask(page, 'tasks-mine', mine.title, 'detached');
  await waitForTask(page, 'tasks-mine', theirs.title, 'detached');

  // Done once each: the officer's at the moment the button was pressed,
  // the other one as it was done elsewhere, untouched.
  const done = await doneNow();
  const got = done.find((x) => x.id === mine.id);
  assert.ok(got, 'the task marked offline is done on the server');
  assert.equal(got.done_by, OFFICER.name);
  assert.ok(Date.parse(got.done_at) >= pressedAt - 1000 && Date.parse(got.done_at) < onlineAt, `done at ${got.done_at}, when the button was pressed offline`);
  assert.equal(done.find((x) => x.id === theirs.id)?.done_at, elsewhere.done_at);
  // One PATCH reached the server for each: the queue sends once.
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.waitForFunction(() => !document.querySelector('#tasks')?.hasAttribute('aria-busy'), null, { timeout: WAIT_MS });
  assert.deepEqual(patches.sort(), [`/api/v1/tasks/${mine.id} 200`, `/api/v1/tasks/${theirs.id} 409`].sort());
  assert.deepEqual(problems().filter((p) => !/ERR_INTERNET_DISCONNECTED/.test(p)), [], 'nothing went wrong but the requests made offline');
  await context.close();
});

async function fillDispute(page, { kind = 'neighbour', parties, summary, level = 'village', method = 'people_mediation', brand = '' }) {
  await page.selectOption('#dispute-kind', kind);
  await page.fill('#dispute-parties', parties);
  await page.fill('#dispute-summary', summary);
  await page.selectOption('#dispute-level', level);
  if (level !== 'open') await page.selectOption('#dispute-method', method);
  if (method === 'mediation_brand') await page.fill('#dispute-brand', brand);
  await page.click('#dispute button[type=submit]');
}

async function disputesWith(summary, grid) {
  const list = await api(`/api/v1/disputes?grid=${encodeURIComponent(grid)}&limit=1000`);
  return list.features.filter((f) => f.properties.summary === summary);
}

test('a dispute recorded online is on the server, in the grid of the point', { timeout: 300_000 }, async () => {
  const point = await pointInArea();
  const summary = `宅基地边界争执，现场调解 ${Date.now()}`;
  const { context, page, problems } = await openAt(point);
  assert.match(await page.locator('[data-testid=dispute-grid]').textContent(), new RegExp(point.hit.community_grid?.name || point.hit.police_grid.name));
  assert.match(await page.locator('#dispute-at').inputValue(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
  await fillDispute(page, { kind: 'land', parties: '张某、李某', summary });
  await page.waitForFunction(() => /已发送/.test(document.querySelector('[data-testid=dispute-queue]')?.textContent || ''), null, { timeout: WAIT_MS });
  const got = await disputesWith(summary, point.hit.police_grid.id);
  assert.equal(got.length, 1);
  const p = got[0].properties;
  assert.equal(p.kind, 'land');
  assert.equal(p.level, 'village');
  assert.equal(p.method, 'people_mediation');
  assert.equal(p.police_grid, point.hit.police_grid.id);
  assert.equal(p.recorded_by, OFFICER.name);
  assert.ok(p.settled_at, 'settled when recorded');
  assert.deepEqual(problems(), []);
  await context.close();
});

test('a dispute recorded offline is kept and sent once when the network is back', { timeout: 300_000 }, async () => {
  const point = await pointInArea();
  const summary = `离线记录的邻里纠纷 ${Date.now()}`;
  const { context, page } = await openAt(point);
  await context.setOffline(true);
  await fillDispute(page, { parties: '王某、赵某', summary, level: 'group' });
  await page.waitForFunction(() => document.querySelector('[data-testid=dispute-queue]')?.dataset.pending === '1', null, { timeout: WAIT_MS });
  assert.match(await page.locator('[data-testid=dispute-queue]').textContent(), /1 条纠纷记录存在本机/);
  const entry = await page.evaluate(() => JSON.parse(localStorage.getItem('jingge.disputeQueue'))[0]);
  assert.equal((await disputesWith(summary, point.hit.police_grid.id)).length, 0, 'nothing sent while offline');

  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.waitForFunction(() => document.querySelector('[data-testid=dispute-queue]')?.dataset.pending === '0', null, { timeout: WAIT_MS });
  assert.match(await page.locator('[data-testid=dispute-queue]').textContent(), /已发送/);

  // The answer lost on the way, the phone sends it again with its key: still one dispute.
  const again = await page.evaluate(async ({ key, body }) => {
    const res = await fetch('api/v1/disputes', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify(body) });
    return res.status;
  }, entry);
  assert.equal(again, 200, 'a second send with the same key is a replay');
  const got = await disputesWith(summary, point.hit.police_grid.id);
  assert.equal(got.length, 1, `one dispute on the server, not ${got.length}`);
  assert.equal(got[0].properties.level, 'group');
  await context.close();
});

test('a dispute the server refuses shows its detail and stays for correction', { timeout: 300_000 }, async () => {
  const point = await pointInArea();
  const summary = `品牌调解未写名称 ${Date.now()}`;
  const { context, page } = await openAt(point);
  // Settled by a mediation brand without its name: the server's rule, not the page's.
  await fillDispute(page, { parties: '刘某、陈某', summary, method: 'mediation_brand', brand: '' });
  await page.locator('[data-testid=dispute-refused]').waitFor({ state: 'visible', timeout: WAIT_MS });
  assert.match(await page.locator('[data-testid=dispute-refused-detail]').textContent(), /needs its name in mediation_brand/);
  assert.equal(await page.locator('[data-testid=dispute-refused]').getAttribute('role'), 'alert');
  assert.deepEqual(await axeViolations(page), [], 'a refused dispute in view');
  await screenshot(page, 'officer-dispute-refused', { fullPage: true });
  // The form holds it again, and so does the phone, through a reload.
  assert.equal(await page.locator('#dispute-summary').inputValue(), summary);
  await page.reload();
  await page.locator('[data-testid=dispute-refused]').waitFor({ state: 'visible', timeout: WAIT_MS });
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('jingge.disputeRefused')).length), 1);

  await page.click('[data-testid=dispute-correct]');
  assert.equal(await page.locator('#dispute-summary').inputValue(), summary);
  assert.equal(await page.locator('#dispute-method').inputValue(), 'mediation_brand');
  await page.fill('#dispute-brand', '朱先生说事');
  await page.click('#dispute button[type=submit]');
  await page.waitForFunction(() => /已发送/.test(document.querySelector('[data-testid=dispute-queue]')?.textContent || ''), null, { timeout: WAIT_MS });
  assert.equal(await page.locator('[data-testid=dispute-refused]').isHidden(), true);
  const got = await disputesWith(summary, point.hit.police_grid.id);
  assert.equal(got.length, 1);
  assert.equal(got[0].properties.mediation_brand, '朱先生说事');
  await context.close();
});
