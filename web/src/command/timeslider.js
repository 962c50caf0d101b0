// The incidents' time slider: the window chosen (24 hours to a year) cut
// into steps (hours, days or weeks), and a slider that shows one step on
// the map or, at its right end, the whole window. A native range input,
// so arrow keys, Home and End step it and screen readers read its value
// (aria-valuetext names the period).
import { h, clear } from '../shared/dom.js';
import { t, isEnglish } from '../shared/i18n.js';
import { formatZoned } from '../shared/time.js';
import { windowStart } from './window.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** stepOf is the length of one slider step for window w, in milliseconds. */
export function stepOf(w) {
  if (w === '24h') return HOUR;
  if (w === '7d' || w === '30d') return DAY;
  return 7 * DAY;
}

/**
 * steps cuts window w ending at now into periods [{ from, to }] (RFC 3339,
 * UTC), oldest first; the last ends at now.
 */
export function steps(w, now = new Date()) {
  const start = windowStart(w, now);
  // A date means its midnight in the county's zone (China time).
  let from = /^\d{4}-\d{2}-\d{2}$/.test(start) ? Date.parse(`${start}T00:00:00+08:00`) : Date.parse(start);
  const end = now.getTime();
  const step = stepOf(w);
  const out = [];
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  while (from < end) {
    const to = Math.min(from + step, end);
    out.push({ from: iso(from), to: iso(to) });
    from += step;
  }
  return out;
}

/**
 * createTimeSlider renders the slider into el for the window getWindow()
 * names; onChange() runs when the period shown changes. range() is the
 * period shown, or null for the whole window.
 */
export function createTimeSlider(el, { getWindow, onChange }) {
  let periods = steps(getWindow());
  let index = periods.length; // the right end: the whole window
  let input = null;
  let output = null;

  function label() {
    if (index >= periods.length) return t('slider.all', { window: t(`window.${getWindow()}`) });
    const p = periods[index];
    const opts = getWindow() === '24h'
      ? { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }
      : { year: 'numeric', month: 'numeric', day: 'numeric' };
    const locale = isEnglish() ? 'en-GB' : 'zh-CN';
    const last = getWindow() === '24h' ? p.to : new Date(Date.parse(p.to) - 1).toISOString();
    return t('slider.step', { from: formatZoned(p.from, locale, opts), to: formatZoned(last, locale, opts) });
  }

  function update() {
    input.max = String(periods.length);
    input.value = String(index);
    const text = label();
    input.setAttribute('aria-valuetext', text);
    output.textContent = text;
  }

  function render() {
    clear(el);
    input = h('input', { id: 'incident-slider', type: 'range', min: '0', step: '1', 'data-testid': 'incident-slider',
      'aria-describedby': 'incident-slider-help',
      oninput: (e) => {
        index = Number(e.target.value);
        update();
        onChange();
      } });
    output = h('output', { for: 'incident-slider', 'data-testid': 'incident-slider-value' });
    el.append(
      h('h2', null, t('slider.title')),
      h('label', { for: 'incident-slider' }, t('slider.label')),
      input, output,
      h('p', { class: 'muted', id: 'incident-slider-help' }, t('slider.help')));
    update();
  }

  render();
  return {
    render,
    /** range is the period shown, or null for the whole window. */
    range() {
      return index < periods.length ? periods[index] : null;
    },
    /** reset cuts the window (new or moved on) again and shows it whole. */
    reset() {
      periods = steps(getWindow());
      index = periods.length;
      update();
    },
  };
}
