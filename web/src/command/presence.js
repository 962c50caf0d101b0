// Presence (下沉) on the map: police grids shaded by the days since their own
// officers last came — a stay measured from patrol positions or a recorded
// visit — from /api/v1/presence/grids, which names no officer. The layer is
// off until switched on; its legend sits under the switch, and the grid
// panel shows the selected grid's last visit and its visits this week
// against the target (/api/v1/grids/{id}/presence).
import { getJSON, ApiError } from '../shared/api.js';
import { h, clear } from '../shared/dom.js';
import { t, formatNumber, lang } from '../shared/i18n.js';
import { formatZoned } from '../shared/time.js';
import { firstLabelLayer } from './layers.js';

const REFRESH_MS = 5 * 60_000;
const LAYER = 'presence-fill';
const UNKNOWN = '#BDBDBD';

/**
 * bandsFor returns the colour bands for a threshold of n days (the
 * server's unvisited_after_days, 7 when off): under half of it, under it,
 * up to twice it, and beyond; each {from, to (exclusive, null: open), color}.
 */
export function bandsFor(n) {
  const days = n > 0 ? n : 7;
  const half = Math.max(1, Math.ceil(days / 2));
  return [
    { from: 0, to: half, color: '#1A9850' },
    { from: half, to: days, color: '#FEE08B' },
    { from: days, to: days * 2, color: '#F46D43' },
    { from: days * 2, to: null, color: '#A50026' },
  ];
}

/** colorFor is the band colour of a grid's days since its last visit (null: unknown). */
export function colorFor(bands, days) {
  if (days === null || days === undefined) return UNKNOWN;
  return (bands.find((b) => b.to === null || days < b.to) || bands[bands.length - 1]).color;
}

/** createPresence manages the layer and its legend (in legendEl). */
export function createPresence(map, legendEl, { toast }) {
  let shown = false;
  let report = null;
  let available = null;
  let timer = 0;
  let loadedAt = 0;
  let inflight = null;

  function addLayer() {
    if (map.getLayer(LAYER)) return;
    map.addLayer({
      id: LAYER, type: 'fill', source: 'jingge', 'source-layer': 'police_grids',
      layout: { visibility: 'none' },
      paint: { 'fill-color': UNKNOWN, 'fill-opacity': 0.8 },
    }, firstLabelLayer(map));
  }

  function paint() {
    if (!map.getLayer(LAYER)) return;
    map.setLayoutProperty(LAYER, 'visibility', shown && report ? 'visible' : 'none');
    if (!report || !report.grids.length) return;
    const bands = bandsFor(report.unvisited_after_days);
    const expr = ['match', ['get', 'id']];
    for (const g of report.grids) expr.push(g.grid, colorFor(bands, g.days_since_visit));
    expr.push(UNKNOWN);
    map.setPaintProperty(LAYER, 'fill-color', expr);
  }

  // The layer's refresh and the grid panel share one request in flight.
  function load() {
    inflight ??= fetchReport().finally(() => { inflight = null; });
    return inflight;
  }

  async function fetchReport() {
    try {
      report = await getJSON('api/v1/presence/grids');
      available = true;
    } catch (err) {
      if (err instanceof ApiError && (err.missing || err.status === 503 || err.status === 403 || err.status === 404)) {
        available = false;
      } else if (shown) {
        toast?.(t('presence.failed', { detail: err.message }));
      }
    }
    loadedAt = Date.now();
    paint();
    render();
  }

  /**
   * lastVisit resolves to a police grid's entry of /api/v1/presence/grids
   * ({grid, last_visit, days_since_visit, ...}) or null: from the report
   * the layer holds when it was read in the last refresh period, else
   * read again (once, however many panels ask).
   */
  async function lastVisit(id) {
    if (Date.now() - loadedAt > REFRESH_MS) await load();
    return report?.grids.find((g) => g.grid === id) || null;
  }

  function setShown(v) {
    shown = v;
    clearInterval(timer);
    if (shown) {
      load();
      timer = setInterval(load, REFRESH_MS);
    }
    paint();
    render();
  }

  function render() {
    clear(legendEl);
    legendEl.hidden = !shown;
    if (!shown) return;
    if (available === false) {
      legendEl.append(h('p', { class: 'muted' }, t('presence.unavailable')));
      return;
    }
    if (!report) {
      legendEl.append(h('p', { class: 'muted' }, t('panel.loading')));
      return;
    }
    const bands = bandsFor(report.unvisited_after_days);
    const label = (b) => (b.to === null ? t('presence.bandOpen', { from: b.from }) : t('presence.band', { from: b.from, to: b.to - 1 }));
    legendEl.append(
      h('h3', null, t('presence.legend')),
      h('ul', { class: 'legend-presence', 'data-testid': 'presence-legend' },
        bands.map((b) => h('li', null, h('span', { class: 'swatch', style: { background: b.color } }), label(b))),
        h('li', null, h('span', { class: 'swatch', style: { background: UNKNOWN } }), t('presence.unknown'))),
      report.unvisited_after_days > 0
        ? h('p', { class: 'muted' }, t('presence.threshold', { n: formatNumber(report.unvisited_after_days) }))
        : null,
    );
  }

  /**
   * renderGrid draws a police grid's presence into el for the grid panel:
   * the last visit and days since, and visits this week against the target.
   */
  async function renderGrid(el, id) {
    clear(el);
    // The map's report is read even with the layer off: the week's figures
    // come from pings only, so a visit recorded on a phone would read as
    // none here while the prevention block below counts it.
    let week = null;
    const [last] = await Promise.all([
      lastVisit(id),
      getJSON(`api/v1/grids/${encodeURIComponent(id)}/presence`).then((w) => { week = w; }, () => {
        // A role without presence reads, or no patrol data: what the map knows is shown.
      }),
    ]);
    if (!last && !week) return;
    clear(el);
    el.append(h('h3', null, t('presence.panelTitle')));
    const dl = h('dl', { class: 'facts' });
    const lastAt = last?.last_visit ?? week?.last_visit ?? null;
    const days = last?.days_since_visit ?? week?.days_since_visit ?? null;
    dl.append(h('div', { class: 'row' }, h('dt', null, t('presence.lastVisit')),
      h('dd', { 'data-testid': 'panel-last-visit' }, lastAt
        ? `${formatZoned(lastAt, lang())} · ${t('presence.daysAgo', { n: formatNumber(days) })}${last?.recorded ? ` · ${t('presence.recorded')}` : ''}`
        : t('presence.never'))));
    if (week) {
      dl.append(h('div', { class: 'row' }, h('dt', null, t('presence.thisWeek')),
        h('dd', { 'data-testid': 'panel-visits-week' }, t('presence.visitsVsTarget', { n: formatNumber(week.visits_per_week), target: formatNumber(week.target_per_week) }))));
    }
    el.append(dl);
  }

  return {
    addLayer,
    setShown,
    renderGrid,
    lastVisit,
    rerender() {
      render();
    },
    get report() {
      return report;
    },
    get shown() {
      return shown;
    },
  };
}
