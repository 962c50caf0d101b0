// The planner page's arithmetic and layout: pure functions of the API's
// answers, so they are unit-tested without a browser.

/**
 * stationPalette gives each station a colour of its own, in the order the
 * stations are listed: hues a golden angle apart, lightness alternating, so
 * neighbours in the list never look alike.
 */
export function stationPalette(ids) {
  const out = {};
  ids.forEach((id, i) => {
    const hue = Math.round((i * 137.508 + 18) % 360);
    const light = [46, 62, 54][i % 3];
    const sat = [62, 58, 70][i % 3];
    out[id] = hslHex(hue, sat, light);
  });
  return out;
}

function hslHex(h, s, l) {
  s /= 100;
  l /= 100;
  const k = (n) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  const hex = (x) => Math.round(x * 255).toString(16).padStart(2, '0').toUpperCase();
  return `#${hex(f(0))}${hex(f(8))}${hex(f(4))}`;
}

/**
 * stationColorExpr is a MapLibre expression colouring a police grid by its
 * station: the station in the tiles, unless overrides (grid id → station id)
 * gives the grid another. Only grids a plan moves need be listed, so the
 * expression stays small.
 */
export function stationColorExpr(colors, overrides = {}, fallback = '#BBBBBB') {
  const entries = Object.entries(colors);
  const byStation = entries.length
    ? ['match', ['get', 'station'], ...entries.flat(), fallback]
    : fallback;
  const grids = Object.keys(overrides).sort();
  if (!grids.length) return byStation;
  return ['match', ['get', 'id'], ...grids.flatMap((g) => [g, colors[overrides[g]] || fallback]), byStation];
}

/**
 * movedGrids returns, of a deployment's police grids, those whose station
 * differs from what the tiles say (current, grid id → station id).
 */
export function movedGrids(deploymentGrids, current) {
  const out = {};
  for (const [grid, station] of Object.entries(deploymentGrids || {})) {
    if (current[grid] !== undefined && current[grid] !== station) out[grid] = station;
  }
  return out;
}

/** FIGURES describe the plan-wide figures of /api/v1/plan/compare: how to show each, and which way is better. */
export const FIGURES = {
  cv: { digits: 3, better: 'lower' },
  gini: { digits: 3, better: 'lower' },
  max_min_ratio: { digits: 2, better: 'lower' },
  mean_load_per_officer: { digits: 1 },
  mean_polsby_popper: { digits: 3, better: 'higher' },
  mean_response_minutes: { digits: 1, better: 'lower', unit: 'min' },
  p90_response_minutes: { digits: 1, better: 'lower', unit: 'min' },
  grids_moved: { digits: 0 },
  officers_moved: { digits: 0 },
  contiguous: { kind: 'yesno', better: 'higher' },
};

/** figureSpec describes a figure, including the share_within_N_minutes family. */
export function figureSpec(name) {
  if (FIGURES[name]) return FIGURES[name];
  const m = /^share_within_([\d.]+)_minutes$/.exec(name);
  if (m) return { kind: 'share', better: 'higher', minutes: Number(m[1]) };
  return { digits: 2 };
}

/**
 * judge says whether going from a to b is an improvement ('better'),
 * a loss ('worse') or neither ('same' or no direction).
 */
export function judge(name, a, b) {
  const spec = figureSpec(name);
  const eps = spec.kind === 'share' ? 5e-4 : 0.5 * 10 ** -(spec.digits ?? 2);
  if (!spec.better || Math.abs(b - a) < eps) return 'same';
  return (spec.better === 'lower') === (b < a) ? 'better' : 'worse';
}

/** relativeChange is (b − a) ÷ a, or null when a is 0. */
export function relativeChange(a, b) {
  return a === 0 ? null : (b - a) / a;
}

/**
 * loadChartModel lays out one row per station with its load per officer
 * under plans a and b, scaled to the largest, and the mean of each plan.
 */
export function loadChartModel(stations, { width = 420, row = 22, label = 92, pad = 6 } = {}) {
  const loads = stations.flatMap((s) => [s.a.load_per_officer || 0, s.b.load_per_officer || 0]);
  const max = Math.max(1e-9, ...loads);
  const plot = width - label - pad - 40;
  const scale = (v) => Math.round((v / max) * plot * 10) / 10;
  const rows = stations.map((s, i) => ({
    station: s.station,
    y: pad + i * row,
    a: s.a.load_per_officer || 0,
    b: s.b.load_per_officer || 0,
    wa: scale(s.a.load_per_officer || 0),
    wb: scale(s.b.load_per_officer || 0),
  }));
  const mean = (k) => {
    let work = 0;
    let officers = 0;
    for (const s of stations) {
      work += s[k].workload || 0;
      officers += s[k].officers || 0;
    }
    return officers ? work / officers : 0;
  };
  return {
    width, height: pad * 2 + stations.length * row, label, plot, rows,
    meanA: mean('a'), meanB: mean('b'), xMeanA: label + scale(mean('a')), xMeanB: label + scale(mean('b')),
  };
}

/** monthsBefore returns the n months ending with month ("YYYY-MM"), oldest first. */
export function monthsBefore(month, n) {
  const [y, m] = month.split('-').map(Number);
  const out = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return out;
}

/**
 * lastCompleteMonth is the month before the one `now` falls in, in China
 * time (UTC+8): the latest month whose assessment is whole.
 */
export function lastCompleteMonth(now) {
  const china = new Date(now.getTime() + 8 * 3600 * 1000);
  const d = new Date(Date.UTC(china.getUTCFullYear(), china.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * trendChartModel lays out a line of scores (0–100) per station over
 * months, for the stations in `selected`, with the rank for each point.
 */
export function trendChartModel(trends, months, selected, { width = 420, height = 170, left = 30, bottom = 18, top = 8 } = {}) {
  const plotW = width - left - 8;
  const plotH = height - bottom - top;
  const x = (i) => Math.round((left + (months.length === 1 ? plotW / 2 : (i * plotW) / (months.length - 1))) * 10) / 10;
  const y = (score) => Math.round((top + plotH - (Math.max(0, Math.min(100, score)) / 100) * plotH) * 10) / 10;
  const lines = trends
    .filter((tr) => selected.includes(tr.station))
    .map((tr) => {
      const at = Object.fromEntries(tr.points.map((p) => [p.month, p]));
      const points = months.map((m, i) => (at[m] ? { month: m, x: x(i), y: y(at[m].score), score: at[m].score, rank: at[m].rank } : null)).filter(Boolean);
      return { station: tr.station, points, path: points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ') };
    });
  const ticks = [0, 25, 50, 75, 100].map((v) => ({ value: v, y: y(v) }));
  const labels = months.map((m, i) => ({ month: m, x: x(i), text: String(Number(m.slice(5))) }));
  return { width, height, left, top, plotW, plotH, lines, ticks, labels };
}

/**
 * metricValue formats one assessment metric for a table cell: a rate as a
 * percentage with its numerator and denominator, the incident trend as a
 * signed percentage, or null when it was not measured.
 */
export function metricValue(ms) {
  if (!ms || !ms.available) return null;
  if (ms.metric === 'incident_trend') {
    const pct = ms.value * 100;
    return { text: `${pct > 0 ? '+' : ''}${pct.toFixed(1)}%`, detail: '' };
  }
  // A zero numerator or value is left out of the JSON.
  const detail = ms.denominator ? `${trimNumber(ms.numerator ?? 0)}/${trimNumber(ms.denominator)}` : '';
  return { text: `${((ms.value ?? 0) * 100).toFixed(1)}%`, detail };
}

/**
 * metricSource describes where an assessment metric's figure came from,
 * as message keys and values for the page to translate: the source
 * ("measured" or "entered"; an answer without one is entered), the counts
 * behind a measured rate, who entered a figure when and which station
 * scored it, and a review flag with the two rates and their difference in
 * points.
 */
export function metricSource(ms) {
  const source = ms?.source === 'measured' ? 'measured' : 'entered';
  const out = { source, review: null };
  if (source === 'measured') {
    out.counts = { numerator: ms.counts?.numerator || '', denominator: ms.counts?.denominator || '' };
  } else if (ms?.entered) {
    out.entry = { by: ms.entered.by || '', at: ms.entered.at || '', scorer: ms.entered.scored_by || '' };
  }
  if (ms?.review && ms.entered) {
    out.review = {
      measured: `${((ms.value ?? 0) * 100).toFixed(1)}%`,
      entered: `${((ms.entered.value ?? 0) * 100).toFixed(1)}%`,
      diff: Math.abs(ms.entered.difference ?? 0).toFixed(1),
    };
  }
  return out;
}

function trimNumber(n) {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** rankChange describes a trend point's change of rank: "↑2", "↓1" or "". */
export function rankChange(point) {
  if (!point || !point.rank_change) return '';
  return point.rank_change > 0 ? `↑${point.rank_change}` : `↓${-point.rank_change}`;
}

/**
 * bandColors are the colours of the response rings, fastest first, and
 * last the colour of what lies beyond every ring: green to red.
 */
export function bandColors(bands) {
  const ramp = ['#1A9850', '#91CF60', '#FEE08B', '#FC8D59', '#D73027'];
  const n = bands.length + 1;
  return Array.from({ length: n }, (_, i) => ramp[Math.round((i * (ramp.length - 1)) / Math.max(1, n - 1))]);
}

/**
 * bandColorExpr colours grids by the ring that reaches them (GridReach of
 * /api/v1/plan/coverage: band_minutes, 0 beyond every ring); grids not
 * listed stay clear.
 */
export function bandColorExpr(grids, bands) {
  const colors = bandColors(bands);
  const colorOf = (minutes) => {
    const i = bands.indexOf(minutes);
    return colors[i < 0 ? bands.length : i];
  };
  const pairs = [];
  const seen = new Set();
  for (const g of grids) {
    if (seen.has(g.grid)) continue;
    seen.add(g.grid);
    pairs.push(g.grid, colorOf(g.band_minutes));
  }
  return pairs.length ? ['match', ['get', 'id'], ...pairs, 'rgba(0,0,0,0)'] : 'rgba(0,0,0,0)';
}

/** hexRGB splits "#RRGGBB" into [r, g, b]. */
function hexRGB(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * colorDistance is how far apart two "#RRGGBB" colours look: Euclidean
 * in RGB weighted for the eye ("redmean"), 0 for equal, about 765 at most.
 */
export function colorDistance(a, b) {
  const [r1, g1, b1] = hexRGB(a);
  const [r2, g2, b2] = hexRGB(b);
  const rm = (r1 + r2) / 2;
  const dr = r1 - r2;
  const dg = g1 - g2;
  const db = b1 - b2;
  return Math.sqrt((2 + rm / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rm) / 256) * db * db);
}

/**
 * stationNeighbours guesses which stations border each other from their
 * police grids' label points (features of /api/v1/labels, which name each
 * grid's station; gridStation, grid id → station, overrides them): a
 * grid and the nearest grid of another station make the two stations
 * neighbours. Returns station id → Set of neighbour ids.
 */
export function stationNeighbours(labelFeatures, gridStation = {}) {
  const pts = [];
  for (const f of labelFeatures || []) {
    const station = gridStation[f.properties?.id] || f.properties?.station;
    if (f.properties?.kind !== 'police' || !station || !f.geometry?.coordinates) continue;
    const [lon, lat] = f.geometry.coordinates;
    // Degrees of longitude shrink with latitude; near enough for ranking.
    pts.push({ station, x: lon * Math.cos((lat * Math.PI) / 180), y: lat });
  }
  const out = {};
  const link = (a, b) => {
    (out[a] ||= new Set()).add(b);
    (out[b] ||= new Set()).add(a);
  };
  for (const p of pts) {
    let best = null;
    let bestD = Infinity;
    for (const q of pts) {
      if (q.station === p.station) continue;
      const d = (p.x - q.x) ** 2 + (p.y - q.y) ** 2;
      if (d < bestD) { bestD = d; best = q; }
    }
    if (best) link(p.station, best.station);
  }
  return out;
}

/**
 * neighbourPalette gives each station a colour of stationPalette's set so
 * that bordering stations look as different as the set allows: the most
 * connected stations choose first, each the free colour farthest from its
 * neighbours' colours (greedy, deterministic).
 */
export function neighbourPalette(ids, neighbours) {
  const pool = Object.values(stationPalette(ids));
  const order = [...ids].sort((a, b) => (neighbours[b]?.size || 0) - (neighbours[a]?.size || 0) || ids.indexOf(a) - ids.indexOf(b));
  const out = {};
  for (const id of order) {
    const near = [...(neighbours[id] || [])].map((n) => out[n]).filter(Boolean);
    let best = 0;
    let bestScore = -1;
    pool.forEach((c, i) => {
      const score = near.length ? Math.min(...near.map((n) => colorDistance(c, n))) : 1e9 - i;
      if (score > bestScore) { bestScore = score; best = i; }
    });
    out[id] = pool.splice(best, 1)[0];
  }
  return out;
}

/**
 * loadColors colours each station by its load per officer under one side
 * ('a' or 'b') of a comparison, light to dark on one scale shared by both
 * sides, so the two maps compare. Returns { colors, min, max }.
 */
export function loadColors(stations, side) {
  const all = stations.flatMap((s) => [s.a.load_per_officer || 0, s.b.load_per_officer || 0]);
  const min = Math.min(...all);
  const max = Math.max(...all);
  const ramp = ['#FFF5EB', '#FDD0A2', '#FD8D3C', '#D94801', '#7F2704'];
  const colors = {};
  for (const s of stations) {
    const v = s[side].load_per_officer || 0;
    const x = max > min ? (v - min) / (max - min) : 0.5;
    colors[s.station] = ramp[Math.min(ramp.length - 1, Math.floor(x * ramp.length))];
  }
  return { colors, min, max, ramp };
}
