// Follows the live stream for a server-rendered screen (the task screens, the console; each
// has its own script that calls this one): one websocket on /api/v1/live?only=<what>, its
// state shown in `indicator` (`data-state` live, lost or ended, with the text of its
// `data-live`, `data-lost` or `data-ended`), reconnecting with back-off after a drop,
// closing a link silent for 30 s (the server sends a heartbeat every 10 s, so three missed
// mean it is dead), and stopping for good when the server ends the viewer's right (4003).
// `onLive(afterDrop)` runs when a connection's first frame arrives — `afterDrop` when it
// replaces one that was lost —, `onFrame(frame)` with every frame, `onState(state)` (if
// given) with each change of state.
window.iocFollow = function (only, indicator, onLive, onFrame, onState) {
  'use strict';
  const SILENCE_MS = 30000;
  const REVOKED = 4003;
  let attempt = 0;
  let lastFrame = Date.now();
  let socket = null;

  function show(state) {
    indicator.hidden = false;
    indicator.dataset.state = state;
    indicator.textContent = indicator.dataset[state] || '';
    if (onState) onState(state);
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/live?only=${only}`);
    socket = ws;
    let first = true;
    ws.onmessage = (event) => {
      lastFrame = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (first) {
        first = false;
        show('live');
        onLive(attempt > 0);
        attempt = 0;
      }
      onFrame(frame);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      if (event.code === REVOKED) {
        show('ended');
        return;
      }
      show('lost');
      attempt += 1;
      setTimeout(connect, Math.min(30000, 500 * 2 ** Math.min(attempt, 6)));
    };
  }

  setInterval(() => {
    if (socket && socket.readyState === WebSocket.OPEN && Date.now() - lastFrame > SILENCE_MS) {
      lastFrame = Date.now();
      socket.close();
    }
  }, 5000);
  connect();
};
