// Incidents (警情) over a chosen time window: clusters or a heat map by
// category on the map, counts in the side column, and a grid's counts and
// 12-month trend in the grid panel. Read from /api/v1/incidents; a server
// without incidents shows the card as unavailable and the map without them.
import { getJSON, query, ApiError } from '../shared/api.js';
import { h, clear } from '../shared/dom.js';
import { t, formatNumber } from '../shared/i18n.js';
import { maplibregl } from '../shared/map.js';
import { lastMonths } from '../shared/trend.js';
import { renderIncidentSummary } from './panel.js';
import { WINDOWS } from './state.js';

/** CATEGORIES are the default incident categories, most serious first, with their map colours. */
export const CATEGORIES = [
  ['criminal', '#C0392B'],
  ['public_order', '#E67E22'],
  ['traffic', '#2471A3'],
  ['dispute', '#8E44AD'],
  ['assistance', '#138D75'],
  ['fire', '#D4AC0D'],
  ['other', '#7F8C8D'],
];
const COLOR = Object.fromEntries(CATEGORIES);

/** At most this many incidents are drawn; the newest are kept. */
export const MAX_INCIDENTS = 5000;
const PAGE = 1000;
const REFRESH_MS = 60_000;

const HOUR = 3600 * 1000;
const WINDOW_MS = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR, '90d': 90 * 24 * HOUR, '365d': 365 * 24 * HOUR };

/** windowStart is the first moment of window w ending at now, as RFC 3339 (UTC, whole seconds). */
export function windowStart(w, now = new Date()) {
  return new Date(now.getTime() - (WINDOW_MS[w] || WINDOW_MS['7d'])).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** categoryName is a category's name in the current language; unknown ones are shown as they are. */
export function categoryName(c) {
  const s = t(`cat.${c}`);
  return s === `cat.${c}` ? c : s;
}

const colorExpr = ['match', ['get', 'category'], ...CATEGORIES.flat(), '#7F8C8D'];

export function createIncidents(map, el, { getWindow, setWindow, toast }) {
  let available = null; // null: not known yet
  let features = [];
  let truncated = false;
  let loading = false;
  let view = 'clusters';
  const hidden = new Set();
  let seq = 0;
  let timer = 0;

  function addLayers() {
    const empty = { type: 'FeatureCollection', features: [] };
    map.addSource('incidents', { type: 'geojson', data: empty, cluster: true, clusterRadius: 42, clusterMaxZoom: 14 });
    map.addSource('incidents-heat', { type: 'geojson', data: empty });
    const before = map.getStyle().layers.find((l) => l.type === 'symbol')?.id;
    map.addLayer({ id: 'incidents-heat', type: 'heatmap', source: 'incidents-heat', maxzoom: 16,
      paint: {
        'heatmap-weight': ['interpolate', ['linear'], ['get', 'severity'], 1, 0.4, 5, 1],
        'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 8, 0.5, 14, 1.5],
        'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 8, 10, 12, 22, 16, 40],
        'heatmap-opacity': 0.8,
        'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'],
          0, 'rgba(255,255,204,0)', 0.2, '#FFEDA0', 0.4, '#FEB24C', 0.6, '#FD8D3C', 0.8, '#E31A1C', 1, '#800026'],
      } }, before);
    map.addLayer({ id: 'incidents-clusters', type: 'circle', source: 'incidents', filter: ['has', 'point_count'],
      paint: {
        'circle-color': ['step', ['get', 'point_count'], '#F5B041', 20, '#E67E22', 100, '#C0392B'],
        'circle-radius': ['step', ['get', 'point_count'], 13, 20, 18, 100, 25],
        'circle-opacity': 0.85, 'circle-stroke-color': '#FFFFFF', 'circle-stroke-width': 2,
      } });
    map.addLayer({ id: 'incidents-points', type: 'circle', source: 'incidents', filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': colorExpr,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 4, 16, 8],
        'circle-stroke-color': '#FFFFFF', 'circle-stroke-width': 1.2,
      } });
    map.addLayer({ id: 'incidents-count', type: 'symbol', source: 'incidents', filter: ['has', 'point_count'],
      // Counts never push a station or grid name off the map.
      layout: { 'text-field': ['get', 'point_count_abbreviated'], 'text-size': 12, 'text-allow-overlap': true, 'text-ignore-placement': true },
      paint: { 'text-color': '#FFFFFF' } });
    for (const id of ['incidents-clusters', 'incidents-points']) {
      map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
    }
  }

  // Under a heat map the region colours are toned down, so the heat reads.
  const fills = ['regions-fill', 'police-grids-fill', 'community-grids-fill'];
  const fillOpacity = {};

  function applyView() {
    const vis = (id, on) => map.getLayer(id) && map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
    vis('incidents-heat', view === 'heat');
    for (const id of ['incidents-clusters', 'incidents-points', 'incidents-count']) vis(id, view === 'clusters');
    for (const id of fills) {
      if (!map.getLayer(id)) continue;
      if (!(id in fillOpacity)) fillOpacity[id] = map.getPaintProperty(id, 'fill-opacity') ?? 1;
      map.setPaintProperty(id, 'fill-opacity', view === 'heat' ? 0.15 : fillOpacity[id]);
    }
  }

  function applyData() {
    const shown = { type: 'FeatureCollection', features: features.filter((f) => !hidden.has(f.properties.category)) };
    map.getSource('incidents')?.setData(shown);
    map.getSource('incidents-heat')?.setData(shown);
  }

  async function load() {
    const mine = ++seq;
    loading = true;
    render();
    const from = windowStart(getWindow());
    const got = [];
    let next = query('api/v1/incidents', { from, limit: PAGE });
    let more = false;
    try {
      while (next) {
        const page = await getJSON(next);
        if (mine !== seq) return;
        got.push(...page.features);
        const link = (page.links || []).find((l) => l.rel === 'next');
        next = link ? link.href.replace(/^\//, '') : null;
        if (got.length >= MAX_INCIDENTS) {
          more = Boolean(next);
          break;
        }
      }
    } catch (err) {
      if (mine !== seq) return;
      loading = false;
      if (err instanceof ApiError && (err.missing || err.status === 503 || err.status === 403)) {
        available = false;
        features = [];
        applyData();
        render();
        return;
      }
      render();
      toast(t('app.loadFailed', { detail: err.message }));
      return;
    }
    available = true;
    loading = false;
    features = got.slice(0, MAX_INCIDENTS);
    truncated = more || got.length > MAX_INCIDENTS;
    applyData();
    render();
  }

  function render() {
    clear(el);
    el.append(h('h2', null, t('incidents.title')));
    if (available === false) {
      el.append(h('p', { class: 'muted', 'data-testid': 'incidents-unavailable' }, t('incidents.unavailable')));
      return;
    }
    const counts = Object.fromEntries(CATEGORIES.map(([c]) => [c, 0]));
    for (const f of features) counts[f.properties.category] = (counts[f.properties.category] || 0) + 1;
    const select = h('select', { id: 'incident-window', 'aria-label': t('incidents.window'),
      onchange: (e) => self.setWindow(e.target.value) },
    WINDOWS.map((w) => h('option', { value: w, selected: w === getWindow() }, t(`window.${w}`))));
    const views = h('div', { class: 'segmented small', role: 'radiogroup', 'aria-label': t('incidents.view') },
      ['clusters', 'heat', 'off'].map((v) => h('button', { type: 'button', role: 'radio', 'aria-checked': String(v === view), dataset: { view: v },
        onclick: () => { view = v; applyView(); render(); } }, t(`incidents.${v}`))));
    el.append(h('div', { class: 'controls' }, select, views));
    el.append(h('ul', { class: 'incident-categories', 'data-testid': 'incident-categories' },
      CATEGORIES.map(([c, color]) => h('li', null, h('label', null,
        h('input', { type: 'checkbox', checked: !hidden.has(c), dataset: { category: c },
          onchange: (e) => { if (e.target.checked) hidden.delete(c); else hidden.add(c); applyData(); } }),
        h('span', { class: 'dot', style: { background: color } }),
        h('span', null, categoryName(c)),
        h('span', { class: 'count muted' }, formatNumber(counts[c] || 0)))))));
    el.append(h('p', { class: 'muted', 'data-testid': 'incident-total' },
      loading ? t('incidents.loading') : t('incidents.total', { n: formatNumber(features.length) }),
      truncated && !loading ? ` · ${t('incidents.truncated', { n: formatNumber(MAX_INCIDENTS) })}` : ''));
  }

  function popupFor(f) {
    const p = f.properties;
    const when = new Date(p.occurred_at).toLocaleString(document.documentElement.lang, { dateStyle: 'medium', timeStyle: 'short' });
    return h('div', { class: 'popup incident-popup' },
      h('p', null, h('span', { class: 'dot', style: { background: COLOR[p.category] || '#7F8C8D' } }), h('strong', null, categoryName(p.category)),
        ' · ', t(`status.${p.status}`), ' · ', t('incident.severity', { n: p.severity })),
      h('p', { class: 'muted' }, when),
      p.summary ? h('p', null, p.summary) : null);
  }

  const self = {
    get available() {
      return available === true;
    },
    start() {
      addLayers();
      applyView();
      load();
      clearInterval(timer);
      timer = setInterval(() => { if (available) load(); }, REFRESH_MS);
    },
    rerender() {
      render();
    },
    setWindow(w) {
      if (!WINDOWS.includes(w)) return;
      setWindow(w);
      load();
    },
    /** handleClick zooms into a cluster or describes an incident; true when it did. */
    handleClick(e) {
      if (!map.getLayer('incidents-clusters') || view !== 'clusters') return false;
      const hits = map.queryRenderedFeatures(e.point, { layers: ['incidents-clusters', 'incidents-points'] });
      if (!hits.length) return false;
      const f = hits[0];
      if (f.properties.cluster) {
        map.getSource('incidents').getClusterExpansionZoom(f.properties.cluster_id).then((zoom) => {
          map.easeTo({ center: f.geometry.coordinates, zoom: Math.min(zoom, 16) });
        });
      } else {
        new maplibregl.Popup({ maxWidth: '22rem' }).setLngLat(f.geometry.coordinates).setDOMContent(popupFor(f)).addTo(map);
      }
      return true;
    },
    /** renderGridSummary fills el with a grid's incidents in the window and its 12-month trend. */
    async renderGridSummary(el, gridId, level) {
      const groupBy = level === 'police' ? 'police_grid' : 'grid';
      const months = lastMonths(new Date());
      try {
        const [inWindow, trend] = await Promise.all([
          getJSON(query('api/v1/incidents/aggregate', { grid: gridId, from: windowStart(getWindow()), group_by: groupBy, bucket: 'month' })),
          getJSON(query('api/v1/incidents/aggregate', { grid: gridId, from: `${months[0]}-01`, group_by: groupBy, bucket: 'month' })),
        ]);
        const byCat = {};
        let total = 0;
        for (const row of inWindow.rows) {
          total += row.total;
          for (const [c, n] of Object.entries(row.counts)) byCat[c] = (byCat[c] || 0) + n;
        }
        const perMonth = Object.fromEntries(months.map((m) => [m, 0]));
        for (const row of trend.rows) {
          const m = row.start.slice(0, 7);
          if (m in perMonth) perMonth[m] += row.total;
        }
        const order = CATEGORIES.map(([c]) => c);
        const byCategory = Object.entries(byCat).sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
        renderIncidentSummary(el, {
          windowLabel: t(`window.${getWindow()}`), total, byCategory, months,
          counts: months.map((m) => perMonth[m]), categoryName,
        });
        el.dataset.total = String(total);
      } catch (err) {
        clear(el).append(h('p', { class: 'muted' }, t('incidents.unavailable')));
      }
    },
  };
  return self;
}
