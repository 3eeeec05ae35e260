// The brief's service worker (scope /brief): the last brief for when there is no network.
//
// Network first: a brief fetched is shown as it is, and a copy of it (and of what it needs:
// the style sheet, the font, its script) is kept in this origin's cache. When the network
// fails, the copy is answered instead, with `data-brief="offline"`, so the page shows
// "Số liệu lúc … — đang ngoại tuyến" in large type: never an old brief as if current. A
// brief that is not a 200 (the sign-in page after a session ended) is never kept, and
// signing out clears the cache (the server sends Clear-Site-Data). Nothing else is touched.
'use strict';

const CACHE = 'ioc-brief-v1';
const PAGE = '/brief';
const NEEDED = ['/pkg/ioc.css', '/assets/brief.js', '/assets/fonts/noto-sans-2.15-400.woff2', '/assets/fonts/noto-sans-2.15-700.woff2'];

// at install (on the brief's first visit, whose own requests went by before the worker was
// there): what the brief needs, and the brief itself
self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(NEEDED.map((path) => cache.add(path).catch(() => {})));
    try {
      const response = await fetch(PAGE, { credentials: 'same-origin' });
      if (response.status === 200 && !response.redirected) await cache.put(PAGE, response);
    } catch (_) {
      // kept at the next visit
    }
    await self.skipWaiting();
  })());
});
self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const page = url.pathname === PAGE;
  if (!page && !NEEDED.includes(url.pathname)) return;
  // the brief in another language is its own copy
  const key = page ? PAGE + url.search : url.pathname;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(request);
      if (response.status === 200 && !response.redirected) {
        await cache.put(key, response.clone());
      }
      return response;
    } catch (error) {
      const kept = await cache.match(key);
      if (!kept) throw error;
      if (!page) return kept;
      const html = (await kept.text()).replace('data-brief="live"', 'data-brief="offline"');
      return new Response(html, { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    }
  })());
});
