// The grid panel: who is responsible for the selected grid — its station,
// members and contacts — its prevention work this month, and its
// incidents with a 12-month trend.
import { h, clear } from '../shared/dom.js';
import { t, localName, formatNumber, isEnglish } from '../shared/i18n.js';
import { telHref } from '../shared/phone.js';
import { trendSVG } from '../shared/trend.js';

/** phoneNode shows a phone number, as a tel: link when it can be dialled. */
export function phoneNode(phone) {
  if (!phone) return null;
  const href = telHref(phone);
  if (href) return h('a', { class: 'phone', href }, phone);
  return h('span', { class: 'phone masked', title: t('panel.masked') }, phone);
}

function row(label, ...value) {
  return h('div', { class: 'row' }, h('dt', null, label), h('dd', null, ...value));
}

function roleName(m) {
  return isEnglish() ? m.role_en || m.role : m.role_zh || m.role;
}

/**
 * createPanel manages the panel element. ctx gives what the panel needs
 * beyond the grid itself: stations by id, regions by id, township names by
 * code, and callbacks.
 */
export function createPanel(el, { onSelect, onClose }) {
  let last = null;

  function close() {
    last = null;
    el.hidden = true;
    clear(el);
    onClose();
  }

  function header(title, subtitle) {
    return h('header', { class: 'panel-head' },
      h('div', null, h('h2', { 'data-testid': 'panel-title' }, title), subtitle ? h('p', { class: 'muted' }, subtitle) : null),
      h('button', { type: 'button', class: 'close', 'aria-label': t('panel.close'), title: t('panel.close'), onclick: close }, '×'));
  }

  function loading(name) {
    el.hidden = false;
    clear(el).append(header(name || '…'), h('p', { class: 'muted' }, t('panel.loading')));
  }

  /**
   * show renders a grid. info: {grid (Feature from /api/v1/grids/{id}),
   * station (station properties), region, townshipName, clicked ([lon,lat]),
   * other ({level, id, name}), incidents, presence and prevention (async
   * renderers or null)}.
   */
  function show(info) {
    last = info;
    const { grid, station, region, townshipName, clicked, other } = info;
    const p = grid.properties;
    const levelName = t(p.level === 'police' ? 'level.police' : 'level.community');
    el.hidden = false;
    clear(el);
    el.dataset.grid = p.id;
    el.append(header(p.name, `${levelName} · ${p.id}`));
    if (clicked) {
      el.append(h('p', { class: 'clicked muted' }, t('panel.clicked', { lon: clicked[0].toFixed(5), lat: clicked[1].toFixed(5) })));
    }
    if (other) {
      el.append(h('p', { class: 'also' }, t('panel.alsoIn', { level: t(other.level === 'police' ? 'level.police' : 'level.community'), name: '' }),
        h('a', { href: '#', onclick: (e) => { e.preventDefault(); onSelect(other.id); } }, other.name)));
    }
    const dl = h('dl', { class: 'facts' });
    if (station) {
      dl.append(row(t('panel.station'), h('strong', { 'data-testid': 'panel-station' }, localName(station))));
      if (region) {
        dl.append(row(t('panel.region'), h('span', { class: 'chip', style: { borderColor: region.color || '#999' } },
          h('span', { class: 'swatch', style: { background: region.color || '#999' } }), localName(region, 'name_zh', 'name_en'))));
      }
      if (station.brand) dl.append(row(t('panel.brand'), station.brand));
      if (station.phone) dl.append(row(t('panel.phone'), phoneNode(station.phone)));
    }
    if (townshipName) dl.append(row(t('panel.township'), townshipName));
    if (p.population) dl.append(row(t('panel.population'), formatNumber(p.population)));
    if (p.parent) {
      dl.append(row(t('panel.parent'), h('a', { href: '#', onclick: (e) => { e.preventDefault(); onSelect(p.parent.id); } }, p.parent.name)));
    }
    el.append(dl);
    if (info.presence) {
      const presenceEl = h('div', { class: 'panel-presence', 'data-testid': 'panel-presence' });
      el.append(presenceEl);
      info.presence(presenceEl);
    }

    const members = p.members || [];
    el.append(h('h3', null, t('panel.members', { n: members.length })));
    if (members.length === 0) {
      el.append(h('p', { class: 'muted' }, t('panel.noMembers')));
    } else {
      el.append(h('ul', { class: 'members', 'data-testid': 'panel-members' },
        members.map((m) => h('li', { class: `member role-${m.role}` },
          h('span', { class: 'role' }, roleName(m)),
          h('span', { class: 'name' }, m.name),
          phoneNode(m.phone)))));
    }
    if (p.children && p.children.length) {
      el.append(h('h3', null, t('panel.children', { n: p.children.length })),
        h('ul', { class: 'children' }, p.children.map((c) =>
          h('li', null, h('a', { href: '#', onclick: (e) => { e.preventDefault(); onSelect(c.id); } }, c.name)))));
    }
    if (info.areas) el.append(info.areas());
    if (info.prevention) {
      const prevention = h('section', { class: 'panel-prevention', 'data-testid': 'panel-prevention' });
      el.append(prevention);
      info.prevention(prevention);
    }
    const incidents = h('div', { class: 'panel-incidents', 'data-testid': 'panel-incidents' });
    el.append(incidents);
    if (info.incidents) info.incidents(incidents);
  }

  /**
   * showOverlay renders a key place or checkpoint: info {kind, feature,
   * subtitle, facts} with the renderers of overlays.js.
   */
  function showOverlay(info) {
    last = { overlay: info };
    el.hidden = false;
    clear(el);
    delete el.dataset.grid;
    el.dataset.overlay = info.feature.properties.id;
    el.append(header(info.feature.properties.name, info.subtitle()), info.facts());
  }

  return {
    loading,
    show,
    showOverlay,
    close,
    hide() {
      last = null;
      el.hidden = true;
      clear(el);
    },
    /** rerender redraws the panel, e.g. after a language switch. */
    rerender() {
      if (last?.overlay) showOverlay(last.overlay);
      else if (last) show(last);
    },
    get current() {
      return last;
    },
  };
}

/** renderIncidentSummary draws a grid's incident counts and 12-month trend into el. */
export function renderIncidentSummary(el, { windowLabel, total, byCategory, months, counts, categoryName }) {
  clear(el);
  el.append(h('h3', null, t('panel.incidents', { window: windowLabel })));
  if (!total) {
    el.append(h('p', { class: 'muted' }, t('panel.noIncidents')));
  } else {
    el.append(h('ul', { class: 'categories' },
      h('li', { class: 'total' }, h('strong', null, formatNumber(total))),
      byCategory.map(([cat, n]) => h('li', { class: `cat cat-${cat}` }, `${categoryName(cat)} ${formatNumber(n)}`))));
  }
  if (months) {
    el.append(h('h3', null, t('panel.trend')), trendSVG(months, counts, t('panel.trend'), { partialLabel: t('panel.partial') }));
  }
}
