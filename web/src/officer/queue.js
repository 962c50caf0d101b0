// Records made on the officer page (visits, disputes, tasks marked done)
// are kept on the phone (localStorage) first, each with an Idempotency-Key
// made when it was recorded, and sent from there, so one recorded with no
// signal is sent the same way once there is one. The key is the record's:
// a send that reached the server but whose answer was lost is sent again
// with the same key and the server answers with what it answered the
// first time (a record replayed, a task's completion as first stored), so
// nothing is lost or recorded twice.

// A phone may be shared (a station's devices pass from shift to shift), so
// each record is kept with the user who made it (owner) and sent only
// while that user is the one signed in: the server records a send under
// whoever sends it, and another officer's send would make the record
// theirs. Records of another user wait, unshown, until they sign in again.

// knownUser is the signed-in user the page last heard of (main.js keeps
// GET /api/v1/me under jingge.me), null when it never did.
function knownUser() {
  try {
    return JSON.parse(localStorage.getItem('jingge.me') || 'null')?.user ?? null;
  } catch {
    return null;
  }
}

// mine reports whether entry may be sent, or shown, while user is signed
// in: its owner's, or one kept before records had owners. A server without
// access control (user '') has no users to tell apart.
function mine(entry, user) {
  return entry.owner == null || user === '' || entry.owner === user;
}

// whoSends asks the server who a send would be recorded under: the
// session's user, '' on a server without access control (which answers
// 404: there is no one to sign in), or null when it cannot be told (no
// network, not signed in, limited, failing), and nothing is sent then.
async function whoSends() {
  let res;
  try {
    res = await fetch('api/v1/me', { headers: { Accept: 'application/json' } });
  } catch {
    return null;
  }
  if (res.ok) {
    try {
      return (await res.json()).user ?? null;
    } catch {
      return null;
    }
  }
  return res.status === 404 ? '' : null;
}

function read(storageKey) {
  try {
    const v = JSON.parse(localStorage.getItem(storageKey) || '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

function write(storageKey, items) {
  localStorage.setItem(storageKey, JSON.stringify(items));
}

/**
 * outbox is the queue of one kind of record, kept under queueKey and sent
 * by method (POST unless told) to path, or to path(entry) when it is a
 * function (a change of the record an entry names). With refusedKey, a
 * record the server refuses is kept there with the server's detail, for
 * the officer to correct, rather than only reported once.
 */
export function outbox({ queueKey, path, method = 'POST', refusedKey = null }) {
  let flushing = null;

  async function round() {
    let sent = 0;
    const accepted = [];
    const refused = [];
    const user = read(queueKey).some((e) => mine(e, knownUser())) ? await whoSends() : null;
    for (;;) {
      if (user === null) break;
      const next = read(queueKey).find((e) => mine(e, user));
      if (!next) break;
      let res;
      try {
        res = await fetch(typeof path === 'function' ? path(next) : path, {
          method,
          headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'Idempotency-Key': next.key },
          body: JSON.stringify(next.body),
        });
      } catch {
        break; // no network: try again when it is back
      }
      if (res.status >= 500 || res.status === 401 || res.status === 429) break;
      let answer = null;
      try {
        answer = await res.json();
      } catch {
        // no JSON document
      }
      if (res.ok) {
        sent++;
        accepted.push({ ...next, answer });
      } else {
        const entry = { ...next, status: res.status, detail: answer?.detail || answer?.title || `${res.status}`, problem: answer };
        refused.push(entry);
        // Keyed, so a round cut between the two writes keeps it once.
        if (refusedKey) write(refusedKey, [...read(refusedKey).filter((e) => e.key !== entry.key), entry]);
      }
      write(queueKey, read(queueKey).filter((e) => e.key !== next.key));
    }
    return { sent, accepted, refused, left: read(queueKey).filter((e) => mine(e, knownUser())).length };
  }

  return {
    /**
     * pending lists the records of the signed-in user waiting to be sent,
     * oldest first.
     */
    pending: () => read(queueKey).filter((e) => mine(e, knownUser())),
    /**
     * add keeps body (the POST body, its times set) and meta (what the
     * page shows of it) with a new idempotency key and returns the entry.
     */
    add(body, meta = null) {
      const entry = { key: crypto.randomUUID(), body, meta, owner: knownUser(), queuedAt: new Date().toISOString() };
      write(queueKey, [...read(queueKey), entry]);
      return entry;
    },
    /**
     * flush sends the signed-in user's waiting records in order, after
     * asking the server who is signed in (whoSends). A record the server took
     * (201, or 200 replayed) leaves the queue, into accepted with the
     * server's answer; one it refused (4xx) leaves it too, into refused
     * (and refusedKey), since sending it again cannot help; a network
     * failure, a 401, a 429 or a 5xx stops the round, keeping the rest for
     * the next one. Resolves to { sent, accepted, refused, left }.
     * Concurrent calls share one round.
     */
    flush() {
      if (!flushing) flushing = round().finally(() => { flushing = null; });
      return flushing;
    },
    /**
     * refused lists the signed-in user's refused records kept for
     * correction, oldest first.
     */
    refused: () => (refusedKey ? read(refusedKey).filter((e) => mine(e, knownUser())) : []),
    /** dropRefused forgets the refused record with key: corrected or given up. */
    dropRefused(key) {
      if (refusedKey) write(refusedKey, read(refusedKey).filter((e) => e.key !== key));
    },
  };
}

const visits = outbox({ queueKey: 'jingge.visitQueue', path: 'api/v1/visits' });

/** pendingVisits lists the visits waiting to be sent, oldest first. */
export function pendingVisits() {
  return visits.pending();
}

/**
 * queueVisit keeps body (a POST /api/v1/visits body, its time set) with a
 * new idempotency key and returns the entry.
 */
export function queueVisit(body) {
  return visits.add(body);
}

/** flushVisits sends the waiting visits (outbox's flush). */
export function flushVisits() {
  return visits.flush();
}

/**
 * disputes is the queue of the disputes recorded on the page (POST
 * /api/v1/disputes); a refused one is kept for correction.
 */
export const disputes = outbox({ queueKey: 'jingge.disputeQueue', path: 'api/v1/disputes', refusedKey: 'jingge.disputeRefused' });

/**
 * tasksDone is the queue of the tasks marked done on the page (PATCH
 * /api/v1/tasks/{id} with {"done": true, "done_at": when the button was
 * pressed}), each entry's meta { id, title }. A refusal is not kept for
 * correction: there is nothing in it to correct (taskview.js says what the
 * officer is told).
 */
export const tasksDone = outbox({
  queueKey: 'jingge.taskDoneQueue',
  method: 'PATCH',
  path: (entry) => `api/v1/tasks/${encodeURIComponent(entry.meta.id)}`,
});
