// The monthly station assessment (考评): the six metrics of every station
// for a month, ranked, a chart of the scores, each station's score over
// the last twelve months, and entering or importing the four metrics the
// stations report.
import { getJSON, sendJSON, query, ApiError } from '../shared/api.js';
import { h, clear, $ } from '../shared/dom.js';
import { fieldProblems, problemMessage } from '../shared/problems.js';
import { t } from '../shared/i18n.js';
import { fmt } from './views.js';
import { monthsBefore, trendChartModel, metricValue, metricSource, rankChange } from './model.js';

/** METRICS are the six metrics in the order the API lists them. */
export const METRICS = ['incident_trend', 'clearance', 'familiarity', 'risk_warning', 'control_tasks', 'satisfaction'];

/** ENTERED are the metrics a station reports, with their form fields. */
const ENTERED = ['familiarity', 'risk_warning', 'control_tasks', 'satisfaction'];

/**
 * createAssessment runs the assessment view. state.month is the month
 * shown; onState is told when it changes (for the URL).
 */
export function createAssessment({ state, stations, stationName, colors, onState, toast, showError }) {
  const ids = stations.map((s) => s.id);
  let trend = null;
  let selected = [];

  async function load() {
    const months = monthsBefore(state.month, 12);
    renderBar();
    const table = $('assessment-table');
    clear(table).append(h('p', { class: 'muted' }, t('app.loading')));
    try {
      trend = await getJSON(query('api/v1/assessment/trend', { from: months[0], to: state.month }));
    } catch (err) {
      clear(table).append(h('p', { class: 'error', role: 'alert' }, t('assess.failed', { detail: problemMessage(err) })));
      return;
    }
    const month = trend.months.find((m) => m.month === state.month);
    if (!selected.length && month?.stations.length) selected = [month.stations[0].station];
    renderTable(month);
    renderChart(month);
    renderTrend(months);
    await renderEntry();
  }

  function renderBar() {
    const el = $('assessment-bar');
    clear(el);
    const input = h('input', { type: 'month', value: state.month, 'aria-label': t('assess.month'), 'data-testid': 'month' });
    input.addEventListener('change', () => {
      if (/^\d{4}-\d{2}$/.test(input.value)) setMonth(input.value);
    });
    const step = (d) => setMonth(shift(state.month, d));
    const file = h('input', { type: 'file', accept: '.csv,text/csv', hidden: true, 'data-testid': 'import-file' });
    file.addEventListener('change', () => importCSV(file));
    el.append(
      h('h2', null, t('assess.title')),
      h('div', { class: 'month-picker' },
        h('button', { type: 'button', onclick: () => step(-1), 'aria-label': t('assess.prev') }, '‹'),
        input,
        h('button', { type: 'button', onclick: () => step(1), 'aria-label': t('assess.next') }, '›')),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', onclick: () => file.click() }, t('assess.import')),
      file,
      h('a', { href: query('api/v1/assessment/entries', { from: state.month, to: state.month }), target: '_blank', rel: 'noopener' }, t('assess.entriesJSON')),
    );
  }

  function setMonth(m) {
    state.month = m;
    onState();
    load();
  }

  function renderTable(month) {
    const el = $('assessment-table');
    clear(el);
    el.append(h('h2', null, t('assess.ranking', { month: state.month })));
    if (!month || month.empty || !month.stations?.length) {
      // A month to come, or before the record: say so rather than rank
      // fifteen zeros.
      el.append(h('p', { class: 'muted', 'data-testid': 'no-data' }, month?.empty ? t('assess.noData', { month: state.month }) : t('assess.none')));
      return;
    }
    // Only the weights' ratios matter: show each as its share of the total.
    const weights = Object.fromEntries((month.stations[0].metrics || []).map((x) => [x.metric, x.weight ?? 0]));
    const totalWeight = Object.values(weights).reduce((a, b) => a + b, 0) || 1;
    const points = Object.fromEntries((trend.trends || []).map((tr) => [tr.station, Object.fromEntries(tr.points.map((p) => [p.month, p]))]));
    el.append(h('table', { class: 'assessment', 'data-testid': 'assessment' },
      h('thead', null, h('tr', null,
        h('th', { class: 'num' }, t('assess.rank')),
        h('th', null, t('plan.station')),
        h('th', { class: 'num' }, t('assess.score')),
        METRICS.map((m) => h('th', { class: 'num' }, t(`assess.metric.${m}`), h('br'),
          h('small', { class: 'muted' }, t('assess.weight', { w: fmt(((weights[m] ?? 0) / totalWeight) * 100, 0) })))))),
      h('tbody', null, month.stations.map((s) => {
        const change = rankChange(points[s.station]?.[state.month]);
        return h('tr', { dataset: { station: s.station }, class: selected.includes(s.station) ? 'selected' : null,
          onclick: () => toggle(s.station) },
        h('td', { class: 'num rank' }, String(s.rank), change ? h('small', { class: change.startsWith('↑') ? 'better' : 'worse' }, ` ${change}`) : null),
        h('th', { scope: 'row' }, h('span', { class: 'swatch', style: { background: colors[s.station] || '#BBB' } }), stationName(s.station)),
        h('td', { class: 'num score' }, fmt(s.score ?? 0, 1), h('small', { class: 'muted' }, ` (${s.available ?? 0}/6)`)),
        METRICS.map((m) => {
          const ms = (s.metrics || []).find((x) => x.metric === m);
          const v = metricValue(ms);
          const src = metricSource(ms);
          const marks = sourceMarks(src);
          return v
            ? h('td', { class: 'num', dataset: { metric: m, source: src.source } }, v.text, ...marks, v.detail ? h('small', { class: 'muted' }, h('br'), v.detail) : null)
            : h('td', { class: 'num na muted', dataset: { metric: m, source: src.source }, title: t('assess.notMeasured') }, '—', ...marks);
        }));
      }))),
    crossStatus(month),
    h('p', { class: 'muted small' }, t('assess.noteSources')));
  }

  /** sourceMarks are a cell's source mark and review flag, each with its tooltip. */
  function sourceMarks(src) {
    let tip;
    if (src.source === 'measured') {
      tip = t('assess.src.measuredTip', { numerator: countLabel(src.counts.numerator), denominator: countLabel(src.counts.denominator) });
    } else if (src.entry) {
      tip = t('assess.src.enteredTip', {
        by: src.entry.by || t('assess.src.unknown'),
        at: src.entry.at ? new Date(src.entry.at).toLocaleString(document.documentElement.lang || undefined) : t('assess.src.unknown'),
        scorer: src.entry.scorer ? stationName(src.entry.scorer) : t('assess.src.unknown'),
      });
    } else {
      tip = t('assess.src.enteredNone');
    }
    const out = [h('sup', { class: `source source-${src.source}`, title: tip, 'aria-label': tip, 'data-testid': 'source' }, t(`assess.src.${src.source}`))];
    if (src.review) {
      const rtip = t('assess.reviewTip', src.review);
      out.push(h('span', { class: 'review-flag', title: rtip, 'aria-label': rtip, 'data-testid': 'review' }, ` ⚠ ${t('assess.review')}`));
    }
    return out;
  }

  function countLabel(code) {
    return code ? t(`assess.count.${code}`) : t('assess.src.unknown');
  }

  /** crossStatus says whether every station was scored by another, and what needs review. */
  function crossStatus(month) {
    const lines = [];
    if (month.final) lines.push(h('p', { class: 'muted small', 'data-testid': 'cross-final' }, t('assess.final')));
    else {
      lines.push(h('p', { class: 'small warn', 'data-testid': 'cross-missing' },
        t('assess.unscored', { stations: (month.unscored || []).map(stationName).join(t('list.sep')) })));
    }
    if (month.reviews) lines.push(h('p', { class: 'small warn', 'data-testid': 'reviews' }, t('assess.reviews', { n: month.reviews })));
    return h('div', { class: 'cross-status' }, lines);
  }

  function toggle(station) {
    selected = selected.includes(station) ? selected.filter((s) => s !== station) : [...selected, station].slice(-4);
    const month = trend.months.find((m) => m.month === state.month);
    renderTable(month);
    renderTrend(monthsBefore(state.month, 12));
  }

  function renderChart(month) {
    const el = $('assessment-chart');
    clear(el);
    el.append(h('h2', null, t('assess.scores')));
    if (!month?.stations?.length) return;
    const row = 20;
    const label = 96;
    const width = 420;
    const plot = width - label - 40;
    el.append(h('svg:svg', {
      class: 'score-chart', viewBox: `0 0 ${width} ${month.stations.length * row + 8}`, role: 'img',
      'aria-label': t('assess.scores'), 'data-testid': 'score-chart',
    },
    month.stations.map((s, i) => {
      const w = Math.round((Math.max(0, s.score) / 100) * plot * 10) / 10;
      return h('svg:g', null,
        h('svg:text', { x: label - 6, y: i * row + 15, 'text-anchor': 'end', 'font-size': 11, fill: '#333' }, `${s.rank}. ${stationName(s.station)}`),
        h('svg:rect', { x: label, y: i * row + 5, width: w, height: 12, fill: colors[s.station] || '#1F6FB2' },
          h('svg:title', null, `${stationName(s.station)}: ${fmt(s.score, 1)}`)),
        h('svg:text', { x: label + w + 4, y: i * row + 15, 'font-size': 10, fill: '#555' }, fmt(s.score, 1)));
    })));
  }

  function renderTrend(months) {
    const el = $('assessment-trend');
    clear(el);
    el.append(h('h2', null, t('assess.trend')), h('p', { class: 'muted small' }, t('assess.trendHelp')));
    if (!trend) return;
    const m = trendChartModel(trend.trends || [], months, selected);
    el.append(h('svg:svg', { class: 'trend-chart', viewBox: `0 0 ${m.width} ${m.height}`, role: 'img', 'aria-label': t('assess.trend'), 'data-testid': 'trend-chart' },
      m.ticks.map((tk) => h('svg:g', null,
        h('svg:line', { x1: m.left, x2: m.left + m.plotW, y1: tk.y, y2: tk.y, stroke: '#E1E3E8' }),
        h('svg:text', { x: m.left - 4, y: tk.y + 3, 'text-anchor': 'end', 'font-size': 9, fill: '#666' }, String(tk.value)))),
      m.labels.map((l) => h('svg:text', { x: l.x, y: m.height - 4, 'text-anchor': 'middle', 'font-size': 9, fill: '#666' }, l.text)),
      m.lines.map((line) => h('svg:g', { class: 'line', dataset: { station: line.station } },
        h('svg:path', { d: line.path, fill: 'none', stroke: colors[line.station] || '#1F6FB2', 'stroke-width': 2 }),
        line.points.map((p) => h('svg:circle', { cx: p.x, cy: p.y, r: 2.5, fill: colors[line.station] || '#1F6FB2' },
          h('svg:title', null, `${stationName(line.station)} ${p.month}: ${fmt(p.score, 1)} (#${p.rank})`))))),
    ));
    el.append(h('ul', { class: 'trend-keys' }, m.lines.map((line) => h('li', null,
      h('span', { class: 'swatch', style: { background: colors[line.station] || '#BBB' } }), stationName(line.station)))));
  }

  async function renderEntry() {
    const el = $('assessment-entry');
    clear(el);
    let entries = [];
    try {
      entries = (await getJSON(query('api/v1/assessment/entries', { from: state.month, to: state.month }))).entries || [];
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
    const byStation = Object.fromEntries(entries.map((e) => [e.station, e]));
    const station = h('select', { name: 'station', 'data-testid': 'entry-station' },
      ids.map((id) => h('option', { value: id, selected: id === selected[0] }, stationName(id))));
    const fields = h('div', { class: 'entry-fields' });
    const scorer = h('select', { name: 'scored_by', 'data-testid': 'entry-scored-by' });
    const fill = () => {
      clear(fields);
      const e = byStation[station.value] || {};
      // A station is scored by another: its own name is not offered.
      clear(scorer).append(h('option', { value: '' }, t('assess.scoredByNone')),
        ids.filter((id) => id !== station.value).map((id) => h('option', { value: id, selected: id === e.scored_by }, stationName(id))));
      for (const m of ENTERED) {
        const r = e[m] || { numerator: 0, denominator: 0 };
        fields.append(h('fieldset', { dataset: { metric: m } },
          h('legend', null, t(`assess.metric.${m}`)),
          h('input', { type: 'number', min: 0, step: 'any', name: `${m}.numerator`, value: r.numerator, 'aria-label': t('assess.numerator') }),
          h('span', null, ' / '),
          h('input', { type: 'number', min: 0, step: 'any', name: `${m}.denominator`, value: r.denominator, 'aria-label': t('assess.denominator') })));
      }
    };
    station.addEventListener('change', fill);
    fill();
    const status = h('p', { class: 'form-status', role: 'status' });
    // A message by each field the server found at fault, in the page's
    // language; it stays until the next save.
    const markFields = (err) => {
      for (const el2 of form.querySelectorAll('.field-error')) el2.remove();
      for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
      let placed = 0;
      for (const p of fieldProblems(err)) {
        const m = /^entries\[\d+\]\.(\w+)$/.exec(p.name);
        const box = m && (m[1] === 'station' ? station.parentElement
          : m[1] === 'scored_by' ? scorer.parentElement : fields.querySelector(`fieldset[data-metric="${m[1]}"]`));
        if (!box) continue;
        for (const input of box.querySelectorAll('input, select')) input.setAttribute('aria-invalid', 'true');
        box.append(h('small', { class: 'field-error', role: 'alert', 'data-testid': `error-${m[1]}` }, p.message));
        placed++;
      }
      return placed;
    };
    const form = h('form', { class: 'entry', novalidate: true, 'data-testid': 'entry-form' },
      h('label', null, h('span', null, t('plan.station')), station),
      h('label', null, h('span', null, t('assess.scoredBy')), scorer), fields,
      h('button', { type: 'submit', class: 'primary' }, t('assess.save')), status);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = new FormData(form);
      const entry = { station: station.value, month: state.month };
      if (scorer.value) entry.scored_by = scorer.value;
      for (const m of ENTERED) {
        entry[m] = { numerator: Number(f.get(`${m}.numerator`) || 0), denominator: Number(f.get(`${m}.denominator`) || 0) };
      }
      status.classList.remove('error');
      status.textContent = '';
      markFields(null);
      try {
        await sendJSON('PUT', 'api/v1/assessment/entries', { entries: [entry] });
        toast(t('assess.saved', { station: stationName(entry.station), month: state.month }));
        await load();
      } catch (err) {
        const placed = markFields(err);
        status.textContent = placed ? t('assess.invalid', { n: placed }) : problemMessage(err);
        status.classList.add('error');
      }
    });
    el.append(h('h2', null, t('assess.enter', { month: state.month })), h('p', { class: 'muted small' }, t('assess.enterHelp')), form);
  }

  async function importCSV(input) {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      const out = await sendJSON('POST', 'api/v1/assessment/import', file, { contentType: 'text/csv' });
      toast(t('assess.imported', { n: out.saved, months: (out.months || []).join(', ') }));
      await load();
    } catch (err) {
      // Every line at fault, until dismissed: nothing was saved.
      const lines = fieldProblems(err).map((p) => p.message);
      showError(lines.length ? `${t('assess.importFailed')} ${lines.slice(0, 8).join(t('list.sep'))}` : problemMessage(err));
    }
  }

  return { load };
}

/** shift moves month ("YYYY-MM") by d months. */
export function shift(month, d) {
  const [y, m] = month.split('-').map(Number);
  const at = new Date(Date.UTC(y, m - 1 + d, 1));
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
}
