// The leader's brief on a phone in Chromium: one column, no sideways scroll, large tap
// targets, what is red with its time and source; after one visit it opens with no network,
// dated and marked offline, never as if live, and brings itself up to date when the network
// returns; on a simulated slow 4G link, a first visit's transfer and first render are
// measured (BENCHMARKS.md).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Server, launchBrowser, outputDir, todayInVietnam } from './support.js';

let server;
let browser;
let vpub;

const PASSWORD = 'một mật khẩu đủ dài';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const ontime = (value) => ({ indicator: 'services.ontime.rate', area: '14', period: todayInVietnam(), value, unit: 'percent' });
const ontimeFigure = (page) => page.locator('#brief-red ~ .figures [data-indicator="services.ontime.rate"] .number');

before(async () => {
  server = await Server.start();
  browser = await launchBrowser();
  await server.createUsers(browser, [['lanh.dao', 'leader', '']], PASSWORD);
  vpub = server.token('VPUB');
  await server.post(vpub, [ontime(80)]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the brief on a phone: what is red, dated, one column, large tap targets', async () => {
  const context = await browser.newContext(PHONE);
  const page = await server.signIn(context, 'lanh.dao', PASSWORD);
  const problems = [];
  page.on('console', (m) => ['error', 'warning'].includes(m.type()) && problems.push(m.text()));
  await page.goto(server.base + '/brief');
  assert.match(await page.locator('.read-at').innerText(), /^Số liệu lúc \d\d:\d\d ngày \d\d\/\d\d\/\d{4}$/);
  assert.equal(await page.locator('.offline-line').isVisible(), false, 'online: no offline line');
  assert.equal(await ontimeFigure(page).innerText(), '80,0');
  const item = page.locator('#brief-red ~ .figures [data-indicator="services.ontime.rate"]');
  assert.equal(await item.getAttribute('data-band'), 'critical');
  assert.match(await item.locator('.as-of').innerText(), /^số liệu đến \d\d:\d\d \d\d\/\d\d\/\d{4} · Nguồn: VP UBND tỉnh/);
  const layout = await page.evaluate(() => ({
    sideways: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    smallTargets: [...document.querySelectorAll('.brief a')]
      .map((a) => a.getBoundingClientRect())
      .filter((r) => r.width > 0 && r.height < 44).length,
  }));
  assert.deepEqual(layout, { sideways: false, smallTargets: 0 });
  await page.screenshot({ path: path.join(outputDir, 'brief-phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('offline after one visit: the last brief, dated and marked offline; fresh again when the network returns', async () => {
  const context = await browser.newContext(PHONE);
  const page = await server.signIn(context, 'lanh.dao', PASSWORD);
  await page.goto(server.base + '/brief');
  // the worker is active, took the page and kept it (as by a leader's next visit)
  await page.waitForFunction(
    async () =>
      navigator.serviceWorker.controller !== null &&
      (await navigator.serviceWorker.ready).active?.state === 'activated' &&
      (await caches.match('/brief')) !== undefined,
    null,
    { timeout: 10_000 },
  );
  const readAt = (await page.locator('.read-at').innerText()).replace('Số liệu lúc ', '');

  // the worker running when the network goes (Chromium falls back to the network for a
  // navigation whose worker is still starting, which offline means no page)
  // (the registration's active worker: the page's controller may be between documents)
  await page.evaluate(async () => (await navigator.serviceWorker.ready).active.postMessage('wake'));
  await context.setOffline(true);
  // a new figure the phone cannot see while it is offline
  await server.post(vpub, [ontime(70)]);
  await page.reload();
  const line = page.locator('.offline-line');
  await line.waitFor({ state: 'visible', timeout: 5_000 });
  assert.equal(await line.innerText(), `Số liệu lúc ${readAt} — đang ngoại tuyến`);
  assert.equal(await page.locator('[data-brief]').getAttribute('data-brief'), 'offline');
  assert.equal(await page.locator('.read-at').isVisible(), false);
  assert.equal(await ontimeFigure(page).innerText(), '80,0', 'the figures it had, not new ones');
  const fontSize = await line.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(fontSize >= 22, `in large type (${fontSize}px)`);
  await page.screenshot({ path: path.join(outputDir, 'brief-offline-phone.png') });

  // the network returns: the brief reloads itself, live and up to date
  await context.setOffline(false);
  await page.waitForSelector('[data-brief="live"]', { timeout: 30_000 });
  assert.equal(await ontimeFigure(page).innerText(), '70,0');
  assert.equal(await line.isVisible(), false);
  await context.close();
});

test('a first visit on slow 4G: transfer and first render', async () => {
  const context = await browser.newContext(PHONE);
  const page = await server.signIn(context, 'lanh.dao', PASSWORD);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  // Lighthouse's "slow 4G": 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  let transferred = 0;
  cdp.on('Network.loadingFinished', (e) => {
    transferred += e.encodedDataLength;
  });
  await page.goto(server.base + '/brief', { waitUntil: 'load' });
  const paint = await page.evaluate(() => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return fcp ? fcp.startTime : null;
  });
  await page.waitForTimeout(500);
  console.log(`brief on slow 4G: first contentful paint ${Math.round(paint)} ms, ${(transferred / 1024).toFixed(1)} KiB transferred`);
  assert.ok(paint !== null && paint < 3000, `first render under 3 s (${paint} ms)`);
  assert.ok(transferred <= 300 * 1024, `at most 300 KiB (${transferred} bytes)`);
  await context.close();
});
