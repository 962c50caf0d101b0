// WGS-84 ⇄ GCJ-02 ⇄ BD-09, as geo/crs converts them on the server: the same
// formulas in the same order of operations, Go's math functions (gomath.js)
// and the same iterative inverses, so a point converted here is the float64
// the server computes. The officer page converts a typed or GPS position
// into the pack's datum with it before looking it up offline.
import { sin, cos, sincos, atan2, hypot, PI } from './gomath.js';

const KRASOVSKY_A = 6378245.0;
const KRASOVSKY_E2 = 0.006693421622965943;
// Go folds krasovskyA * (1 - krasovskyE2) exactly and rounds once.
const KRASOVSKY_A_1ME2 = 6335552.717000426;

const CHINA = { minLon: 72.004, maxLon: 137.8347, minLat: 0.8293, maxLat: 55.8271 };

// Go folds math.Pi * 3000 / 180 exactly: one unit in the last place above
// what PI * 3000 / 180 gives in float64.
const BD_ANGULAR_FREQ = 52.35987755982989;
const BD_RADIUS_AMP = 0.00002;
const BD_ANGLE_AMP = 0.000003;
const BD_LON_OFFSET = 0.0065;
const BD_LAT_OFFSET = 0.006;

const STEP_TOLERANCE = 1e-10;
const MAX_ITERATIONS = 16;

/** The coordinate systems: WGS-84 (GPS, = CGCS2000), GCJ-02 and BD-09. */
export const WGS84 = 'wgs84';
export const GCJ02 = 'gcj02';
export const BD09 = 'bd09';

const finite = ([x, y]) => Number.isFinite(x) && Number.isFinite(y);
const NAN_POINT = () => [NaN, NaN];

/** outOfChina is crs.OutOfChina: GCJ-02 leaves such points alone. */
export function outOfChina([lon, lat]) {
  return !(lon >= CHINA.minLon && lon <= CHINA.maxLon && lat >= CHINA.minLat && lat <= CHINA.maxLat);
}

function gcjShift(lon, lat) {
  const x = lon - 105;
  const y = lat - 35;
  const [s1, c1] = sincos(PI * x);
  const s2 = 2 * s1 * c1;
  const s6 = s2 * (3 - 4 * s2 * s2);
  const [sx12, cx12] = sincos(PI * x / 12);
  const sx3 = 4 * sx12 * cx12 * (1 - 2 * sx12 * sx12);
  const [sy12, cy12] = sincos(PI * y / 12);
  const sy3 = 4 * sy12 * cy12 * (1 - 2 * sy12 * sy12);

  const shared = 20 * s6 + 20 * s2;
  const rootX = Math.sqrt(Math.abs(x));
  const tLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * rootX
    + (shared + 20 * sin(PI * y) + 40 * sy3 + 160 * sy12 + 320 * sin(PI * y / 30)) * 2 / 3;
  const tLon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * rootX
    + (shared + 20 * s1 + 40 * sx3 + 150 * sx12 + 300 * sin(PI * x / 30)) * 2 / 3;

  const [sinLat, cosLat] = sincos(lat * PI / 180);
  const w = 1 - KRASOVSKY_E2 * sinLat * sinLat;
  const sqrtW = Math.sqrt(w);
  const dLat = tLat * 180 / (KRASOVSKY_A_1ME2 / (w * sqrtW) * PI);
  const dLon = tLon * 180 / (KRASOVSKY_A / sqrtW * cosLat * PI);
  return [dLon, dLat];
}

/** wgs84ToGCJ02 is crs.WGS84ToGCJ02. */
export function wgs84ToGCJ02(p) {
  if (!finite(p)) return NAN_POINT();
  if (outOfChina(p)) return [p[0], p[1]];
  const [dLon, dLat] = gcjShift(p[0], p[1]);
  return [p[0] + dLon, p[1] + dLat];
}

/** gcj02ToWGS84 is crs.GCJ02ToWGS84: the fixed-point iteration of the server. */
export function gcj02ToWGS84(p) {
  if (!finite(p)) return NAN_POINT();
  if (outOfChina(p)) return [p[0], p[1]];
  let w = [p[0], p[1]];
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    const [dLon, dLat] = gcjShift(w[0], w[1]);
    const next = [p[0] - dLon, p[1] - dLat];
    const step = Math.abs(next[0] - w[0]) + Math.abs(next[1] - w[1]);
    w = next;
    if (step < STEP_TOLERANCE) break;
  }
  return w;
}

/** gcj02ToBD09 is crs.GCJ02ToBD09. */
export function gcj02ToBD09(p) {
  if (!finite(p)) return NAN_POINT();
  const [x, y] = p;
  const r = hypot(x, y) + BD_RADIUS_AMP * sin(y * BD_ANGULAR_FREQ);
  const theta = atan2(y, x) + BD_ANGLE_AMP * cos(x * BD_ANGULAR_FREQ);
  const [s, c] = sincos(theta);
  return [r * c + BD_LON_OFFSET, r * s + BD_LAT_OFFSET];
}

/** bd09ToGCJ02 is crs.BD09ToGCJ02: the server's iteration on radius and angle. */
export function bd09ToGCJ02(p) {
  if (!finite(p)) return NAN_POINT();
  const bx = p[0] - BD_LON_OFFSET;
  const by = p[1] - BD_LAT_OFFSET;
  const bR = hypot(bx, by);
  const bTheta = atan2(by, bx);
  let x = bx;
  let y = by;
  let r = bR;
  let theta = bTheta;
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    const nextR = bR - BD_RADIUS_AMP * sin(y * BD_ANGULAR_FREQ);
    const nextTheta = bTheta - BD_ANGLE_AMP * cos(x * BD_ANGULAR_FREQ);
    const step = Math.abs(nextR - r) + Math.abs(nextR * (nextTheta - theta));
    r = nextR;
    theta = nextTheta;
    const [s, c] = sincos(theta);
    x = r * c;
    y = r * s;
    if (step < STEP_TOLERANCE) break;
  }
  return [x, y];
}

/** convert is crs.Convert: p ([lon, lat]) from one system to another. */
export function convert(p, from, to) {
  if (!finite(p)) return NAN_POINT();
  if (from === to) return [p[0], p[1]];
  switch (`${from}>${to}`) {
    case 'wgs84>gcj02': return wgs84ToGCJ02(p);
    case 'wgs84>bd09': return gcj02ToBD09(wgs84ToGCJ02(p));
    case 'gcj02>wgs84': return gcj02ToWGS84(p);
    case 'gcj02>bd09': return gcj02ToBD09(p);
    case 'bd09>wgs84': return gcj02ToWGS84(bd09ToGCJ02(p));
    case 'bd09>gcj02': return bd09ToGCJ02(p);
    default: return NAN_POINT();
  }
}
