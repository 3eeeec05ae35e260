// The leader's brief (/brief): keeps the last brief for when there is no network, and
// brings a fresh one back when the network returns.
//
// The service worker (/brief-sw.js) answers /brief from the network when it can and keeps
// a copy; with no network it answers with that copy, marked offline, so the page says
// "đang ngoại tuyến" beside the time its figures were read. This script registers the worker
// and, while the page shows an offline copy, reloads it as soon as the server answers again
// (the browser's `online` event, or a check every 20 seconds: a phone on a train may be
// "online" with no connection).
(() => {
  'use strict';
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/brief-sw.js', { scope: '/brief' }).catch(() => {});
  }
  const root = document.querySelector('[data-brief]');
  if (!root || root.dataset.brief !== 'offline') return;
  let trying = false;
  const tryAgain = async () => {
    if (trying) return;
    trying = true;
    try {
      // the session endpoint: small, never cached, answered only by a reachable server
      const res = await fetch('/api/v1/session', { cache: 'no-store', credentials: 'same-origin' });
      if (res.ok) {
        location.reload();
        return;
      }
    } catch (_) {
      // still offline
    }
    trying = false;
  };
  window.addEventListener('online', tryAgain);
  setInterval(tryAgain, 20000);
})();
