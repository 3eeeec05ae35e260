// Task screens, live. The task list and a task's page are rendered on the server and work
// without this script; with it, they follow the live stream's task notices
// (/api/v1/live?only=tasks: notices of the tasks this viewer may see, and the stream's
// heartbeats, no figures):
// - the list fetches its page again and puts the new list in place, new rows marked;
// - a task's page says the task changed, with a link to reload — a form being filled in
//   is never thrown away.
// The indicator says whether the screen is live. Notices missed while the link was down
// are made good by fetching the list again once it is back. The link itself is
// live-follow.js's.
(function () {
  'use strict';
  const indicator = document.querySelector('.tasks-live');
  if (!indicator || !('WebSocket' in window) || !window.iocFollow) return;
  const page = document.querySelector('.task-page[data-task-id]');
  let fetching = false;
  let again = false;

  async function reloadList() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      do {
        again = false;
        const response = await fetch(location.href, { credentials: 'same-origin' });
        if (!response.ok) return;
        const fresh = new DOMParser()
          .parseFromString(await response.text(), 'text/html')
          .querySelector('.screen.tasks');
        const current = document.querySelector('.screen.tasks');
        // signed out meanwhile: the answer is another page, and the list stays as it was
        if (!fresh || !current || !fresh.querySelector('.task-list')) return;
        const known = new Set(
          Array.from(current.querySelectorAll('tr[data-task]'), (row) => row.dataset.task),
        );
        for (const row of fresh.querySelectorAll('tr[data-task]')) {
          if (!known.has(row.dataset.task)) row.classList.add('arrived');
        }
        const slot = fresh.querySelector('.tasks-live');
        if (slot) slot.replaceWith(indicator);
        current.replaceWith(fresh);
      } while (again);
    } catch (e) {
      // the next notice, or the next reconnect, tries again
    } finally {
      fetching = false;
    }
  }

  function changed(tasks) {
    if (!page) {
      reloadList();
      return;
    }
    const id = Number(page.dataset.taskId);
    const version = Number(page.dataset.taskVersion);
    // an empty list: notices may have been missed, so this task may have changed
    const newer = tasks.length === 0 || tasks.some((t) => t.id === id && t.version > version);
    if (newer) page.querySelector('.task-changed').hidden = false;
  }

  window.iocFollow(
    'tasks',
    indicator,
    // back after a drop: what changed meanwhile was not announced to this screen
    (afterDrop) => afterDrop && changed([]),
    (frame) => frame.type === 'tasks' && changed(frame.changed),
  );
})();
