// Times in the county's zone, whatever zone the browser is in: the API
// cuts days and months in the county's zone (utc_offset of
// /api/v1/dataset), and an operator reads a time as the county's clock.

/** DEFAULT_OFFSET is the county's offset until the dataset says otherwise. */
export const DEFAULT_OFFSET = '+08:00';

let offsetMinutes = parseOffset(DEFAULT_OFFSET);

/** parseOffset turns "+08:00" into minutes east of UTC; null when it is not an offset. */
export function parseOffset(text) {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(String(text || ''));
  if (!m) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** setZone takes the dataset's utc_offset; a missing or malformed one keeps the default. */
export function setZone(utcOffset) {
  const m = parseOffset(utcOffset);
  if (m !== null) offsetMinutes = m;
}

/**
 * formatZoned formats a time (a Date or an RFC 3339 string) in the county's
 * zone: the instant is shifted by the offset and formatted as UTC, which
 * every browser supports (unlike offset names in Intl).
 */
export function formatZoned(when, locale, options = { dateStyle: 'medium', timeStyle: 'short' }) {
  const d = when instanceof Date ? when : new Date(when);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(new Date(d.getTime() + offsetMinutes * 60_000));
}

/**
 * zonedInputValue is a time as a datetime-local input holds it
 * ("2026-05-01T14:30"), on the county's clock: the API reads such a time,
 * without an offset, in the county's zone.
 */
export function zonedInputValue(when) {
  const d = when instanceof Date ? when : new Date(when);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 16);
}
