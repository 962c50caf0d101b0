// The planner page (/plan) in a real browser, against its own `jingge
// serve` (applying a plan changes the server's grids, so no other test
// shares it). Screenshots land in artifacts/web/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer, launchBrowser, watchPage, screenshot, axeViolations, WAIT_MS } from './harness.mjs';
import { stationPalette, colorDistance } from '../src/planner/model.js';

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

async function api(path, init = {}) {
  const res = await fetch(server.base + path, { ...init, headers: { ...server.headers, ...init.headers } });
  return res;
}

async function openPlanner(hash = '', { locale = 'zh-CN' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale });
  await context.addCookies(server.cookies);
  const page = await context.newPage();
  const problems = watchPage(page, server.base);
  await page.goto(`${server.base}/plan${hash}`);
  // A bound for a loaded machine (software WebGL), not a speed check.
  await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
  return { context, page, problems };
}

/** idle waits until both maps have drawn everything they are loading. */
async function idle(page) {
  await page.evaluate(() => Promise.all(window.jingge.maps.map((map) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a map did not become idle within 30 s')), 30_000);
    const done = () => { clearTimeout(timer); resolve(); };
    requestAnimationFrame(() => (map.loaded() && !map.isMoving() ? done() : map.once('idle', done)));
  }))));
}

/** outlined returns the ids of the grids drawn with the changed outline on each map. */
async function outlined(page) {
  return page.evaluate(() => window.jingge.maps.map((map) => [...new Set(
    map.queryRenderedFeatures({ layers: ['changed-line'] }).map((f) => f.properties.id))].sort()));
}

describe('planner page', { timeout: 900_000 }, () => {
  test('today\'s loads, a proposal that meets the goal, both maps with the moved grids, exports, applying', async () => {
    const { context, page, problems } = await openPlanner();
    const current = await (await api('/api/v1/plan/current')).json();
    const dataset = await (await api('/api/v1/dataset')).json();

    // Today: every officer's load, and the per-station chart.
    await page.locator('[data-testid=officer-loads]').waitFor({ state: 'attached' });
    const officerRows = await page.locator('[data-testid=officer-loads] tbody tr').count();
    assert.equal(officerRows, current.officers.length);
    assert.ok(officerRows > 100, `${officerRows} officers listed`);
    const summary = await page.locator('[data-testid=officer-summary]').textContent();
    assert.ok(summary.includes(current.measures.balance.cv.toFixed(3)), summary);
    assert.equal(await page.locator('[data-testid=stations] tbody tr').count(), 15);
    assert.equal(await page.locator('[data-testid=load-chart] g.row').count(), 15);
    assert.match(await page.locator('[data-testid=plan-list]').count().then(String), /0/, 'no plans yet');

    // Ask for a proposal with the defaults.
    await page.locator('[data-testid=propose]').click();
    await page.locator('[data-testid=plan-list] li').first().waitFor();
    await page.waitForFunction(() => window.jingge.state.b && window.jingge.comparison?.b.id === window.jingge.state.b);
    const cmp = await page.evaluate(() => window.jingge.comparison);
    assert.equal(cmp.a.id, 'current');
    const fig = Object.fromEntries(cmp.figures.map((f) => [f.figure, f]));
    assert.ok(fig.cv.b <= 0.6 * fig.cv.a, `CV ${fig.cv.a} → ${fig.cv.b}: cut by at least 40%`);
    assert.ok(cmp.grids.length > 0 && cmp.grids.length <= Math.floor(dataset.counts.police_grids / 10), `${cmp.grids.length} grids moved`);
    assert.equal(fig.contiguous.b, 1, 'every station in one piece');
    const cvRow = page.locator('[data-testid=figures] tr[data-figure=cv]');
    assert.equal(await cvRow.getAttribute('data-verdict'), 'better');
    assert.equal(await page.locator('[data-testid=grid-moves] li').count(), cmp.grids.length);

    // Both maps outline exactly the grids that move.
    await idle(page);
    const want = cmp.grids.map((g) => g.grid).sort();
    const [left, right] = await outlined(page);
    assert.deepEqual(left, want, 'the left map outlines the moved grids');
    assert.deepEqual(right, want, 'the right map outlines the moved grids');
    await screenshot(page, 'planner-compare');

    // A moved grid on the right map names its new station.
    const moved = cmp.grids[0];
    // Click the grid's label point: /api/v1/labels puts it inside the grid.
    const labels = await (await api('/api/v1/labels')).json();
    const at = labels.features.find((f) => f.properties.kind === 'police' && f.properties.id === moved.grid).geometry.coordinates;
    const point = await page.evaluate((lngLat) => window.jingge.maps[1].project(lngLat), at);
    const box = await page.locator('#map-b').boundingBox();
    await page.mouse.click(box.x + point.x, box.y + point.y);
    const popupText = await page.locator('[data-testid=grid-popup]').textContent();
    assert.ok(popupText.includes(moved.name), popupText);
    const stations = await (await api('/api/v1/stations')).json();
    const newStation = stations.features.find((f) => f.properties.id === moved.b).properties.name;
    assert.ok(popupText.includes(newStation), `${popupText} names ${newStation}`);
    assert.equal(await page.locator('[data-testid=grid-popup] b.changed').count(), 1);

    // Exports: the links the list offers answer with the files.
    const item = page.locator('[data-testid=plan-list] li').first();
    assert.ok((await item.textContent()).includes('demo-admin'), 'the plan names who proposed it');
    const hrefs = await item.locator('.plan-actions a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(hrefs.length, 3);
    const moves = await api(`/${hrefs[0]}`);
    assert.equal(moves.status, 200);
    assert.match(moves.headers.get('content-type'), /text\/csv/);
    const csv = await moves.text();
    assert.ok(csv.includes(moved.name), 'the moves CSV names the moved grid');
    const report = await api(`/${hrefs[2]}`);
    assert.equal(report.status, 200);
    assert.match(report.headers.get('content-type'), /text\/html/);

    // Apply, after confirming; a plan that leaves grids below their roster
    // rules asks again, naming them, and is applied over the rules.
    const dialogs = [];
    const accept = (d) => { dialogs.push(d.message()); d.accept(); };
    page.on('dialog', accept);
    await item.locator('[data-testid=apply]').click();
    await page.waitForFunction(() => window.jingge.current && Object.keys(window.jingge.current.deployment.grids).length
      && window.jingge.comparison?.grids.length === 0, null, { timeout: WAIT_MS });
    const after = await (await api('/api/v1/plan/current')).json();
    for (const g of cmp.grids) assert.equal(after.deployment.grids[g.grid], g.b, `${g.name} now belongs to ${g.b}`);
    assert.ok(after.measures.balance.cv <= 0.6 * fig.cv.a, `CV after applying: ${after.measures.balance.cv}`);
    assert.equal(await item.locator('.status').textContent(), '已实施');
    page.off('dialog', accept);
    assert.match(dialogs[0], /^实施方案/);
    // The demo's proposal moves grids away from their community officers,
    // which the default roster rules forbid: the page asks again.
    assert.equal(dialogs.length, 2, `questions asked: ${dialogs.join(' | ')}`);
    assert.match(dialogs[1], /低于力量配置规则/, 'the second question names the roster rules');
    const audit = await (await api('/api/v1/audit?action=applyPlanRosterOverride&limit=1')).json();
    assert.equal(audit.entries.length, 1, 'the override is in the audit log');
    await idle(page);
    const [leftAfter, rightAfter] = await outlined(page);
    assert.deepEqual([leftAfter, rightAfter], [[], []], 'nothing differs between today and the applied plan');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the monthly assessment ranks the 15 stations on six metrics, with charts, entry and import', async () => {
    const { context, page, problems } = await openPlanner('#tab=assessment&month=2026-10');
    const rows = page.locator('[data-testid=assessment] tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 15);
    const table = await rows.evaluateAll((trs) => trs.map((tr) => ({
      station: tr.dataset.station,
      rank: Number.parseInt(tr.querySelector('.rank').textContent, 10),
      score: Number.parseFloat(tr.querySelector('.score').textContent),
      unmeasured: tr.querySelectorAll('td.na[data-metric]').length,
    })));
    for (let i = 1; i < table.length; i++) assert.ok(table[i].score <= table[i - 1].score, 'best first');
    assert.equal(table[0].rank, 1);
    assert.ok(table.filter((r) => r.unmeasured === 0).length >= 10, 'the demo reports all six metrics for most stations');
    assert.equal(await page.locator('[data-testid=score-chart] rect').count(), 15);
    assert.equal(await page.locator('[data-testid=trend-chart] path').count(), 1, 'the best station\'s trend is drawn');
    await screenshot(page, 'planner-assessment', { fullPage: true });

    // The last station reports perfect satisfaction: its score rises.
    const last = table[table.length - 1];
    await page.locator('[data-testid=entry-station]').selectOption(last.station);
    await page.locator('input[name="satisfaction.numerator"]').fill('200');
    await page.locator('input[name="satisfaction.denominator"]').fill('200');
    await page.locator('[data-testid=entry-form] button[type=submit]').click();
    await page.waitForFunction((s) => {
      const tr = document.querySelector(`[data-testid=assessment] tr[data-station="${s.station}"]`);
      return tr && Number.parseFloat(tr.querySelector('.score').textContent) > s.score;
    }, last, { timeout: WAIT_MS });

    // A CSV with a bad row is refused, naming the line; a good one is imported.
    await page.locator('[data-testid=import-file]').setInputFiles({
      name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('派出所,月份,满意度分子,满意度分母\nno-such-station,2026-10,5,4\n'),
    });
    // Nothing saved: the error names the line and stays until dismissed.
    await page.locator('#alert').filter({ hasText: '第 2 行：分子不能大于分母' }).waitFor({ timeout: WAIT_MS });
    await page.locator('#alert .alert-close').click();
    await page.locator('#alert').waitFor({ state: 'hidden' });
    await page.locator('[data-testid=import-file]').setInputFiles({
      name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(`station,month,familiarity_numerator,familiarity_denominator\n${last.station},2026-10,10,10\n`),
    });
    // The import's own toast: the entry's "saved" toast before it names a
    // month with a 1 in it too.
    await page.locator('#toast').filter({ hasText: '已导入 1 条' }).waitFor({ timeout: WAIT_MS });
    const entries = await (await api('/api/v1/assessment/entries?from=2026-10&to=2026-10')).json();
    const mine = entries.entries.find((e) => e.station === last.station);
    assert.deepEqual(mine.familiarity, { numerator: 10, denominator: 10 });
    assert.deepEqual(problems().filter((p) => !/\b(400|422)\b/.test(p)), []);
    await context.close();
  });

  test('response rings from the stations cover the county on the left map', async () => {
    const { context, page, problems } = await openPlanner();
    await page.locator('#coverage [data-origins=stations]').click();
    const rows = page.locator('[data-testid=coverage] tbody tr[data-minutes]');
    await rows.first().waitFor();
    const cov = await (await api('/api/v1/plan/coverage?origins=stations')).json();
    assert.equal(await rows.count(), cov.rings.length);
    const shares = await rows.evaluateAll((trs) => trs.map((tr) => Number.parseFloat(tr.querySelectorAll('td')[0].textContent)));
    for (let i = 1; i < shares.length; i++) assert.ok(shares[i] >= shares[i - 1], 'rings are cumulative');
    assert.equal(shares[shares.length - 1].toFixed(1), (cov.rings[cov.rings.length - 1].population_share * 100).toFixed(1));
    await idle(page);
    const drawn = await page.evaluate(() => window.jingge.maps[0].queryRenderedFeatures({ layers: ['coverage-community'] }).length);
    assert.ok(drawn > 100, `${drawn} community grid pieces coloured by ring`);
    await screenshot(page, 'planner-coverage');
    await page.locator('#coverage [data-origins=off]').click();
    await page.waitForFunction(() => !window.jingge.maps[0].getLayer('coverage-community'));
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a station\'s three circles: its key places and areas, its exits and checkpoints, its response rings', async () => {
    const { context, page, problems } = await openPlanner();
    await page.locator('[data-testid=circle-identification] tbody tr').first().waitFor();
    await page.locator('[data-testid=circles-station]').selectOption('lijiahe');
    const zone = page.locator('[data-testid=circle-identification] tbody tr[data-id=water-lijiahe]');
    await zone.waitFor();
    const ident = await (await api('/api/v1/plan/identification?station=lijiahe')).json();
    assert.equal(await page.locator('[data-testid=circle-identification] tbody tr').count(), ident.places.length + ident.areas.length);
    assert.match(await zone.textContent(), /李家河饮用水源保护区.*已掌握/);
    const cov = await (await api('/api/v1/checkpoints/coverage?minutes=10')).json();
    const mine = cov.by_station.find((s) => s.station === 'lijiahe');
    assert.ok(mine.exits > 0, 'lijiahe reaches the county line');
    await page.locator('[data-testid=circle-exit-share]').filter({ hasText: `${mine.exits} 个` }).waitFor();
    assert.match(await page.locator('[data-testid=circle-checkpoints]').textContent(), /蓝桥G40东南口查控点/);
    await page.locator('[data-testid=circles-minutes]').fill('60');
    await page.locator('[data-testid=circles-minutes]').dispatchEvent('change');
    const wide = (await (await api('/api/v1/checkpoints/coverage?minutes=60')).json()).by_station.find((s) => s.station === 'lijiahe');
    await page.locator('[data-testid=circle-exit-share]').filter({ hasText: `${wide.covered} 个` }).filter({ hasText: '60 分钟' }).waitFor();
    const rings = await (await api('/api/v1/plan/coverage?origins=stations')).json();
    assert.equal(await page.locator('[data-testid=circle-response] tbody tr').count(), rings.bands_minutes.length + 1);
    await screenshot(page, 'planner-circles');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('in English, and a link the page keeps', async () => {
    const { context, page, problems } = await openPlanner('#lang=en');
    assert.equal(await page.locator('h1').textContent(), 'Lantian County PSB · Planning and assessment');
    await page.locator('[data-testid=figures] tr[data-figure=cv] th').waitFor();
    assert.equal(await page.locator('[data-testid=figures] tr[data-figure=cv] th').textContent(), 'Load per officer: coefficient of variation');
    await page.locator('#tab-assessment').click();
    await page.waitForFunction(() => location.hash.includes('tab=assessment') && location.hash.includes('lang=en'));
    await page.locator('[data-testid=assessment] thead').waitFor();
    assert.ok((await page.locator('[data-testid=assessment] thead').textContent()).includes('Clearance rate'));
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('every month of the demo year is ranked with its cards filled; a month to come says it has no data', async () => {
    const { context, page, problems } = await openPlanner('#tab=assessment&month=2026-01');
    const heading = page.locator('#assessment-table h2');
    for (let m = 1; m <= 13; m++) {
      const month = m <= 12 ? `2026-${String(m).padStart(2, '0')}` : '2027-01';
      if (m > 1) await page.locator('.month-picker button').last().click();
      await heading.filter({ hasText: month }).waitFor();
      if (month === '2027-01') {
        await page.locator('[data-testid=no-data]').waitFor();
        assert.match(await page.locator('[data-testid=no-data]').textContent(), /没有数据/);
        assert.equal(await page.locator('[data-testid=assessment]').count(), 0, 'no invented ranking');
        assert.equal(await page.locator('[data-testid=score-chart]').count(), 0);
        break;
      }
      const rows = page.locator('[data-testid=assessment] tbody tr');
      await rows.first().waitFor();
      assert.equal(await rows.count(), 15, `${month}: 15 stations`);
      const cells = await page.locator('[data-testid=assessment] tbody').evaluate((tb) => [...tb.querySelectorAll('td')].map((td) => td.textContent));
      assert.ok(cells.every((c) => c.trim() && !/undefined|NaN/.test(c)), `${month}: every card filled: ${cells.filter((c) => !c.trim() || /undefined|NaN/.test(c)).slice(0, 3)}`);
      assert.equal(await page.locator('[data-testid=score-chart] rect').count(), 15, `${month}: the score chart`);
      // Every figure says where it came from, as the API does: measured
      // or entered, with a tooltip; and whether the cross-assessment is done.
      const answer = (await (await api(`/api/v1/assessment/${month}`)).json()).months[0];
      const want = Object.fromEntries(answer.stations.map((st) => [st.station, Object.fromEntries(st.metrics.map((x) => [x.metric, x.source]))]));
      const shown = await page.locator('[data-testid=assessment] tbody').evaluate((tb) => Object.fromEntries([...tb.querySelectorAll('tr')].map((tr) => [tr.dataset.station,
        Object.fromEntries([...tr.querySelectorAll('td[data-metric]')].map((td) => [td.dataset.metric, td.dataset.source]))])));
      assert.deepEqual(shown, want, `${month}: the page shows each metric's source as the API gives it`);
      for (const st of Object.values(want)) {
        assert.equal(st.incident_trend, 'measured', `${month}: the incident trend is measured`);
        assert.equal(st.clearance, 'measured', `${month}: clearance is measured`);
        assert.ok(['measured', 'entered'].includes(st.satisfaction));
      }
      const marks = await page.locator('[data-testid=assessment] tbody td[data-metric]').evaluateAll((tds) => tds.map((td) => {
        const mark = td.querySelector('[data-testid=source]');
        return mark ? [td.dataset.source, mark.textContent, mark.getAttribute('title')] : null;
      }));
      assert.equal(marks.length, 15 * 6);
      for (const m of marks) {
        assert.ok(m, `${month}: every cell has a source mark`);
        assert.equal(m[1], m[0] === 'measured' ? '测' : '填', `${month}: the mark says ${m[0]}`);
        assert.ok(m[2] && /[\u4e00-\u9fff]/.test(m[2]) && !/undefined/.test(m[2]), `${month}: a Chinese tooltip: ${m[2]}`);
      }
      await page.locator(answer.final ? '[data-testid=cross-final]' : '[data-testid=cross-missing]').waitFor();
      if (month === '2026-11') await screenshot(page, 'planner-ranking', { fullPage: true });
    }
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a bad entry is refused with a Chinese message by the field, said once and kept until the next save', async () => {
    const { context, page, problems } = await openPlanner('#tab=assessment&month=2026-10');
    await page.locator('[data-testid=entry-form]').waitFor();
    await page.locator('input[name="familiarity.numerator"]').fill('50');
    await page.locator('input[name="familiarity.denominator"]').fill('10');
    await page.locator('[data-testid=entry-form] button[type=submit]').click();
    const fieldError = page.locator('[data-testid=error-familiarity]');
    await fieldError.waitFor();
    assert.equal(await fieldError.textContent(), '分子不能大于分母');
    assert.equal(await page.locator('input[name="familiarity.numerator"]').getAttribute('aria-invalid'), 'true');
    const status = await page.locator('#assessment-entry .form-status').textContent();
    assert.match(status, /1 处填写有误/);
    const all = await page.locator('#assessment-entry').textContent();
    assert.doesNotMatch(all, /numerator|denominator/, 'no English from the server on the Chinese page');
    assert.equal((all.match(/分子不能大于分母/g) || []).length, 1, 'said once');
    assert.deepEqual(problems().filter((p) => !/\b400\b/.test(p)), []);
    await context.close();
  });

  test('the proposal form refuses absurd limits by the field, and a proposal that moves nothing says so', async () => {
    const { context, page, problems } = await openPlanner();
    let posts = 0;
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/api/v1/plan/plans')) posts++; });
    await page.locator('[data-testid=propose]').waitFor();
    for (const [field, value] of [['max_grid_moves', '-5'], ['max_grid_moves', '100000'], ['max_officer_moves', '2.5']]) {
      await page.locator('input[name=max_grid_moves]').fill('0');
      await page.locator('input[name=max_officer_moves]').fill('0');
      await page.locator(`input[name=${field}]`).fill(value);
      await page.locator('[data-testid=propose]').click();
      const err = page.locator(`[data-testid=${field}-error]`);
      await err.filter({ hasText: /整数/ }).waitFor();
      assert.equal(await page.locator(`input[name=${field}]`).getAttribute('aria-invalid'), 'true', `${field}=${value}`);
    }
    assert.equal(posts, 0, 'nothing was sent');
    await page.locator('input[name=max_grid_moves]').fill('-1');
    await page.locator('input[name=max_officer_moves]').fill('-1');
    await page.locator('[data-testid=propose]').click();
    await page.locator('#alert').filter({ hasText: '没有调整任何警格或警力' }).waitFor();
    assert.equal(posts, 1);
    // It stays until dismissed.
    await page.locator('#alert .alert-close').click();
    await page.locator('#alert').waitFor({ state: 'hidden' });
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('bordering stations look apart, the maps colour by load per officer, and the page prints', async () => {
    const { context, page, problems } = await openPlanner();
    const { colors, neighbours } = await page.evaluate(() => ({
      colors: window.jingge.colors,
      neighbours: Object.fromEntries(Object.entries(window.jingge.neighbours).map(([k, v]) => [k, [...v]])),
    }));
    const pairs = Object.entries(neighbours).flatMap(([a, ns]) => ns.map((b) => [a, b]));
    assert.ok(pairs.length >= 15, `${pairs.length} borders found`);
    const worst = (c) => Math.min(...pairs.map(([a, b]) => colorDistance(c[a], c[b])));
    const plain = stationPalette(Object.keys(colors).sort((a, b) => Object.keys(colors).indexOf(a) - Object.keys(colors).indexOf(b)));
    const stationsDoc = await (await api('/api/v1/stations')).json();
    const listed = stationPalette(stationsDoc.features.filter((f) => f.properties.kind !== 'area').map((f) => f.properties.id));
    assert.ok(worst(colors) > worst(listed), `closest bordering colours ${worst(colors).toFixed(0)} apart; list order ${worst(listed).toFixed(0)}`);
    assert.ok(worst(colors) >= 100, `closest bordering colours ${worst(colors).toFixed(0)} apart`);
    void plain;

    await page.locator('[data-testid=color-by] [data-color=load]').click();
    await page.locator('[data-testid=load-key]').waitFor();
    await idle(page);
    const fills = await page.evaluate(() => window.jingge.maps.map((m) => JSON.stringify(m.getPaintProperty('grids-fill', 'fill-color'))));
    for (const f of fills) assert.match(f, /#FDD0A2|#FD8D3C|#D94801|#7F2704|#FFF5EB/, 'grids coloured on the load scale');
    assert.match(await page.evaluate(() => location.hash), /color=load/);

    await page.evaluate(() => { window.print = () => { window.jingge.printed = true; }; });
    await page.locator('#print').click();
    assert.equal(await page.evaluate(() => window.jingge.printed), true);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('#propose').isVisible(), false, 'the form is not printed');
    assert.equal(await page.locator('#map-a canvas').isVisible(), true, 'the maps are');
    await page.emulateMedia({ media: 'screen' });
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('after switching to English no interface text is Chinese, the response-ring card included', async () => {
    const { context, page, problems } = await openPlanner();
    await page.locator('#coverage [data-origins=stations]').click();
    await page.locator('[data-testid=coverage] tbody tr').first().waitFor();
    await page.locator('#lang').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.locator('#coverage h2').filter({ hasText: 'Response rings' }).waitFor();
    await page.locator('[data-testid=coverage] tbody tr').first().waitFor();
    await page.locator('#plan-list h2').filter({ hasText: 'Saved plans' }).waitFor();
    await page.locator('#circles h3').filter({ hasText: 'Identification circle' }).waitFor();
    // Data keeps its own names: stations, grids, officers, plan notes.
    const labels = await (await api('/api/v1/labels')).json();
    const current = await (await api('/api/v1/plan/current')).json();
    const stations = await (await api('/api/v1/stations')).json();
    const overlays = await Promise.all(['places', 'areas', 'checkpoints'].map(async (kind) => (await api(`/api/v1/${kind}`)).json()));
    const data = [
      ...labels.features.map((f) => f.properties.name),
      ...stations.features.map((f) => f.properties.name),
      ...overlays.flatMap((fc) => fc.features.flatMap((f) => [f.properties.name, f.properties.road])),
      ...(current.officers || []).map((o) => o.name),
    ].filter(Boolean).sort((a, b) => b.length - a.length);
    const chinese = await page.evaluate((names) => {
      const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        // The switch back names its language in it; the map credits its sources by name.
        if (!el || !el.checkVisibility?.() || el.closest('noscript, .plan-note, #lang, .maplibregl-ctrl-attrib')) continue;
        let text = n.textContent;
        for (const name of names) text = text.split(name).join('');
        if (/[\u3400-\u9fff]/.test(text)) out.push(n.textContent.trim());
      }
      return out;
    }, data);
    assert.deepEqual(chinese, [], 'Chinese interface text left in English');
    const card = await page.locator('#coverage').textContent();
    assert.match(card, /Stations \+ checkpoints \+ patrols/);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('axe finds nothing on /plan, its results and its assessment', async () => {
    const { context, page, problems } = await openPlanner();
    await page.locator('[data-testid=figures]').waitFor();
    await page.locator('[data-testid=circle-response] tbody tr').first().waitFor();
    await idle(page);
    assert.deepEqual(await axeViolations(page), [], 'plans tab');
    await page.locator('#coverage [data-origins=stations]').click();
    await page.locator('[data-testid=coverage] tbody tr').first().waitFor();
    const before = await page.locator('[data-testid=plan-list] li').count();
    await page.locator('[data-testid=propose]').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=plan-list] li').length > n
      && window.jingge.comparison?.b.id === window.jingge.state.b, before);
    assert.deepEqual(await axeViolations(page), [], 'with a proposal compared');
    await page.locator('#tab-assessment').click();
    await page.locator('[data-testid=assessment] tbody tr').first().waitFor();
    await page.locator('[data-testid=entry-form]').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'assessment tab');
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
