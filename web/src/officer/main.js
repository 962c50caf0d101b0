// The officer page (/m): "which grid am I in, and who is responsible here?"
// from the phone's position (WGS-84) or a typed coordinate in WGS-84,
// GCJ-02 (Gaode/Tencent) or BD-09 (Baidu). With no network it answers from
// the station pack kept on the phone (offline.js) and keeps the visits an
// officer records until it can send them (queue.js). An officer also sees
// the task list of where they stand and of their area (taskview.js), and
// records the disputes they settle there (disputeform.js).
import { getJSON, getOptionalJSON, query, ApiError } from '../shared/api.js';
import { $, h, clear } from '../shared/dom.js';
import { t, initLang, setLang, onLangChange, applyStatic, isEnglish, localName } from '../shared/i18n.js';
import { telHref } from '../shared/phone.js';
import { setZone } from '../shared/time.js';
import { parseBoxes, parsePair, parseOfficerHash, formatOfficerHash } from './coords.js';
import { loadStoredPack, refreshPack, lookupOffline, packState, packShapes } from './offline.js';
import { queueVisit, flushVisits, pendingVisits } from './queue.js';
import { initTasks } from './taskview.js';
import { initDisputes } from './disputeform.js';

const hook = { ready: false };
window.jingge = hook;

const asked = parseOfficerHash(location.hash);
initLang(new URLSearchParams(location.search).get('lang') || asked.lang);
applyStatic();
document.title = t('m.title');

let last = null; // {kind: 'result', hit, accuracy}, {kind: 'message', key, vars} or {kind: 'outside', near}
// The county's bounds tell a swapped "lat,lon" from "lon,lat"; without
// them the only value above 90 is the longitude.
let bounds = null;
getOptionalJSON('api/v1/dataset').then((d) => {
  bounds = d?.bounds || null;
  setZone(d?.utc_offset);
}).catch(() => { /* no network: the default zone stays */ });
let mapModule = null;

function showMessage(key, vars, { error = true } = {}) {
  last = { kind: 'message', key, vars, error };
  const el = $('message');
  el.textContent = t(key, vars);
  el.className = `message ${error ? 'error' : 'info'}`;
  el.hidden = false;
  el.dataset.key = key;
  $('result').hidden = true;
  $('visit').hidden = true;
  disputeForm.show(null);
  $('tasks').hidden = true;
  $('minimap').hidden = true;
  $('attribution').hidden = true;
}

/**
 * showOutside says the point is outside the county and, when the server
 * named one, which station is nearest and how to call it.
 */
function showOutside(near) {
  showMessage('m.outside');
  last = { kind: 'outside', near };
  if (!near) return;
  const km = (near.distance_m / 1000).toFixed(near.distance_m < 10_000 ? 1 : 0);
  $('message').append(h('p', { class: 'nearest', 'data-testid': 'nearest-station' },
    t('m.nearest', { station: localName(near), km }), near.phone ? h('br') : null, call(near.phone)));
}

// Who is signed in, kept for the times the page opens with no network: an
// officer may record visits here, with or without a signal.
const ME_KEY = 'jingge.me';
function signedIn() {
  try {
    return JSON.parse(localStorage.getItem(ME_KEY) || 'null');
  } catch {
    return null;
  }
}
function isOfficer() {
  return signedIn()?.role === 'officer';
}
const meKnown = fetch('api/v1/me', { headers: { Accept: 'application/json' } })
  .then((res) => (res.ok ? res.json() : null))
  .then((me) => {
    if (me) localStorage.setItem(ME_KEY, JSON.stringify({ user: me.user, role: me.role, officer_id: me.officer_id || null }));
  })
  .catch(() => { /* no network: the one kept stays */ });

// The answer shown, as the task list and the dispute form need it: the
// grids of its point ({ id: name }) and where it is.
function shownHere() {
  if (last?.kind !== 'result') return null;
  const { hit } = last;
  const here = {};
  for (const g of [hit.community_grid, hit.police_grid]) if (g?.id) here[g.id] = g.name;
  return { hit, here, grid: hit.community_grid?.name || hit.police_grid?.name };
}
const taskView = initTasks({
  context: () => {
    const shown = shownHere();
    const me = signedIn();
    if (!shown || me?.role !== 'officer' || !me.officer_id) return null;
    return { me: me.officer_id, pack: packState()?.pack || null, here: shown.here };
  },
});
const disputeForm = initDisputes({
  hook,
  where: () => {
    const shown = shownHere();
    return shown && isOfficer() ? { query: shown.hit.query, grid: shown.grid } : null;
  },
});
let tasksFor = ''; // the grids whose tasks were last asked for

let visitNote = null; // { key, vars } of the last send's outcome
function showQueue() {
  const el = $('visit-queue');
  const n = pendingVisits().length;
  const note = n ? { key: 'm.visit.queued', vars: { n } } : visitNote;
  el.hidden = !note;
  if (note) el.textContent = t(note.key, note.vars);
  el.dataset.pending = String(n);
}

async function sendVisits() {
  if (!pendingVisits().length) return;
  const { sent, refused } = await flushVisits();
  if (refused.length) visitNote = { key: 'm.visit.refused', vars: { detail: refused[0].detail } };
  else if (sent) visitNote = { key: 'm.visit.sent' };
  hook.visitsLeft = pendingVisits().length;
  showQueue();
}
hook.sendVisits = sendVisits;

function hideMessage() {
  $('message').hidden = true;
}

function call(phone, label) {
  const href = telHref(phone);
  if (!phone) return null;
  return href
    ? h('a', { class: 'call', href }, `${label || t('m.call')} ${phone}`)
    : h('span', { class: 'phone masked', title: t('panel.masked') }, phone);
}

function roleName(m) {
  return isEnglish() ? m.role_en || m.role : m.role_zh || m.role;
}

/** packDate is when the pack was downloaded, in the dataset's time zone. */
function packDate(offline) {
  const at = new Date(offline.fetchedAt);
  if (Number.isNaN(at.getTime())) return '?';
  try {
    return new Intl.DateTimeFormat('sv-SE', { timeZone: offline.timeZone, dateStyle: 'short', timeStyle: 'short' }).format(at);
  } catch {
    return at.toISOString().slice(0, 16).replace('T', ' ');
  }
}

function showPackStatus() {
  const state = packState();
  const el = $('pack');
  if (!state) {
    el.hidden = true;
    return;
  }
  const grids = state.pack.grids.length;
  el.textContent = t('m.pack.ready', { date: packDate({ fetchedAt: state.fetchedAt, timeZone: state.pack.time_zone }), grids });
  el.dataset.version = state.pack.version;
  el.hidden = false;
}

function renderResult(hit, accuracy) {
  last = { kind: 'result', hit, accuracy };
  hideMessage();
  const el = clear($('result'));
  const officers = (hit.police_grid?.members || []).filter((m) => m.role === 'community_officer');
  const station = hit.station;
  // Element.append writes null as the text "null": the parts left out go first.
  el.append(...[
    h('div', { class: 'answer' },
      h('p', { class: 'label' }, t('m.community')),
      h('p', { class: 'big', 'data-testid': 'community-grid' }, hit.community_grid?.name || '—'),
      hit.community_grid?.township_name ? h('p', { class: 'muted' }, hit.community_grid.township_name) : null),
    hit.also_inside?.length ? h('p', { class: 'area-note', 'data-testid': 'areas' }, t('m.inAreas', {
      names: hit.also_inside.map((a) => (isEnglish() ? a.name : `${a.name}（${a.kind_zh}）`)).join(isEnglish() ? ', ' : '、'),
    })) : null,
    h('dl', { class: 'facts' },
      h('dt', null, t('m.police')),
      h('dd', { 'data-testid': 'police-grid' }, hit.police_grid?.name || '—'),
      h('dt', null, t('m.station')),
      h('dd', { 'data-testid': 'station' }, station ? localName(station) : '—', station?.phone ? h('br') : null, station ? call(station.phone) : null),
    ),
    h('h2', null, t('m.officer')),
    officers.length
      ? h('ul', { class: 'people', 'data-testid': 'officers' }, officers.map((m) => h('li', null,
        h('span', { class: 'name' }, m.name), h('span', { class: 'role muted' }, roleName(m)), call(m.phone))))
      : h('p', { class: 'muted' }, t('m.noOfficer')),
    h('details', null,
      h('summary', null, t('m.members')),
      h('ul', { class: 'people' }, [...(hit.police_grid?.members || []).filter((m) => m.role !== 'community_officer'),
        ...(hit.community_grid?.members || [])].map((m) => h('li', null,
        h('span', { class: 'name' }, m.name), h('span', { class: 'role muted' }, roleName(m)), call(m.phone))))),
    h('p', { class: 'muted small' },
      t('m.position', { lon: hit.point.lon.toFixed(6), lat: hit.point.lat.toFixed(6) }),
      accuracy ? ` · ${t('m.accuracy', { m: Math.round(accuracy) })}` : ''),
    hit.offline ? h('p', { class: 'offline-note', 'data-testid': 'offline-note' }, t('m.offline.answer', { date: packDate(hit.offline) })) : null,
  ].filter(Boolean));
  el.hidden = false;
  $('visit').hidden = !isOfficer();
  disputeForm.show(isOfficer() ? { query: hit.query, grid: hit.community_grid?.name || hit.police_grid?.name } : null);
  // The list is asked for again when the grid changes, not on a redraw.
  const grids = `${hit.community_grid?.id}|${hit.police_grid?.id}`;
  if (grids !== tasksFor || $('tasks').hidden) {
    tasksFor = grids;
    meKnown.then(() => taskView.refresh());
  } else taskView.relabel();
  showMap(hit);
}

/**
 * answerOffline answers from the pack; false when there is none to answer
 * from, so the caller reports the failure it had.
 */
async function answerOffline(lon, lat, crs, accuracy) {
  await storedPack;
  const ans = lookupOffline(lon, lat, crs);
  if (!ans) return false;
  if (ans.outside) showOutside(null);
  else if (ans.notInPack) showMessage('m.offline.notInPack');
  else renderResult(ans, accuracy);
  return true;
}

let attribution = null;
async function showAttribution() {
  if (attribution === null) {
    attribution = '';
    try {
      attribution = (await getJSON('tiles.json')).attribution || '';
    } catch {
      // nothing to credit then
    }
  }
  $('attribution').textContent = attribution;
  $('attribution').hidden = !attribution;
}

async function showMap(hit) {
  const el = $('minimap');
  el.hidden = false;
  // Offline the map is drawn from the pack's own grids, with no base map
  // and so nothing to credit.
  const shapes = hit.offline ? packShapes() : null;
  if (shapes) $('attribution').hidden = true;
  else showAttribution();
  try {
    mapModule = mapModule || (await import('./minimap.js'));
    await mapModule.show(el, hit, { english: isEnglish(), shapes });
  } catch (err) {
    console.warn('minimap', err);
    el.hidden = true;
  }
}

let seq = 0;
async function lookup(lon, lat, crs, accuracy) {
  const mine = ++seq;
  hideMessage();
  const button = document.querySelector('#coord button[type=submit]');
  button.disabled = true;
  button.textContent = t('m.searching');
  try {
    if (navigator.onLine === false && await answerOffline(lon, lat, crs, accuracy)) return;
    // include=areas: the answer says when the point is inside a special
    // area (a water-protection zone, a works site) with its own rules.
    const hit = await getJSON(query('api/v1/lookup', { lon, lat, crs, include: 'areas' }));
    if (mine !== seq) return;
    renderResult(hit, accuracy);
    history.replaceState(null, '', formatOfficerHash({ lon, lat, crs, lang: isEnglish() ? 'en' : undefined }));
  } catch (err) {
    if (mine !== seq) return;
    // A request that never reached the server (no signal): the pack answers.
    if (!(err instanceof ApiError) && await answerOffline(lon, lat, crs, accuracy)) return;
    if (err instanceof ApiError && err.status === 404) showOutside(err.problem?.nearest_station);
    else if (err instanceof ApiError && err.status === 400) showMessage('m.failed', { detail: err.message });
    else showMessage('m.failed', { detail: err.message });
  } finally {
    button.disabled = false;
    button.textContent = t('m.submit');
    hook.ready = true;
  }
}
hook.lookup = lookup;

$('coord').addEventListener('submit', (e) => {
  e.preventDefault();
  const c = parseBoxes($('lon').value, $('lat').value, bounds);
  if (!c) {
    showMessage('m.invalid');
    return;
  }
  $('lon').value = String(c.lon);
  $('lat').value = String(c.lat);
  lookup(c.lon, c.lat, $('crs').value);
});

// A pasted pair ("lon,lat", "lat,lon", degrees-minutes-seconds) goes into
// both fields, in its place, whichever box it was pasted in.
for (const id of ['lon', 'lat']) {
  $(id).addEventListener('paste', (e) => {
    const c = parsePair(e.clipboardData?.getData('text') || '', bounds);
    if (c) {
      e.preventDefault();
      $('lon').value = String(c.lon);
      $('lat').value = String(c.lat);
    }
  });
}

$('locate').addEventListener('click', () => {
  if (!window.isSecureContext) {
    showMessage('m.insecure');
    return;
  }
  if (!navigator.geolocation) {
    showMessage('m.unsupported');
    return;
  }
  const button = $('locate');
  button.disabled = true;
  button.textContent = t('m.locating');
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      button.disabled = false;
      button.textContent = t('m.useMyPosition');
      const { longitude, latitude, accuracy } = pos.coords;
      $('lon').value = longitude.toFixed(6);
      $('lat').value = latitude.toFixed(6);
      $('crs').value = 'wgs84';
      lookup(Number(longitude.toFixed(7)), Number(latitude.toFixed(7)), 'wgs84', accuracy);
    },
    (err) => {
      button.disabled = false;
      button.textContent = t('m.useMyPosition');
      const key = { 1: 'm.denied', 2: 'm.unavailable', 3: 'm.timeout' }[err.code] || 'm.unavailable';
      showMessage(key);
    },
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 },
  );
});

// A visit is kept on the phone first and sent from there, so one recorded
// with no signal is sent the same way once there is one.
$('visit').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = last?.kind === 'result' ? last.hit.query : null;
  // Whom may stay empty: a visit to the grid itself (下沉) is two taps
  // from "which grid am I in".
  const whom = $('visit-whom').value.trim();
  if (!q) return;
  queueVisit({
    at: new Date().toISOString(), lon: q.lon, lat: q.lat, crs: q.crs,
    kind: $('visit-kind').value, whom, outcome: $('visit-outcome').value.trim(),
  });
  $('visit-whom').value = '';
  $('visit-outcome').value = '';
  visitNote = null;
  showQueue();
  sendVisits();
});

$('lang').addEventListener('click', () => setLang(isEnglish() ? 'zh-CN' : 'en'));
onLangChange(() => {
  applyStatic();
  document.title = t('m.title');
  if (last?.kind === 'result') renderResult(last.hit, last.accuracy);
  else if (last?.kind === 'message') showMessage(last.key, last.vars, { error: last.error });
  else if (last?.kind === 'outside') showOutside(last.near);
  showPackStatus();
  showQueue();
  taskView.relabel();
  disputeForm.relabel();
});

// The page as an app that opens without a network, and the station pack
// it answers from then: the one held is used at once, and replaced when the
// server has a newer version (checked now and whenever the phone is back
// online).
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('m-sw.js', { scope: 'm' })
    .then(() => navigator.serviceWorker.ready)
    .then(() => { hook.worker = true; })
    .catch((err) => console.warn('service worker', err));
}
async function syncPack() {
  const result = await refreshPack();
  hook.pack = result;
  showPackStatus();
}
const storedPack = loadStoredPack();
hook.packLoaded = storedPack.then(() => {
  showPackStatus();
  return syncPack();
});
// sendQueues sends what the phone keeps waiting: visits, disputes and
// tasks marked done (queue.js; each makes no request when nothing of the
// signed-in user's waits).
function sendQueues() {
  sendVisits();
  disputeForm.send();
  taskView.send();
}
window.addEventListener('online', () => {
  syncPack();
  sendVisits();
  disputeForm.send();
  taskView.refresh(); // sends the tasks waiting, then reads the list again
});
showQueue();
// The queues hold records of whoever made them on this phone: shown and
// sent once the page knows who is signed in now (queue.js).
meKnown.then(() => {
  showQueue();
  disputeForm.relabel();
  sendQueues();
});
// A weak signal drops a request without the browser noticing it is
// offline, so no 'online' event comes: while anything waits, the queues
// are tried again every half minute.
const RETRY_MS = 30_000;
setInterval(() => {
  if (navigator.onLine) sendQueues();
}, RETRY_MS);

if (asked.lon !== undefined) {
  $('lon').value = String(asked.lon);
  $('lat').value = String(asked.lat);
  $('crs').value = asked.crs || 'wgs84';
  lookup(asked.lon, asked.lat, asked.crs || 'wgs84');
} else {
  hook.ready = true;
}
