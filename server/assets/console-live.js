// The operator's console, live. The console is rendered on the server and works without
// this script (plain form posts); with it:
// - it follows the live stream's alert notices (/api/v1/live?only=alerts: notices of the
//   alerts this viewer may see, and heartbeats, no figures) and fetches the console again
//   on each, putting the new lists in place — but never while a note is being written
//   (then it waits until the note is sent or left empty);
// - after a drop it fetches again once back, so no alert raised meanwhile is missed;
// - for those who act on alerts (not a wall screen), a new open alert plays a short sound
//   and the title counts the open alerts;
// - keys: j / k pick an alert, a acknowledges it, r puts the cursor in its reason to
//   resolve it (Enter sends).
// The link itself (reconnecting, the silence watchdog, the indicator) is live-follow.js's.
(function () {
  'use strict';
  const indicator = document.querySelector('.console-live');
  if (!indicator || !('WebSocket' in window) || !window.iocFollow) return;
  const baseTitle = document.title;
  let fetching = false;
  let again = false;
  let pending = false;
  let selected = null;
  const screen = () => document.querySelector('.screen.console');
  const mayAct = () => screen() && screen().dataset.mayAct === 'true';
  const openIds = () =>
    new Set(Array.from(document.querySelectorAll('.alerts-active li.alert[data-status="open"]'), (li) => li.dataset.alert));
  let known = openIds();

  function title() {
    const open = openIds().size;
    document.title = open > 0 && mayAct() ? `(${open}) ${baseTitle}` : baseTitle;
  }

  function beep() {
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      const ctx = new Ctx();
      const tone = ctx.createOscillator();
      const gain = ctx.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
      tone.connect(gain).connect(ctx.destination);
      tone.start();
      tone.stop(ctx.currentTime + 0.4);
      tone.onended = () => ctx.close();
    } catch (e) {
      // no sound where the browser refuses it (no interaction yet): the count still shows
    }
  }

  // a note or a shift-log entry being written, or a choice being made in a form (the walls'
  // scene and wall, a select in focus): a reload would throw it away
  function writing() {
    return (
      Array.from(document.querySelectorAll('.console input[name="note"], .console textarea')).some(
        (i) => i.value.trim() !== '',
      ) ||
      Array.from(document.querySelectorAll('.console select')).some(
        // (a select with no option marked selected shows its first)
        (s) =>
          s === document.activeElement ||
          s.selectedIndex !== Math.max(0, Array.from(s.options).findIndex((o) => o.defaultSelected)),
      )
    );
  }

  async function reload() {
    if (writing()) {
      pending = true;
      return;
    }
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      do {
        again = false;
        const response = await fetch(location.pathname + location.search, { credentials: 'same-origin' });
        if (!response.ok) return;
        const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').querySelector('.screen.console');
        const current = screen();
        if (!fresh || !current || writing()) {
          pending = pending || writing();
          return;
        }
        const before = known;
        const slot = fresh.querySelector('.console-live');
        if (slot) slot.replaceWith(indicator);
        for (const li of fresh.querySelectorAll('.alerts-active li.alert[data-status="open"]')) {
          if (!before.has(li.dataset.alert)) li.classList.add('arrived');
        }
        current.replaceWith(fresh);
        known = openIds();
        const arrived = Array.from(known).some((id) => !before.has(id));
        if (arrived && mayAct()) beep();
        if (selected) {
          const again = document.getElementById(`alert-${selected}`);
          if (again) again.classList.add('selected');
        }
        title();
      } while (again);
    } catch (e) {
      // the next notice, or the next reconnect, tries again
    } finally {
      fetching = false;
    }
  }

  document.addEventListener('focusout', () => {
    if (pending && !writing()) {
      pending = false;
      reload();
    }
  });

  // posting a form with fetch keeps the page (and its live link) in place
  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!form.closest || !form.closest('.console li.alert')) return;
    event.preventDefault();
    const body = new URLSearchParams(new FormData(form));
    const response = await fetch(form.action, { method: 'POST', body, credentials: 'same-origin', redirect: 'manual' });
    if (response.type === 'opaqueredirect' || response.ok || response.status === 303) {
      for (const input of form.querySelectorAll('input[name="note"]')) input.value = '';
      pending = false;
      reload();
    } else {
      // the server's page says what is wrong: show it in place of the console
      document.open();
      document.write(await response.text());
      document.close();
    }
  });

  function items() {
    return Array.from(document.querySelectorAll('.alerts-active li.alert'));
  }

  function pick(step) {
    const list = items();
    if (list.length === 0) return;
    let at = list.findIndex((li) => li.dataset.alert === selected);
    at = at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + step));
    for (const li of list) li.classList.remove('selected');
    list[at].classList.add('selected');
    list[at].focus();
    selected = list[at].dataset.alert;
  }

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.matches && event.target.matches('input, textarea, select')) return;
    if (event.key === 'j') pick(1);
    else if (event.key === 'k') pick(-1);
    else if ((event.key === 'a' || event.key === 'r') && mayAct()) {
      if (!selected) pick(0);
      const li = document.getElementById(`alert-${selected}`);
      if (!li) return;
      if (event.key === 'a') {
        const form = li.querySelector('form.ack');
        if (form) form.requestSubmit();
      } else {
        const input = li.querySelector('form.resolve input[name="note"]');
        if (input) {
          event.preventDefault();
          input.focus();
        }
      }
    }
  });

  title();
  window.iocFollow(
    'alerts',
    indicator,
    // back after a drop, or alerts raised between rendering and connecting: fetch again
    () => reload(),
    (frame) => frame.type === 'alerts' && reload(),
  );
})();
