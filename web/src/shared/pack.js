// The offline pack (GET /api/v1/pack) in the browser: "which community
// grid, police grid and station" for a point, by the rule of the server's
// geo.Index.Lookup over the same float64 coordinates, so the answer is the
// server's for every point of the pack's grids.
//
// The rule (geo/index.go, geo/prepared.go, geo/boundary.go):
//   - Half-open: the even-odd crossing test over every ring of a grid, each
//     edge stored lower end first; a point on a shared border belongs to
//     the grid east of it (north of it on an east-west border).
//   - Outline: a point the first rule gives to no grid, and that lies within
//     2^-45·max(|x|, |y|, 1) of an edge (horizontal ones included), belongs
//     to the lowest id among the grids it lies on. A pack that is not
//     complete does not apply it: its own edge is not the county's, and the
//     grid across it is not in the pack.
import { convert } from './crs.js';

const ON_EDGE_RELATIVE = 2 ** -45;

/** decodeRing turns one ring of a pack's geometry into [x0, y0, x1, y1, ...] coordinates. */
function decodeRing(flat, scale) {
  const out = new Float64Array(flat.length);
  if (!scale) {
    out.set(flat);
    return out;
  }
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < flat.length; i += 2) {
    sx += flat[i];
    sy += flat[i + 1];
    out[i] = sx / scale;
    out[i + 1] = sy / scale;
  }
  return out;
}

// prepare builds a leaf grid's edge lists: slanted edges (lower end first)
// for the crossing test, horizontal ones for the outline rule only.
function prepare(geometry, scale) {
  const slanted = [];
  const flat = [];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const poly of geometry) {
    for (const encoded of poly) {
      const ring = decodeRing(encoded, scale);
      const n = ring.length / 2;
      for (let i = 0; i < n; i++) {
        const x = ring[2 * i];
        const y = ring[2 * i + 1];
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      if (n < 2) continue;
      for (let i = 0; i < n; i++) {
        const j = (i + 1) % n;
        let ax = ring[2 * i];
        let ay = ring[2 * i + 1];
        let bx = ring[2 * j];
        let by = ring[2 * j + 1];
        if (ax === bx && ay === by) continue;
        if (ay === by) {
          if (ax > bx) [ax, bx] = [bx, ax];
          flat.push(ax, ay, bx, by);
        } else {
          if (ay > by) [ax, ay, bx, by] = [bx, by, ax, ay];
          slanted.push(ax, ay, bx, by);
        }
      }
    }
  }
  return {
    minX, minY, maxX, maxY,
    slanted: Float64Array.from(slanted),
    flat: Float64Array.from(flat),
  };
}

function contains(p, x, y) {
  if (x < p.minX || x > p.maxX || y < p.minY || y > p.maxY) return false;
  const e = p.slanted;
  let inside = false;
  for (let i = 0; i < e.length; i += 4) {
    const ax = e[i];
    const ay = e[i + 1];
    const bx = e[i + 2];
    const by = e[i + 3];
    if (y < ay || y >= by) continue;
    if ((x - ax) * (by - ay) < (bx - ax) * (y - ay)) inside = !inside;
  }
  return inside;
}

function near(e, i, x, y, tol) {
  const ax = e[i];
  const ay = e[i + 1];
  const bx = e[i + 2];
  const by = e[i + 3];
  if (y < Math.min(ay, by) - tol || y > Math.max(ay, by) + tol || x < Math.min(ax, bx) - tol || x > Math.max(ax, bx) + tol) return false;
  const dx = bx - ax;
  const dy = by - ay;
  const cross = dx * (y - ay) - dy * (x - ax);
  return cross * cross <= tol * tol * (dx * dx + dy * dy);
}

function onBoundary(p, x, y, tol) {
  if (x < p.minX - tol || x > p.maxX + tol || y < p.minY - tol || y > p.maxY + tol) return false;
  for (const e of [p.slanted, p.flat]) {
    for (let i = 0; i < e.length; i += 4) {
      if (near(e, i, x, y, tol)) return true;
    }
  }
  return false;
}

// idLess orders ids as Go does: by their UTF-8 bytes, which is code point
// order. JavaScript's < compares UTF-16 units, which orders characters
// beyond the basic plane differently.
function idLess(a, b) {
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i].codePointAt(0) - cb[i].codePointAt(0);
    if (d !== 0) return d < 0;
  }
  return ca.length < cb.length;
}

/**
 * PackIndex answers lookups from one pack. Build it once per pack; lookups
 * do not change it.
 */
export class PackIndex {
  constructor(pack) {
    this.pack = pack;
    this.grids = new Map(pack.grids.map((g) => [g.id, g]));
    this.stations = new Map(pack.stations.map((s) => [s.id, s]));
    this.hasChildren = new Set(pack.grids.filter((g) => g.parent).map((g) => g.parent));
    // Community grids first, then police grids without community grids:
    // the server tries the second only after the first found nothing.
    this.community = [];
    this.policeOnly = [];
    for (const g of pack.grids) {
      if (!g.geometry) continue;
      const leaf = { grid: g, prepared: prepare(g.geometry, pack.scale) };
      if (g.level === 'community') this.community.push(leaf);
      else if (!this.hasChildren.has(g.id)) this.policeOnly.push(leaf);
    }
    this.leaves = [...this.community, ...this.policeOnly];
  }

  /** holder is the leaf grid holding (x, y) by the half-open rule, or null. */
  holder(x, y) {
    for (const list of [this.community, this.policeOnly]) {
      for (const leaf of list) {
        if (contains(leaf.prepared, x, y)) return leaf.grid;
      }
    }
    return null;
  }

  /** edgeOwner is the lowest-id leaf grid with (x, y) on an edge, or null. */
  edgeOwner(x, y) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
    const tol = ON_EDGE_RELATIVE * Math.max(Math.abs(x), Math.abs(y), 1);
    let best = null;
    for (const leaf of this.leaves) {
      if ((best === null || idLess(leaf.grid.id, best.id)) && onBoundary(leaf.prepared, x, y, tol)) best = leaf.grid;
    }
    return best;
  }

  /**
   * lookupDatum finds the grids of [x, y] given in the pack's datum:
   * { community, police, station } (each null when none), or null when the
   * point is in no grid of the pack.
   */
  lookupDatum([x, y]) {
    let g = this.holder(x, y);
    if (!g && this.pack.complete) g = this.edgeOwner(x, y);
    if (!g) return null;
    const hit = { community: null, police: null, station: this.stations.get(g.station) || null };
    if (g.level === 'community') {
      hit.community = g;
      hit.police = (g.parent && this.grids.get(g.parent)) || null;
    } else {
      hit.police = g;
    }
    return hit;
  }

  /**
   * lookup converts [lon, lat] from crs (wgs84, gcj02, bd09) into the
   * pack's datum as the server does and finds its grids: { point, hit }.
   */
  lookup(lonlat, crs = 'wgs84') {
    const point = convert(lonlat, crs, this.pack.datum || 'wgs84');
    return { point, hit: this.lookupDatum(point) };
  }

  /** members returns the members of a grid, as the pack lists them. */
  members(grid) {
    return (grid?.members || []).map((i) => this.pack.members[i]);
  }
}

/**
 * packGeoJSON is the pack's grids as a GeoJSON FeatureCollection of
 * MultiPolygons in the pack's datum, rings closed: what the officer page's
 * map draws when there is no network and so no tiles.
 */
export function packGeoJSON(pack) {
  const features = [];
  for (const g of pack.grids) {
    if (!g.geometry) continue;
    const coordinates = g.geometry.map((poly) => poly.map((encoded) => {
      const flat = decodeRing(encoded, pack.scale);
      const ring = [];
      for (let i = 0; i < flat.length; i += 2) ring.push([flat[i], flat[i + 1]]);
      const [a, z] = [ring[0], ring[ring.length - 1]];
      if (a && (a[0] !== z[0] || a[1] !== z[1])) ring.push([a[0], a[1]]);
      return ring;
    }));
    features.push({
      type: 'Feature',
      properties: { id: g.id, name: g.name, level: g.level, station: g.station },
      geometry: { type: 'MultiPolygon', coordinates },
    });
  }
  return { type: 'FeatureCollection', features };
}
