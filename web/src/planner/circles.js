// The three circles (三层三圈) of one station: the identification circle
// (its key places and areas, whether each has a liaison and when it was
// last visited), the checkpoint circle (the county exits in its territory
// a checkpoint reaches in time, and its checkpoints) and the response
// circle (its grids by response-time ring from the stations).
import { getJSON, query } from '../shared/api.js';
import { problemMessage } from '../shared/problems.js';
import { h, clear } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { formatZoned } from '../shared/time.js';
import { fmt } from './views.js';

/** The checkpoint circle's time limit, in minutes, until the planner changes it. */
export const DEFAULT_CHECKPOINT_MINUTES = 10;

/**
 * createCircles runs the three-circles card in el for the stations given
 * ({id, name}); stationName(id) names one in the page's language.
 */
export function createCircles(el, { stations, stationName, lang, showError }) {
  let station = stations[0]?.id ?? '';
  let minutes = DEFAULT_CHECKPOINT_MINUTES;
  let ident = null;
  let exits = null;
  let rings = null;
  let checkpoints = null;
  let loading = 0;

  async function load() {
    const ticket = ++loading;
    try {
      const [i, e, r, c] = await Promise.all([
        getJSON(query('api/v1/plan/identification', { station })),
        exits?.minutes === minutes ? exits : getJSON(query('api/v1/checkpoints/coverage', { minutes })),
        rings ?? getJSON(query('api/v1/plan/coverage', { origins: 'stations' })),
        checkpoints ?? getJSON('api/v1/checkpoints'),
      ]);
      if (ticket !== loading) return;
      [ident, exits, rings, checkpoints] = [i, e, r, c];
    } catch (err) {
      if (ticket === loading) showError(problemMessage(err));
    }
    render();
  }

  function identification() {
    if (!ident) return null;
    const row = (p, kind) => h('tr', { dataset: { id: p.id } },
      h('th', { scope: 'row' }, p.name),
      h('td', null, t(kind)),
      h('td', null, p.liaison_known ? t('circles.yes') : h('b', { class: 'changed' }, t('circles.no'))),
      h('td', null, p.last_visited ? formatZoned(p.last_visited, lang(), { dateStyle: 'medium' }) : h('b', { class: 'changed' }, t('circles.never'))));
    const c = ident.counts;
    return h('section', { 'data-testid': 'circle-identification' },
      h('h3', null, t('circles.identification')),
      h('p', { class: 'muted small' }, t('circles.identSummary', { places: c.places, areas: c.areas, noLiaison: c.without_liaison, never: c.never_visited })),
      c.places + c.areas === 0 ? h('p', null, t('circles.identNone')) : h('table', { class: 'coverage' },
        h('thead', null, h('tr', null, h('th', null, t('circles.name')), h('th', null, t('circles.kind')),
          h('th', null, t('circles.liaison')), h('th', null, t('circles.lastVisited')))),
        h('tbody', null, ident.places.map((p) => row(p, 'circles.place')), ident.areas.map((a) => row(a, 'circles.area')))));
  }

  function checkpointCircle() {
    if (!exits || !checkpoints) return null;
    const mine = exits.by_station.find((s) => s.station === station) ?? { exits: 0, covered: 0, share: 0 };
    const own = checkpoints.features.filter((f) => f.properties.station === station);
    const input = h('input', { type: 'number', min: '1', max: '120', step: '1', value: String(minutes), id: 'circles-minutes', 'data-testid': 'circles-minutes' });
    input.addEventListener('change', () => {
      const n = Number(input.value);
      if (Number.isFinite(n) && n > 0 && n <= 120) {
        minutes = n;
        load();
      }
    });
    return h('section', { 'data-testid': 'circle-checkpoints' },
      h('h3', null, t('circles.checkpoints')),
      h('label', { for: 'circles-minutes' }, t('circles.minutes'), ' ', input),
      h('p', { 'data-testid': 'circle-exit-share' }, mine.exits === 0
        ? t('circles.noExits')
        : t('circles.exitShare', { covered: mine.covered, exits: mine.exits, share: fmt(mine.share * 100, 0), n: exits.minutes })),
      h('p', { class: 'muted small' }, t('circles.countyShare', { covered: exits.covered, exits: exits.exits, share: fmt(exits.share * 100, 0), km: fmt(exits.spacing_km, 1) })),
      own.length === 0 ? h('p', null, t('circles.noCheckpoints'))
        : h('ul', null, own.map((f) => h('li', null, f.properties.name, f.properties.road ? ` · ${f.properties.road}` : ''))));
  }

  function responseCircle() {
    if (!rings) return null;
    const mine = rings.by_origin.find((o) => o.origin === station);
    if (!mine) return null;
    return h('section', { 'data-testid': 'circle-response' },
      h('h3', null, t('circles.response')),
      h('table', { class: 'coverage' },
        h('thead', null, h('tr', null, h('th', null, t('cover.ring')), h('th', { class: 'num' }, t('circles.grids')))),
        h('tbody', null, mine.rings.map((r) => h('tr', { dataset: { minutes: r.minutes } },
          h('th', { scope: 'row' }, r.minutes ? t('cover.within', { n: r.minutes }) : t('cover.beyond')),
          h('td', { class: 'num' }, String(r.grids.length)))))));
  }

  function render() {
    clear(el);
    const select = h('select', { id: 'circles-station', 'data-testid': 'circles-station' },
      stations.map((s) => h('option', { value: s.id, selected: s.id === station }, stationName(s.id))));
    select.addEventListener('change', () => {
      station = select.value;
      ident = null;
      render();
      load();
    });
    el.append(
      h('h2', null, t('circles.title')),
      h('p', { class: 'muted small' }, t('circles.help')),
      h('label', { for: 'circles-station' }, t('circles.station'), ' ', select),
      h('div', { class: 'circles' }, identification(), checkpointCircle(), responseCircle()));
  }

  render();
  if (station) load();
  return { render, get station() { return station; } };
}
