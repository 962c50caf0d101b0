// The officer page's service worker, served at /m-sw.js with scope /m: it
// keeps the page's shell (the page, its scripts, styles and icons) so /m
// opens with no network, where a phone in a mountain valley has none. The
// build (build.mjs) writes the list of the shell's files and a version made
// from their content in place of the two names below.
//
// The page itself is asked of the network first, so a new build reaches a
// phone that has a signal; assets are content-hashed, so a cached one is
// never stale. The station pack is not handled here: the page keeps it in
// its own cache (offline.js) and checks its version itself.
// Paths are relative to this script, so the page works behind a proxy
// that mounts jingge under a prefix, as the pages' own links do.
const SHELL = ["assets/chunk-52INYOGX.js","assets/chunk-B7BJYVSD.js","assets/chunk-JW7HSL5O.js","assets/chunk-NOD33QCZ.js","assets/chunk-Z2BUJLZI.js","assets/icon-192-2BWDIG7W.png","assets/icon-512-7XDO52VP.png","assets/icon-JO2WMNVU.svg","assets/maplibre-gl-worker-XO4GDAXT.js","assets/officer-FI3LXQHC.js","assets/officer-style-JE2HN44K.css","m","m.webmanifest"].map((p) => new URL(p, self.location).pathname);
const PAGE = new URL('m', self.location).pathname;
const ASSETS = new URL('assets/', self.location).pathname;
const CACHE = `jingge-m-shell-${"4a9326562f1187a5"}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('jingge-m-shell-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate' && url.pathname === PAGE) {
    event.respondWith((async () => {
      try {
        const res = await fetch(req);
        if (res.ok) (await caches.open(CACHE)).put(PAGE, res.clone());
        return res;
      } catch (err) {
        const cached = await caches.match(PAGE, { cacheName: CACHE });
        if (cached) return cached;
        throw err;
      }
    })());
    return;
  }
  if (url.pathname.startsWith(ASSETS) || SHELL.includes(url.pathname)) {
    event.respondWith((async () => {
      const cached = await caches.match(req, { cacheName: CACHE, ignoreSearch: true });
      if (cached) return cached;
      const res = await fetch(req);
      if (res.ok && url.pathname.startsWith(ASSETS)) (await caches.open(CACHE)).put(req, res.clone());
      return res;
    })());
  }
});
