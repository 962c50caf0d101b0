// Officers' positions from the server's positions stream
// (GET /api/v1/patrols/stream): every officer when it opens, then only the
// ones that moved. A wall that polled the whole list every 4 s read about
// 90 MB an hour; the stream sends what changed.
//
// EventSource reconnects by itself after a dropped connection (and the
// server then starts with a full frame again). A refused stream (no patrol
// data, a role that may not read it, a server without the route) closes
// for good: onDown tells the caller, which polls meanwhile, and the
// stream is tried again after RETRY_MS.
import { signIn } from '../shared/api.js';

const RETRY_MS = 30_000;

/** applyFrame merges a positions frame into officers (id -> props with lon, lat). */
export function applyFrame(officers, frame) {
  if (frame.full) {
    const keep = new Set(frame.officers.map((o) => o.officer));
    for (const id of [...officers.keys()]) if (!keep.has(id)) officers.delete(id);
  }
  for (const id of frame.gone || []) officers.delete(id);
  for (const o of frame.officers) {
    const old = officers.get(o.officer);
    // Names come once per stream; the rest of a position is whole each
    // time (an absent grid means outside every grid).
    const names = old ? { name: old.name, role: old.role, role_zh: old.role_zh, station: old.station, station_name: old.station_name } : {};
    officers.set(o.officer, { ...names, ...o });
  }
  return officers;
}

/**
 * openPositionStream opens the stream and calls onFrame(frame) for each
 * frame, onUp() when it is connected and onDown() when it is not (dropped
 * or refused). close() ends it.
 */
export function openPositionStream({ onFrame, onUp, onDown }) {
  let source = null;
  let retry = 0;
  let closed = false;

  function open() {
    if (closed || typeof EventSource === 'undefined') {
      if (!closed) onDown();
      return;
    }
    source = new EventSource('api/v1/patrols/stream');
    source.onopen = () => onUp();
    source.addEventListener('positions', (m) => {
      let frame;
      try {
        frame = JSON.parse(m.data);
      } catch {
        return; // a malformed frame is skipped; the next full one mends it
      }
      onFrame(frame);
    });
    source.addEventListener('end', () => {
      source.close();
      signIn();
    });
    source.onerror = () => {
      onDown();
      if (source.readyState === EventSource.CLOSED && !closed) {
        clearTimeout(retry);
        retry = setTimeout(open, RETRY_MS);
      }
    };
  }

  open();
  return {
    close() {
      closed = true;
      clearTimeout(retry);
      source?.close();
    },
  };
}
