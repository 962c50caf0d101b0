// Requests to the jingge API. Paths are relative, so the pages work behind a
// reverse proxy that mounts jingge under a prefix.

/** ApiError is a failed request: its message is the server's detail when it sent a problem. */
export class ApiError extends Error {
  constructor(message, status, problem) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem || null;
  }

  /** missing reports whether the endpoint does not exist on this server (yet). */
  get missing() {
    return this.status === 404 && /no-route/.test(this.problem?.type || '');
  }
}

async function errorOf(res) {
  let problem = null;
  const type = res.headers.get('content-type') || '';
  if (type.includes('json')) {
    try {
      problem = await res.json();
    } catch {
      // not JSON after all
    }
  }
  const detail = problem?.detail || problem?.title || `${res.status} ${res.statusText}`;
  return new ApiError(detail, res.status, problem);
}

/**
 * signIn sends the browser to the sign-in page, to come back here after.
 * A 401 means the server wants a signed-in user for the data the page needs.
 */
export function signIn() {
  const back = location.pathname + location.search + location.hash;
  location.assign(`login?next=${encodeURIComponent(back)}`);
}

/** getJSON fetches path (relative to the page) and decodes its JSON, or throws ApiError. */
export async function getJSON(path, { signal } = {}) {
  const res = await fetch(path, { signal, headers: { Accept: 'application/json' } });
  if (res.status === 401) signIn();
  if (!res.ok) throw await errorOf(res);
  return res.json();
}

/** getOptionalJSON is getJSON for what a page can do without: null when the server answers with an error. */
export async function getOptionalJSON(path) {
  try {
    return await getJSON(path);
  } catch (err) {
    if (err instanceof ApiError) return null;
    throw err;
  }
}

/** postJSON sends body as JSON and decodes the JSON answer, or throws ApiError. */
export function postJSON(path, body, opts = {}) {
  return sendJSON('POST', path, body, opts);
}

/**
 * sendJSON sends body with method and decodes the JSON answer, or throws
 * ApiError. body is sent as JSON unless contentType names another type
 * (then it is sent as it is: a string or a File).
 */
export async function sendJSON(method, path, body, { signal, contentType } = {}) {
  const res = await fetch(path, {
    method,
    signal,
    headers: { Accept: 'application/json', 'Content-Type': contentType || 'application/json' },
    body: contentType ? body : JSON.stringify(body),
  });
  if (res.status === 401) signIn();
  if (!res.ok) throw await errorOf(res);
  return res.status === 204 ? null : res.json();
}

/** query builds "path?k=v&..." from the entries of params that are not empty. */
export function query(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
