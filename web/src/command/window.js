// Incident time windows as the API reads them, and the incidents tile URL:
// pure, so they are unit-tested without a browser.

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const WINDOW_DAYS = { '7d': 7, '30d': 30, '90d': 90, '365d': 365 };

/** chinaDate is the calendar date, in China time (UTC+8), of the moment ms milliseconds after the epoch: "YYYY-MM-DD". */
function chinaDate(ms) {
  return new Date(ms + 8 * HOUR).toISOString().slice(0, 10);
}

/**
 * windowStart is where window w ending at now begins, as the API reads it:
 * for days, a date (its midnight in China time), so the window is whole
 * days with today last; for 24h, the hour 24 hours back. Whole days and
 * hours let the server's tile cache serve everyone who looks at the same
 * window.
 */
export function windowStart(w, now = new Date()) {
  const ms = now.getTime();
  if (w === '24h') {
    const hour = Math.floor((ms - DAY) / HOUR) * HOUR;
    return new Date(hour).toISOString().replace(/\.\d+Z$/, 'Z');
  }
  return chinaDate(ms - ((WINDOW_DAYS[w] || 7) - 1) * DAY);
}

/** tileURL is the template of the incidents tiles for a window and categories (null: all). */
export function tileURL(base, from, categories) {
  const q = new URLSearchParams({ from });
  if (categories) q.set('category', categories.join(','));
  return `${base}tiles/incidents/{z}/{x}/{y}.mvt?${q}`;
}

