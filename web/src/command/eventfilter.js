// Which events the wall lists: by station and kind, each with its
// priority (an officer out of their area or gone silent comes first for
// the room), and an optional beep for out-of-area alerts. The beep is off
// until someone turns it on: a wall that beeps by itself is switched off.
import { h, clear } from '../shared/dom.js';
import { t, localName } from '../shared/i18n.js';

/** KINDS are the geofence event kinds, the most urgent first. */
export const KINDS = ['area_leave', 'silent', 'overlay_enter', 'overlay_leave', 'grid_unvisited', 'area_return', 'resumed', 'grid_leave', 'grid_enter'];

const PRIORITY = { area_leave: 'high', silent: 'high', overlay_enter: 'normal', overlay_leave: 'normal', grid_unvisited: 'normal', area_return: 'normal', resumed: 'normal', grid_leave: 'low', grid_enter: 'low' };

/** priorityOf is an event kind's priority: "high", "normal" or "low" (unknown kinds are normal). */
export function priorityOf(kind) {
  return PRIORITY[kind] || 'normal';
}

/** matches reports whether event e passes a filter of a station ('' for all) and the hidden kinds. */
export function matches(e, { station, hiddenKinds }) {
  if (station && e.station !== station) return false;
  return !hiddenKinds.has(e.kind);
}

/**
 * createEventFilter renders the filter controls into el. stations are the
 * station properties (id, name, name_en); onChange() runs when the filter
 * changes. alert(e) beeps for a live out-of-area event when the sound is
 * on and the event passes the filter.
 */
export function createEventFilter(el, { stations, onChange }) {
  const filter = { station: '', hiddenKinds: new Set() };
  let sound = false;
  let audio = null;
  let beeps = 0;

  function beep() {
    // One short tone from an oscillator: no sound file to fetch or cache.
    const ctx = audio;
    if (!ctx) return;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.35);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.35);
    beeps++;
  }

  function render() {
    clear(el);
    const stationSelect = h('select', { id: 'feed-station', onchange: (e) => { filter.station = e.target.value; onChange(); } },
      h('option', { value: '' }, t('filter.allStations')),
      stations.map((s) => h('option', { value: s.id, selected: s.id === filter.station }, localName(s))));
    el.append(
      h('div', { class: 'controls feed-filter', 'data-testid': 'feed-filter' },
        h('label', { for: 'feed-station' }, t('filter.station')), stationSelect,
        h('label', { class: 'sound' },
          h('input', { type: 'checkbox', checked: sound, 'data-testid': 'alert-sound',
            onchange: (e) => {
              sound = e.target.checked;
              // Browsers let a page make sound only after a gesture: this one.
              if (sound && !audio && typeof AudioContext !== 'undefined') audio = new AudioContext();
              audio?.resume?.();
            } }),
          t('filter.sound'))),
      h('fieldset', { class: 'feed-kinds' },
        h('legend', null, t('filter.kinds')),
        KINDS.map((k) => h('label', { class: `priority-${priorityOf(k)}` },
          h('input', { type: 'checkbox', checked: !filter.hiddenKinds.has(k), dataset: { kind: k },
            onchange: (e) => {
              if (e.target.checked) filter.hiddenKinds.delete(k);
              else filter.hiddenKinds.add(k);
              onChange();
            } }),
          t(`kind.${k}`)))));
  }

  render();
  return {
    render,
    priorityOf,
    /** passes reports whether event e is listed under the filter. */
    passes: (e) => matches(e, filter),
    /** alert sounds for a live event when it calls for it. */
    alert(e) {
      if (sound && e.kind === 'area_leave' && matches(e, filter)) beep();
    },
    get beeps() {
      return beeps;
    },
    get sound() {
      return sound;
    },
  };
}
