// Unit tests of the pages' pure parts: no browser, no server.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { strings, LANGS, normalizeLang } from '../src/shared/i18n.js';
import { parseHash, formatHash } from '../src/command/state.js';
import { parseCoordinate, parseOfficerHash, formatOfficerHash } from '../src/officer/coords.js';
import { telHref } from '../src/shared/phone.js';
import { trendModel, lastMonths } from '../src/shared/trend.js';
import { prepareStyle, scaleSize, labelField, labelScaleFor } from '../src/shared/style.js';
import { windowStart, tileURL } from '../src/command/window.js';
import { gcjToWGS, gcjShift, smoothRing, simplify } from '../tools/districts.mjs';
import { parsePlannerHash, formatPlannerHash } from '../src/planner/state.js';
import {
  stationPalette, stationColorExpr, movedGrids, judge, figureSpec, relativeChange, loadChartModel,
  monthsBefore, lastCompleteMonth, trendChartModel, metricValue, metricSource, rankChange, bandColors, bandColorExpr,
  neighbourPalette, stationNeighbours, colorDistance, loadColors,
} from '../src/planner/model.js';
import { shift } from '../src/planner/assessment.js';

test('every string exists in every language, with the same placeholders', () => {
  const keys = Object.keys(strings['zh-CN']);
  for (const lang of LANGS) {
    assert.deepEqual(Object.keys(strings[lang]).sort(), [...keys].sort(), `${lang} has other keys than zh-CN`);
  }
  const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const key of keys) {
    assert.equal(placeholders(strings.en[key]), placeholders(strings['zh-CN'][key]), `placeholders of ${key}`);
    assert.ok(strings.en[key].trim() && strings['zh-CN'][key].trim(), `${key} is empty`);
  }
});

test('normalizeLang', () => {
  for (const [input, want] of [['en', 'en'], ['en-GB', 'en'], ['zh', 'zh-CN'], ['zh-CN', 'zh-CN'], ['zh-TW', 'zh-CN'], ['fr', null], ['', null], [null, null]]) {
    assert.equal(normalizeLang(input), want, String(input));
  }
});

test('the command-center hash round-trips and ignores junk', () => {
  const state = { zoom: 12.5, lat: 34.15234, lon: 109.31712, grid: '61012200100701', layer: 'community', win: '30d', lang: 'en' };
  assert.equal(formatHash(state), '#map=12.50/34.15234/109.31712&grid=61012200100701&layer=community&win=30d&lang=en');
  assert.deepEqual(parseHash(formatHash(state)), state);
  assert.equal(formatHash({ layer: 'police', win: '7d', lang: 'zh-CN' }), '', 'defaults are left out');
  assert.deepEqual(parseHash('#map=99/1/2&grid=<script>&layer=x&win=1y&lang=fr'), {});
  assert.deepEqual(parseHash('#map=10/95/109'), {}, 'latitude out of range');
  assert.deepEqual(parseHash(''), {});
});

test('typed coordinates', () => {
  assert.deepEqual(parseCoordinate('109.3228', '34.1505'), { lon: 109.3228, lat: 34.1505 });
  assert.deepEqual(parseCoordinate(' 109,3228 ', '34,1505'), { lon: 109.3228, lat: 34.1505 }, 'decimal comma');
  assert.deepEqual(parseCoordinate('109.3°', '-34'), { lon: 109.3, lat: -34 });
  for (const [lon, lat] of [['', '34'], ['abc', '34'], ['181', '34'], ['109', '91'], ['1e2', '3'], ['109.1.2', '34']]) {
    assert.equal(parseCoordinate(lon, lat), null, `${lon}, ${lat}`);
  }
});

test('the officer hash round-trips', () => {
  const h = formatOfficerHash({ lon: 109.3228, lat: 34.1505, crs: 'gcj02', lang: 'en' });
  assert.equal(h, '#109.3228,34.1505,gcj02&lang=en');
  assert.deepEqual(parseOfficerHash(h), { lon: 109.3228, lat: 34.1505, crs: 'gcj02', lang: 'en' });
  assert.deepEqual(parseOfficerHash('#109.3,34.1'), { lon: 109.3, lat: 34.1 });
  assert.deepEqual(parseOfficerHash('#109.3,34.1,mars'), { lon: 109.3, lat: 34.1 });
  assert.deepEqual(parseOfficerHash('#nonsense'), {});
});

test('tel: links only for numbers that can be dialled', () => {
  assert.equal(telHref('029-8263 1234'), 'tel:02982631234');
  assert.equal(telHref('+86 138 0000 0001'), 'tel:+8613800000001');
  assert.equal(telHref('(029) 110'), 'tel:029110');
  assert.equal(telHref('153****3881'), null, 'masked');
  assert.equal(telHref('029-8263****'), null, 'masked');
  assert.equal(telHref(''), null);
  assert.equal(telHref(undefined), null);
  assert.equal(telHref('javascript:alert(1)'), null);
});

test('the trend chart lays out twelve bars scaled to the largest month', () => {
  const months = lastMonths(new Date('2025-02-15T12:00:00+08:00'));
  assert.equal(lastMonths(new Date('2025-02-28T17:00:00Z'))[11], '2025-03', 'China is already in March');
  assert.equal(months.length, 12);
  assert.equal(months[0], '2024-03');
  assert.equal(months[11], '2025-02');
  const counts = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20];
  const m = trendModel(months, counts, { width: 240, height: 100, labelHeight: 16 });
  assert.equal(m.bars.length, 12);
  assert.equal(m.max, 20);
  assert.equal(m.bars[0].h, 0);
  assert.equal(m.bars[11].h, 72, 'the largest bar fills the plot but for room for its label');
  assert.ok(m.bars[10].h > 35 && m.bars[10].h < 37);
  for (const [i, b] of m.bars.entries()) {
    assert.ok(b.x >= i * 20 && b.x + b.w <= (i + 1) * 20 + 1e-9, `bar ${i} stays in its slot`);
    assert.equal(b.y + b.h, 84, 'bars stand on the axis');
  }
  assert.equal(m.bars[11].label, '2025-02', 'months are labelled with their year');
  assert.equal(m.bars[0].label, '2024-03');
  assert.ok(m.bars.every((b) => !b.partial), 'no partial month unless asked');
  const running = trendModel(months, counts, { partial: true });
  assert.deepEqual(running.bars.map((b) => b.partial), [...new Array(11).fill(false), true], 'the last month is the partial one');
  assert.deepEqual(trendModel(months, new Array(12).fill(0)).bars.map((b) => b.h), new Array(12).fill(0), 'all zero: flat, no NaN');
});

const serverStyle = {
  version: 8,
  glyphs: 'http://example/fonts/{fontstack}/{range}.pbf',
  sources: { jingge: { type: 'vector', url: 'http://example/tiles.json' } },
  layers: [
    { id: 'background', type: 'background' },
    { id: 'regions-fill', type: 'fill', source: 'jingge', 'source-layer': 'regions' },
    { id: 'regions-label', type: 'symbol', source: 'jingge', 'source-layer': 'regions', layout: { 'text-field': ['get', 'name_zh'], 'text-size': 14 } },
    { id: 'stations-label', type: 'symbol', source: 'jingge', 'source-layer': 'stations', layout: { 'text-field': ['get', 'name'], 'text-size': ['interpolate', ['linear'], ['zoom'], 8, 11, 16, 15] } },
  ],
};

test('prepareStyle: no glyphs, base layers under the data, labels per language', () => {
  const s = prepareStyle(serverStyle, { english: true, labelScale: 2, districtsUrl: 'assets/d.geojson',
    basemap: { tiles: ['https://pgis.example/{z}/{x}/{y}.png'], attribution: 'PGIS', max_zoom: 17, tile_size: 256 } });
  assert.equal(s.glyphs, undefined);
  assert.equal(serverStyle.glyphs !== undefined, true, 'the input is not changed');
  assert.deepEqual(s.layers.map((l) => l.id), ['background', 'basemap', 'districts-fill', 'districts-line', 'districts-label', 'regions-fill', 'regions-label', 'stations-label']);
  assert.equal(s.sources.basemap.maxzoom, 17);
  assert.equal(s.sources.districts.data, 'assets/d.geojson');
  assert.deepEqual(s.layers.find((l) => l.id === 'regions-label').layout['text-field'], ['coalesce', ['get', 'name_en'], ['get', 'name_zh']]);
  assert.equal(s.layers.find((l) => l.id === 'regions-label').layout['text-size'], 28);
  assert.deepEqual(s.layers.find((l) => l.id === 'stations-label').layout['text-size'], ['interpolate', ['linear'], ['zoom'], 8, 22, 16, 30]);
  const zh = prepareStyle(serverStyle, {});
  assert.deepEqual(zh.layers.map((l) => l.id), ['background', 'regions-fill', 'regions-label', 'stations-label'], 'no basemap, no districts');
  assert.deepEqual(zh.layers.find((l) => l.id === 'regions-label').layout['text-field'], ['get', 'name_zh']);
});

test('prepareStyle: area labels from the label points, one per area', () => {
  const style = structuredClone(serverStyle);
  style.layers.push({ id: 'police-grids-label', type: 'symbol', source: 'jingge', 'source-layer': 'police_grids', minzoom: 12, layout: { 'text-field': ['get', 'name'] } });
  const labels = { type: 'FeatureCollection', features: [] };
  const s = prepareStyle(style, { labels });
  const l = s.layers.find((x) => x.id === 'police-grids-label');
  assert.equal(l.source, 'labels');
  assert.equal(l['source-layer'], undefined);
  assert.deepEqual(l.filter, ['==', ['get', 'kind'], 'police']);
  assert.equal(l.minzoom, 12);
  assert.equal(s.sources.labels.data, labels);
  assert.equal(s.layers.find((x) => x.id === 'stations-label').source, 'jingge', 'station labels stay on the tiles');
  assert.equal(prepareStyle(style, {}).layers.find((x) => x.id === 'police-grids-label').source, 'jingge', 'without label points, the tiles');
});

test('incident windows are whole days in China time (or whole hours), so tiles cache', () => {
  const now = new Date('2026-11-28T17:30:00Z'); // 01:30 on the 29th in China
  assert.equal(windowStart('7d', now), '2026-11-23', 'seven days, the 29th last');
  assert.equal(windowStart('30d', now), '2026-10-31');
  assert.equal(windowStart('365d', now), '2025-11-30');
  assert.equal(windowStart('24h', now), '2026-11-27T17:00:00Z');
  assert.equal(tileURL('http://x/', '2026-11-23', null), 'http://x/tiles/incidents/{z}/{x}/{y}.mvt?from=2026-11-23');
  assert.equal(tileURL('http://x/', '2026-11-23', ['fire', 'traffic']), 'http://x/tiles/incidents/{z}/{x}/{y}.mvt?from=2026-11-23&category=fire%2Ctraffic');
});

test('label helpers', () => {
  assert.equal(scaleSize(11, 1.5), 16.5);
  assert.deepEqual(scaleSize(['get', 'size'], 2), ['get', 'size'], 'other expressions are left alone');
  assert.equal(labelField('police-grids-label', true), null, 'grid names have no English');
  assert.equal(labelScaleFor(1280), 1);
  assert.equal(labelScaleFor(3840), 1.8);
});

test('GCJ-02 to WGS-84 agrees with the server (the README example)', () => {
  // jingge lookup 109.3228 34.1505 --crs gcj02 reports the WGS-84 point 109.317645, 34.151894.
  const [lon, lat] = gcjToWGS([109.3228, 34.1505]);
  assert.ok(Math.abs(lon - 109.317645) < 1e-6 && Math.abs(lat - 34.151894) < 1e-6, `${lon}, ${lat}`);
  const [dx, dy] = gcjShift(lon, lat);
  assert.ok(Math.abs(lon + dx - 109.3228) < 1e-9 && Math.abs(lat + dy - 34.1505) < 1e-9, 'the inverse is exact');
});

test('staircase outlines are smoothed and simplified, and stay closed', () => {
  const stairs = [];
  for (let i = 0; i < 20; i++) stairs.push([i, i], [i + 1, i]);
  stairs.push([20, 20], [0, 20], [0, 0]);
  const smooth = smoothRing(stairs);
  assert.deepEqual(smooth[0], smooth[smooth.length - 1]);
  const simple = simplify(smooth, 0.8);
  assert.deepEqual(simple[0], simple[simple.length - 1]);
  assert.ok(simple.length < 10, `${simple.length} points left of ${smooth.length}`);
});

test('the planner hash round-trips and ignores junk', () => {
  const state = { tab: 'assessment', a: '3', b: '12', month: '2026-10', lang: 'en' };
  assert.equal(formatPlannerHash(state), '#tab=assessment&a=3&b=12&month=2026-10&lang=en');
  assert.deepEqual(parsePlannerHash(formatPlannerHash(state)), state);
  assert.equal(formatPlannerHash({ tab: 'plans', a: 'current', lang: 'zh-CN' }), '', 'defaults are left out');
  assert.deepEqual(parsePlannerHash('#tab=x&a=<b>&b=../1&month=2026-13&lang=fr'), {});
});

test('every station gets its own colour', () => {
  const ids = Array.from({ length: 15 }, (_, i) => `s${i}`);
  const colors = stationPalette(ids);
  assert.equal(new Set(Object.values(colors)).size, 15);
  for (const c of Object.values(colors)) assert.match(c, /^#[0-9A-F]{6}$/);
  assert.deepEqual(stationPalette(ids), colors, 'the same stations get the same colours');
});

test('a plan colours the grids it moves by their new station, the rest by the tiles', () => {
  const colors = { a: '#111111', b: '#222222' };
  assert.deepEqual(stationColorExpr(colors), ['match', ['get', 'station'], 'a', '#111111', 'b', '#222222', '#BBBBBB']);
  const expr = stationColorExpr(colors, { g2: 'b', g1: 'a' });
  assert.deepEqual(expr.slice(0, 6), ['match', ['get', 'id'], 'g1', '#111111', 'g2', '#222222']);
  assert.deepEqual(expr[6], stationColorExpr(colors));
  assert.deepEqual(movedGrids({ g1: 'a', g2: 'b', g3: 'a' }, { g1: 'a', g2: 'a', g3: 'a' }), { g2: 'b' });
});

test('figures are judged by the way they should go', () => {
  assert.equal(judge('cv', 0.4, 0.04), 'better');
  assert.equal(judge('cv', 0.04, 0.4), 'worse');
  assert.equal(judge('mean_polsby_popper', 0.3, 0.25), 'worse');
  assert.equal(judge('share_within_15_minutes', 0.7, 0.75), 'better');
  assert.equal(judge('grids_moved', 0, 9), 'same', 'no direction');
  assert.equal(judge('mean_response_minutes', 12.31, 12.34), 'same', 'below the shown precision');
  assert.equal(figureSpec('share_within_7.5_minutes').minutes, 7.5);
  assert.equal(relativeChange(0.4, 0.04).toFixed(2), '-0.90');
  assert.equal(relativeChange(0, 1), null);
});

test('the load chart scales to the largest load and marks each plan\'s mean', () => {
  const s = (station, wa, oa, wb, ob) => ({ station, a: { workload: wa, officers: oa, load_per_officer: wa / oa }, b: { workload: wb, officers: ob, load_per_officer: wb / ob } });
  const m = loadChartModel([s('x', 100, 10, 100, 12), s('y', 100, 5, 100, 8)], { width: 400, label: 100 });
  assert.equal(m.rows[1].wa, m.plot, 'the largest bar fills the plot');
  assert.equal(m.meanA, 200 / 15);
  assert.equal(m.meanB, 10);
  assert.ok(m.xMeanB < m.xMeanA);
});

test('months for the assessment', () => {
  assert.deepEqual(monthsBefore('2026-02', 3), ['2025-12', '2026-01', '2026-02']);
  assert.equal(lastCompleteMonth(new Date('2026-11-30T17:00:00Z')), '2026-11', 'already December in China');
  assert.equal(lastCompleteMonth(new Date('2026-11-28T10:00:00Z')), '2026-10');
  assert.equal(shift('2026-01', -1), '2025-12');
  assert.equal(shift('2026-12', 1), '2027-01');
});

test('the trend chart places scores and leaves out months without one', () => {
  const trends = [{ station: 'x', points: [{ month: '2026-01', score: 100, rank: 1 }, { month: '2026-03', score: 0, rank: 2 }] }, { station: 'y', points: [] }];
  const m = trendChartModel(trends, ['2026-01', '2026-02', '2026-03'], ['x'], { width: 208, height: 118, left: 0, top: 0, bottom: 18 });
  assert.equal(m.lines.length, 1);
  assert.deepEqual(m.lines[0].points.map((p) => [p.x, p.y]), [[0, 0], [200, 100]]);
  assert.equal(m.lines[0].path, 'M0,0 L200,100');
});

test('assessment cells', () => {
  assert.equal(metricValue({ metric: 'clearance', available: false }), null);
  assert.deepEqual(metricSource({ metric: 'familiarity', source: 'measured', value: 0.5, counts: { numerator: 'households_visited', denominator: 'household_visit_target' },
    review: true, entered: { value: 0.9, difference: -40, by: 'li', at: '2026-04-02T08:00:00Z', scored_by: 's02' } }),
  { source: 'measured', counts: { numerator: 'households_visited', denominator: 'household_visit_target' }, review: { measured: '50.0%', entered: '90.0%', diff: '40.0' } });
  assert.deepEqual(metricSource({ metric: 'satisfaction', source: 'entered', entered: { value: 0.9, by: 'li', at: '2026-04-02T08:00:00Z', scored_by: 's02' } }),
    { source: 'entered', review: null, entry: { by: 'li', at: '2026-04-02T08:00:00Z', scorer: 's02' } });
  assert.deepEqual(metricSource({ metric: 'control_tasks', available: false }), { source: 'entered', review: null }, 'an answer from before sources is entered');
  assert.deepEqual(metricValue({ metric: 'satisfaction', available: true, value: 0.9, numerator: 45, denominator: 50 }), { text: '90.0%', detail: '45/50' });
  // The API leaves out a zero numerator (omitempty): none of 1 incident cleared.
  assert.deepEqual(metricValue({ metric: 'clearance', available: true, value: 0, denominator: 1 }), { text: '0.0%', detail: '0/1' });
  assert.equal(metricValue({ metric: 'incident_trend', available: true, value: -0.125 }).text, '-12.5%');
  assert.equal(metricValue({ metric: 'incident_trend', available: true, value: 0.2 }).text, '+20.0%');
  assert.equal(rankChange({ rank_change: 2 }), '↑2');
  assert.equal(rankChange({ rank_change: -1 }), '↓1');
  assert.equal(rankChange({ rank_change: 0 }), '');
});

test('response rings: one colour per ring and one for beyond, grids coloured by their ring', () => {
  const bands = [5, 10, 15, 30];
  const colors = bandColors(bands);
  assert.equal(colors.length, 5);
  assert.equal(new Set(colors).size, 5);
  const expr = bandColorExpr([
    { grid: 'a', band_minutes: 5 }, { grid: 'b', band_minutes: 30 }, { grid: 'c', band_minutes: 0 }, { grid: 'a', band_minutes: 10 },
  ], bands);
  assert.deepEqual(expr, ['match', ['get', 'id'], 'a', colors[0], 'b', colors[3], 'c', colors[4], 'rgba(0,0,0,0)']);
  assert.equal(bandColorExpr([], bands), 'rgba(0,0,0,0)');
});

test('neighbourPalette: bordering stations get colours farther apart than the list order gives', () => {
  // Fifteen stations, each bordering the next in the list and the one
  // eight places on: the list order's golden-angle hues are 20° apart
  // eight places on, so those borders look alike.
  const ids = Array.from({ length: 15 }, (_, i) => `s${i}`);
  const neighbours = Object.fromEntries(ids.map((id) => [id, new Set()]));
  for (let i = 0; i < ids.length; i++) {
    for (const j of [(i + 1) % 15, (i + 8) % 15]) {
      neighbours[ids[i]].add(ids[j]);
      neighbours[ids[j]].add(ids[i]);
    }
  }
  const worst = (colors) => Math.min(...ids.flatMap((a) => [...neighbours[a]].map((b) => colorDistance(colors[a], colors[b]))));
  const plain = stationPalette(ids);
  const spread = neighbourPalette(ids, neighbours);
  assert.deepEqual(Object.values(spread).sort(), Object.values(plain).sort(), 'the same set of colours');
  assert.ok(worst(spread) > worst(plain), `closest neighbours ${worst(spread).toFixed(0)} apart, list order ${worst(plain).toFixed(0)}`);
  assert.deepEqual(neighbourPalette(ids, neighbours), spread, 'deterministic');
});

test('stationNeighbours: a grid and the nearest grid of another station make neighbours', () => {
  const pt = (id, station, lon, lat) => ({ properties: { id, kind: 'police', station }, geometry: { coordinates: [lon, lat] } });
  const n = stationNeighbours([pt('1', 'a', 0, 0), pt('2', 'b', 0.01, 0), pt('3', 'c', 1, 0), pt('4', 'c', 0.5, 0)]);
  assert.ok(n.a.has('b') && n.b.has('a'));
  assert.ok(n.c.has('b') && !n.a.has('c'));
  assert.ok(stationNeighbours([pt('1', 'a', 0, 0)], { 1: 'z' }).z === undefined, 'alone: no neighbours');
});

test('loadColors: one scale for both sides, darker for more load', () => {
  const stations = [
    { station: 'x', a: { load_per_officer: 100 }, b: { load_per_officer: 300 } },
    { station: 'y', a: { load_per_officer: 300 }, b: { load_per_officer: 200 } },
  ];
  const a = loadColors(stations, 'a');
  const b = loadColors(stations, 'b');
  assert.equal(a.min, 100);
  assert.equal(a.max, 300);
  assert.equal(a.colors.x, a.ramp[0]);
  assert.equal(a.colors.y, a.ramp[a.ramp.length - 1]);
  assert.equal(b.colors.x, a.colors.y, 'the same load, the same colour on either map');
});

test('parsePair: either order, decimal or degrees-minutes-seconds, told apart by hemisphere, bounds or range', async () => {
  const { parsePair, parseBoxes } = await import('../src/officer/coords.js');
  const lantian = [109.12, 33.84, 109.83, 34.34];
  const want = { lon: 109.3228, lat: 34.1505 };
  const dms = { lon: 109 + 19 / 60 + 1 / 3600, lat: 34 + 9 / 60 + 7 / 3600 };
  const close = (got, w, what) => {
    assert.ok(got, `${what}: no answer`);
    assert.ok(Math.abs(got.lon - w.lon) < 1e-9 && Math.abs(got.lat - w.lat) < 1e-9, `${what}: ${JSON.stringify(got)}`);
  };
  for (const text of ['109.3228,34.1505', '34.1505,109.3228', '109.3228, 34.1505', '34.1505 109.3228', '109,3228;34,1505', '34.1505N 109.3228E']) {
    close(parsePair(text, lantian), want, text);
  }
  for (const text of ['34°09\'07"N 109°19\'01"E', '109°19\'01"E 34°09\'07"N', 'N34°09′07″ E109°19′01″', '北纬34度09分07秒 东经109度19分01秒', '34 09 07 N, 109 19 01 E']) {
    close(parsePair(text, lantian), dms, text);
  }
  close(parsePair('34.1505,109.3228'), want, 'swapped, without bounds: only one value can be a longitude');
  for (const bad of ['hello', '34.15', '34°61\'N 109°E', '200,100', 'N34 N109']) assert.equal(parsePair(bad, lantian), null, bad);
  close(parseBoxes('34.1505', '109.3228', lantian), want, 'swapped boxes');
  close(parseBoxes('', '109.3228,34.1505', lantian), want, 'a pair in the latitude box');
  close(parseBoxes('34°09\'07"N', '109°19\'01"E', lantian), dms, 'DMS in each box');
  assert.equal(parseBoxes('abc', '34', lantian), null);
});

test('presence: bands by days since the last visit, and the per-station sums', async () => {
  const { bandsFor, colorFor } = await import('../src/command/presence.js');
  const { stationPresenceRows } = await import('../src/planner/presence.js');
  const bands = bandsFor(7);
  assert.deepEqual(bands.map((b) => [b.from, b.to]), [[0, 4], [4, 7], [7, 14], [14, null]]);
  assert.equal(colorFor(bands, 0), bands[0].color);
  assert.equal(colorFor(bands, 7), bands[2].color);
  assert.equal(colorFor(bands, 400), bands[3].color);
  assert.equal(colorFor(bands, null), '#BDBDBD');
  assert.deepEqual(bandsFor(0), bands, 'the check off shades as for a week');
  const rows = stationPresenceRows(['a', 'b'], {
    officers: [{ station: 'a', present_seconds: 7200, own_grid_seconds: 5400 }, { station: 'b', present_seconds: 3600, own_grid_seconds: 0 }],
  }, {
    grids: [{ station: 'a', visits_per_week: 3, target_per_week: 3 }, { station: 'a', visits_per_week: 1, target_per_week: 2 }],
  }, {
    unvisited_after_days: 7,
    grids: [
      { station: 'a', has_officers: true, days_since_visit: 7 },
      { station: 'a', has_officers: true, days_since_visit: 6 },
      { station: 'b', has_officers: true, days_since_visit: null },
      { station: 'b', has_officers: false, days_since_visit: null },
    ],
  });
  assert.deepEqual(rows, [
    { station: 'a', ownHours: 1.5, otherHours: 0.5, visited: 1, grids: 2, unvisited: 1 },
    { station: 'b', ownHours: 0, otherHours: 1, visited: 0, grids: 0, unvisited: 1 },
  ]);
});

test('the wall filters every event kind the API sends, each named in both languages', async () => {
  const { KINDS, priorityOf } = await import('../src/command/eventfilter.js');
  const fs = await import('node:fs');
  const doc = JSON.parse(fs.readFileSync(new URL('../../api/openapi.json', import.meta.url), 'utf8'));
  const sent = doc.components.schemas.Event.properties.kind.enum;
  assert.deepEqual([...KINDS].sort(), [...sent].sort());
  for (const k of KINDS) {
    assert.match(priorityOf(k), /^(high|normal|low)$/);
    for (const l of LANGS) assert.ok(strings[l][`kind.${k}`], `kind.${k} in ${l}`);
  }
});
