// The grid panel's prevention block (本月预防工作) on the command-center
// map: its sums as pure functions, then in a real browser against its own
// `jingge serve` — a dispute settled at village level and an overdue task
// recorded through the API show in the panel of their grid as the summary
// routes count them, each station's summaries are read once however often
// the panel opens, and a failing summary leaves a message while the rest of
// the panel works. Screenshots land in artifacts/web/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer, launchBrowser, watchPage, screenshot, axeViolations, WAIT_MS } from './harness.mjs';
import { preventionFigures, formatRate, currentMonth } from '../src/command/prevention.js';
import { setZone } from '../src/shared/time.js';

test('preventionFigures sums the police grid and its community grids, with the kept-low rate of those rows', () => {
  const disputes = {
    rows: [
      { key: 'P1', reported: 3, settled: 2, kept_low: 1, open: 1, kept_low_rate: 0.5 },
      { key: 'C1', reported: 1, settled: 2, kept_low: 2, open: 0, kept_low_rate: 1 },
      { key: 'P2', reported: 9, settled: 9, kept_low: 0, open: 0, kept_low_rate: 0 },
    ],
    total: { kept_low_rate: 3 / 13 },
  };
  const tasks = {
    rows: [
      { key: 'P1', due: 2, done: 1, on_time: 1, overdue: 1 },
      { key: 'C1', due: 1, done: 0, on_time: 0, overdue: 0 },
      { key: '', due: 5, done: 5, on_time: 5, overdue: 0 },
    ],
  };
  const got = preventionFigures(disputes, tasks, ['P1', 'C1']);
  assert.deepEqual(got.disputes, { reported: 4, settled: 4, kept_low: 3, open: 1, rate: 0.75, stationRate: 3 / 13 });
  assert.deepEqual(got.tasks, { due: 3, done: 1, on_time: 1, overdue: 1 });
  const none = preventionFigures(disputes, null, ['P9']);
  assert.deepEqual(none.disputes, { reported: 0, settled: 0, kept_low: 0, open: 0, rate: null, stationRate: 3 / 13 }, 'nothing settled: no rate');
  assert.equal(none.tasks, null, 'a summary not read gives no figures');
});

test('formatRate shows one decimal and "none" for an undefined rate; currentMonth is the county\'s', () => {
  assert.equal(formatRate(0.756), '75.6%');
  assert.equal(formatRate(1), '100%');
  assert.equal(formatRate(null), '暂无');
  setZone('+08:00');
  assert.equal(currentMonth(new Date('2026-04-30T16:30:00Z')), '2026-05', 'past midnight in China: the next month');
  assert.equal(currentMonth(new Date('2026-04-30T15:30:00Z')), '2026-04');
});

let server;
let browser;
let viewerCookies;
// The wall is watched by a viewer; the records are written by the demo admin.
const VIEWER = { name: 'prevention-viewer', role: 'viewer', password: 'prevention-viewer-2026' };
// 城关's seat: a police grid with community grids, as browser.test.mjs clicks it.
const SEAT = [109.3085, 34.1540];

async function api(path, { method = 'GET', body } = {}) {
  const res = await fetch(server.base + path, {
    method,
    headers: { ...server.headers, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** expected is what the block must show for the police grid, from the summary routes. */
async function expected(station, month, police) {
  const grid = await api(`/api/v1/grids/${police}`);
  const keys = [police, ...(grid.properties.children || []).map((c) => c.id)];
  const disputes = await api(`/api/v1/disputes/summary?month=${month}&group_by=grid&station=${station}`);
  const tasks = await api(`/api/v1/tasks/summary?month=${month}&group_by=grid&station=${station}`);
  const visits = await api('/api/v1/presence/grids');
  return { ...preventionFigures(disputes, tasks, keys), visit: visits.grids.find((g) => g.grid === police) || null, definition: disputes.definition, definitionZH: disputes.definition_zh };
}

/** shown reads the block's figures as the page shows them. */
async function shown(page) {
  return page.locator('[data-testid=panel-prevention] [data-figure]').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.dataset.figure, e.textContent])));
}

function wantText(want) {
  const n = (v) => new Intl.NumberFormat('zh-CN').format(v);
  const days = want.visit?.days_since_visit;
  return {
    reported: n(want.disputes.reported), settled: n(want.disputes.settled), kept_low: n(want.disputes.kept_low),
    kept_low_rate: formatRate(want.disputes.rate), station_rate: formatRate(want.disputes.stationRate), open: n(want.disputes.open),
    due: n(want.tasks.due), done: n(want.tasks.done), on_time: n(want.tasks.on_time), overdue: n(want.tasks.overdue),
    days_since_visit: days === null || days === undefined ? '近期无到访记录' : `${n(days)} 天前`,
  };
}

async function openWall(hash = '') {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  await context.addCookies(viewerCookies);
  const page = await context.newPage();
  const problems = watchPage(page, server.base);
  const summaries = [];
  page.on('request', (r) => {
    if (/\/api\/v1\/(disputes|tasks)\/summary/.test(r.url())) summaries.push(r.url());
  });
  await page.goto(`${server.base}/${hash}`);
  await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
  return { context, page, problems, summaries };
}

/** idle waits until the map has drawn what it is loading. */
async function idle(page) {
  await page.waitForFunction(() => window.jingge.map.loaded() && !window.jingge.map.isMoving(), null, { timeout: WAIT_MS });
}

/** clickSeat clicks the map at SEAT and waits for the panel of grid. */
async function clickSeat(page, grid) {
  const box = await page.locator('#map canvas').boundingBox();
  const xy = await page.evaluate((p) => window.jingge.map.project(p), SEAT);
  await page.mouse.click(box.x + xy.x, box.y + xy.y);
  await page.locator(`#panel[data-grid="${grid}"]`).waitFor({ timeout: WAIT_MS });
}

/** blockReady waits until the block has drawn its figures (or its messages). */
async function blockReady(page) {
  await page.locator('[data-testid=panel-prevention] [data-figure=days_since_visit]').waitFor({ timeout: WAIT_MS });
}

before(async () => {
  server = await startServer({ users: [VIEWER] });
  viewerCookies = await server.signIn(VIEWER.name, VIEWER.password);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('prevention block', { timeout: 900_000 }, () => {
  test('a village-settled dispute and an overdue task show in their grid\'s panel as the summaries count them, read once a month', async () => {
    const dataset = await api('/api/v1/dataset');
    setZone(dataset.utc_offset);
    const month = currentMonth();
    const hit = await api(`/api/v1/lookup?lon=${SEAT[0]}&lat=${SEAT[1]}`);
    const police = hit.police_grid.id;
    const community = hit.community_grid.id;
    const station = hit.station.id;
    const dispute = { lon: SEAT[0], lat: SEAT[1], kind: 'neighbour', summary: '邻里排水纠纷', level: 'village', method: 'people_mediation' };
    await api('/api/v1/disputes', { method: 'POST', body: dispute });
    // Due a minute into the month: overdue now, and due in this month.
    await api('/api/v1/tasks', { method: 'POST', body: { station, grid: police, title: '走访辖区出租屋', due: `${month}-01T00:01:00${dataset.utc_offset || '+08:00'}` } });
    const want = await expected(station, month, police);
    assert.ok(want.disputes.kept_low >= 1 && want.disputes.rate > 0, 'the dispute counts as kept at village level');
    assert.ok(want.tasks.overdue >= 1, 'the task counts as overdue');

    const { context, page, problems, summaries } = await openWall('#map=12.00/34.15200/109.31700');
    await idle(page);
    // Incidents off, so the click lands on the grid, not on a cluster.
    await page.locator('button[data-view=off]').click();
    await clickSeat(page, police);
    await blockReady(page);
    assert.deepEqual(await shown(page), wantText(want));
    assert.match(await page.locator('[data-testid=panel-prevention] h3').textContent(), new RegExp(`本月预防工作（${month}）`));
    // The definitions are at hand, in the page's language: as a tooltip on
    // each figure, and in a disclosure.
    assert.equal(await page.locator('[data-testid=panel-prevention] [data-figure=reported]').getAttribute('title'), want.definitionZH);
    await page.locator('[data-testid=panel-prevention] details summary').click();
    assert.match(await page.locator('[data-testid=panel-prevention] details').textContent(), /不上交率 = 当月在组、村两级化解的纠纷/);
    assert.equal(await page.locator('[data-testid=panel-prevention] [data-figure=overdue]').getAttribute('class'), 'warn');
    // The presence rows above agree with the block, the layer off as it is.
    if (want.visit?.days_since_visit !== null && want.visit?.days_since_visit !== undefined) {
      await page.locator('[data-testid=panel-last-visit]').waitFor({ timeout: WAIT_MS });
      assert.match(await page.locator('[data-testid=panel-last-visit]').textContent(), new RegExp(`${want.visit.days_since_visit} 天前`));
    }
    await page.locator('[data-testid=panel-prevention]').scrollIntoViewIfNeeded();
    await screenshot(page, 'prevention-panel');
    assert.deepEqual(await axeViolations(page), [], 'the block on the light theme');

    // The community grid shows its police grid's work, from the summaries already read.
    await page.locator('button[data-layer=community]').click();
    await clickSeat(page, community);
    await blockReady(page);
    assert.deepEqual(await shown(page), wantText(want));
    assert.match(await page.locator('[data-testid=panel-prevention]').textContent(), new RegExp(`按所属警格“${hit.police_grid.name}”统计`));
    await page.locator('#panel button.close').click();
    await page.locator('button[data-layer=police]').click();
    await clickSeat(page, police);
    await blockReady(page);
    assert.equal(summaries.length, 2, `one request per summary for the month, however often the panel opens: ${summaries.join(', ')}`);
    for (const u of summaries) assert.match(u, new RegExp(`month=${month}&group_by=grid&station=${station}`));

    // The dark wall and English.
    await page.locator('#theme').click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    assert.deepEqual(await axeViolations(page), [], 'the block on the dark theme');
    await page.locator('[data-testid=panel-prevention]').scrollIntoViewIfNeeded();
    await screenshot(page, 'prevention-panel-dark');
    await page.locator('#lang').click();
    await page.waitForFunction(() => /Prevention this month/.test(document.querySelector('[data-testid=panel-prevention] h3')?.textContent || ''), null, { timeout: WAIT_MS });
    await blockReady(page);
    assert.match(await page.locator('[data-testid=panel-prevention]').textContent(), /Kept-low rate \(不上交率\).*Overdue now/);
    assert.equal(await page.locator('[data-testid=panel-prevention] [data-figure=reported]').getAttribute('title'), want.definition);
    assert.equal(summaries.length, 2, 'a language switch redraws from the kept summaries');

    // Another dispute: the month's figures are kept until the page is loaded again.
    await api('/api/v1/disputes', { method: 'POST', body: { ...dispute, summary: '宅基地边界纠纷', kind: 'land' } });
    const after = await expected(station, month, police);
    assert.equal(after.disputes.reported, want.disputes.reported + 1);
    assert.equal(after.disputes.kept_low, want.disputes.kept_low + 1);
    await page.locator('#lang').click();
    await page.waitForFunction(() => /本月预防工作/.test(document.querySelector('[data-testid=panel-prevention] h3')?.textContent || ''), null, { timeout: WAIT_MS });
    await page.reload();
    await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
    await page.locator(`#panel[data-grid="${police}"]`).waitFor({ timeout: WAIT_MS });
    await blockReady(page);
    assert.deepEqual(await shown(page), wantText(after));
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a failing summary shows its message in the block and the rest of the panel works', async () => {
    const hit = await api(`/api/v1/lookup?lon=${SEAT[0]}&lat=${SEAT[1]}`);
    const police = hit.police_grid.id;
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await context.addCookies(viewerCookies);
    const page = await context.newPage();
    const problems = watchPage(page, server.base);
    await page.route('**/api/v1/disputes/summary**', (route) => route.fulfill({
      status: 503, contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the dispute store is not reachable' }),
    }));
    await page.goto(`${server.base}/`);
    await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
    await page.evaluate((id) => window.jingge.selectGrid(id), police);
    await blockReady(page);
    const failed = page.locator('[data-testid=prevention-disputes-failed]');
    assert.equal(await failed.textContent(), '矛盾纠纷统计暂时无法读取');
    assert.equal(await failed.getAttribute('title'), 'the dispute store is not reachable');
    // The task figures, the members and the incidents are drawn all the same.
    await page.locator('[data-testid=prevention-tasks] [data-figure=due]').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid=panel-members] li').count(), hit.police_grid.members.length);
    await page.locator('[data-testid=panel-incidents] svg.trend').waitFor({ timeout: WAIT_MS });
    assert.deepEqual(await axeViolations(page), [], 'the block with its message');
    await page.locator('[data-testid=panel-prevention]').scrollIntoViewIfNeeded();
    await screenshot(page, 'prevention-failed');
    // A failure is not kept: once the route answers, the panel opened again shows the figures.
    await page.unroute('**/api/v1/disputes/summary**');
    await page.locator('#panel button.close').click();
    await page.locator('#panel').waitFor({ state: 'hidden' });
    await page.evaluate((id) => window.jingge.selectGrid(id), police);
    await page.locator('[data-testid=prevention-disputes] [data-figure=reported]').waitFor({ timeout: WAIT_MS });
    assert.equal(await failed.count(), 0);
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
