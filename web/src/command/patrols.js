// Live patrols: officers' latest positions on the map, moving as they
// report, and the geofence events (entering or leaving a grid or their
// area, going silent) in the side column as they happen.
//
// Positions come from the positions stream (livestream.js), and from the
// events of the Server-Sent Events stream at /api/v1/events, which carry
// where the officer was; that stream resumes where it left off
// (Last-Event-ID) after a drop. Only while the positions stream is down is
// GET /api/v1/patrols polled. A server without patrol data shows the card
// as unavailable.
import { getJSON, query, signIn, ApiError } from '../shared/api.js';
import { formatZoned } from '../shared/time.js';
import { h, clear } from '../shared/dom.js';
import { t, localName, isEnglish } from '../shared/i18n.js';
import { maplibregl } from '../shared/map.js';
import { applyFrame, openPositionStream } from './livestream.js';

const POLL_MS = 4000;
const MOVE_MS = 900;
const FEED_MAX = 60;

export const STATUS_COLORS = { moving: '#00C853', stopped: '#FFB300', silent: '#9E9E9E' };

/** eventText describes a geofence event in the current language. */
export function eventText(e) {
  const officer = e.name || e.officer;
  const grid = e.grid_name || e.grid || '';
  switch (e.kind) {
    case 'grid_enter': return t('feed.enter', { officer, grid });
    case 'grid_leave': return t('feed.leave', { officer, grid });
    case 'area_leave': return t('feed.left_area', { officer, grid });
    case 'area_return': return t('feed.area_return', { officer, grid });
    case 'silent': return t('feed.stopped', { officer });
    case 'resumed': return t('feed.resumed', { officer });
    case 'grid_unvisited': return t('feed.unvisited', { grid });
    case 'overlay_enter': return t('feed.overlayEnter', { officer, area: e.area_name || e.area || '' });
    case 'overlay_leave': return t('feed.overlayLeave', { officer, area: e.area_name || e.area || '' });
    default: return t('feed.other', { officer, type: e.kind });
  }
}

/**
 * createPatrols draws the officers on map and the event list in el.
 * filter, when given, decides which events are listed (passes(e)),
 * carries their priority (priorityOf(kind)) and hears each live event
 * (alert(e)).
 */
export function createPatrols(map, el, { stationById, scale = 1, filter = null }) {
  const k = (v) => Math.round(v * scale * 10) / 10;
  let available = null;
  let connection = 'connecting';
  // Set when the server said events were missed while away (it keeps only
  // recent ones): the list below is not the whole story.
  let missed = false;
  const officers = new Map(); // officer id -> {props, from, to, shown, startedAt}
  let events = [];
  let lastEventId = null;
  let source = null;
  let pollTimer = 0;
  let positions = null; // the positions stream
  let transport = 'connecting'; // 'stream' or 'poll' once known
  let started = false;
  let frame = 0;

  function addLayers() {
    map.addSource('patrols', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    const color = ['match', ['get', 'status'], 'moving', STATUS_COLORS.moving, 'stopped', STATUS_COLORS.stopped, STATUS_COLORS.silent];
    map.addLayer({ id: 'patrols-halo', type: 'circle', source: 'patrols',
      paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, k(7), 16, k(14)], 'circle-color': color, 'circle-opacity': 0.25 } });
    map.addLayer({ id: 'patrols-point', type: 'circle', source: 'patrols',
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, k(4), 16, k(8)],
        'circle-color': color,
        // A dark ring tells officers from incidents (white rings) on any fill;
        // red when the officer is outside their area.
        'circle-stroke-color': ['case', ['get', 'in_area'], '#0D2B16', '#D7263D'],
        'circle-stroke-width': ['case', ['get', 'in_area'], 2, 3],
      } });
    map.addLayer({ id: 'patrols-label', type: 'symbol', source: 'patrols', minzoom: 12,
      layout: { 'text-field': ['get', 'name'], 'text-size': k(12), 'text-offset': [0, 1.1], 'text-anchor': 'top', 'text-optional': true },
      paint: { 'text-color': '#0B5D1E', 'text-halo-color': '#FFFFFF', 'text-halo-width': 1.5 } });
    map.on('mouseenter', 'patrols-point', () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', 'patrols-point', () => { map.getCanvas().style.cursor = ''; });
  }

  /** draw writes every officer's shown position into the source. */
  function draw() {
    const features = [];
    for (const [id, o] of officers) {
      features.push({ type: 'Feature', id, geometry: { type: 'Point', coordinates: o.shown }, properties: { ...o.props, officer: id } });
    }
    map.getSource('patrols')?.setData({ type: 'FeatureCollection', features });
  }

  /** animate moves markers from where they are shown to their latest positions. */
  function animate() {
    cancelAnimationFrame(frame);
    const step = (now) => {
      let moving = false;
      for (const o of officers.values()) {
        const k = Math.min(1, (now - o.startedAt) / MOVE_MS);
        o.shown = [o.from[0] + (o.to[0] - o.from[0]) * k, o.from[1] + (o.to[1] - o.from[1]) * k];
        if (k < 1) moving = true;
      }
      draw();
      if (moving) frame = requestAnimationFrame(step);
    };
    frame = requestAnimationFrame(step);
  }

  function place(id, coords, props) {
    const o = officers.get(id);
    const now = performance.now();
    if (!o) {
      officers.set(id, { props, from: coords, to: coords, shown: coords, startedAt: now });
      return;
    }
    o.props = { ...o.props, ...props };
    if (o.to[0] !== coords[0] || o.to[1] !== coords[1]) {
      o.from = o.shown;
      o.to = coords;
      o.startedAt = now;
    }
  }

  /** takeFrame shows a frame of the positions stream. */
  function takeFrame(frame) {
    available = true;
    transport = 'stream';
    const merged = applyFrame(new Map([...officers].map(([id, o]) => [id, o.props])), frame);
    for (const id of [...officers.keys()]) if (!merged.has(id)) officers.delete(id);
    for (const { officer: id } of frame.officers) {
      const props = merged.get(id);
      place(id, [props.lon, props.lat], props);
      officers.get(id).props = props; // whole: an absent grid means outside every grid
    }
    animate();
    renderSoon();
    if (!started) begin();
  }

  /** streamDown polls while the positions stream is not connected. */
  async function streamDown() {
    if (pollTimer) return;
    pollTimer = -1; // a poll is under way
    if (!(await poll())) {
      pollTimer = 0;
      positions?.close();
      return;
    }
    transport = 'poll';
    if (!started) begin();
    if (pollTimer === -1) pollTimer = setInterval(poll, POLL_MS);
  }

  function streamUp() {
    if (pollTimer > 0) clearInterval(pollTimer);
    pollTimer = 0;
  }

  /** begin reads the recent events and follows the event stream. */
  async function begin() {
    started = true;
    try {
      const recent = await getJSON(query('api/v1/events', { limit: 20 }));
      addEvents([...(recent.events || [])].sort((a, b) => a.id - b.id), false);
      if (recent.last !== undefined && (lastEventId === null || recent.last > lastEventId)) lastEventId = recent.last;
    } catch {
      // the stream below still brings what happens from now on
    }
    connect();
  }

  async function poll() {
    try {
      const fc = await getJSON('api/v1/patrols');
      available = true;
      const seen = new Set();
      for (const f of fc.features) {
        const id = f.properties.officer || f.id;
        seen.add(id);
        place(id, f.geometry.coordinates, f.properties);
      }
      for (const id of officers.keys()) if (!seen.has(id)) officers.delete(id);
      animate();
      renderSoon();
      return true;
    } catch (err) {
      if (err instanceof ApiError && (err.missing || err.status === 503 || err.status === 403)) {
        available = false;
        render();
        return false;
      }
      return true; // a passing failure: keep polling
    }
  }

  function addEvents(list, live = true) {
    for (const e of list) {
      if (lastEventId !== null && e.id <= lastEventId) continue;
      lastEventId = e.id;
      events.unshift(e);
      if (live) filter?.alert(e);
      // A grid_unvisited event is about a grid and names no officer.
      if (Number.isFinite(e.lon) && Number.isFinite(e.lat) && e.kind !== 'silent' && e.officer) {
        const o = officers.get(e.officer);
        place(e.officer, [e.lon, e.lat], o ? {} : { name: e.name, station: e.station, station_name: e.station_name, status: 'moving', in_area: e.kind !== 'area_leave' });
      }
    }
    events = events.slice(0, FEED_MAX);
    animate();
    renderSoon();
  }

  // Events can come many a second while patrols are busy: draw the list at
  // most once a frame.
  let renderQueued = false;
  function renderSoon() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      render();
    });
  }

  function connect() {
    if (typeof EventSource === 'undefined') return;
    const url = query('api/v1/events', { after: lastEventId ?? undefined });
    source = new EventSource(url);
    source.onopen = () => { connection = 'live'; render(); };
    source.onmessage = (m) => {
      try {
        addEvents([JSON.parse(m.data)]);
      } catch {
        // a malformed event is skipped
      }
    };
    source.addEventListener('gap', () => {
      missed = true;
      renderSoon();
    });
    // The server ends the stream when the session is signed out, revoked
    // or expired; reconnecting would only get 401, so sign in again.
    source.addEventListener('end', () => {
      source.close();
      signIn();
    });
    source.onerror = () => {
      // EventSource reconnects by itself, sending Last-Event-ID.
      connection = source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting';
      render();
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
    };
  }

  function timeOf(at) {
    return formatZoned(at, isEnglish() ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  }

  function render() {
    clear(el);
    const head = h('div', { class: 'feed-head' }, h('h2', null, t('feed.title')));
    el.append(head);
    if (available === false) {
      el.append(h('p', { class: 'muted', 'data-testid': 'patrols-unavailable' }, t('feed.unavailable')));
      return;
    }
    const state = { live: 'feed.live', connecting: 'feed.connecting', reconnecting: 'feed.reconnecting', closed: 'feed.reconnecting' }[connection];
    head.append(h('span', { class: `live live-${connection}`, 'data-testid': 'feed-state' }, t(state)));
    el.append(h('p', { class: 'muted', 'data-testid': 'patrol-count' }, `${t('patrols.title')} · ${t('patrols.count', { n: officers.size })}`));
    if (missed) el.append(h('p', { class: 'muted', 'data-testid': 'feed-gap' }, t('feed.gap')));
    if (!events.length) {
      el.append(h('p', { class: 'muted' }, t('feed.empty')));
      return;
    }
    const listed = filter ? events.filter((e) => filter.passes(e)) : events;
    if (listed.length < events.length) el.append(h('p', { class: 'muted', 'data-testid': 'feed-hidden' }, t('filter.hidden', { n: events.length - listed.length })));
    el.append(h('ol', { class: 'feed', 'data-testid': 'feed' }, listed.map((e) => h('li', { class: `event kind-${e.kind} priority-${filter?.priorityOf(e.kind) || 'normal'}` },
      h('time', { datetime: e.at }, timeOf(e.at)),
      filter ? h('span', { class: 'priority', title: t('priority.label', { p: t(`priority.${filter.priorityOf(e.kind)}`) }) }, t(`priority.${filter.priorityOf(e.kind)}`)) : null,
      h('a', { href: '#', onclick: (ev) => { ev.preventDefault(); if (Number.isFinite(e.lon)) map.flyTo({ center: [e.lon, e.lat], zoom: Math.max(map.getZoom(), 14) }); } },
        eventText(e)),
      e.station_name ? h('span', { class: 'muted' }, ` · ${localName(stationById[e.station]) || e.station_name}`) : null))));
  }

  function popupFor(f) {
    const p = f.properties;
    const age = p.at ? Math.max(0, (Date.now() - Date.parse(p.at)) / 1000) : p.age_seconds;
    const station = stationById[p.station];
    return h('div', { class: 'popup' },
      h('p', null, h('strong', null, p.name || p.officer), ' · ', isEnglish() ? p.role || '' : p.role_zh || ''),
      h('p', null, t(`patrol.${p.status}`), p.in_area === false ? ` · ${t('patrol.outOfArea')}` : '',
        Number.isFinite(age) ? ` · ${t('patrol.seen', { s: Math.round(age) })}` : ''),
      h('p', { class: 'muted' }, [station ? localName(station) : p.station_name, p.grid_name].filter(Boolean).join(' · ')));
  }

  return {
    get available() {
      return available === true;
    },
    start() {
      addLayers();
      render();
      positions = openPositionStream({ onFrame: takeFrame, onUp: streamUp, onDown: streamDown });
    },
    /** transport says how positions arrive: 'stream', 'poll' or 'connecting'. */
    get transport() {
      return transport;
    },
    /** events lists the events in the feed, newest first. */
    get events() {
      return events;
    },
    rerender() {
      render();
    },
    /** latest is what the page holds of officer id (its latest position's properties), or null. */
    latest(id) {
      return officers.get(id)?.props || null;
    },
    /** positions lists the officers as drawn: id -> [lon, lat]. */
    positions() {
      return Object.fromEntries([...officers].map(([id, o]) => [id, o.shown]));
    },
    handleClick(e) {
      if (!map.getLayer('patrols-point')) return false;
      const hits = map.queryRenderedFeatures(e.point, { layers: ['patrols-point'] });
      if (!hits.length) return false;
      new maplibregl.Popup({ maxWidth: '20rem' }).setLngLat(hits[0].geometry.coordinates).setDOMContent(popupFor(hits[0])).addTo(map);
      return true;
    },
    stop() {
      if (pollTimer > 0) clearInterval(pollTimer);
      positions?.close();
      source?.close();
    },
  };
}
