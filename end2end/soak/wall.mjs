// The wall's soak (issue #16, BENCHMARKS.md "Wall soak"): a wall left alone for
// SOAK_MINUTES (60 by default) on a playlist turning every 15 s, over a province the demo
// feed filled, while figures arrive far faster than a province sends them: every 300 ms a
// batch through the ingest API (the province's online and on-time rates, five communes'
// overdue dossiers — figures on the wall's tiles and map), so the wall fetches its scene
// again every 3 s all hour. (The demo feed itself follows the clock of a working day, so
// at night it sends almost nothing.) Each sample forces a garbage collection in the page
// and records the JS heap in use and the DOM's node count (Chrome's metrics, through the
// DevTools protocol), taken while the first scene is up so the DOMs compared are of one
// scene. Prints a table and a JSON line; fails if the heap or the scene's elements grew 10%
// or more from the first sample (after a warm-up) to the last.
//
//   IOC_BIN=~/.cache/ioc-live/target/debug/ioc node end2end/soak/wall.mjs

import { Server, launchBrowser } from '../tests/support.js';

const MINUTES = Number(process.env.SOAK_MINUTES || 60);
const SAMPLE_MINUTES = Number(process.env.SAMPLE_MINUTES || 5);
const WARM_UP_MINUTES = Number(process.env.WARM_UP_MINUTES || 2);

const server = await Server.start({ demo: 30, demoIntervalMs: 300 });
const browser = await launchBrowser();
try {
  await server.demoLive();
  const token = server.displayToken('Soak wall');
  // an administrator gives the wall a fast playlist of the three starting scenes
  const password = server.admin('soak.admin');
  const admin = await browser.newContext();
  await (await server.signIn(admin, 'soak.admin', password)).close();
  const post = (method, url, data) =>
    admin.request.fetch(server.base + url, { method, data, headers: { Origin: server.base } });
  const made = await post('POST', '/api/v1/wall/playlists', {
    name: 'Soak',
    entries: [1, 2, 3].map((scene) => ({ scene, seconds: 15 })),
  });
  const { id: playlist } = await made.json();
  const walls = await (await admin.request.get(server.base + '/api/v1/walls')).json();
  const wall = walls.walls.find((w) => w.name === 'Soak wall');
  await post('PUT', `/api/v1/walls/${wall.id}/playlist`, { playlist });

  // the figures, every 300 ms, through the ingest API as an agency sends them
  const vpub = server.token('VPUB');
  const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
  const areas = await (await admin.request.get(server.base + '/api/v1/areas')).json();
  const communes = (areas.areas || areas).filter((a) => a.kind !== 'province').map((a) => a.code);
  let posted = 0;
  let online = 60;
  const feeding = setInterval(() => {
    online = Math.min(99, Math.max(40, online + (Math.random() - 0.5)));
    const observations = [
      { indicator: 'services.online.rate', area: '14', period: today, value: +online.toFixed(1), unit: 'percent' },
      { indicator: 'services.ontime.rate', area: '14', period: today, value: +(85 + Math.random() * 10).toFixed(1), unit: 'percent' },
      ...Array.from({ length: 5 }, () => ({
        indicator: 'services.overdue',
        area: communes[Math.floor(Math.random() * communes.length)],
        period: today,
        value: Math.floor(Math.random() * 30),
        unit: 'count',
      })),
    ];
    server.post(vpub, observations).then(() => (posted += observations.length), () => {});
  }, 300);

  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  let fetched = 0;
  page.on('requestfinished', (r) => r.url().includes('/wall/scene/') && (fetched += 1));
  await page.goto(server.wall('/wall', token));
  await page.waitForSelector('.wall-canvas[data-link="live"]');
  await page.evaluate(() => {
    window.swaps = 0;
    new MutationObserver(() => (window.swaps += 1)).observe(document.querySelector('.wall-stage'), { childList: true });
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const sample = async (minute) => {
    await page.waitForFunction(() => document.querySelector('.wall-stage .scene:not(.preparing)')?.dataset.shown === 'scene:1', null, { timeout: 60_000 });
    await page.waitForTimeout(1000);
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    const state = await page.evaluate(() => ({
      // a scene being fetched ahead (or again) is in the DOM for a moment too: not counted
      elements: document.getElementsByTagName('*').length - [...document.querySelectorAll('.scene.preparing, .scene.preparing *')].length,
      swaps: window.swaps,
      link: document.querySelector('.wall-canvas').dataset.link,
      shown: document.querySelector('.wall-stage .scene:not(.preparing)')?.dataset.shown,
    }));
    return { minute, fetched, posted, heapMiB: +(m.JSHeapUsedSize / 1048576).toFixed(2), nodes: m.Nodes, ...state };
  };
  const samples = [];
  const started = Date.now();
  await page.waitForTimeout(WARM_UP_MINUTES * 60_000);
  for (let minute = WARM_UP_MINUTES; minute <= MINUTES; minute += SAMPLE_MINUTES) {
    const s = await sample(minute);
    samples.push(s);
    console.log(`${String(s.minute).padStart(3)} min  heap ${s.heapMiB} MiB  nodes ${s.nodes}  elements ${s.elements}  DOM mutations ${s.swaps}  figures posted ${s.posted}  scenes fetched ${s.fetched}  ${s.link} ${s.shown}`);
    const next = started + Math.min(minute + SAMPLE_MINUTES, MINUTES + 1) * 60_000;
    if (minute + SAMPLE_MINUTES <= MINUTES) await page.waitForTimeout(Math.max(0, next - Date.now()));
  }
  const first = samples[0];
  const last = samples[samples.length - 1];
  const heapGrowth = (last.heapMiB - first.heapMiB) / first.heapMiB;
  const elementsMax = Math.max(...samples.map((s) => s.elements));
  const elementsMin = Math.min(...samples.map((s) => s.elements));
  const result = {
    minutes: MINUTES,
    heapFirstMiB: first.heapMiB,
    heapLastMiB: last.heapMiB,
    heapMaxMiB: Math.max(...samples.map((s) => s.heapMiB)),
    heapGrowthPercent: +(heapGrowth * 100).toFixed(1),
    elements: [elementsMin, elementsMax],
    nodesFirst: first.nodes,
    nodesLast: last.nodes,
    domMutations: last.swaps,
    figuresPosted: last.posted,
    scenesFetched: last.fetched,
    errors,
  };
  console.log(JSON.stringify(result));
  const failed = [];
  if (heapGrowth >= 0.1) failed.push(`the heap grew ${result.heapGrowthPercent}%`);
  // one scene's elements vary a little with its figures (how many alerts, how many communes
  // need attention): growth is beyond that
  if (last.elements > first.elements * 1.1) failed.push(`the DOM grew: ${first.elements} → ${last.elements} elements`);
  if (last.link !== 'live') failed.push(`the wall is ${last.link} at the end`);
  if (errors.length) failed.push(`page errors: ${errors.join('; ')}`);
  if (failed.length) {
    console.error(failed.join('\n'));
    process.exitCode = 1;
  }
  clearInterval(feeding);
} finally {
  await browser.close();
  await server.stop();
}
