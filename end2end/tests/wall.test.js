// Wall mode in Chromium: the 3840×2160 canvas scaled to a 4K, a full-HD and a 1366×768
// screen (no scrollbar, nothing cut, text ≥ 28 px on the canvas); a playlist made on the
// administration page turning on the clock with no blank frame, a panel whose chart cannot
// load saying "Không có số liệu" while the playlist goes on; an operator pushing a scene
// onto the wall from the console (two browser contexts) — on the wall within a second — and
// releasing it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Server, launchBrowser, openPage, outputDir, todayInVietnam } from './support.js';

let server;
let browser;
let token;
let adminPassword;
const PASSWORD = 'một mật khẩu đủ dài';

before(async () => {
  server = await Server.start();
  browser = await launchBrowser();
  await server.createUsers(browser, [['truc.ban', 'operator', '']], PASSWORD);
  adminPassword = server.admin('quantri2');
  token = server.displayToken('Màn hình phòng họp');
  const vpub = server.token('VPUB');
  await server.post(vpub, [
    { indicator: 'services.online.rate', area: '14', period: todayInVietnam(), value: 87.5, unit: 'percent' },
    { indicator: 'services.ontime.rate', area: '14', period: todayInVietnam(), value: 80, unit: 'percent' },
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const shown = (page) => page.locator('.wall-stage .scene:not(.preparing)').getAttribute('data-shown');

test('the canvas fits a 4K, a full-HD and a 1366×768 screen: no scrollbar, nothing cut, large text, in every starting scene', async () => {
  // an operator puts each starting scene on the wall in turn
  const operator = await browser.newContext();
  await (await server.signIn(operator, 'truc.ban', PASSWORD)).close();
  const drive = async (what, body) => {
    const r = await operator.request.post(`${server.base}/api/v1/walls/${what}`, { data: body, headers: { Origin: server.base } });
    assert.ok(r.ok(), `${what}: ${r.status()} ${await r.text()}`);
  };
  for (const [width, height] of [
    [3840, 2160],
    [1920, 1080],
    [1366, 768],
  ]) {
    const { page, problems } = await openPage(browser, server.wall('/wall', token), { width, height });
    await page.waitForSelector('.wall-canvas[data-link="live"]');
    for (const scene of [1, 2, 3]) {
      await drive('push', { scene });
      await page.waitForFunction((s) => document.querySelector('.wall-stage .scene:not(.preparing)')?.dataset.shown === `scene:${s}`, scene);
      await page.waitForFunction(() => [...document.querySelectorAll('.wall-stage .scene:not(.preparing) img')].every((i) => i.complete));
      const fit = await page.evaluate(() => {
        const canvas = document.querySelector('.wall-canvas').getBoundingClientRect();
        const el = document.scrollingElement;
        const scene = document.querySelector('.wall-stage .scene:not(.preparing)');
        const panels = [...scene.querySelectorAll('.panel')];
        const texts = [...scene.querySelectorAll('*')].filter(
          (e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && !e.closest('.visually-hidden, [hidden], svg, .map-table'),
        );
        return {
          scroll: [el.scrollWidth > el.clientWidth, el.scrollHeight > el.clientHeight],
          canvas: [canvas.left, canvas.top, canvas.right, canvas.bottom].map(Math.round),
          panels: panels.length,
          declared: Number(scene.dataset.panels),
          cut: panels
            .filter((p) => p.scrollHeight > p.clientHeight + 1 || p.scrollWidth > p.clientWidth + 1)
            .map((p) => `${p.dataset.panel} ${p.scrollWidth}×${p.scrollHeight} in ${p.clientWidth}×${p.clientHeight}`),
          smallest: Math.min(...texts.map((e) => parseFloat(getComputedStyle(e).fontSize))),
        };
      });
      const scale = Math.min(width / 3840, height / 2160);
      const w = Math.round(3840 * scale);
      const h = Math.round(2160 * scale);
      const at = `${width}×${height}, scene ${scene}`;
      assert.deepEqual(fit.scroll, [false, false], `${at}: no scrollbar`);
      assert.deepEqual(
        fit.canvas.map((v, i) => Math.abs(v - [(width - w) / 2, (height - h) / 2, (width + w) / 2, (height + h) / 2][i]) <= 1),
        [true, true, true, true],
        `${at}: the canvas fills the screen, scaled whole (${fit.canvas})`,
      );
      assert.ok(fit.panels >= 3 && fit.panels === fit.declared, `${at}: ${fit.panels} panels`);
      assert.deepEqual(fit.cut, [], `${at}: every panel's content fits`);
      assert.ok(fit.smallest >= 28, `${at}: text on the canvas is at least 28 px (smallest ${fit.smallest})`);
      await page.screenshot({ path: path.join(outputDir, `wall-${width}x${height}-scene${scene}.png`) });
    }
    assert.deepEqual(problems, []);
    await page.close();
  }
  await drive('release', {});
  await operator.close();
});

test('a playlist made on the administration page turns on the clock, never blank; a failing chart says so and the playlist goes on', async () => {
  // the administrator makes a playlist of two scenes, ten seconds each, for this wall
  const admin = await browser.newContext();
  const page = await server.signIn(admin, 'quantri2', adminPassword);
  await page.goto(server.base + '/admin?tab=walls');
  const form = page.locator('.wall-playlist.new form');
  await page.locator('.wall-playlist.new summary').click();
  await form.locator('input[name=name]').fill('Thử luân phiên');
  await form.locator('select[name=scene0]').selectOption({ label: 'Tổng quan tỉnh' });
  await form.locator('input[name=seconds0]').fill('10');
  await form.locator('select[name=scene1]').selectOption({ label: 'Ngân sách và đầu tư công' });
  await form.locator('input[name=seconds1]').fill('10');
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/tab=walls/);
  const wallRow = page.locator('tr[data-wall]', { hasText: 'Màn hình phòng họp' });
  await wallRow.locator('select[name=playlist]').selectOption({ label: 'Thử luân phiên' });
  await wallRow.locator('button[type=submit]').click();
  await page.waitForURL(/tab=walls/);

  // the wall: the budget scene's charts cannot be loaded
  const wall = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const problems = [];
  wall.on('pageerror', (e) => problems.push(e.message));
  await wall.route('**/api/v1/charts/**', (route) => route.abort());
  await wall.goto(server.wall('/wall', token));
  await wall.waitForSelector('.wall-canvas[data-link="live"]');
  // a blank frame is a moment with no scene on the stage
  await wall.evaluate(() => {
    window.blankMoments = 0;
    window.seen = [];
    const look = () => {
      const scene = document.querySelector('.wall-stage .scene:not(.preparing)');
      if (!scene || !scene.querySelector('.panel')) window.blankMoments += 1;
      const s = scene && scene.dataset.shown;
      if (s && window.seen[window.seen.length - 1] !== s) window.seen.push(s);
      requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  });
  await wall.waitForFunction(() => window.seen.length >= 3, null, { timeout: 30_000 });
  const seen = await wall.evaluate(() => window.seen);
  assert.equal(seen[1] === 'scene:1' ? seen[2] : seen[1], 'scene:2');
  assert.notEqual(seen[1], seen[2], 'the scenes take turns');
  // the turn is the server's clock: on a 20 s cycle, scene 1 holds seconds 0–9
  const turn = await wall.evaluate(() => Math.floor(((Date.now() / 1000) % 20) / 10));
  assert.ok(['scene:1', 'scene:2'].includes(await shown(wall)), `turn ${turn}`);
  await wall.waitForFunction(() => document.querySelector('.wall-stage .scene:not(.preparing)')?.dataset.shown === 'scene:2', null, { timeout: 25_000 });
  const charts = wall.locator('.wall-stage .scene:not(.preparing) .panel[data-panel="chart"]');
  await wall.waitForFunction(() => document.querySelectorAll('.wall-stage .scene:not(.preparing) .panel[data-failed="true"]').length === 2);
  assert.equal(await charts.count(), 2);
  for (const i of [0, 1]) {
    assert.equal(await charts.nth(i).locator('.panel-failed').innerText(), 'Không có số liệu');
  }
  // the rest of the scene is there, and the playlist goes on to scene 1
  assert.equal(await wall.locator('.wall-stage .scene:not(.preparing) .panel[data-panel="tiles"] .wall-tile').count(), 3);
  await wall.waitForFunction(() => document.querySelector('.wall-stage .scene:not(.preparing)')?.dataset.shown === 'scene:1', null, { timeout: 15_000 });
  assert.equal(await wall.evaluate(() => window.blankMoments), 0, 'no blank frame');
  // the administration page shows what the wall shows, and that it is live
  await page.goto(server.base + '/admin?tab=walls');
  const row = page.locator('tr[data-wall]', { hasText: 'Màn hình phòng họp' });
  assert.equal(await row.getAttribute('data-live'), 'true');
  assert.match(await row.locator('.wall-shown').innerText(), /Tổng quan tỉnh|Ngân sách và đầu tư công/);
  assert.deepEqual(problems, []);
  await wall.close();
  await admin.close();
});

test('an operator pushes a scene onto the wall from the console: on the wall within a second; released, back to the playlist', async () => {
  const wall = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await wall.goto(server.wall('/wall', token));
  await wall.waitForSelector('.wall-canvas[data-link="live"]');
  const operator = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const console_ = await server.signIn(operator, 'truc.ban', PASSWORD);
  await console_.goto(server.base + '/console');
  const form = console_.locator('form[action="/console/walls/push"]');
  await form.locator('select[name=what]').selectOption({ label: 'Dịch vụ công' });
  await form.locator('select[name=display]').selectOption({ label: 'Màn hình phòng họp' });
  await form.locator('button[type=submit]').click();
  const pushedAt = Date.now();
  await wall
    .waitForFunction(() => document.querySelector('.wall-stage .scene:not(.preparing)')?.dataset.shown === 'scene:3', null, { timeout: 5000 })
    .catch(async (e) => {
      const state = await wall.evaluate(() => ({
        shown: [...document.querySelectorAll('.wall-stage .scene')].map((n) => `${n.dataset.shown}${n.classList.contains('preparing') ? ' (preparing)' : ''}`),
        push: document.querySelector('.wall-push').textContent,
        link: document.querySelector('.wall-canvas').dataset.link,
      }));
      throw new Error(`${e.message}: the wall ${JSON.stringify(state)}; the console at ${console_.url()}`);
    });
  const took = Date.now() - pushedAt;
  assert.ok(took < 1000, `on the wall in ${took} ms`);
  assert.match(await wall.locator('.wall-push').innerText(), /^Do Người dùng truc\.ban đưa lên lúc \d\d:\d\d$/);
  // it stays while the playlist turns
  await wall.waitForTimeout(11_000);
  assert.equal(await shown(wall), 'scene:3');
  await console_.waitForURL(/\/console/);
  const row = console_.locator('tr[data-wall]', { hasText: 'Màn hình phòng họp' });
  assert.match(await row.innerText(), /Đưa lên: Dịch vụ công/);
  await row.locator('button[type=submit]').click();
  await wall.waitForFunction(() => ['scene:1', 'scene:2'].includes(document.querySelector('.wall-stage .scene:not(.preparing)')?.dataset.shown), null, { timeout: 2000 });
  assert.equal(await wall.locator('.wall-push').isVisible(), false);
  await wall.screenshot({ path: path.join(outputDir, 'wall-after-release.png') });
  await operator.close();
  await wall.close();
});

test('a lost link dims the wall and says since when its figures are; it comes back by itself', async () => {
  const { page, problems } = await openPage(browser, server.wall('/wall', token), { width: 1920, height: 1080 });
  await page.waitForSelector('.wall-canvas[data-link="live"]');
  assert.equal(await page.locator('.wall-lost').isVisible(), false, 'live: no line');
  await server.stop();
  await page.waitForSelector('.wall-canvas[data-link="lost"]', { timeout: 10_000 });
  const line = await page.locator('.wall-lost').innerText();
  assert.match(line, /^Mất kết nối — số liệu lúc \d\d:\d\d:\d\d ngày \d\d\/\d\d\/\d{4}$/);
  const readAt = await page.locator('.wall-stage .scene:not(.preparing)').getAttribute('data-read-at');
  const t = new Date(Number(readAt) + 7 * 3600 * 1000);
  const two = (n) => String(n).padStart(2, '0');
  assert.ok(line.endsWith(`${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} ngày ${two(t.getUTCDate())}/${two(t.getUTCMonth() + 1)}/${t.getUTCFullYear()}`), 'the time of the figures on the wall');
  assert.equal(await page.locator('.wall-stage').evaluate((e) => getComputedStyle(e).opacity), '0.45', 'dimmed');
  await server.launch();
  await page.waitForSelector('.wall-canvas[data-link="live"]', { timeout: 40_000 });
  assert.equal(await page.locator('.wall-lost').isVisible(), false);
  // the refused requests while the server was away are the only console errors
  assert.deepEqual(problems.filter((p) => !/ERR_CONNECTION_REFUSED|WebSocket connection/.test(p)), []);
  await page.close();
});
