// Response coverage (三层三圈): how fast the stations, the checkpoints and
// the patrols on the road reach every grid, drawn as rings of response time on the left
// map, with the share of residents and incidents each ring covers.
import { getJSON, query } from '../shared/api.js';
import { problemMessage } from '../shared/problems.js';
import { h, clear } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { fmt } from './views.js';
import { bandColors, bandColorExpr } from './model.js';

/**
 * createCoverage runs the coverage panel in el. maps() returns the two
 * maps; the rings are drawn on the left one, over its grids.
 */
export function createCoverage(el, { maps, showError }) {
  let origins = null; // null: rings hidden
  let cov = null;

  async function show(which) {
    origins = which;
    render();
    if (!which) {
      draw();
      return;
    }
    try {
      cov = await getJSON(query('api/v1/plan/coverage', { origins: which }));
    } catch (err) {
      showError(problemMessage(err));
      origins = null;
      cov = null;
    }
    render();
    draw();
  }

  /** draw adds or removes the ring layer of the left map (again after a restyle). */
  function draw() {
    const map = maps()?.[0];
    if (!map) return;
    const apply = () => {
      for (const id of ['coverage-community', 'coverage-police']) if (map.getLayer(id)) map.removeLayer(id);
      if (!origins || !cov) return;
      // The finest grids: community grids, and police grids that have none
      // (reached as themselves).
      const own = cov.grids.filter((g) => g.grid === g.police_grid);
      const before = map.getLayer('grids-line') ? 'grids-line' : undefined;
      for (const [id, layer, grids] of [['coverage-police', 'police_grids', own], ['coverage-community', 'community_grids', cov.grids]]) {
        map.addLayer({
          id, type: 'fill', source: 'jingge', 'source-layer': layer,
          paint: { 'fill-color': bandColorExpr(grids, cov.bands_minutes), 'fill-opacity': 0.8 },
        }, before);
      }
    };
    if (map.isStyleLoaded()) apply();
    else map.once('idle', apply);
  }

  function render() {
    clear(el);
    const choice = (value, key) => h('button', {
      type: 'button', role: 'radio', 'aria-checked': String(origins === value), 'data-origins': value ?? 'off',
      onclick: () => show(value),
    }, t(key));
    el.append(
      h('h2', null, t('cover.title')),
      h('p', { class: 'muted small' }, t('cover.help')),
      h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': t('cover.title') },
        choice(null, 'cover.off'), choice('stations', 'cover.stations'), choice('checkpoints', 'cover.checkpoints'), choice('all', 'cover.all')),
    );
    if (!origins || !cov) return;
    const colors = bandColors(cov.bands_minutes);
    el.append(h('table', { class: 'coverage', 'data-testid': 'coverage' },
      h('thead', null, h('tr', null,
        h('th', null, t('cover.ring')), h('th', { class: 'num' }, t('cover.population')), h('th', { class: 'num' }, t('cover.incidents')))),
      h('tbody', null, cov.rings.map((r, i) => h('tr', { dataset: { minutes: r.minutes } },
        h('th', { scope: 'row' }, h('span', { class: 'swatch', style: { background: colors[i] } }), t('cover.within', { n: r.minutes })),
        h('td', { class: 'num' }, `${fmt(r.population_share * 100, 1)}%`),
        h('td', { class: 'num' }, `${fmt(r.incident_share * 100, 1)}%`))),
      h('tr', null,
        h('th', { scope: 'row' }, h('span', { class: 'swatch', style: { background: colors[colors.length - 1] } }), t('cover.beyond')),
        h('td', { class: 'num' }, ''), h('td', { class: 'num' }, '')))),
    h('p', { class: 'muted small' }, t('cover.origins', { n: cov.origins.length })));
  }

  render();
  // render is also how the panel follows a change of language.
  return { redraw: draw, render, get origins() { return origins; } };
}
