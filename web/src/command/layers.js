// The grid layers of the style: police grids (警格) or community grids
// (网格) in front, and the outline of the selected grid.

/** The style's grid fill layers, which clicks and the pointer cursor react to. */
export const GRID_LAYERS = ['police-grids-fill', 'community-grids-fill', 'regions-fill'];

function show(map, id, visible, minzoom, maxzoom = 24) {
  if (!map.getLayer(id)) return;
  map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  if (minzoom !== undefined) map.setLayerZoomRange(id, minzoom, maxzoom);
}

/**
 * applyGridLayer puts one grid level in front: its fills coloured by
 * terrain region from zoom 9 (the regions are drawn below that) and its
 * labels; the other level's borders stay, lighter.
 */
export function applyGridLayer(map, layer) {
  const police = layer === 'police';
  show(map, 'police-grids-fill', police, 9);
  show(map, 'community-grids-fill', !police, 9);
  show(map, 'community-grids-line', true, police ? 11 : 9);
  show(map, 'police-grids-label', police, 10);
  show(map, 'community-grids-label', !police, 12);
}

/**
 * firstLabelLayer is the id of the lowest label layer of the grids and
 * stations: data added before it lies over the grid fills and under every
 * name. The base map's own labels (the districts, under the grids) do not
 * count.
 */
export function firstLabelLayer(map) {
  return map.getStyle().layers.find((l) => l.type === 'symbol' && l.source !== 'districts')?.id;
}

/** addSelectionLayers adds the source and layers that outline the selected grid. */
export function addSelectionLayers(map) {
  map.addSource('selection', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  const firstSymbol = firstLabelLayer(map);
  map.addLayer({ id: 'selection-fill', type: 'fill', source: 'selection', paint: { 'fill-color': '#D7263D', 'fill-opacity': 0.18 } }, firstSymbol);
  map.addLayer({ id: 'selection-casing', type: 'line', source: 'selection', layout: { 'line-join': 'round' },
    paint: { 'line-color': '#FFFFFF', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 6, 16, 12] } }, firstSymbol);
  map.addLayer({ id: 'selection-line', type: 'line', source: 'selection', layout: { 'line-join': 'round' },
    paint: { 'line-color': '#D7263D', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 3, 16, 7] } }, firstSymbol);
  // The clicked point: under the labels, so no station name is covered.
  map.addSource('click-point', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'click-point', type: 'circle', source: 'click-point',
    paint: { 'circle-color': '#D7263D', 'circle-radius': 6, 'circle-stroke-color': '#FFFFFF', 'circle-stroke-width': 2 } }, firstSymbol);
}
