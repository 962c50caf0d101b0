// The planner's panels: the figures of two plans side by side, each
// station under both with a chart of load per officer, what changes, and
// today's load per officer.
import { h, clear } from '../shared/dom.js';
import { t, formatNumber } from '../shared/i18n.js';
import { figureSpec, judge, relativeChange, loadChartModel } from './model.js';

/** fmt formats a number with a fixed count of decimals, in the page's language. */
export function fmt(n, digits = 1) {
  if (!Number.isFinite(n)) return '–';
  return new Intl.NumberFormat(document.documentElement.lang || 'zh-CN', {
    minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(n);
}

function pct(share, digits = 1) {
  return Number.isFinite(share) ? `${fmt(share * 100, digits)}%` : '–';
}

/** figureText writes one plan-wide figure's value. */
export function figureText(name, v) {
  const spec = figureSpec(name);
  if (spec.kind === 'yesno') return v ? t('plan.yes') : t('plan.no');
  if (spec.kind === 'share') return pct(v);
  const s = fmt(v, spec.digits ?? 2);
  return spec.unit === 'min' ? t('plan.minutes', { n: s }) : s;
}

function figureLabel(name) {
  const spec = figureSpec(name);
  if (spec.kind === 'share') return t('plan.fig.within', { n: spec.minutes });
  return t(`plan.fig.${name}`);
}

/** renderFigures fills el with the plan-wide figures of a comparison. */
export function renderFigures(el, cmp, titles) {
  clear(el);
  el.append(
    h('h2', null, t('plan.figures')),
    h('table', { class: 'figures', 'data-testid': 'figures' },
      h('thead', null, h('tr', null,
        h('th', null, t('plan.figure')), h('th', { class: 'num' }, titles.a), h('th', { class: 'num' }, titles.b), h('th', { class: 'num' }, t('plan.change')))),
      h('tbody', null, cmp.figures.map((f) => {
        const verdict = judge(f.figure, f.a, f.b);
        const spec = figureSpec(f.figure);
        let change = '';
        if (verdict !== 'same' && spec.kind !== 'yesno') {
          const rel = relativeChange(f.a, f.b);
          change = spec.kind === 'share'
            ? `${f.b > f.a ? '+' : ''}${fmt((f.b - f.a) * 100, 1)} pp`
            : rel === null ? '' : `${rel > 0 ? '+' : ''}${fmt(rel * 100, 1)}%`;
        }
        return h('tr', { dataset: { figure: f.figure, verdict } },
          h('th', { scope: 'row' }, figureLabel(f.figure)),
          h('td', { class: 'num' }, figureText(f.figure, f.a)),
          h('td', { class: 'num' }, figureText(f.figure, f.b)),
          h('td', { class: `num ${verdict}` }, change));
      })),
    ),
    h('p', { class: 'muted small' }, t('plan.figuresNote')),
  );
}

/** renderStations fills el with every station under both plans and a chart of load per officer. */
export function renderStations(el, cmp, { colors, stationName, titles }) {
  clear(el);
  const chart = loadChartModel(cmp.stations, { width: 640 });
  const label = (s) => stationName(s.station);
  const svg = h('svg:svg', {
    class: 'load-chart', viewBox: `0 0 ${chart.width} ${chart.height}`, role: 'img', 'data-testid': 'load-chart',
    'aria-label': t('plan.loadChart'),
  },
  h('svg:title', null, t('plan.loadChart')),
  chart.rows.map((r, i) => h('svg:g', { class: 'row' },
    h('svg:text', { x: chart.label - 6, y: r.y + 11, 'text-anchor': 'end', 'font-size': 11, fill: '#333' }, label(cmp.stations[i])),
    h('svg:rect', { x: chart.label, y: r.y + 2, width: r.wa, height: 7, fill: '#9AA3B5' },
      h('svg:title', null, `${titles.a}: ${fmt(r.a, 1)}`)),
    h('svg:rect', { x: chart.label, y: r.y + 10, width: r.wb, height: 7, fill: colors[r.station] || '#1F6FB2' },
      h('svg:title', null, `${titles.b}: ${fmt(r.b, 1)}`)),
    h('svg:text', { x: chart.label + Math.max(r.wa, r.wb) + 4, y: r.y + 15, 'font-size': 10, fill: '#555' }, fmt(r.b, 0)),
  )),
  h('svg:line', { x1: chart.xMeanA, x2: chart.xMeanA, y1: 0, y2: chart.height, stroke: '#5f6673', 'stroke-dasharray': '3 3' },
    h('svg:title', null, `${titles.a} ${t('plan.mean')}: ${fmt(chart.meanA, 1)}`)),
  h('svg:line', { x1: chart.xMeanB, x2: chart.xMeanB, y1: 0, y2: chart.height, stroke: '#1F2A44' },
    h('svg:title', null, `${titles.b} ${t('plan.mean')}: ${fmt(chart.meanB, 1)}`)),
  );
  const arrow = (a, b, digits = 0) => (Math.abs(a - b) < 0.5 * 10 ** -digits
    ? fmt(a, digits)
    : h('span', { class: 'delta' }, fmt(a, digits), ' → ', h('b', null, fmt(b, digits))));
  el.append(
    h('h2', null, t('plan.stations')),
    h('div', { class: 'legend-row' },
      h('span', { class: 'key key-a' }), titles.a, ' ',
      h('span', { class: 'key key-b' }), titles.b, ' ',
      h('span', { class: 'muted' }, t('plan.meanLines'))),
    svg,
    h('table', { class: 'stations', 'data-testid': 'stations' },
      h('thead', null, h('tr', null,
        h('th', null, t('plan.station')),
        h('th', { class: 'num' }, t('plan.grids')),
        h('th', { class: 'num' }, t('plan.officers')),
        h('th', { class: 'num' }, t('plan.workload')),
        h('th', { class: 'num' }, t('plan.loadPerOfficer')),
        h('th', { class: 'num' }, t('plan.response')),
        h('th', { class: 'num' }, t('plan.compactness')))),
      h('tbody', null, cmp.stations.map((s) => h('tr', { dataset: { station: s.station } },
        h('th', { scope: 'row' }, h('span', { class: 'swatch', style: { background: colors[s.station] || '#BBB' } }), stationName(s.station)),
        h('td', { class: 'num' }, arrow(s.a.grids, s.b.grids)),
        h('td', { class: 'num' }, arrow(s.a.officers, s.b.officers)),
        h('td', { class: 'num' }, arrow(s.a.workload, s.b.workload)),
        h('td', { class: 'num' }, arrow(s.a.load_per_officer, s.b.load_per_officer, 1)),
        h('td', { class: 'num' }, arrow(s.a.mean_response_minutes, s.b.mean_response_minutes, 1)),
        h('td', { class: 'num' }, arrow(s.a.polsby_popper, s.b.polsby_popper, 2)),
      ))),
    ),
  );
}

/**
 * renderMoves fills el with what changes from plan a to plan b: the police
 * grids that change station and the officers each station gains or loses.
 * doc is plan b's document when b is a saved plan compared with today.
 */
export function renderMoves(el, cmp, { stationName, doc, onGrid }) {
  clear(el);
  const staff = cmp.stations
    .map((s) => ({ station: s.station, delta: (s.b.officers || 0) - (s.a.officers || 0) }))
    .filter((s) => s.delta !== 0);
  const moved = staff.reduce((n, s) => n + Math.max(0, s.delta), 0);
  el.append(
    h('h2', null, t('plan.moves')),
    h('h3', null, t('plan.gridMoves', { n: cmp.grids.length })),
    cmp.grids.length
      ? h('ol', { class: 'moves', 'data-testid': 'grid-moves' }, cmp.grids.map((g) => h('li', null,
        h('button', { type: 'button', class: 'linkish', onclick: () => onGrid?.(g.grid) }, g.name),
        h('span', { class: 'muted' }, ` ${stationName(g.a)} → `), h('b', null, stationName(g.b)))))
      : h('p', { class: 'muted' }, t('plan.noGridMoves')),
    h('h3', null, t('plan.officerMoves', { n: moved })),
    // A proposal's own list of moves says who goes where; once applied or
    // stale it no longer describes the difference shown.
    doc?.status === 'proposed' && !doc.stale && doc.officer_moves?.length
      ? h('ol', { class: 'moves', 'data-testid': 'officer-moves' }, doc.officer_moves.map((m) => h('li', null,
        t('plan.officerMove', { n: m.count, from: stationName(m.from), to: stationName(m.to) }))))
      : staff.length
        ? h('ul', { class: 'moves', 'data-testid': 'officer-moves' }, staff.map((s) => h('li', null,
          stationName(s.station), ' ', h('b', null, s.delta > 0 ? `+${s.delta}` : String(s.delta)))))
        : h('p', { class: 'muted' }, t('plan.noOfficerMoves')),
  );
}

/** renderOfficers fills el with today's load per officer (/api/v1/plan/current), heaviest first. */
export function renderOfficers(el, current, { stationName, colors }) {
  clear(el);
  const officers = [...current.officers].sort((x, y) => y.load - x.load || (x.name < y.name ? -1 : 1));
  const b = current.measures.balance;
  el.append(
    h('h2', null, t('plan.officerLoads')),
    h('p', { 'data-testid': 'officer-summary' }, t('plan.officerSummary', {
      n: formatNumber(officers.length), mean: fmt(b.mean_load_per_officer, 1),
      min: fmt(b.min_load_per_officer, 1), max: fmt(b.max_load_per_officer, 1), cv: fmt(b.cv, 3),
    })),
    h('details', null,
      h('summary', null, t('plan.officerList')),
      h('table', { class: 'officers', 'data-testid': 'officer-loads' },
        h('thead', null, h('tr', null, h('th', null, t('plan.officer')), h('th', null, t('plan.station')), h('th', { class: 'num' }, t('plan.load')))),
        h('tbody', null, officers.map((o) => h('tr', null,
          h('td', null, o.name),
          h('td', null, h('span', { class: 'swatch', style: { background: colors[o.station] || '#BBB' } }), stationName(o.station)),
          h('td', { class: 'num' }, fmt(o.load, 1))))))),
  );
}
