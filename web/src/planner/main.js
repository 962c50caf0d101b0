// The planner page (/plan): today's load per officer, proposals for moving
// officers and police grids, two plans compared side by side on two maps
// with the grids that change outlined, exports, applying a plan, and the
// monthly station assessment.
import { getJSON, getOptionalJSON, postJSON, query, ApiError } from '../shared/api.js';
import { $, h, clear, toaster, replaceHash } from '../shared/dom.js';
import { t, initLang, setLang, onLangChange, applyStatic, isEnglish, lang, localName } from '../shared/i18n.js';
import { webglAvailable } from '../shared/map.js';
import { neighbourPalette, stationNeighbours, movedGrids, lastCompleteMonth, loadColors } from './model.js';
import { alerter, problemMessage } from '../shared/problems.js';
import { formatZoned, setZone } from '../shared/time.js';
import { plannerStyle, createPair, popup } from './maps.js';
import { renderFigures, renderStations, renderMoves, renderOfficers, fmt } from './views.js';
import { renderPropose, renderPlanList } from './plans.js';
import { createAssessment } from './assessment.js';
import { createStationPresence } from './presence.js';
import { createCoverage } from './coverage.js';
import { createCircles } from './circles.js';
import { parsePlannerHash, formatPlannerHash } from './state.js';

const state = { tab: 'plans', a: 'current', ...parsePlannerHash(location.hash) };
initLang(state.lang);
state.lang = lang();
applyStatic();
document.title = t('plan.title');

// What tests and a curious operator can reach from the console.
const hook = { ready: false, state };
window.jingge = hook;

const toast = toaster($('toast'), 6000);
// Errors stay until dismissed; the toast is for news that may pass.
const showError = alerter($('alert'));

function writeHash() {
  replaceHash(formatPlannerHash(state));
}

const formatTime = (s) => (s ? formatZoned(s, lang()) : '');

function fail(message) {
  for (const id of ['figures', 'stations', 'moves', 'officers']) clear($(id));
  const el = $('compare-bar');
  clear(el).append(h('p', { class: 'error', 'data-testid': 'page-error' }, message));
}

async function main() {
  let style, dataset, stationsDoc, labels, me, config;
  try {
    [style, dataset, stationsDoc, labels, me, config] = await Promise.all([
      getJSON('styles/command-center.json'),
      getJSON('api/v1/dataset'),
      getJSON('api/v1/stations'),
      getOptionalJSON('api/v1/labels'),
      getOptionalJSON('api/v1/me'),
      getJSON('api/v1/plan/config'),
    ]);
  } catch (err) {
    fail(err instanceof ApiError && err.status === 403 ? t('plan.forbidden') : t('app.loadFailed', { detail: err.message }));
    return;
  }
  const stations = (stationsDoc.features || [])
    .filter((f) => f.properties.kind !== 'area')
    .map((f) => f.properties);
  const stationById = Object.fromEntries(stations.map((s) => [s.id, s]));
  setZone(dataset.utc_offset);
  // Bordering stations get the colours farthest apart.
  const neighbours = stationNeighbours(labels?.features);
  const colors = neighbourPalette(stations.map((s) => s.id), neighbours);
  const stationName = (id) => (stationById[id] ? localName(stationById[id]) : id || '–');
  // Without access control (a server run open) there is no /api/v1/me and
  // anyone may apply; otherwise only administrators.
  const canApply = !me || me.role === 'admin';
  // The most a proposal can move: every police grid, every member.
  const limits = { max_grid_moves: dataset.counts?.police_grids ?? 100000, max_officer_moves: dataset.counts?.members ?? 100000 };
  const hasGL = webglAvailable();

  let current = null;
  let plans = [];
  let cmp = null;
  let doc = null;
  let pair = null;
  let assessment = null;
  let stationPresence = null;
  const coverage = createCoverage($('coverage'), { maps: () => pair?.maps, showError });
  hook.coverage = coverage;
  const circles = createCircles($('circles'), { stations, stationName, lang, showError });
  hook.circles = circles;
  hook.colors = colors;
  hook.neighbours = neighbours;

  const sideTitle = (side) => (side.id === 'current'
    ? t('plan.today')
    : `${t('plan.planN', { id: side.id })} · ${t(`plan.status.${side.status}`)}`);

  function styles() {
    const changed = cmp.grids.map((g) => g.grid);
    const base = current.deployment.grids;
    const sideColors = (key) => (state.color === 'load' ? loadColors(cmp.stations, key).colors : colors);
    const opts = (side, key) => ({ colors: sideColors(key), overrides: movedGrids(side.deployment.grids, base), changed, english: isEnglish(), labels });
    return [plannerStyle(style, opts(cmp.a, 'a')), plannerStyle(style, opts(cmp.b, 'b'))];
  }

  function onGridClick(side, feature, lngLat, map) {
    const id = feature.properties.id;
    const w = current.grids.find((g) => g.grid === id);
    const a = cmp.a.deployment.grids[id];
    const b = cmp.b.deployment.grids[id];
    popup(map, lngLat, h('div', { class: 'grid-popup', 'data-testid': 'grid-popup' },
      h('b', null, feature.properties.name),
      h('div', null, `${sideTitle(cmp.a)}: ${stationName(a)}`),
      h('div', null, `${sideTitle(cmp.b)}: `, a === b ? stationName(b) : h('b', { class: 'changed' }, stationName(b))),
      w ? h('div', { class: 'muted' }, t('plan.gridWorkload', { w: fmt(w.workload, 1), n: w.incidents })) : null));
  }

  function drawMaps({ fresh = false } = {}) {
    $('map-a-title').textContent = sideTitle(cmp.a);
    $('map-b-title').textContent = sideTitle(cmp.b);
    if (!hasGL) return;
    // Each map's canvas is a landmark: name it after its plan and its side,
    // so the two differ even when both show the same plan.
    const nameCanvases = () => pair?.maps.forEach((m, i) => m.getCanvas().setAttribute('aria-label', `${t('plan.mapOf')} ${sideTitle(i ? cmp.b : cmp.a)} (${i ? 'B' : 'A'})`));
    const [sa, sb] = styles();
    if (pair && !fresh) {
      pair.update(sa, sb);
      nameCanvases();
      coverage.redraw();
      return;
    }
    let camera = null;
    if (pair) {
      const m = pair.maps[0];
      camera = { center: m.getCenter(), zoom: m.getZoom() };
      pair.remove();
    }
    pair = createPair({ a: $('map-a'), b: $('map-b'), bounds: camera ? null : dataset.bounds, styleA: sa, styleB: sb, onGridClick });
    if (camera) for (const m of pair.maps) m.jumpTo(camera);
    hook.maps = pair.maps;
    nameCanvases();
    coverage.redraw();
  }

  function renderCompareBar() {
    const el = $('compare-bar');
    clear(el);
    const options = (value) => [
      h('option', { value: 'current', selected: value === 'current' }, t('plan.today')),
      ...plans.map((p) => h('option', { value: p.id, selected: value === p.id },
        `${t('plan.planN', { id: p.id })} · ${t(`plan.status.${p.status}`)}${p.note ? ` · ${p.note}` : ''}`)),
    ];
    const pick = (side) => {
      const sel = h('select', { 'data-testid': `compare-${side}`, 'aria-label': t(`plan.compare.${side}`) }, options(state[side]));
      sel.addEventListener('change', () => { state[side] = sel.value; writeHash(); compare(); });
      return h('label', null, h('span', null, t(`plan.compare.${side}`)), sel);
    };
    el.append(pick('a'),
      h('button', { type: 'button', class: 'swap', title: t('plan.swap'), 'aria-label': t('plan.swap'),
        onclick: () => { [state.a, state.b] = [state.b, state.a]; writeHash(); compare(); } }, '⇄'),
      pick('b'),
      h('span', { class: 'key key-changed' }), h('span', { class: 'muted' }, t('plan.changedKey', { n: cmp?.grids.length ?? 0 })),
      colorChoice());
  }

  /** colorChoice switches the maps between station colours and load per officer. */
  function colorChoice() {
    const mode = state.color === 'load' ? 'load' : 'station';
    const choice = (value) => h('button', {
      type: 'button', role: 'radio', 'aria-checked': String(mode === value), 'data-color': value,
      onclick: () => { state.color = value === 'load' ? 'load' : undefined; writeHash(); renderCompareBar(); drawMaps(); },
    }, t(`plan.colorBy.${value}`));
    const group = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': t('plan.colorBy'), 'data-testid': 'color-by' },
      choice('station'), choice('load'));
    if (mode !== 'load' || !cmp) return group;
    const { min, max, ramp } = loadColors(cmp.stations, 'a');
    return h('span', { class: 'legend-row' }, group,
      h('span', { class: 'key key-load', style: { background: `linear-gradient(90deg, ${ramp.join(', ')})` } }),
      h('span', { class: 'muted', 'data-testid': 'load-key' }, t('plan.loadKey', { min: fmt(min, 0), max: fmt(max, 0) })));
  }

  async function compare({ freshMaps = false } = {}) {
    const known = (id) => id === 'current' || plans.some((p) => p.id === id);
    if (!known(state.a)) state.a = 'current';
    if (!state.b || !known(state.b)) state.b = plans[0]?.id || 'current';
    writeHash();
    try {
      [cmp, doc] = await Promise.all([
        getJSON(query('api/v1/plan/compare', { a: state.a, b: state.b })),
        state.a === 'current' && state.b !== 'current' ? getJSON(`api/v1/plan/plans/${encodeURIComponent(state.b)}`) : null,
      ]);
    } catch (err) {
      showError(problemMessage(err));
      return;
    }
    hook.comparison = cmp;
    renderCompareBar();
    drawMaps({ fresh: freshMaps });
    renderComparison();
  }

  /** renderComparison redraws the figures, tables and list from the data in hand. */
  function renderComparison() {
    if (!cmp) return;
    const titles = { a: sideTitle(cmp.a), b: sideTitle(cmp.b) };
    renderFigures($('figures'), cmp, titles);
    renderStations($('stations'), cmp, { colors, stationName, titles });
    renderMoves($('moves'), cmp, { stationName, doc, onGrid: focusGrid });
    renderList();
  }

  function focusGrid(id) {
    const feats = pair?.maps[1].querySourceFeatures('jingge', { sourceLayer: 'police_grids', filter: ['==', ['get', 'id'], id] }) || [];
    const label = (labels?.features || []).find((f) => f.properties.id === id);
    const at = label?.geometry?.coordinates || feats[0]?.geometry?.coordinates?.[0]?.[0];
    if (at) pair.maps[1].flyTo({ center: at, zoom: Math.max(pair.maps[1].getZoom(), 12) });
  }

  function renderList() {
    renderPlanList($('plan-list'), plans, {
      selected: state.b, canApply, formatTime,
      onCompare: (id) => { state.a = 'current'; state.b = id; compare(); },
      onApply: apply,
    });
  }

  async function refresh({ freshMaps = false } = {}) {
    [current, plans] = await Promise.all([
      getJSON('api/v1/plan/current'),
      getJSON(query('api/v1/plan/plans', { limit: 50 })).then((l) => l.plans || []),
    ]);
    hook.current = current;
    renderOfficers($('officers'), current, { stationName, colors });
    await compare({ freshMaps });
  }

  async function propose(body) {
    const out = await postJSON('api/v1/plan/plans', body);
    const moved = (out.grid_moves?.length || 0) + (out.officer_moves?.length || 0);
    // A plan that changes nothing is saved like any other, but it must not
    // pass for an improvement.
    if (!moved) showError(t('plan.noChange', { id: out.id }));
    else toast(t('plan.proposed', { id: out.id, a: fmt(out.before.balance.cv, 3), b: fmt(out.after.balance.cv, 3) }));
    state.a = 'current';
    state.b = out.id;
    await refresh();
  }

  async function apply(p) {
    if (!window.confirm(t('plan.applyConfirm', { id: p.id, g: p.grids_moved, o: p.officers_moved }))) return;
    const url = `api/v1/plan/plans/${encodeURIComponent(p.id)}/apply`;
    try {
      await postJSON(url, {});
    } catch (err) {
      // A plan that leaves grids below their roster rules is applied only
      // when the planner says so again, knowing which grids; the server
      // records the override in the audit log.
      const short = rosterShort(err);
      if (!short) {
        showError(problemMessage(err));
        return;
      }
      if (!window.confirm(t('plan.rosterConfirm', { id: p.id, n: short.length, grids: short.join('、') }))) return;
      try {
        await postJSON(url, { override_roster: true });
      } catch (again) {
        showError(problemMessage(again));
        return;
      }
    }
    toast(t('plan.applied', { id: p.id }));
    state.a = 'current';
    state.b = p.id;
    // The grids' stations changed: new tiles, so new maps.
    await refresh({ freshMaps: true });
  }

  /** rosterShort lists the grids a roster-rules refusal names, or null for any other error. */
  function rosterShort(err) {
    if (!(err instanceof ApiError) || err.status !== 409 || !/roster-rules$/.test(err.problem?.type || '')) return null;
    const names = (err.problem.invalid_params || []).map((ip) => ip.name).filter(Boolean);
    return [...new Set(names)];
  }

  function showTab(tab) {
    state.tab = tab;
    for (const b of document.querySelectorAll('[role=tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    $('view-plans').hidden = tab !== 'plans';
    $('view-assessment').hidden = tab !== 'assessment';
    writeHash();
    if (tab === 'plans') for (const m of pair?.maps || []) m.resize();
    if (tab === 'assessment') {
      if (!assessment) {
        state.month = state.month || lastCompleteMonth(new Date());
        assessment = createAssessment({ state, stations, stationName, colors, onState: writeHash, toast, showError });
        hook.assessment = assessment;
        stationPresence = createStationPresence($('station-presence'), { stationIds: stations.map((s) => s.id), stationName });
        stationPresence.load();
      }
      assessment.load();
    }
  }
  for (const b of document.querySelectorAll('[role=tab]')) b.addEventListener('click', () => showTab(b.dataset.tab));

  $('lang').addEventListener('click', () => setLang(isEnglish() ? 'zh-CN' : 'en'));
  onLangChange(() => {
    state.lang = lang();
    applyStatic();
    document.title = t('plan.title');
    writeHash();
    renderPropose($('propose'), { config, limits, onSubmit: propose });
    coverage.render();
    circles.render();
    // Redraw what is in hand at once, in the new language; the refresh
    // after it only brings newer data.
    if (current) renderOfficers($('officers'), current, { stationName, colors });
    stationPresence?.render();
    renderCompareBar();
    renderComparison();
    refresh()
      .then(() => { if (state.tab === 'assessment') assessment?.load(); })
      .catch((err) => showError(problemMessage(err)));
  });

  $('print').addEventListener('click', () => window.print());
  renderPropose($('propose'), { config, limits, onSubmit: propose });
  if (!hasGL) {
    for (const id of ['map-a', 'map-b']) $(id).querySelector('.map-message').textContent = t('app.noWebGL');
  }
  try {
    await refresh();
  } catch (err) {
    fail(err instanceof ApiError && err.status === 403 ? t('plan.forbidden') : t('app.loadFailed', { detail: err.message }));
    return;
  }
  if (state.tab === 'assessment') showTab('assessment');
  hook.ready = true;
}

main().catch((err) => {
  fail(t('app.loadFailed', { detail: err.message }));
  throw err;
});
