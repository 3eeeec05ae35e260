// Wall mode (`/wall`): the canvas, its scenes and its live link. The page holds the first
// scene, drawn by the server, and the plan (`data-config`: the wall's playlist, the push it
// obeys, the server's clock). This script
// - scales the 3840×2160 canvas to the screen, never scrolling;
// - turns the playlist on the server's clock (walls on one playlist agree), fetching each
//   scene (`/wall/scene/<id>`) before its time and swapping it in whole, so no frame is
//   blank; a scene that cannot be fetched leaves the last one up and is tried again;
// - follows the live stream (`only=wall`): figures, tasks, alerts or explanations that
//   change mark the scene for a fetch (at most one every REFRESH_MS); a `wall` frame is a
//   push (shown at once) or a release (back to the playlist);
// - dims the canvas and says since when its figures are once the link is lost;
// - tells the server what it shows (`POST /api/v1/wall/shown`) when the scene changes.
(function () {
  'use strict';
  const WIDTH = 3840;
  const HEIGHT = 2160;
  const PREPARE_MS = 8000;
  const REFRESH_MS = 3000;
  const MAX_AGE_MS = 60000;
  // how long a scene's charts may take to load before it is shown: for the scene wanted
  // now (a push, a late turn) and for one fetched ahead
  const IMAGE_PATIENCE_NOW_MS = 300;
  const IMAGE_PATIENCE_MS = 4000;
  const root = document.getElementById('wall');
  if (!root) return;
  const canvas = root.querySelector('.wall-canvas');
  const stage = root.querySelector('.wall-stage');
  const pushLine = root.querySelector('.wall-push');
  const lostLine = root.querySelector('.wall-lost');
  const config = JSON.parse(root.dataset.config || '{}');
  const locale = root.dataset.locale === 'en' ? 'en' : 'vi';
  const clockOffset = (config.server_ms || Date.now()) - Date.now();
  let push = config.push || null;
  // the scene on the wall, and those fetched ahead: path -> { node, at }
  let shownPath = null;
  const ready = new Map();
  const fetching = new Set();
  let dirty = false;
  let lastFetch = Date.now();
  let live = false;
  let linkState = 'connecting';

  function fit() {
    const scale = Math.min(window.innerWidth / WIDTH, window.innerHeight / HEIGHT);
    canvas.style.transform = `translate(-50%, -50%) scale(${scale})`;
  }
  window.addEventListener('resize', fit);
  fit();

  const now = () => Date.now() + clockOffset;

  // the playlist's entry at `t` and when its time ends (as app::model::wall::Playlist::at)
  function entryAt(t) {
    const list = config.playlist;
    if (!list || !list.entries.length) return null;
    const cycle = list.entries.reduce((s, e) => s + e.seconds * 1000, 0);
    let into = ((t % cycle) + cycle) % cycle;
    for (let i = 0; i < list.entries.length; i += 1) {
      const length = list.entries[i].seconds * 1000;
      if (into < length) return { entry: list.entries[i], until: t + (length - into) };
      into -= length;
    }
    return null;
  }

  function wanted() {
    if (push) return push.path;
    const at = entryAt(now());
    return at ? at.entry.path : null;
  }

  function pathOf(shown) {
    const [kind, id] = (shown || '').split(':');
    return kind && id ? `/wall/${kind}/${id}` : null;
  }

  // fetches a scene and lays it out off screen, images decoded: ready to swap in
  async function prepare(path) {
    if (fetching.has(path)) return;
    fetching.add(path);
    try {
      const response = await fetch(`${path}?lang=${locale}`, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`scene ${path}: ${response.status}`);
      const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
      const scene = doc.querySelector('.scene');
      if (!scene) throw new Error(`scene ${path}: no scene in the page`);
      const node = document.importNode(scene, true);
      node.classList.add('preparing');
      stage.appendChild(node);
      watchImages(node);
      // its charts drawn, but a push is not kept waiting for a slow one
      await Promise.race([
        Promise.all(Array.from(node.querySelectorAll('img')).map((img) => img.decode().catch(() => {}))),
        new Promise((resolve) => setTimeout(resolve, path === wanted() ? IMAGE_PATIENCE_NOW_MS : IMAGE_PATIENCE_MS)),
      ]);
      const old = ready.get(path);
      if (old && old.node !== currentNode()) old.node.remove();
      ready.set(path, { node, at: Date.now() });
    } catch (e) {
      // the last scene stays up; the next tick tries again
    } finally {
      fetching.delete(path);
    }
  }

  // a chart that cannot be drawn says so in its frame; the scene goes on
  function watchImages(node) {
    node.querySelectorAll('img.chart').forEach((img) => {
      const fail = () => {
        img.hidden = true;
        const note = img.parentElement.querySelector('.panel-failed');
        if (note) note.hidden = false;
        img.closest('.panel').dataset.failed = 'true';
      };
      if (img.complete && img.naturalWidth === 0 && img.getAttribute('src')) fail();
      img.addEventListener('error', fail);
    });
  }

  function currentNode() {
    return stage.querySelector('.scene:not(.preparing)');
  }

  function swapIn(path) {
    const next = ready.get(path);
    if (!next) return false;
    ready.delete(path);
    const old = currentNode();
    next.node.classList.remove('preparing');
    if (old && old !== next.node) old.remove();
    if (shownPath !== path) report(next.node.dataset.shown);
    // a wall runs for weeks: the browser's record of each fetch is not kept
    performance.clearResourceTimings();
    shownPath = path;
    showPush();
    updateLost();
    return true;
  }

  function report(shown) {
    if (!config.display || !shown) return;
    fetch('/api/v1/wall/shown', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ shown }),
    }).catch(() => {});
  }

  function showPush() {
    if (!push) {
      pushLine.hidden = true;
      canvas.dataset.pushed = 'false';
      return;
    }
    const at = new Date(push.at);
    const time = at.toLocaleTimeString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit' });
    pushLine.textContent =
      locale === 'en'
        ? `Shown by ${push.by} at ${time}${push.every_wall ? ' on every wall' : ''}`
        : `Do ${push.by} đưa lên lúc ${time}${push.every_wall ? ' trên mọi màn hình' : ''}`;
    pushLine.hidden = false;
    canvas.dataset.pushed = 'true';
  }

  function two(n) {
    return String(n).padStart(2, '0');
  }

  // "Mất kết nối — số liệu lúc 07:45:12 ngày 02/12/2026" while the link is lost
  function updateLost() {
    canvas.dataset.link = linkState;
    if (linkState === 'live' || linkState === 'connecting') {
      lostLine.hidden = true;
      return;
    }
    const node = currentNode();
    let text = lostLine.dataset[locale];
    if (node && node.dataset.readAt) {
      const t = new Date(Number(node.dataset.readAt) + 7 * 3600 * 1000);
      text += `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} ${
        locale === 'en' ? 'on' : 'ngày'
      } ${two(t.getUTCDate())}/${two(t.getUTCMonth() + 1)}/${t.getUTCFullYear()}`;
    }
    lostLine.textContent = text;
    lostLine.hidden = false;
  }

  function tick() {
    const path = wanted();
    if (!path) return;
    if (path !== shownPath) {
      // a push, or the playlist's turn: swap in what is ready, else fetch it now
      if (!swapIn(path)) prepare(path).then(() => swapIn(wanted() === path ? path : ''));
    } else if (
      live &&
      !fetching.has(path) &&
      ((dirty && Date.now() - lastFetch >= REFRESH_MS) || Date.now() - lastFetch >= MAX_AGE_MS)
    ) {
      // the same scene with newer figures
      dirty = false;
      lastFetch = Date.now();
      prepare(path).then(() => {
        if (wanted() === path) swapIn(path);
      });
    }
    // the playlist's next scene, before its time
    if (!push) {
      const at = entryAt(now());
      if (at && at.until - now() <= PREPARE_MS) {
        const next = entryAt(at.until + 1);
        if (next && next.entry.path !== shownPath && !ready.has(next.entry.path)) {
          prepare(next.entry.path);
        }
      }
    }
    // scenes fetched ahead and never shown are dropped once stale
    ready.forEach((r, p) => {
      if (Date.now() - r.at > 2 * PREPARE_MS + MAX_AGE_MS) {
        r.node.remove();
        ready.delete(p);
      }
    });
  }

  const first = currentNode();
  if (first && first.dataset.shown) {
    shownPath = pathOf(first.dataset.shown);
    report(first.dataset.shown);
    watchImages(first);
  }
  showPush();
  updateLost();
  setInterval(tick, 250);

  window.iocFollow(
    'wall',
    root.querySelector('.wall-link'),
    () => {
      // what changed while the link was down
      dirty = true;
      lastFetch = 0;
    },
    (frame) => {
      if (frame.type === 'wall') {
        push = frame.push || null;
        showPush();
        tick();
      } else if (
        (frame.type === 'delta' && frame.values && frame.values.length) ||
        frame.type === 'tasks' ||
        frame.type === 'alerts' ||
        frame.type === 'explanations'
      ) {
        dirty = true;
      }
    },
    (state) => {
      linkState = state;
      live = state === 'live';
      updateLost();
    },
  );
})();
