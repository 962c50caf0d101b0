// The legend: the four terrain regions (四警蓝图) in their map colours, with
// their stations, and the map's other symbols.
import { h, clear } from '../shared/dom.js';
import { t, localName } from '../shared/i18n.js';
import { STATUS_COLORS } from './patrols.js';
import { CATEGORIES, categoryName } from './incidents.js';

/**
 * liveSections are the legend's live symbols: officers by status (the
 * colours of patrols.js, a red ring outside their area) and incidents by
 * category (incidents.js), each item { label, color, ring }. The page's
 * legend and the exported image draw the same list.
 */
export function liveSections() {
  return [
    { id: 'patrols', title: t('legend.patrolStatus'), items: [
      ...Object.entries(STATUS_COLORS).map(([status, color]) => ({ key: status, label: t(`patrol.${status}`), color, ring: '#0D2B16' })),
      { key: 'out', label: t('legend.outOfArea'), color: STATUS_COLORS.moving, ring: '#D7263D' },
    ] },
    { id: 'incidents', title: t('legend.incidents'), items: [
      ...CATEGORIES.map(([c, color]) => ({ key: c, label: categoryName(c), color, ring: '#FFFFFF' })),
      { key: 'cluster', label: t('legend.cluster'), color: '#E67E22', ring: '#FFFFFF' },
    ] },
  ];
}

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
    ),
    h('ul', { class: 'legend-symbols', 'data-testid': 'legend-overlays' },
      h('li', null, h('span', { class: 'sym sym-area' }), t('legend.area')),
      h('li', null, h('span', { class: 'sym sym-place' }), t('legend.place')),
      h('li', null, h('span', { class: 'sym sym-checkpoint' }), t('legend.checkpoint')),
    ),
    ...liveSections().map((sec) => h('div', { class: 'legend-live', dataset: { testid: `legend-${sec.id}` } },
      h('h3', null, sec.title),
      h('ul', { class: 'legend-symbols' }, sec.items.map((it) => h('li', { dataset: { key: it.key } },
        h('span', { class: 'sym sym-dot', style: { background: it.color, borderColor: it.ring } }), it.label))))),
  );
}

/** shortStation names a station without "派出所" / "Police Station" when space is short. */
export function shortStation(s) {
  return localName(s).replace(/派出所$/, '').replace(/ Police Station$/, '');
}
