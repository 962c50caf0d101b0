// Areas, key places and checkpoints on the command-center map: which style
// layers draw them, what a click on one shows, and the panel section
// naming the areas a clicked grid point lies in, each with its liaison as
// the API gives it (masked by the caller's role).
import { getJSON } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { t, isEnglish } from '../shared/i18n.js';
import { phoneNode } from './panel.js';

/** OVERLAY_LAYERS are the switchable overlay layers, each with its style layers. */
export const OVERLAY_LAYERS = [
  { id: 'areas', layers: ['areas-fill', 'areas-line', 'areas-label'] },
  { id: 'places', layers: ['places-point', 'places-label'] },
  { id: 'checkpoints', layers: ['checkpoints-point', 'checkpoints-label'] },
];

/** CLICKABLE are the point layers a click opens, before the grid under them. */
const CLICKABLE = { 'places-point': 'places', 'checkpoints-point': 'checkpoints' };

/**
 * pointAt returns {kind, id} of the place or checkpoint drawn within a few
 * pixels of point, or null.
 */
export function pointAt(map, point) {
  const layers = Object.keys(CLICKABLE).filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
  if (!layers.length) return null;
  const pad = 6;
  const f = map.queryRenderedFeatures([[point.x - pad, point.y - pad], [point.x + pad, point.y + pad]], { layers })[0];
  return f ? { kind: CLICKABLE[f.layer.id], id: f.properties.id } : null;
}

/** fetchOverlay reads one area, place or checkpoint (with its liaison). */
export function fetchOverlay(kind, id) {
  return getJSON(`api/v1/${kind}/${encodeURIComponent(id)}`);
}

function kindLabel(p) {
  return isEnglish() ? p.kind_en || p.kind : p.kind_zh || p.kind;
}

function row(label, ...value) {
  return h('div', { class: 'row' }, h('dt', null, label), h('dd', null, ...value));
}

/** overlayFacts lists what the panel says of an area, place or checkpoint. */
export function overlayFacts(kind, f) {
  const p = f.properties;
  const dl = h('dl', { class: 'facts', 'data-testid': 'overlay-facts' });
  if (p.station_name || p.station) dl.append(row(t('overlay.station'), p.station_name || p.station));
  if (kind === 'checkpoints') {
    if (p.road) dl.append(row(t('overlay.road'), p.road));
    if (p.notes) dl.append(row(t('overlay.notes'), p.notes));
    return dl;
  }
  const l = p.liaison || {};
  dl.append(row(t('overlay.liaison'), l.name ? h('span', { 'data-testid': 'overlay-liaison' }, l.name) : h('span', { class: 'muted' }, t('overlay.noLiaison')),
    l.phone ? ' ' : null, phoneNode(l.phone)));
  if (p.opening) dl.append(row(t('overlay.opening'), p.opening));
  if (p.valid_to) dl.append(row(t('overlay.validTo'), p.valid_to.slice(0, 10)));
  return dl;
}

/** overlayTitle is the panel's subtitle of an overlay feature. */
export function overlaySubtitle(kind, f) {
  return kind === 'checkpoints' ? t('overlay.checkpoint') : kindLabel(f.properties);
}

/** areasSection lists the areas (features with liaisons) a clicked point lies in. */
export function areasSection(areas) {
  if (!areas?.length) return null;
  return h('section', { class: 'panel-areas', 'data-testid': 'panel-areas' },
    h('h3', null, t('overlay.inAreas')),
    areas.map((f) => h('div', { class: 'panel-area', dataset: { area: f.properties.id } },
      h('p', null, h('strong', null, f.properties.name), ' · ', kindLabel(f.properties)),
      overlayFacts('areas', f))));
}
