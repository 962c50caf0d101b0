// The command center's state in the URL hash, so a view can be linked:
//   #map=ZOOM/LAT/LON&grid=ID&layer=police|community&win=7d&lang=en
// Everything is optional; unknown or malformed parts are ignored.

export const LAYERS = ['police', 'community'];
export const WINDOWS = ['24h', '7d', '30d', '90d', '365d'];

/** parseHash reads a location hash ("#..." or "...") into a state object. */
export function parseHash(hash) {
  const params = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  const state = {};
  const mapParam = params.get('map');
  if (mapParam) {
    const [z, lat, lon] = mapParam.split('/').map(Number);
    if ([z, lat, lon].every(Number.isFinite) && z >= 0 && z <= 24 && Math.abs(lat) <= 85 && Math.abs(lon) <= 180) {
      Object.assign(state, { zoom: z, lat, lon });
    }
  }
  const grid = params.get('grid');
  if (grid && /^[\w.-]{1,64}$/.test(grid)) state.grid = grid;
  const layer = params.get('layer');
  if (LAYERS.includes(layer)) state.layer = layer;
  const win = params.get('win');
  if (WINDOWS.includes(win)) state.win = win;
  const lang = params.get('lang');
  if (lang === 'en' || lang === 'zh-CN') state.lang = lang;
  return state;
}

/** formatHash writes a state object as a hash, in a fixed order. */
export function formatHash(state) {
  const parts = [];
  if ([state.zoom, state.lat, state.lon].every(Number.isFinite)) {
    parts.push(`map=${state.zoom.toFixed(2)}/${state.lat.toFixed(5)}/${state.lon.toFixed(5)}`);
  }
  if (state.grid) parts.push(`grid=${encodeURIComponent(state.grid)}`);
  if (state.layer && state.layer !== 'police') parts.push(`layer=${state.layer}`);
  if (state.win && state.win !== '7d') parts.push(`win=${state.win}`);
  if (state.lang && state.lang !== 'zh-CN') parts.push(`lang=${state.lang}`);
  return parts.length ? `#${parts.join('&')}` : '';
}
