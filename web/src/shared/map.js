// MapLibre GL JS, set up for jingge: its worker is served from this server,
// and the command-center style is adapted per page (language, base layers,
// label size) without any URL outside the server.
/* global JINGGE_ASSETS */
import * as maplibregl from 'maplibre-gl';
import { labelField, prepareStyle as prepare } from './style.js';

maplibregl.setWorkerUrl(new URL(JINGGE_ASSETS.worker, document.baseURI).href);

export { maplibregl };

/** DISTRICTS_URL is the offline base layer: Xi'an's districts around the county. */
export const DISTRICTS_URL = new URL(JINGGE_ASSETS.districts, document.baseURI).href;

/** webglAvailable reports whether the browser can draw the map at all. */
export function webglAvailable() {
  try {
    const c = document.createElement('canvas');
    return Boolean(c.getContext('webgl2') || c.getContext('webgl'));
  } catch {
    return false;
  }
}

/** prepareStyle is style.js's prepareStyle with this build's base layer. */
export function prepareStyle(style, opts = {}) {
  return prepare(style, { ...opts, districtsUrl: opts.districts === false ? null : DISTRICTS_URL });
}

/** setLabelLanguage switches the map's labels to a language in place. */
export function setLabelLanguage(map, english) {
  for (const layer of map.getStyle().layers) {
    if (layer.type !== 'symbol') continue;
    const field = labelField(layer.id, english);
    if (field) map.setLayoutProperty(layer.id, 'text-field', field);
  }
}

export { labelScaleFor } from './style.js';
