// The command-center style, adapted per page: pure functions of the style
// the server sends, so they are tested without a browser.

/** labelField is the text-field of a label layer of the style in one language. */
export function labelField(layerId, english) {
  const name = english ? ['coalesce', ['get', 'name_en'], ['get', 'name']] : ['get', 'name'];
  switch (layerId) {
    case 'regions-label':
      return english ? ['coalesce', ['get', 'name_en'], ['get', 'name_zh']] : ['get', 'name_zh'];
    case 'stations-label':
      // The brand ("一所一品") is shown once there is room for it.
      return ['step', ['zoom'], name, 11,
        ['format', name, {}, '\n', {}, ['get', 'brand'], { 'font-scale': 0.78, 'text-color': '#3D3D3D' }]];
    default:
      return null;
  }
}

/** LABEL_KINDS maps the style's area label layers to the kinds of /api/v1/labels. */
export const LABEL_KINDS = {
  'police-grids-label': 'police',
  'community-grids-label': 'community',
  'townships-label': 'township',
};

/** scaleSize multiplies the numbers a text-size (a number or a zoom interpolation) yields. */
export function scaleSize(size, k) {
  if (typeof size === 'number') return Math.round(size * k * 10) / 10;
  if (Array.isArray(size) && size[0] === 'interpolate') {
    return size.map((v, i) => (i >= 4 && i % 2 === 0 && typeof v === 'number' ? Math.round(v * k * 10) / 10 : v));
  }
  return size;
}

/**
 * prepareStyle adapts the server's command-center style for a page:
 *   - no glyphs URL: MapLibre draws every label with the browser's own
 *     fonts (nothing leaves the server, and Chinese needs no font files);
 *   - labels in the page's language, scaled by labelScale (wall displays);
 *   - area labels from labels (GeoJSON of /api/v1/labels), one per area;
 *   - the offline base layer (Xi'an districts, from districtsUrl) and,
 *     when configured, a raster basemap under the grids.
 */
export function prepareStyle(style, { english = false, labelScale = 1, basemap = null, districtsUrl = null, labels = null } = {}) {
  const s = structuredClone(style);
  delete s.glyphs;
  if (labels) {
    // One label per area from /api/v1/labels, instead of one per vector
    // tile the area spans.
    s.sources.labels = { type: 'geojson', data: labels };
    for (const layer of s.layers) {
      const kind = LABEL_KINDS[layer.id];
      if (!kind) continue;
      layer.source = 'labels';
      delete layer['source-layer'];
      layer.filter = ['==', ['get', 'kind'], kind];
    }
  }
  for (const layer of s.layers) {
    if (layer.type === 'circle' && layer.paint?.['circle-radius'] !== undefined) {
      layer.paint['circle-radius'] = scaleSize(layer.paint['circle-radius'], labelScale);
    }
    if (layer.type !== 'symbol') continue;
    layer.layout = layer.layout || {};
    const field = labelField(layer.id, english);
    if (field) layer.layout['text-field'] = field;
    if (layer.layout['text-size'] !== undefined) layer.layout['text-size'] = scaleSize(layer.layout['text-size'], labelScale);
  }
  const base = [];
  if (basemap && Array.isArray(basemap.tiles) && basemap.tiles.length) {
    s.sources.basemap = {
      type: 'raster',
      tiles: basemap.tiles,
      tileSize: basemap.tile_size || 256,
      maxzoom: basemap.max_zoom || 18,
      attribution: basemap.attribution || '',
    };
    base.push({ id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-opacity': 0.9 } });
  }
  if (districtsUrl) {
    s.sources.districts = { type: 'geojson', data: districtsUrl };
    const area = ['==', ['get', 'kind'], 'area'];
    base.push(
      { id: 'districts-fill', type: 'fill', source: 'districts', filter: area,
        paint: { 'fill-color': '#E4DFD3', 'fill-opacity': basemap ? 0.25 : 1 } },
      { id: 'districts-line', type: 'line', source: 'districts', filter: area,
        paint: { 'line-color': '#A59C88', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.6, 12, 1.6] } },
      { id: 'districts-label', type: 'symbol', source: 'districts', filter: ['==', ['get', 'kind'], 'label'], maxzoom: 12,
        layout: { 'text-field': ['get', 'name'], 'text-size': scaleSize(13, labelScale), 'text-padding': 6 },
        paint: { 'text-color': '#6E6552', 'text-halo-color': '#F7F5EF', 'text-halo-width': 1.4 } },
    );
  }
  const at = s.layers.findIndex((l) => l.type !== 'background');
  s.layers.splice(at < 0 ? s.layers.length : at, 0, ...base);
  return s;
}

/** labelScaleFor is how much larger labels should be on a screen innerWidth CSS pixels wide. */
export function labelScaleFor(innerWidth) {
  return Math.min(1.8, Math.max(1, innerWidth / 1600));
}
