// Hiding and showing each live layer of the command center (the patrols,
// their names and the incidents) and each overlay (areas, key places,
// checkpoints). A wall shows what the room needs now.
import { h, clear } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { OVERLAY_LAYERS } from './overlays.js';

/** LIVE_LAYERS are the switchable layers, each with the map layers it covers. */
export const LIVE_LAYERS = [
  { id: 'patrols', layers: ['patrols-halo', 'patrols-point'] },
  { id: 'patrolNames', layers: ['patrols-label'] },
  { id: 'incidents', layers: [] }, // the incidents module hides its own
  // Police grids by days since their officers' last visit; off at first,
  // since it covers the terrain colours. The presence module draws it.
  { id: 'presence', layers: [], off: true },
];

/**
 * createLiveLayers renders the switches into el. setIncidents(visible)
 * hides or shows the incidents, setPresence(visible) the presence shading;
 * the others are map layers.
 */
export function createLiveLayers(el, map, { setIncidents, setPresence }) {
  const hidden = new Set(LIVE_LAYERS.filter((l) => l.off).map((l) => l.id));

  function apply() {
    for (const l of [...LIVE_LAYERS, ...OVERLAY_LAYERS]) {
      for (const id of l.layers) {
        if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', hidden.has(l.id) ? 'none' : 'visible');
      }
    }
    setIncidents(!hidden.has('incidents'));
    setPresence?.(!hidden.has('presence'));
  }

  function list(layers, testid) {
    return h('ul', { class: 'live-layers', 'data-testid': testid }, layers.map((l) => h('li', null,
      h('label', null,
        h('input', { type: 'checkbox', checked: !hidden.has(l.id), dataset: { live: l.id },
          onchange: (e) => {
            if (e.target.checked) hidden.delete(l.id);
            else hidden.add(l.id);
            apply();
          } }),
        t(`live.${l.id}`)))));
  }

  function render() {
    clear(el);
    el.append(h('h2', null, t('live.title')), list(LIVE_LAYERS, 'live-layers'),
      h('h3', null, t('live.overlays')), list(OVERLAY_LAYERS, 'overlay-layers'));
  }

  render();
  return { render, apply, hidden };
}
