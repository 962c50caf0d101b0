// The officer page without a network: the station pack (GET /api/v1/pack)
// kept in the browser's Cache Storage, refreshed when its version changes
// (checked at load and whenever the phone comes back online), and lookups
// answered from it in the server's shape, so the page renders them the
// same way. The service worker (sw.js) keeps the page itself.
import { PackIndex, packGeoJSON } from '../shared/pack.js';

const CACHE = 'jingge-pack';
const PACK_URL = 'api/v1/pack';

let current = null; // { pack, index, fetchedAt, checkedAt }

/** packState is the pack in hand: { pack, index, fetchedAt, checkedAt } or null. */
export function packState() {
  return current;
}

function storage() {
  return typeof caches === 'undefined' ? null : caches;
}

async function store(body, fetchedAt, checkedAt) {
  const c = storage();
  if (!c) return;
  const cache = await c.open(CACHE);
  await cache.put(PACK_URL, new Response(body, {
    headers: { 'Content-Type': 'application/json', 'X-Fetched-At': fetchedAt, 'X-Checked-At': checkedAt },
  }));
}

function adopt(pack, fetchedAt, checkedAt) {
  current = { pack, index: new PackIndex(pack), fetchedAt, checkedAt, shapes: null };
  return current;
}

/** loadStoredPack reads the pack this browser holds, or null. */
export async function loadStoredPack() {
  const c = storage();
  if (!c) return null;
  try {
    const res = await (await c.open(CACHE)).match(PACK_URL);
    if (!res) return null;
    return adopt(await res.json(), res.headers.get('X-Fetched-At'), res.headers.get('X-Checked-At'));
  } catch (err) {
    console.warn('offline pack', err);
    return null;
  }
}

/**
 * refreshPack asks the server whether the pack in hand is current
 * (If-None-Match with its version) and keeps the new one when it is not.
 * It resolves to 'new', 'current', or 'failed' (no network, not signed in,
 * or an error), never throws: the pack in hand stays usable.
 */
export async function refreshPack() {
  const headers = { Accept: 'application/json' };
  if (current) headers['If-None-Match'] = `"${current.pack.version}"`;
  let res;
  try {
    res = await fetch(PACK_URL, { headers, cache: 'no-store' });
  } catch {
    return 'failed';
  }
  const now = new Date().toISOString();
  if (res.status === 304 && current) {
    current.checkedAt = now;
    await store(JSON.stringify(current.pack), current.fetchedAt, now);
    return 'current';
  }
  if (!res.ok) return 'failed';
  const body = await res.text();
  adopt(JSON.parse(body), now, now);
  await store(body, now, now);
  return 'new';
}

function gridAnswer(index, g) {
  if (!g) return null;
  return { id: g.id, name: g.name, level: g.level, township_name: g.township_name, terrain: g.terrain, members: index.members(g) };
}

/**
 * lookupOffline answers a lookup from the pack in the shape of GET
 * /api/v1/lookup, plus offline: { fetchedAt, timeZone }; { outside: true }
 * for a point in no grid of a complete pack, { notInPack: true } for one
 * outside a partial pack, null without a pack.
 */
export function lookupOffline(lon, lat, crs) {
  if (!current) return null;
  const { index, pack } = current;
  const { point, hit } = index.lookup([lon, lat], crs);
  const offline = { fetchedAt: current.fetchedAt, timeZone: pack.time_zone, version: pack.version };
  if (!hit) return pack.complete ? { outside: true, offline } : { notInPack: true, offline };
  return {
    query: { lon, lat, crs },
    point: { lon: point[0], lat: point[1], datum: pack.datum },
    community_grid: gridAnswer(index, hit.community),
    police_grid: gridAnswer(index, hit.police),
    station: hit.station,
    offline,
  };
}

/**
 * packShapes is the pack's grids as GeoJSON for the offline map, made once
 * per pack; null without a pack.
 */
export function packShapes() {
  if (!current) return null;
  current.shapes = current.shapes || packGeoJSON(current.pack);
  return current.shapes;
}
