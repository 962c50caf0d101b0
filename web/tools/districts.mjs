// The offline base layer: the districts and counties of Xi'an around
// Lantian, from the bundled reference data, as a small GeoJSON the map draws
// under the grids. The reference outlines are GCJ-02 (as the dataset's
// county outline is taken to be) quantised to 1/1024 degree; they are
// converted to WGS-84 like the dataset, their staircases are smoothed away,
// outlines are simplified to within about 40 m (the source is only good to
// about 100 m) and coordinates are rounded to about a metre.
import fs from 'node:fs';

const KRASOVSKY_A = 6378245.0;
const KRASOVSKY_E2 = 0.00669342162296594323;

/** gcjShift is the GCJ-02 offset at a WGS-84 point, in degrees. */
export function gcjShift(lon, lat) {
  const x = lon - 105;
  const y = lat - 35;
  const rootX = Math.sqrt(Math.abs(x));
  const common = 20 * Math.sin(6 * Math.PI * x) + 20 * Math.sin(2 * Math.PI * x);
  const tLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * rootX +
    ((common + 20 * Math.sin(Math.PI * y) + 40 * Math.sin(Math.PI * y / 3) +
      160 * Math.sin(Math.PI * y / 12) + 320 * Math.sin(Math.PI * y / 30)) * 2) / 3;
  const tLon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * rootX +
    ((common + 20 * Math.sin(Math.PI * x) + 40 * Math.sin(Math.PI * x / 3) +
      150 * Math.sin(Math.PI * x / 12) + 300 * Math.sin(Math.PI * x / 30)) * 2) / 3;
  const phi = (lat * Math.PI) / 180;
  const w = 1 - KRASOVSKY_E2 * Math.sin(phi) ** 2;
  const meridian = (KRASOVSKY_A * (1 - KRASOVSKY_E2)) / (w * Math.sqrt(w));
  const parallel = (KRASOVSKY_A / Math.sqrt(w)) * Math.cos(phi);
  return [(tLon * 180) / (parallel * Math.PI), (tLat * 180) / (meridian * Math.PI)];
}

/** gcjToWGS inverts the GCJ-02 shift by fixed-point iteration. */
export function gcjToWGS([lon, lat]) {
  let w = [lon, lat];
  for (let i = 0; i < 8; i++) {
    const [dx, dy] = gcjShift(w[0], w[1]);
    const next = [lon - dx, lat - dy];
    const done = Math.abs(next[0] - w[0]) < 1e-10 && Math.abs(next[1] - w[1]) < 1e-10;
    w = next;
    if (done) break;
  }
  return w;
}

/**
 * smoothRing turns a closed staircase ring into a polyline through the
 * midpoints of its edges (one round of corner cutting) and drops points
 * that lie on a straight line through their neighbours. Shared borders of
 * two districts get the same midpoints, so they still meet.
 */
export function smoothRing(ring) {
  const pts = ring.slice(0, -1);
  if (pts.length < 4) return ring;
  const mids = pts.map((p, i) => {
    const q = pts[(i + 1) % pts.length];
    return [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
  });
  const kept = mids.filter((p, i) => {
    const a = mids[(i - 1 + mids.length) % mids.length];
    const b = mids[(i + 1) % mids.length];
    const cross = (p[0] - a[0]) * (b[1] - a[1]) - (p[1] - a[1]) * (b[0] - a[0]);
    return Math.abs(cross) > 1e-12;
  });
  return [...kept, kept[0]];
}

/**
 * simplify drops the points of a closed ring that lie within tolerance
 * (degrees) of the line through their kept neighbours (Douglas–Peucker,
 * anchored at the ring's first point and its farthest point).
 */
export function simplify(ring, tolerance) {
  const pts = ring.slice(0, -1);
  if (pts.length < 8) return ring;
  const keep = new Uint8Array(pts.length);
  const dist2 = (p, a, b) => {
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const len2 = dx * dx + dy * dy;
    let t = len2 === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
    t = Math.max(0, Math.min(1, t));
    const ex = a[0] + t * dx - p[0];
    const ey = a[1] + t * dy - p[1];
    return ex * ex + ey * ey;
  };
  let far = 0;
  let farD = -1;
  for (let i = 1; i < pts.length; i++) {
    const d = (pts[i][0] - pts[0][0]) ** 2 + (pts[i][1] - pts[0][1]) ** 2;
    if (d > farD) [far, farD] = [i, d];
  }
  const tol2 = tolerance * tolerance;
  const stack = [[0, far], [far, pts.length]];
  keep[0] = keep[far] = 1;
  while (stack.length) {
    const [i, j] = stack.pop();
    const b = pts[j % pts.length];
    let best = -1;
    let bestD = tol2;
    for (let k = i + 1; k < j; k++) {
      const d = dist2(pts[k], pts[i], b);
      if (d > bestD) [best, bestD] = [k, d];
    }
    if (best >= 0) {
      keep[best] = 1;
      stack.push([i, best], [best, j]);
    }
  }
  const out = pts.filter((_, i) => keep[i]);
  return out.length < 3 ? ring : [...out, out[0]];
}

const round = (v) => Math.round(v * 1e5) / 1e5;

/**
 * districtsGeoJSON reads the reference file and returns the base layer as
 * a JSON string: one polygon feature per district except `skip` (the
 * county the dataset itself outlines), and one label point per district.
 */
export function districtsGeoJSON(file, skip = '610122') {
  const src = JSON.parse(fs.readFileSync(file, 'utf8'));
  const features = [];
  const labels = [];
  const sorted = [...src.features].sort((a, b) => (a.properties.adcode < b.properties.adcode ? -1 : 1));
  for (const f of sorted) {
    const { adcode, name, center } = f.properties;
    if (adcode === skip) continue;
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    const coordinates = polys.map((poly) =>
      poly.map((ring) => simplify(smoothRing(ring), 0.0004).map((p) => gcjToWGS(p).map(round))),
    );
    features.push({
      type: 'Feature',
      properties: { kind: 'area', adcode, name },
      geometry: { type: 'MultiPolygon', coordinates },
    });
    if (center) {
      labels.push({
        type: 'Feature',
        properties: { kind: 'label', adcode, name },
        geometry: { type: 'Point', coordinates: gcjToWGS(center).map(round) },
      });
    }
  }
  return JSON.stringify({ type: 'FeatureCollection', features: [...features, ...labels] });
}
