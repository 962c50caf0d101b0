// Incidents (警情) over a chosen time window: clusters or a heat map by
// category on the map, counts in the side column, and a grid's counts and
// 12-month trend in the grid panel.
//
// The map draws the server's incidents tile layer (/tiles/incidents/…,
// clustered below zoom 14, cut to the window and categories on the
// server), so a year of incidents costs no more than a day; the counts come
// from /api/v1/incidents/aggregate. A server without incidents shows the
// card as unavailable and the map without them.
import { getJSON, query, ApiError } from '../shared/api.js';
import { h, clear } from '../shared/dom.js';
import { t, formatNumber } from '../shared/i18n.js';
import { maplibregl } from '../shared/map.js';
import { lastMonths } from '../shared/trend.js';
import { formatZoned } from '../shared/time.js';
import { renderIncidentSummary } from './panel.js';
import { firstLabelLayer } from './layers.js';
import { WINDOWS } from './state.js';
import { windowStart, tileURL } from './window.js';

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
const REFRESH_MS = 60_000;
/** categoryName is a category's name in the current language; unknown ones are shown as they are. */
export function categoryName(c) {
  const s = t(`cat.${c}`);
  return s === `cat.${c}` ? c : s;
}

const colorExpr = ['match', ['get', 'category'], ...CATEGORIES.flat(), '#7F8C8D'];
/**
 * heatIntensity scales the heat map to the data and the zoom: a day's few
 * dozen incidents must show at the opening zoom as a year's thousands do,
 * so the fewer there are, the hotter each one (up to 4×, down to ½×).
 */
export function heatIntensity(total) {
  const k = Math.min(4, Math.max(0.5, Math.sqrt(500 / Math.max(total, 1))));
  const r = (v) => Math.round(v * k * 100) / 100;
  return ['interpolate', ['linear'], ['zoom'], 6, r(1.2), 10, r(1), 14, r(1.5)];
}

// A cluster of one is drawn as the incident it is.
const isCluster = ['all', ['==', ['get', 'cluster'], true], ['>', ['get', 'count'], 1]];

/**
 * createIncidents draws the incidents of the window getWindow() names, or
 * of the part of it getRange() returns ({ from, to }, null for the whole
 * window: the time slider).
 */
export function createIncidents(map, el, { getWindow, setWindow, toast, scale = 1, getRange = () => null }) {
  const k = (v) => Math.round(v * scale * 10) / 10;
  let available = null; // null: not known yet
  let counts = {};
  let total = 0;
  let loading = false;
  let view = 'clusters';
  // Hidden as a live layer (livelayers.js), whatever the view.
  let shown = true;
  const hidden = new Set();
  let seq = 0;
  let timer = 0;
  // The pages' directory, absolute: tile URLs in a style must be.
  const base = new URL('.', document.baseURI).href;

  function shownCategories() {
    return hidden.size ? CATEGORIES.map(([c]) => c).filter((c) => !hidden.has(c)) : null;
  }

  /** span is the period shown: { from, to } (to undefined: up to now). */
  function span() {
    return getRange() || { from: windowStart(getWindow()), to: undefined };
  }

  function currentTiles() {
    const { from, to } = span();
    const url = tileURL(base, from, shownCategories());
    return to ? `${url}&to=${encodeURIComponent(to)}` : url;
  }

  function addLayers() {
    map.addSource('incidents', { type: 'vector', tiles: [currentTiles()], minzoom: 0, maxzoom: 16 });
    const before = firstLabelLayer(map);
    map.addLayer({ id: 'incidents-heat', type: 'heatmap', source: 'incidents', 'source-layer': 'incidents', maxzoom: 17,
      paint: {
        // A cluster weighs by its count, sub-linearly, so a town's hundreds
        // do not drown a village's few.
        'heatmap-weight': ['interpolate', ['linear'], ['get', 'count'], 1, 1, 10, 3, 100, 10, 1000, 30],
        'heatmap-intensity': heatIntensity(0),
        'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 6, k(12), 9, k(20), 12, k(30), 16, k(45)],
        'heatmap-opacity': 0.85,
        'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'],
          0, 'rgba(255,237,160,0)', 0.05, 'rgba(254,217,118,0.55)', 0.2, '#FEB24C', 0.4, '#FD8D3C', 0.6, '#FC4E2A', 0.8, '#E31A1C', 1, '#800026'],
      } }, before);
    // Data under the labels: clusters and dots never hide a station's or
    // grid's name, and are lighter so the area beneath still reads.
    map.addLayer({ id: 'incidents-clusters', type: 'circle', source: 'incidents', 'source-layer': 'incidents', filter: isCluster,
      paint: {
        'circle-color': ['step', ['get', 'count'], '#F5B041', 20, '#E67E22', 100, '#C0392B'],
        'circle-radius': ['step', ['get', 'count'], k(9), 5, k(11), 20, k(14), 100, k(18)],
        'circle-opacity': 0.7, 'circle-stroke-color': '#FFFFFF', 'circle-stroke-width': 1.5,
      } }, before);
    map.addLayer({ id: 'incidents-points', type: 'circle', source: 'incidents', 'source-layer': 'incidents', filter: ['!', isCluster],
      paint: {
        'circle-color': colorExpr,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, k(3.5), 16, k(7)],
        'circle-opacity': 0.85,
        'circle-stroke-color': '#FFFFFF', 'circle-stroke-width': 1,
      } }, before);
    map.addLayer({ id: 'incidents-count', type: 'symbol', source: 'incidents', 'source-layer': 'incidents', filter: isCluster,
      // Counts never push a station or grid name off the map.
      layout: { 'text-field': ['to-string', ['get', 'count']], 'text-size': k(11), 'text-allow-overlap': true, 'text-ignore-placement': true },
      paint: { 'text-color': '#FFFFFF' } }, before);
    for (const id of ['incidents-clusters', 'incidents-points']) {
      map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
    }
  }

  // Under a heat map the region colours are toned down, so the heat reads.
  const fills = ['regions-fill', 'police-grids-fill', 'community-grids-fill'];
  const fillOpacity = {};

  function applyView() {
    const on = available === true && shown;
    const vis = (id, visible) => map.getLayer(id) && map.setLayoutProperty(id, 'visibility', visible && on ? 'visible' : 'none');
    vis('incidents-heat', view === 'heat');
    for (const id of ['incidents-clusters', 'incidents-points', 'incidents-count']) vis(id, view === 'clusters');
    for (const id of fills) {
      if (!map.getLayer(id)) continue;
      if (!(id in fillOpacity)) fillOpacity[id] = map.getPaintProperty(id, 'fill-opacity') ?? 1;
      map.setPaintProperty(id, 'fill-opacity', view === 'heat' && on ? 0.15 : fillOpacity[id]);
    }
  }

  /** reloadTiles points the map at the window and categories shown (and refetches its tiles). */
  function reloadTiles() {
    map.getSource('incidents')?.setTiles([currentTiles()]);
  }

  /** load counts the incidents of the window by category. */
  async function load() {
    const mine = ++seq;
    loading = true;
    render();
    try {
      const agg = await getJSON(query('api/v1/incidents/aggregate', {
        ...span(), group_by: 'station', bucket: 'month', category: shownCategories()?.join(','),
      }));
      if (mine !== seq) return;
      counts = {};
      total = 0;
      for (const row of agg.rows) {
        total += row.total;
        for (const [c, n] of Object.entries(row.counts)) counts[c] = (counts[c] || 0) + n;
      }
      available = true;
    } catch (err) {
      if (mine !== seq) return;
      if (err instanceof ApiError && (err.missing || err.status === 503 || err.status === 403)) {
        available = false;
      } else {
        toast(t('app.loadFailed', { detail: err.message }));
      }
    }
    loading = false;
    if (map.getLayer('incidents-heat')) map.setPaintProperty('incidents-heat', 'heatmap-intensity', heatIntensity(total));
    applyView();
    render();
  }

  function render() {
    clear(el);
    el.append(h('h2', null, t('incidents.title')));
    if (available === false) {
      el.append(h('p', { class: 'muted', 'data-testid': 'incidents-unavailable' }, t('incidents.unavailable')));
      return;
    }
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
          onchange: (e) => {
            if (e.target.checked) hidden.delete(c);
            else hidden.add(c);
            reloadTiles();
            load();
          } }),
        h('span', { class: 'dot', style: { background: color } }),
        h('span', null, categoryName(c)),
        h('span', { class: 'count muted' }, hidden.has(c) ? '–' : formatNumber(counts[c] || 0)))))));
    el.append(h('p', { class: 'muted', 'data-testid': 'incident-total' },
      loading && available === null ? t('incidents.loading') : t('incidents.total', { n: formatNumber(total) })));
  }

  async function popupFor(f) {
    const body = h('div', { class: 'popup incident-popup' });
    const fill = (p) => {
      // The county's clock, not the browser's.
      const when = formatZoned(p.occurred_at, document.documentElement.lang);
      clear(body).append(
        h('p', null, h('span', { class: 'dot', style: { background: COLOR[p.category] || '#7F8C8D' } }), h('strong', null, categoryName(p.category)),
          p.status ? ` · ${t(`status.${p.status}`)}` : '', ' · ', t('incident.severity', { n: p.severity })),
        h('p', { class: 'muted' }, when),
        p.summary ? h('p', null, p.summary) : null);
    };
    fill(f.properties);
    // The tile holds the essentials; the incident itself has its status and summary.
    getJSON(`api/v1/incidents/${encodeURIComponent(f.properties.id)}`).then((inc) => fill(inc.properties || inc)).catch(() => {});
    return body;
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
      timer = setInterval(() => {
        if (!available) return;
        reloadTiles();
        load();
      }, REFRESH_MS);
    },
    rerender() {
      render();
    },
    /** setShown hides or shows every incident layer, keeping the view chosen. */
    setShown(visible) {
      shown = visible;
      applyView();
    },
    setWindow(w) {
      if (!WINDOWS.includes(w)) return;
      setWindow(w);
      reloadTiles();
      load();
    },
    /** refresh shows the period getRange() now returns. */
    refresh() {
      reloadTiles();
      load();
    },
    /** tiles is the incidents tile URL the map draws. */
    get tiles() {
      return currentTiles();
    },
    get total() {
      return total;
    },
    /** handleClick zooms into a cluster or describes an incident; true when it did. */
    handleClick(e) {
      if (!map.getLayer('incidents-clusters') || view !== 'clusters' || !available) return false;
      const hits = map.queryRenderedFeatures(e.point, { layers: ['incidents-clusters', 'incidents-points'] });
      if (!hits.length) return false;
      const f = hits[0];
      if (f.properties.cluster || !f.properties.id) {
        map.easeTo({ center: e.lngLat, zoom: Math.min(map.getZoom() + 2, 14) });
      } else {
        popupFor(f).then((content) => {
          new maplibregl.Popup({ maxWidth: '22rem' }).setLngLat(f.geometry.coordinates).setDOMContent(content).addTo(map);
        });
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
