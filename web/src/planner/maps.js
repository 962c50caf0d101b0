// Two maps side by side, one per plan compared, moving together: police
// grids coloured by the station each plan gives them, the grids whose
// station differs outlined on both.
import { maplibregl, prepareStyle } from '../shared/map.js';
import { stationColorExpr } from './model.js';

const FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Zen Hei", sans-serif';

/** CHANGED_COLOR outlines the grids the two plans disagree on. */
export const CHANGED_COLOR = '#D0021B';

/**
 * plannerStyle builds the style of one planner map from the command
 * center's (its tile source) with the station colours of one plan.
 */
export function plannerStyle(commandStyle, { colors, overrides, changed, english, labels }) {
  const source = commandStyle.sources.jingge;
  const layer = (id, type, sourceLayer, extra) => ({ id, type, source: 'jingge', 'source-layer': sourceLayer, ...extra });
  const isChanged = ['in', ['get', 'id'], ['literal', changed]];
  const style = {
    version: 8,
    sources: { jingge: source },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#F2F0EB' } },
      layer('grids-fill', 'fill', 'police_grids', {
        paint: { 'fill-color': stationColorExpr(colors, overrides), 'fill-opacity': ['case', isChanged, 0.9, 0.6] },
      }),
      layer('grids-line', 'line', 'police_grids', {
        paint: { 'line-color': '#FFFFFF', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.4, 14, 1.6] },
      }),
      layer('changed-line', 'line', 'police_grids', {
        filter: isChanged,
        layout: { 'line-join': 'round' },
        paint: { 'line-color': CHANGED_COLOR, 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 2, 14, 4.5] },
      }),
      layer('county-line', 'line', 'county', {
        layout: { 'line-join': 'round' },
        paint: { 'line-color': '#000000', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 1.5, 14, 4] },
      }),
      layer('police-grids-label', 'symbol', 'police_grids', {
        minzoom: 11.5,
        layout: { 'text-field': ['get', 'name'], 'text-size': 11, 'text-max-width': 8, 'text-padding': 4 },
        paint: { 'text-color': '#1B1B1B', 'text-halo-color': '#FFFFFF', 'text-halo-width': 1.4 },
      }),
      layer('stations-point', 'circle', 'stations', {
        filter: ['==', ['get', 'kind'], 'point'],
        paint: {
          'circle-color': ['match', ['get', 'id'], ...Object.entries(colors).flat(), '#1F2A44'],
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 4, 14, 8],
          'circle-stroke-color': '#1F2A44', 'circle-stroke-width': 2,
        },
      }),
      layer('stations-label', 'symbol', 'stations', {
        filter: ['==', ['get', 'kind'], 'point'],
        // prepareStyle sets the text, in the page's language.
        layout: { 'text-field': ['get', 'name'], 'text-size': 12, 'text-anchor': 'top', 'text-offset': [0, 0.7] },
        paint: { 'text-color': '#1B1B1B', 'text-halo-color': '#FFFFFF', 'text-halo-width': 1.5 },
      }),
    ],
  };
  return prepareStyle(style, { english, labels });
}

/**
 * createPair makes the two maps in containers a and b, fitted to bounds,
 * and keeps their cameras together. onGridClick(side, feature, lngLat)
 * is called for a click on a police grid.
 */
export function createPair({ a, b, bounds, styleA, styleB, onGridClick }) {
  const options = (container, style, attribution) => ({
    container, style,
    bounds: bounds ? [[bounds[0], bounds[1]], [bounds[2], bounds[3]]] : undefined,
    fitBoundsOptions: { padding: 12 },
    maxZoom: 17,
    // The two maps show the same sources: credit them once.
    attributionControl: attribution ? { compact: true } : false,
    localIdeographFontFamily: FONTS,
    // Kept after each frame, so printing the page prints the maps too.
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  for (const el of [a, b]) el.querySelector('.map-message')?.remove();
  const maps = [new maplibregl.Map(options(a, styleA, false)), new maplibregl.Map(options(b, styleB, true))];
  maps[0].addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  // Whichever map moves, the other follows; the follower's own move
  // event is not echoed back.
  let syncing = false;
  maps.forEach((map, i) => {
    const other = maps[1 - i];
    map.on('move', () => {
      if (syncing) return;
      syncing = true;
      try {
        other.jumpTo({ center: map.getCenter(), zoom: map.getZoom(), bearing: map.getBearing(), pitch: map.getPitch() });
      } finally {
        syncing = false;
      }
    });
    map.on('click', 'grids-fill', (e) => {
      if (e.features?.length) onGridClick?.(i === 0 ? 'a' : 'b', e.features[0], e.lngLat, map);
    });
    map.on('mouseenter', 'grids-fill', () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', 'grids-fill', () => { map.getCanvas().style.cursor = ''; });
  });
  return {
    maps,
    /** update recolours both maps for a new comparison, keeping the camera. */
    update(styleA, styleB) {
      maps[0].setStyle(styleA);
      maps[1].setStyle(styleB);
    },
    remove() {
      for (const m of maps) m.remove();
    },
  };
}

/** popup shows a small text popup at lngLat on map. */
export function popup(map, lngLat, node) {
  return new maplibregl.Popup({ closeButton: true, maxWidth: '18rem' }).setLngLat(lngLat).setDOMContent(node).addTo(map);
}
