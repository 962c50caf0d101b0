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

// One angle as people write it: decimal degrees (109.3228), degrees and
// decimal minutes (34°9.12'), degrees, minutes and seconds (34°09'07",
// 34 09 07, 34度09分07秒), with an optional hemisphere letter before or
// after (N, S, E, W; 北纬/东经 too). The symbols may be ASCII or typographic.
const ANGLE = new RegExp(
  '^\\s*(北纬|南纬|东经|西经|[NSEWnsew])?\\s*([+-]?\\d+(?:[.,]\\d+)?)\\s*(?:[°度º:]|\\s)?\\s*'
  + '(?:(\\d+(?:[.,]\\d+)?)\\s*(?:[\'′’分:]|\\s)?\\s*)?'
  + '(?:(\\d+(?:[.,]\\d+)?)\\s*(?:["″”秒]|\'\'|′′)?\\s*)?'
  + '(北纬|南纬|东经|西经|[NSEWnsew])?\\s*$',
);

const HEMI = { n: 'lat', s: 'lat', e: 'lon', w: 'lon', 北纬: 'lat', 南纬: 'lat', 东经: 'lon', 西经: 'lon' };
const NEGATIVE = new Set(['s', 'w', '南纬', '西经']);

/**
 * parseAngle reads one angle: { value, axis } with axis 'lat' or 'lon'
 * when a hemisphere names it, else null; null when text is no angle.
 */
export function parseAngle(text) {
  const m = ANGLE.exec(String(text ?? ''));
  if (!m) return null;
  const [, before, degText, minText, secText, after] = m;
  if (before && after) return null;
  const hemi = (before || after || '').toLowerCase();
  const num = (x) => (x === undefined ? 0 : Number(x.replace(',', '.')));
  const deg = num(degText);
  const min = num(minText);
  const sec = num(secText);
  if (min >= 60 || sec >= 60 || (minText === undefined && secText !== undefined)) return null;
  let value = Math.abs(deg) + min / 60 + sec / 3600;
  if (deg < 0 || degText.startsWith('-') || NEGATIVE.has(hemi)) value = -value;
  if (!Number.isFinite(value)) return null;
  return { value, axis: hemi ? HEMI[hemi] : null };
}

/**
 * splitPair cuts a pasted pair of angles in two: at a comma, semicolon or
 * slash between them, at a hemisphere letter that ends the first, or at
 * white space when each half is a plain number. null when it is one angle.
 */
function splitPair(text) {
  const s = String(text ?? '').trim();
  for (const sep of [/\s*[;；/]\s*/, /\s*[,，]\s+|\s*，\s*/, /(?<=\d)\s*,\s*(?=[-+]?\d+\.\d)/]) {
    const parts = s.split(sep).filter(Boolean);
    if (parts.length === 2) return parts;
  }
  const byHemi = /^(.*?[NSEWnsew]|.*?(?:北纬|南纬|东经|西经)\S*)\s+(.+)$/.exec(s);
  if (byHemi && parseAngle(byHemi[1]) && parseAngle(byHemi[2])) return [byHemi[1], byHemi[2]];
  const plain = s.split(/\s+/);
  if (plain.length === 2) return plain;
  const comma = s.split(',');
  if (comma.length === 2) return comma;
  return null;
}

/**
 * parsePair reads a pasted coordinate pair in any order: "lon,lat",
 * "lat,lon" (told apart by hemisphere letters, then by which order puts
 * the point in bounds [minLon, minLat, maxLon, maxLat] when given, then by
 * the only value that can be a longitude), in decimal degrees or
 * degrees-minutes-seconds. Returns {lon, lat} or null.
 */
export function parsePair(text, bounds = null) {
  const parts = splitPair(text);
  if (!parts) return null;
  const [a, b] = parts.map(parseAngle);
  if (!a || !b) return null;
  let lonLat;
  if (a.axis && b.axis) {
    if (a.axis === b.axis) return null;
    lonLat = a.axis === 'lon' ? [a.value, b.value] : [b.value, a.value];
  } else if (a.axis || b.axis) {
    const lonFirst = (a.axis || (b.axis === 'lat' ? 'lon' : 'lat')) === 'lon';
    lonLat = lonFirst ? [a.value, b.value] : [b.value, a.value];
  } else {
    const inside = ([lon, lat]) => bounds && lon >= bounds[0] && lon <= bounds[2] && lat >= bounds[1] && lat <= bounds[3];
    if (inside([a.value, b.value])) lonLat = [a.value, b.value];
    else if (inside([b.value, a.value])) lonLat = [b.value, a.value];
    else if (Math.abs(a.value) <= 90 && Math.abs(b.value) > 90) lonLat = [b.value, a.value];
    else lonLat = [a.value, b.value];
  }
  const [lon, lat] = lonLat;
  if (Math.abs(lon) > 180 || Math.abs(lat) > 90) return null;
  return { lon, lat };
}

/**
 * parseBoxes reads the two boxes of the officer page: a number (or an
 * angle) in each, or a whole pair in either one (the other empty or
 * holding the same pair). Hemisphere letters put the values in their
 * place; a swapped pair in the county's bounds is put right.
 */
export function parseBoxes(lonText, latText, bounds = null) {
  const lonT = String(lonText ?? '').trim();
  const latT = String(latText ?? '').trim();
  for (const one of [lonT, latT]) {
    const other = one === lonT ? latT : lonT;
    if (one && (!other || other === one)) {
      const pair = parsePair(one, bounds);
      if (pair) return pair;
    }
  }
  const simple = parseCoordinate(lonT, latT);
  if (simple) return parsePair(`${simple.lon}, ${simple.lat}`, bounds);
  const a = parseAngle(lonT);
  const b = parseAngle(latT);
  if (!a || !b) return null;
  return parsePair(`${lonT}; ${latT}`, bounds);
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
