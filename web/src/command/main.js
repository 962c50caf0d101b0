// The command-center map (/): regions, stations and grids from jingge's own
// tiles, incidents over a time window, live patrols and their events, a
// panel for the selected grid, search and a linkable URL.
import { getJSON, getOptionalJSON, query, ApiError } from '../shared/api.js';
import { $, h, clear, toaster, replaceHash } from '../shared/dom.js';
import { t, initLang, setLang, onLangChange, applyStatic, isEnglish, lang, localName } from '../shared/i18n.js';
import { maplibregl, prepareStyle, setLabelLanguage, labelScaleFor, webglAvailable } from '../shared/map.js';
import { parseHash, formatHash } from './state.js';
import { renderLegend } from './legend.js';
import { createPanel } from './panel.js';
import { createSearch } from './search.js';
import { applyGridLayer, addSelectionLayers, GRID_LAYERS } from './layers.js';
import { createIncidents } from './incidents.js';
import { setZone } from '../shared/time.js';
import { createTheme } from './theme.js';
import { createLiveLayers } from './livelayers.js';
import { createPatrols } from './patrols.js';
import { createPresence } from './presence.js';
import { createPrevention } from './prevention.js';
import { pointAt, fetchOverlay, overlayFacts, overlaySubtitle, areasSection } from './overlays.js';
import { createEventFilter } from './eventfilter.js';
import { createTimeSlider } from './timeslider.js';
import { createFullscreen } from './fullscreen.js';
import { composeMapImage, captionLines, download } from './export.js';
import { liveSections } from './legend.js';
import { LIVE_LAYERS } from './livelayers.js';

const state = { layer: 'police', win: '7d', ...parseHash(location.hash) };
initLang(state.lang);
state.lang = lang();
applyStatic();
document.title = t('app.title');

// What tests and a curious operator can reach from the console.
const hook = { ready: false, state };
window.jingge = hook;

const toast = toaster($('toast'), 5000);

function writeHash() {
  replaceHash(formatHash(state));
}

async function main() {
  if (!webglAvailable()) {
    $('map-message').textContent = t('app.noWebGL');
    return;
  }
  let style, dataset, regionsDoc, stationsDoc, uiConfig, labels;
  try {
    [style, dataset, regionsDoc, stationsDoc, uiConfig, labels] = await Promise.all([
      getJSON('styles/command-center.json'),
      getJSON('api/v1/dataset'),
      getJSON('api/v1/regions'),
      getJSON('api/v1/stations'),
      getOptionalJSON('api/v1/ui-config'),
      getOptionalJSON('api/v1/labels'),
    ]);
  } catch (err) {
    $('map-message').textContent = t('app.loadFailed', { detail: err.message });
    return;
  }
  const colors = Object.fromEntries((style.metadata?.['jingge:regions'] || []).map((r) => [r.id, r.color]));
  const regions = regionsDoc.regions || [];
  const regionById = Object.fromEntries(regions.map((r) => [r.id, { ...r, color: colors[r.id] }]));
  const stationById = Object.fromEntries((stationsDoc.features || []).map((f) => [f.properties.id, f.properties]));
  const datum = dataset.datum || 'wgs84';
  setZone(dataset.utc_offset);
  const basemap = uiConfig?.basemap || null;

  renderLegend($('legend'), { regions, colors });

  // Labels and markers grow on a wall display.
  const labelScale = labelScaleFor(innerWidth);
  const mapOptions = {
    container: 'map',
    style: prepareStyle(style, { english: isEnglish(), labelScale, basemap, labels }),
    attributionControl: { compact: false },
    maxZoom: 18,
    // Keep the county in reach: a little room around its bounds.
    maxBounds: dataset.bounds ? padBounds(dataset.bounds, 0.6) : undefined,
    localIdeographFontFamily: '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Zen Hei", sans-serif',
  };
  if (Number.isFinite(state.zoom)) {
    mapOptions.center = [state.lon, state.lat];
    mapOptions.zoom = state.zoom;
  } else if (dataset.bounds) {
    const b = dataset.bounds;
    mapOptions.bounds = [[b[0], b[1]], [b[2], b[3]]];
    mapOptions.fitBoundsOptions = { padding: 24 };
  }
  $('map-message').remove();
  const map = new maplibregl.Map(mapOptions);
  hook.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  // The clicked point is drawn on the map below every label (a DOM marker
  // would sit over the station names).
  const clickMarker = {
    set(lngLat) {
      map.getSource('click-point')?.setData({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [lngLat.lng, lngLat.lat] } });
    },
    remove() {
      map.getSource('click-point')?.setData({ type: 'FeatureCollection', features: [] });
    },
  };

  // Township names for the panel, from the tiles already loaded.
  function townshipName(code) {
    if (!code) return '';
    const fs = map.querySourceFeatures('jingge', { sourceLayer: 'townships', filter: ['==', ['get', 'id'], code] });
    return fs[0]?.properties?.name || '';
  }

  const panel = createPanel($('panel'), {
    onSelect: (id) => selectGrid(id, { fit: true }),
    onClose: () => {
      state.grid = undefined;
      map.getSource('selection')?.setData({ type: 'FeatureCollection', features: [] });
      clickMarker.remove();
      writeHash();
    },
  });

  let selectSeq = 0;
  /** selectGrid shows grid id: outline, panel, URL. */
  async function selectGrid(id, { fit = false, clicked = null, other = null, areas = null } = {}) {
    const seq = ++selectSeq;
    panel.loading();
    let grid;
    try {
      grid = await getJSON(`api/v1/grids/${encodeURIComponent(id)}`);
    } catch (err) {
      if (seq !== selectSeq) return;
      panel.hide();
      toast(t('lookup.failed', { detail: err.message }));
      return;
    }
    if (seq !== selectSeq) return;
    state.grid = id;
    writeHash();
    map.getSource('selection')?.setData(grid);
    if (!clicked) clickMarker.remove();
    const p = grid.properties;
    const station = stationById[p.station?.id] || p.station || null;
    const region = station ? regionById[station.region] : null;
    panel.show({
      grid, station, region, clicked, other,
      townshipName: townshipName(p.township),
      areas: areas ? () => areasSection(areas) : null,
      incidents: incidents.available ? (el) => incidents.renderGridSummary(el, p.id, p.level) : null,
      presence: p.level === 'police' ? (el) => presence.renderGrid(el, p.id) : null,
      prevention: station?.id ? (el) => prevention.render(el, p, station.id) : null,
    });
    if (fit) {
      const b = bboxOf(grid.geometry);
      if (b) map.fitBounds(b, { padding: 80, maxZoom: 14, duration: 600 });
    }
    hook.selected = { id, station: station?.id, name: p.name };
  }
  hook.selectGrid = selectGrid;

  /** lookupAt answers "which grid is responsible here?" for a clicked point. */
  async function lookupAt(lngLat) {
    let hit;
    try {
      hit = await getJSON(query('api/v1/lookup', { lon: lngLat.lng.toFixed(7), lat: lngLat.lat.toFixed(7), crs: datum, include: 'areas' }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        toast(t('lookup.outside'));
        return;
      }
      toast(t('lookup.failed', { detail: err.message }));
      return;
    }
    const police = state.layer === 'police';
    const mine = police ? hit.police_grid : hit.community_grid;
    const theirs = police ? hit.community_grid : hit.police_grid;
    if (!mine) {
      toast(t('lookup.outside'));
      return;
    }
    clickMarker.set(lngLat);
    // The areas holding the point, each with its liaison (its own route
    // masks the phone by role, as members' phones are).
    let areas = null;
    try {
      areas = await Promise.all((hit.also_inside || []).map((a) => fetchOverlay('areas', a.id)));
    } catch (err) {
      toast(t('lookup.failed', { detail: err.message }));
    }
    await selectGrid(mine.id, {
      areas,
      clicked: [lngLat.lng, lngLat.lat],
      other: theirs ? { level: police ? 'community' : 'police', id: theirs.id, name: theirs.name } : null,
    });
  }
  hook.lookupAt = (lon, lat) => lookupAt({ lng: lon, lat });

  /** showOverlayAt opens the key place or checkpoint clicked. */
  async function showOverlayAt({ kind, id }) {
    const seq = ++selectSeq;
    panel.loading();
    let f;
    try {
      f = await fetchOverlay(kind, id);
    } catch (err) {
      if (seq !== selectSeq) return;
      panel.hide();
      toast(t('lookup.failed', { detail: err.message }));
      return;
    }
    if (seq !== selectSeq) return;
    state.grid = undefined;
    writeHash();
    map.getSource('selection')?.setData({ type: 'FeatureCollection', features: [] });
    clickMarker.remove();
    panel.showOverlay({ feature: f, subtitle: () => overlaySubtitle(kind, f), facts: () => overlayFacts(kind, f) });
    hook.selected = { overlay: kind, id };
  }

  const slider = createTimeSlider($('timeslider'), { getWindow: () => state.win, onChange: () => incidents.refresh() });
  const incidents = createIncidents(map, $('incidents'), {
    getWindow: () => state.win,
    setWindow: (w) => { state.win = w; slider.reset(); writeHash(); panel.rerender(); },
    getRange: () => slider.range(),
    toast,
    scale: labelScale,
  });
  const eventFilter = createEventFilter($('feed-filter'), {
    stations: (stationsDoc.features || []).map((f) => f.properties).filter((p) => p.kind !== 'area'),
    onChange: () => patrols.rerender(),
  });
  const patrols = createPatrols(map, $('feed'), { toast, stationById, scale: labelScale, filter: eventFilter });
  hook.eventFilter = eventFilter;
  hook.slider = slider;
  hook.incidents = incidents;
  hook.patrols = patrols;
  const presence = createPresence(map, $('presence'), { toast });
  hook.presence = presence;
  // A community grid's panel counts its police grid's work, which takes
  // in the tasks of that police grid's community grids.
  const childrenOf = new Map();
  function gridChildren(id) {
    if (!childrenOf.has(id)) {
      childrenOf.set(id, getJSON(`api/v1/grids/${encodeURIComponent(id)}`).then(
        (g) => (g.properties.children || []).map((c) => c.id),
        (err) => { childrenOf.delete(id); throw err; }));
    }
    return childrenOf.get(id);
  }
  const prevention = createPrevention({ lastVisit: (id) => presence.lastVisit(id), children: gridChildren });
  hook.prevention = prevention;
  const live = createLiveLayers($('live'), map, { setIncidents: (v) => incidents.setShown(v), setPresence: (v) => presence.setShown(v) });
  const themeButton = $('theme');
  const theme = createTheme(map, {
    onChange: (th) => {
      themeButton.textContent = t(th === 'dark' ? 'theme.toLight' : 'theme.toDark');
      themeButton.setAttribute('aria-pressed', String(th === 'dark'));
    },
  });
  hook.theme = theme;
  themeButton.addEventListener('click', () => theme.toggle());
  const fullscreen = createFullscreen($('fullscreen'), { onChange: () => map.resize() });

  /** shownLayers names the layers the map shows now, for the exported image's caption. */
  function shownLayers() {
    const names = [t(`layer.${state.layer}`)];
    for (const l of LIVE_LAYERS) {
      if (live.hidden.has(l.id)) continue;
      names.push(l.id === 'incidents' ? `${t('live.incidents')} · ${slider.range() ? $('incident-slider').getAttribute('aria-valuetext') : t(`window.${state.win}`)}` : t(`live.${l.id}`));
    }
    return names;
  }
  $('export').addEventListener('click', async () => {
    try {
      const b = map.getBounds();
      const when = new Date();
      const caption = captionLines({ title: t('app.title'), when, layers: shownLayers(), bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom: map.getZoom() });
      const legend = [
        { title: t('legend.title'), items: regions.map((r) => ({ label: localName(r, 'name_zh', 'name_en'), color: colors[r.id] || '#BBBBBB' })) },
        ...liveSections().filter((sec) => !live.hidden.has(sec.id)),
      ];
      const canvas = await composeMapImage(map, { legend, caption });
      const stamp = when.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
      const file = `jingge-map-${stamp}.png`;
      await download(canvas, file);
      hook.exported = { file, width: canvas.width, height: canvas.height, caption };
      toast(t('wall.exported', { file }));
    } catch (err) {
      toast(t('wall.exportFailed', { detail: err.message }));
    }
  });
  function setLayer(layer) {
    state.layer = layer;
    for (const b of document.querySelectorAll('[data-layer]')) b.setAttribute('aria-checked', String(b.dataset.layer === layer));
    if (map.isStyleLoaded() || map.loaded()) applyGridLayer(map, layer);
    writeHash();
  }
  for (const b of document.querySelectorAll('[data-layer]')) b.addEventListener('click', () => setLayer(b.dataset.layer));

  createSearch($('search'), $('search-results'), {
    onPick: (r) => {
      if (r.level !== state.layer) setLayer(r.level);
      selectGrid(r.id, { fit: true });
    },
  });

  $('lang').addEventListener('click', () => setLang(isEnglish() ? 'zh-CN' : 'en'));
  onLangChange(() => {
    state.lang = lang();
    document.title = t('app.title');
    applyStatic();
    renderLegend($('legend'), { regions, colors });
    slider.render();
    eventFilter.render();
    fullscreen.render();
    setLabelLanguage(map, isEnglish());
    panel.rerender();
    incidents.rerender();
    patrols.rerender();
    live.render();
    presence.rerender();
    themeButton.textContent = t(theme.theme === 'dark' ? 'theme.toLight' : 'theme.toDark');
    writeHash();
  });

  map.on('load', () => {
    addSelectionLayers(map);
    applyGridLayer(map, state.layer);
    setLayer(state.layer);
    incidents.start();
    patrols.start();
    presence.addLayer();
    theme.repaint();
    live.apply();
    if (state.grid) selectGrid(state.grid, { fit: !Number.isFinite(state.zoom) });
    map.once('idle', () => {
      hook.ready = true;
      document.body.dataset.ready = 'true';
    });
  });
  map.on('moveend', () => {
    const c = map.getCenter();
    Object.assign(state, { zoom: map.getZoom(), lat: c.lat, lon: c.lng });
    writeHash();
  });
  map.on('click', (e) => {
    if (patrols.handleClick(e) || incidents.handleClick(e)) return;
    const point = pointAt(map, e.point);
    if (point) showOverlayAt(point);
    else lookupAt(e.lngLat);
  });
  for (const id of GRID_LAYERS) {
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
  }
  addEventListener('hashchange', () => {
    const next = parseHash(location.hash);
    if (Number.isFinite(next.zoom) && (Math.abs(next.zoom - map.getZoom()) > 0.01 || Math.abs(next.lat - map.getCenter().lat) > 1e-5 || Math.abs(next.lon - map.getCenter().lng) > 1e-5)) {
      map.jumpTo({ center: [next.lon, next.lat], zoom: next.zoom });
    }
    if (next.layer && next.layer !== state.layer) setLayer(next.layer);
    if (next.lang && next.lang !== state.lang) setLang(next.lang);
    if (next.win && next.win !== state.win) incidents.setWindow(next.win);
    if (next.grid && next.grid !== state.grid) selectGrid(next.grid, { fit: !Number.isFinite(next.zoom) });
    if (!next.grid && state.grid) panel.close();
  });
}

function padBounds(b, deg) {
  return [[b[0] - deg, b[1] - deg], [b[2] + deg, b[3] + deg]];
}

/** bboxOf is the bounding box of a GeoJSON geometry as [[w, s], [e, n]]. */
function bboxOf(geometry) {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]);
    } else c.forEach(visit);
  };
  if (!geometry?.coordinates) return null;
  visit(geometry.coordinates);
  return Number.isFinite(w) ? [[w, s], [e, n]] : null;
}

main().catch((err) => {
  console.error(err);
  const msg = document.getElementById('map-message');
  if (msg) msg.textContent = t('app.loadFailed', { detail: err.message });
  else clear(document.getElementById('toast') || document.body).append(h('p', null, String(err.message)));
});
