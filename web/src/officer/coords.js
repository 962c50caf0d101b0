// Coordinates typed by a person: decimal degrees, with a comma or a point
// as the decimal mark, and the officer page's hash: #LON,LAT[,CRS][&lang=en].

export const CRSES = ['wgs84', 'gcj02', 'bd09'];

function number(s) {
  const v = String(s ?? '').trim().replace(/[°]/g, '').replace(/^(-?\d+),(\d+)$/, '$1.$2');
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v)) return NaN;
  return Number(v);
}

/** parseCoordinate returns {lon, lat} or null when either is not a valid number in range. */
export function parseCoordinate(lonText, latText) {
  const lon = number(lonText);
  const lat = number(latText);
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) return null;
  return { lon, lat };
}

/** parseOfficerHash reads "#109.32,34.15,gcj02&lang=en". */
export function parseOfficerHash(hash) {
  const out = {};
  const [pos, ...rest] = String(hash || '').replace(/^#/, '').split('&');
  const parts = pos.split(',');
  if (parts.length >= 2) {
    const c = parseCoordinate(parts[0], parts[1]);
    if (c) {
      Object.assign(out, c);
      if (CRSES.includes(parts[2])) out.crs = parts[2];
    }
  }
  for (const kv of rest) {
    const [k, v] = kv.split('=');
    if (k === 'lang' && (v === 'en' || v === 'zh-CN')) out.lang = v;
  }
  return out;
}

/** formatOfficerHash writes the hash parseOfficerHash reads. */
export function formatOfficerHash({ lon, lat, crs, lang }) {
  let s = `#${lon},${lat}`;
  if (crs && crs !== 'wgs84') s += `,${crs}`;
  if (lang) s += `&lang=${lang}`;
  return s;
}
