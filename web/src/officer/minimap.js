// The officer page's small map, loaded only once there is something to show:
// the grid outlines around the answer, the answer's grid highlighted and
// the position marked. Online it draws the server's style and tiles; with
// an answer from the station pack (no network) it draws the pack's own
// grids, with no base map, so the officer still sees where the grid runs.
import { getJSON } from '../shared/api.js';
import { maplibregl, prepareStyle, webglAvailable } from '../shared/map.js';

let map = null;
let mode = null; // 'online' or 'pack': what the map in hand was made from
let marker = null;
let style = null;

/** packStyle draws the pack's grids: community grids filled, police grids outlined bolder. */
function packStyle(shapes) {
  return {
    version: 8,
    sources: { pack: { type: 'geojson', data: shapes } },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#F4F1EA' } },
      { id: 'pack-fill', type: 'fill', source: 'pack', filter: ['==', ['get', 'level'], 'community'], paint: { 'fill-color': '#E3E8EF', 'fill-opacity': 0.7 } },
      {
        id: 'pack-line', type: 'line', source: 'pack',
        paint: {
          'line-color': ['match', ['get', 'level'], 'community', '#9AA5B5', '#3A4A63'],
          'line-width': ['match', ['get', 'level'], 'community', 0.8, 1.8],
        },
      },
    ],
  };
}

async function open(el, doc, center, kind) {
  if (map) map.remove();
  map = new maplibregl.Map({
    container: el,
    style: doc,
    center,
    zoom: 13,
    // The attribution sits under the map (see m.html), not over it.
    attributionControl: false,
    localIdeographFontFamily: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
  });
  // With no signal (an officer in the hills) the map cannot fetch the
  // tiles around it: expected, and said by the page's offline note, so it
  // keeps what it has drawn and stays quiet. MapLibre logs any error no
  // one listens for; every other one is still logged here.
  map.on('error', (e) => {
    if (!navigator.onLine || e.error?.status === 0) return;
    console.error(e.error || e);
  });
  mode = kind;
  window.jingge.map = map;
  window.jingge.mapMode = kind;
  await new Promise((resolve) => map.once('load', resolve));
  map.addSource('grid', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'grid-line', type: 'line', source: 'grid', paint: { 'line-color': '#D7263D', 'line-width': 3 } });
}

/** outline is the answer's grid as a GeoJSON feature, from the pack or the server; null when there is none. */
async function outline(hit, shapes) {
  const id = hit.community_grid?.id || hit.police_grid?.id;
  if (!id) return null;
  if (shapes) return shapes.features.find((f) => f.properties.id === id) || null;
  try {
    return await getJSON(`api/v1/grids/${encodeURIComponent(id)}`);
  } catch {
    return null; // the outline is a nicety; the answer is already shown
  }
}

/**
 * show draws hit (a lookup answer) into el; with shapes (the pack's grids
 * as GeoJSON) it draws them instead of the server's tiles.
 */
export async function show(el, hit, { english, shapes = null }) {
  if (!webglAvailable()) throw new Error('no WebGL');
  const center = [hit.point.lon, hit.point.lat];
  const kind = shapes ? 'pack' : 'online';
  if (!map || mode !== kind) {
    let doc;
    if (shapes) {
      doc = packStyle(shapes);
    } else {
      style = style || (await getJSON('styles/command-center.json'));
      doc = prepareStyle(style, { english, districts: false });
    }
    await open(el, doc, center, kind);
  } else {
    map.resize();
  }
  marker = marker || new maplibregl.Marker({ color: '#D7263D' });
  marker.setLngLat(center).addTo(map);
  map.jumpTo({ center, zoom: 13 });
  const grid = await outline(hit, shapes);
  map.getSource('grid').setData(grid || { type: 'FeatureCollection', features: [] });
  window.jingge.mapGrid = grid?.properties?.id ?? grid?.id ?? null;
  if (grid) {
    // The whole grid, with the position in it.
    const b = new maplibregl.LngLatBounds(center, center);
    const visit = (c) => (typeof c[0] === 'number' ? b.extend(c) : c.forEach(visit));
    visit(grid.geometry.coordinates);
    map.fitBounds(b, { padding: 28, maxZoom: 15, duration: 0 });
  }
}
