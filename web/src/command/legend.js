// The legend: the four terrain regions (四警蓝图) in their map colours, with
// their stations, and the map's other symbols.
import { h, clear } from '../shared/dom.js';
import { t, localName } from '../shared/i18n.js';

/**
 * renderLegend fills el. regions come from /api/v1/regions (names, stations),
 * colours from the style's "jingge:regions" metadata.
 */
export function renderLegend(el, { regions, colors }) {
  clear(el);
  el.append(
    h('h2', null, t('legend.title')),
    h('ul', { class: 'legend-regions', 'data-testid': 'legend-regions' },
      regions.map((r) => h('li', { class: 'legend-region', dataset: { region: r.id } },
        h('span', { class: 'swatch', style: { background: colors[r.id] || '#BBB' } }),
        h('span', { class: 'legend-name' }, localName(r, 'name_zh', 'name_en')),
        h('span', { class: 'legend-stations' }, (r.stations || []).map((s) => shortStation(s)).join(' · ')),
      ))),
    h('ul', { class: 'legend-symbols' },
      h('li', null, h('span', { class: 'sym sym-station' }), t('legend.station')),
      h('li', null, h('span', { class: 'sym sym-station-area' }), t('legend.stationArea')),
      h('li', null, h('span', { class: 'sym sym-county' }), t('legend.county')),
      h('li', null, h('span', { class: 'sym sym-patrol' }), t('legend.patrol')),
    ),
    h('ul', { class: 'legend-symbols', 'data-testid': 'legend-overlays' },
      h('li', null, h('span', { class: 'sym sym-area' }), t('legend.area')),
      h('li', null, h('span', { class: 'sym sym-place' }), t('legend.place')),
      h('li', null, h('span', { class: 'sym sym-checkpoint' }), t('legend.checkpoint')),
    ),
  );
}

/** shortStation names a station without "派出所" / "Police Station" when space is short. */
export function shortStation(s) {
  return localName(s).replace(/派出所$/, '').replace(/ Police Station$/, '');
}
