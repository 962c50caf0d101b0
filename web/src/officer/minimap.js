// The officer page's small map, loaded only once there is something to show:
// the grid outlines around the answer, the community grid highlighted and
// the position marked.
import { getJSON } from '../shared/api.js';
import { maplibregl, prepareStyle, webglAvailable } from '../shared/map.js';

let map = null;
let marker = null;
let style = null;

/** show draws hit (a lookup answer) into el. */
export async function show(el, hit, { english }) {
  if (!webglAvailable()) throw new Error('no WebGL');
  const center = [hit.point.lon, hit.point.lat];
  if (!map) {
    style = style || (await getJSON('styles/command-center.json'));
    map = new maplibregl.Map({
      container: el,
      style: prepareStyle(style, { english, districts: false }),
      center,
      zoom: 13,
      // The attribution sits under the map (see m.html), not over it.
      attributionControl: false,
      localIdeographFontFamily: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
    });
    window.jingge.map = map;
    await new Promise((resolve) => map.once('load', resolve));
    map.addSource('grid', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({ id: 'grid-line', type: 'line', source: 'grid', paint: { 'line-color': '#D7263D', 'line-width': 3 } });
  } else {
    map.resize();
  }
  marker = marker || new maplibregl.Marker({ color: '#D7263D' });
  marker.setLngLat(center).addTo(map);
  map.jumpTo({ center, zoom: 13 });
  if (hit.community_grid?.id) {
    try {
      const grid = await getJSON(`api/v1/grids/${encodeURIComponent(hit.community_grid.id)}`);
      map.getSource('grid').setData(grid);
      // The whole grid, with the position in it.
      const b = new maplibregl.LngLatBounds(center, center);
      const visit = (c) => (typeof c[0] === 'number' ? b.extend(c) : c.forEach(visit));
      visit(grid.geometry.coordinates);
      map.fitBounds(b, { padding: 28, maxZoom: 15, duration: 0 });
    } catch {
      // the outline is a nicety; the answer is already shown
    }
  }
}
