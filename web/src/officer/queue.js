// Visits recorded on the officer page with no network: each is kept on the
// phone (localStorage) with an Idempotency-Key made when it was recorded,
// and sent to POST /api/v1/visits once the network is back. The key is the
// visit's: a send that reached the server but whose answer was lost is
// sent again with the same key and the server answers with the visit it
// already holds (replayed), so nothing is lost or recorded twice.

const KEY = 'jingge.visitQueue';

function read() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

function write(items) {
  localStorage.setItem(KEY, JSON.stringify(items));
}

/** pendingVisits lists the visits waiting to be sent, oldest first. */
export function pendingVisits() {
  return read();
}

/**
 * queueVisit keeps body (a POST /api/v1/visits body, its time set) with a
 * new idempotency key and returns the entry.
 */
export function queueVisit(body) {
  const entry = { key: crypto.randomUUID(), body, queuedAt: new Date().toISOString() };
  write([...read(), entry]);
  return entry;
}

let flushing = null;

/**
 * flushVisits sends the waiting visits in order. A visit the server took
 * (201, or 200 replayed) leaves the queue; one it refused (4xx) leaves it
 * too, into refused, since sending it again cannot help; a network failure
 * or a 5xx stops the round, keeping the rest for the next one. Resolves to
 * { sent, refused, left }. Concurrent calls share one round.
 */
export function flushVisits() {
  if (!flushing) {
    flushing = flushRound().finally(() => { flushing = null; });
  }
  return flushing;
}

async function flushRound() {
  let sent = 0;
  const refused = [];
  for (;;) {
    const [next] = read();
    if (!next) break;
    let res;
    try {
      res = await fetch('api/v1/visits', {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'Idempotency-Key': next.key },
        body: JSON.stringify(next.body),
      });
    } catch {
      break; // no network: try again when it is back
    }
    if (res.status >= 500 || res.status === 401 || res.status === 429) break;
    if (res.ok) sent++;
    else {
      let detail = `${res.status}`;
      try {
        detail = (await res.json()).detail || detail;
      } catch {
        // no problem document
      }
      refused.push({ ...next, detail });
    }
    write(read().filter((e) => e.key !== next.key));
  }
  return { sent, refused, left: read().length };
}
