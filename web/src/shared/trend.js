// A 12-month trend as a small bar chart in inline SVG: no chart library.
import { h } from './dom.js';

/**
 * lastMonths returns the n months ending with the month `now` falls in,
 * in China time (UTC+8, as the incident counts are cut), oldest first, as
 * "YYYY-MM" strings.
 */
export function lastMonths(now, n = 12) {
  const china = new Date(now.getTime() + 8 * 3600 * 1000);
  const out = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(china.getUTCFullYear(), china.getUTCMonth() - i, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return out;
}

/**
 * trendModel lays out bars for counts (one per month, oldest first) in a
 * width×height box with room for labels below: pure, so it is unit-tested.
 */
export function trendModel(months, counts, { width = 280, height = 112, labelHeight = 32, partial = false } = {}) {
  const max = Math.max(1, ...counts);
  const plot = height - labelHeight;
  const slot = width / months.length;
  const barW = Math.max(2, slot * 0.7);
  const bars = months.map((m, i) => {
    const v = counts[i] || 0;
    const bh = Math.round((v / max) * (plot - 12) * 10) / 10;
    return {
      month: m,
      count: v,
      x: Math.round((i * slot + (slot - barW) / 2) * 10) / 10,
      y: Math.round((plot - bh) * 10) / 10,
      w: Math.round(barW * 10) / 10,
      h: bh,
      // With the year: a trend reaching back into last year must not show
      // two Decembers alike.
      label: m,
      // The month still running is drawn apart: its count is not a month's.
      partial: partial && i === months.length - 1,
    };
  });
  return { width, height, plot, max, bars };
}

/**
 * trendSVG draws the model as an accessible SVG element titled `title`.
 * partialLabel, when given, marks the last month as still running:
 * dashed and pale, with that label above it.
 */
export function trendSVG(months, counts, title, { partialLabel = '' } = {}) {
  const m = trendModel(months, counts, { partial: Boolean(partialLabel) });
  const total = counts.reduce((a, b) => a + (b || 0), 0);
  return h('svg:svg', {
    class: 'trend', viewBox: `0 0 ${m.width} ${m.height}`, role: 'img',
    'aria-label': `${title}: ${total}`, preserveAspectRatio: 'xMidYMid meet',
  },
  h('svg:title', null, `${title}: ${months.map((mo, i) => `${mo} ${counts[i] || 0}`).join(', ')}`),
  h('svg:line', { x1: 0, x2: m.width, y1: m.plot + 0.5, y2: m.plot + 0.5, stroke: '#8A8A8A', 'stroke-width': 1 }),
  m.bars.map((b) => h('svg:g', { class: b.partial ? 'bar partial' : 'bar', 'data-month': b.month },
    h('svg:rect', b.partial
      ? { x: b.x, y: b.y, width: b.w, height: Math.max(b.h, 0), fill: '#1F6FB2', 'fill-opacity': 0.25, stroke: '#1F6FB2', 'stroke-width': 1, 'stroke-dasharray': '3 2' }
      : { x: b.x, y: b.y, width: b.w, height: Math.max(b.h, 0), fill: '#1F6FB2' },
    h('svg:title', null, `${b.month}${b.partial ? ` (${partialLabel})` : ''}: ${b.count}`)),
    b.count > 0 ? h('svg:text', { x: b.x + b.w / 2, y: b.y - 2, 'text-anchor': 'middle', 'font-size': 9, fill: '#333' }, String(b.count)) : null,
    b.partial ? h('svg:text', { class: 'partial-label', x: b.x + b.w, y: 9, 'text-anchor': 'end', 'font-size': 9, fill: '#1F6FB2' }, partialLabel) : null,
    // Rotated, so "2026-01" fits under a narrow bar.
    h('svg:text', { x: b.x + b.w / 2, y: m.plot + 4, 'text-anchor': 'end', 'font-size': 8, fill: '#555', transform: `rotate(-45 ${b.x + b.w / 2} ${m.plot + 4})` }, b.label),
  )));
}
