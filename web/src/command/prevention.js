// The grid panel's prevention block (本月预防工作): beside a grid's
// incidents, what its officers did this month — disputes reported, settled,
// kept at group or village level (the 不上交率, with the station's beside
// it) and still open; tasks due, done, done on time and overdue now; and
// days since the last visit. The summaries count by police grid, so a
// community grid shows its police grid's.
//
// A wall opens and closes the panel all day: each station's two summaries
// are fetched once for the month and kept on the page, and fetched again
// only when the month turns or they have grown old (a wall stays up for
// weeks, and figures a month old would mislead it).
import { getJSON, query } from '../shared/api.js';
import { h, clear } from '../shared/dom.js';
import { t, formatNumber, isEnglish } from '../shared/i18n.js';
import { zonedInputValue } from '../shared/time.js';

/** definitionOf is a summary's definition in the page's language, or null for no summary. */
function definitionOf(summary) {
  if (!summary) return null;
  return (isEnglish() ? summary.definition : summary.definition_zh) || summary.definition;
}

/** STALE_MS is how long a station's summaries of the month are shown before they are fetched again. */
export const STALE_MS = 30 * 60_000;

/** currentMonth is the month of now on the county's clock, YYYY-MM: the month the summaries cut. */
export function currentMonth(now = new Date()) {
  return zonedInputValue(now).slice(0, 7);
}

/**
 * preventionFigures sums the rows of a station's dispute and task
 * summaries (group_by=grid) whose key is in keys — the police grid and its
 * community grids, since a task may be assigned to a community grid and a
 * dispute without a police grid counts under its community grid. Either
 * summary may be null (not read). The kept-low rate is kept_low / settled,
 * null when nothing was settled; stationRate is the summary total's.
 */
export function preventionFigures(disputes, tasks, keys) {
  const want = new Set(keys);
  const sum = (rows, fields) => {
    const out = Object.fromEntries(fields.map((f) => [f, 0]));
    for (const r of rows || []) {
      if (!want.has(r.key)) continue;
      for (const f of fields) out[f] += r[f] || 0;
    }
    return out;
  };
  let d = null;
  if (disputes) {
    d = sum(disputes.rows, ['reported', 'settled', 'kept_low', 'open']);
    d.rate = d.settled > 0 ? d.kept_low / d.settled : null;
    d.stationRate = disputes.total?.kept_low_rate ?? null;
  }
  const k = tasks ? sum(tasks.rows, ['due', 'done', 'on_time', 'overdue']) : null;
  return { disputes: d, tasks: k };
}

/** formatRate shows a share as a percentage with one decimal, or "none" when it is not defined. */
export function formatRate(rate) {
  if (rate === null || rate === undefined) return t('prevention.noRate');
  return `${formatNumber(Math.round(rate * 1000) / 10)}%`;
}

/**
 * createPrevention keeps each station's summaries for the month.
 * lastVisit(policeGridId) resolves to the grid's last-visit entry of
 * /api/v1/presence/grids (or null); children(policeGridId) to the ids of
 * its community grids.
 */
export function createPrevention({ lastVisit, children }) {
  // station|month → { at, disputes: Promise, tasks: Promise }
  const cache = new Map();

  function fetchSummary(path, station, month) {
    return getJSON(query(path, { month, group_by: 'grid', station }))
      .then((value) => ({ value }), (error) => ({ error }));
  }

  /** summaries resolves to a station's {disputes, tasks} of month, each {value} or {error}. */
  function summaries(station, month) {
    const key = `${station}|${month}`;
    let entry = cache.get(key);
    if (!entry || Date.now() - entry.at > STALE_MS) {
      entry = {
        at: Date.now(),
        disputes: fetchSummary('api/v1/disputes/summary', station, month),
        tasks: fetchSummary('api/v1/tasks/summary', station, month),
      };
      cache.set(key, entry);
    }
    return Promise.all([entry.disputes, entry.tasks]).then(([disputes, tasks]) => {
      // A failure is shown once and not kept: the next opening asks again.
      if ((disputes.error || tasks.error) && cache.get(key) === entry) cache.delete(key);
      return { disputes, tasks };
    });
  }

  function figure(name, label, value, definition, extra = {}) {
    return h('div', { class: 'row' },
      h('dt', { title: definition || null }, label),
      h('dd', { 'data-figure': name, title: definition || null, ...extra }, value));
  }

  function failed(what, err) {
    return h('p', { class: 'muted prevention-failed', 'data-testid': `prevention-${what}-failed`, title: err?.message || null },
      t(`prevention.${what}Failed`));
  }

  function disputeFacts(d, definition) {
    return h('dl', { class: 'facts', 'data-testid': 'prevention-disputes' },
      figure('reported', t('prevention.reported'), formatNumber(d.reported), definition),
      figure('settled', t('prevention.settled'), formatNumber(d.settled), definition),
      figure('kept_low', t('prevention.keptLow'), formatNumber(d.kept_low), definition),
      h('div', { class: 'row' },
        h('dt', { title: definition }, t('prevention.rate')),
        h('dd', { title: definition },
          h('strong', { 'data-figure': 'kept_low_rate' }, formatRate(d.rate)), ' · ',
          h('span', { class: 'muted' }, t('prevention.station'), ' ',
            h('span', { 'data-figure': 'station_rate' }, formatRate(d.stationRate))))),
      figure('open', t('prevention.open'), formatNumber(d.open), definition));
  }

  function taskFacts(k, definition) {
    return h('dl', { class: 'facts', 'data-testid': 'prevention-tasks' },
      figure('due', t('prevention.due'), formatNumber(k.due), definition),
      figure('done', t('prevention.done'), formatNumber(k.done), definition),
      figure('on_time', t('prevention.onTime'), formatNumber(k.on_time), definition),
      figure('overdue', t('prevention.overdue'), formatNumber(k.overdue), definition, k.overdue > 0 ? { class: 'warn' } : {}));
  }

  /**
   * render draws the block of grid (its properties) of station into el. A
   * failed summary leaves a short message in its place; the rest of the
   * block and the panel stay as they are.
   */
  async function render(el, props, station) {
    const police = props.level === 'police' ? props.id : props.parent?.id || props.id;
    const month = currentMonth();
    clear(el).append(h('h3', null, t('prevention.title', { month })), h('p', { class: 'muted' }, t('panel.loading')));
    const [sums, kids, visit] = await Promise.all([
      summaries(station, month),
      props.level === 'police' ? (props.children || []).map((c) => c.id) : children(police).catch(() => []),
      lastVisit(police).catch(() => null),
    ]);
    const keys = [police, ...kids];
    const { disputes, tasks } = preventionFigures(sums.disputes.value || null, sums.tasks.value || null, keys);
    clear(el).dataset.policeGrid = police;
    el.append(h('h3', null, t('prevention.title', { month })));
    if (police !== props.id) el.append(h('p', { class: 'muted' }, t('prevention.ofPolice', { name: props.parent?.name || police })));
    el.append(h('h4', null, t('prevention.disputes')));
    el.append(disputes ? disputeFacts(disputes, definitionOf(sums.disputes.value)) : failed('disputes', sums.disputes.error));
    el.append(h('h4', null, t('prevention.tasks')));
    el.append(tasks ? taskFacts(tasks, definitionOf(sums.tasks.value)) : failed('tasks', sums.tasks.error));
    const days = visit?.days_since_visit;
    el.append(h('dl', { class: 'facts' },
      figure('days_since_visit', t('prevention.sinceVisit'),
        days === null || days === undefined ? t('presence.never') : t('presence.daysAgo', { n: formatNumber(days) }))));
    const defs = [sums.disputes.value, sums.tasks.value].map(definitionOf).filter(Boolean);
    if (defs.length) {
      el.append(h('details', { class: 'definitions' },
        h('summary', null, t('prevention.definitions')),
        defs.map((d) => h('p', null, d))));
    }
  }

  return { render };
}
