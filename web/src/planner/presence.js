// The per-station presence table (下沉) of the assessment view: for each
// station, its officers' hours this month in their own police grids and
// elsewhere, its police grids visited to target in the last 7 days, and
// those its officers have not come to for longer than the server's
// threshold. From /api/v1/presence (this month, and the last 7 days) and
// /api/v1/presence/grids.
import { getJSON, query } from '../shared/api.js';
import { h, clear } from '../shared/dom.js';
import { t, formatNumber } from '../shared/i18n.js';
import { problemMessage } from '../shared/problems.js';

/**
 * stationPresenceRows sums the reports per station, in the order of
 * stationIds (stations without officers or grids still get a row):
 * {station, ownHours, otherHours, visited, grids, unvisited}. month and
 * week are /api/v1/presence reports, last is /api/v1/presence/grids. A
 * grid counts as unvisited when it has officers of its own and no visit
 * within the threshold (none known, or more days since than it).
 */
export function stationPresenceRows(stationIds, month, week, last) {
  const rows = new Map(stationIds.map((id) => [id, { station: id, ownHours: 0, otherHours: 0, visited: 0, grids: 0, unvisited: 0 }]));
  const row = (id) => {
    if (!rows.has(id)) rows.set(id, { station: id, ownHours: 0, otherHours: 0, visited: 0, grids: 0, unvisited: 0 });
    return rows.get(id);
  };
  for (const o of month.officers || []) {
    if (!o.station) continue;
    const r = row(o.station);
    r.ownHours += o.own_grid_seconds / 3600;
    r.otherHours += (o.present_seconds - o.own_grid_seconds) / 3600;
  }
  for (const g of week.grids || []) {
    const r = row(g.station);
    r.grids += 1;
    if (g.visits_per_week >= g.target_per_week) r.visited += 1;
  }
  const n = last.unvisited_after_days;
  for (const g of last.grids || []) {
    if (!g.has_officers || !(n > 0)) continue;
    if (g.days_since_visit === null || g.days_since_visit >= n) row(g.station).unvisited += 1;
  }
  for (const r of rows.values()) {
    r.ownHours = Math.round(r.ownHours * 10) / 10;
    r.otherHours = Math.round(r.otherHours * 10) / 10;
  }
  return [...rows.values()];
}

/** createStationPresence runs the table in el. */
export function createStationPresence(el, { stationIds, stationName }) {
  let shown = null; // {rows, n}

  async function load() {
    clear(el).append(h('h2', null, t('stationPresence.title')), h('p', { class: 'muted' }, t('stationPresence.loading')));
    try {
      const last = await getJSON('api/v1/presence/grids');
      // The month as the server counts days: its time zone is in as_of.
      const from = `${String(last.as_of).slice(0, 7)}-01`;
      const [month, week] = await Promise.all([
        getJSON(query('api/v1/presence', { from })),
        getJSON('api/v1/presence'),
      ]);
      shown = { rows: stationPresenceRows(stationIds, month, week, last), n: last.unvisited_after_days };
    } catch (err) {
      shown = null;
      clear(el).append(h('h2', null, t('stationPresence.title')),
        h('p', { class: 'error', role: 'alert' }, t('stationPresence.unavailable', { detail: problemMessage(err) })));
      return;
    }
    render();
  }

  function render() {
    if (!shown) return;
    const { rows, n } = shown;
    const num = (v) => h('td', { class: 'num' }, formatNumber(v));
    clear(el).append(
      h('h2', { id: 'station-presence-title' }, t('stationPresence.title')),
      h('table', { class: 'station-presence', 'data-testid': 'station-presence', 'aria-labelledby': 'station-presence-title' },
        h('caption', { class: 'muted' }, t('stationPresence.caption', { n: formatNumber(n) })),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('stationPresence.station')),
          h('th', { scope: 'col', class: 'num' }, t('stationPresence.ownHours')),
          h('th', { scope: 'col', class: 'num' }, t('stationPresence.otherHours')),
          h('th', { scope: 'col', class: 'num' }, t('stationPresence.visited')),
          h('th', { scope: 'col', class: 'num' }, t('stationPresence.unvisited', { n: formatNumber(n) })))),
        h('tbody', null, rows.map((r) => h('tr', { dataset: { station: r.station } },
          h('th', { scope: 'row' }, stationName(r.station)),
          num(r.ownHours),
          num(r.otherHours),
          h('td', { class: 'num' }, `${formatNumber(r.visited)} / ${formatNumber(r.grids)}`),
          num(r.unvisited))))));
  }

  return { load, render };
}
