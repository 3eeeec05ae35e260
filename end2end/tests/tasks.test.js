// From a red tile to an assigned, reported and closed task, in Chromium: a leader assigns
// it in two taps; an officer of the lead agency (a second browser context) sees it appear
// in the open list, live, reports progress and closes it; the list at wall, laptop and
// phone sizes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Server, launchBrowser, openPage, outputDir, todayInVietnam } from './support.js';

let server;
let browser;
let leader;
let officer;

const PASSWORD = 'một mật khẩu đủ dài';
const signIn = (context, username, password) => server.signIn(context, username, password);

before(async () => {
  server = await Server.start();
  browser = await launchBrowser();
  await server.createUsers(
    browser,
    [
      ['lanh.dao', 'leader', ''],
      ['can.bo.vp', 'agency_officer', 'VPUB'],
    ],
    PASSWORD,
  );
  leader = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  officer = await browser.newContext({ viewport: { width: 390, height: 844 } });
  // a red value: the online rate far below its critical threshold
  await server.post(server.token('VPUB'), [
    { indicator: 'services.online.rate', area: '14', period: todayInVietnam(), value: 21.5, unit: 'percent' },
    // and a commune far behind, on the map
    { indicator: 'services.online.rate', area: '03646', period: todayInVietnam(), value: 12.5, unit: 'percent' },
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a leader assigns a task from a red tile and the lead agency reports and closes it', async () => {
  // the lead agency's officer has the open tasks on a phone, following changes live
  const phone = await signIn(officer, 'can.bo.vp', 'một mật khẩu đủ dài');
  const phoneProblems = [];
  phone.on('pageerror', (e) => phoneProblems.push(e.message));
  phone.on('console', (m) => m.type() === 'error' && phoneProblems.push(m.text()));
  await phone.goto(server.base + '/tasks?status=open');
  await phone.locator('.tasks-live[data-state="live"]').waitFor({ timeout: 10_000 });
  assert.match(await phone.locator('.tasks-live').innerText(), /Trực tiếp/);
  await phone.evaluate(() => { window.notReloaded = true; });

  const page = await signIn(leader, 'lanh.dao', 'một mật khẩu đủ dài');
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(server.base + '/');
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  const tile = page.locator('article.tile[data-indicator="services.online.rate"]');
  assert.equal(await tile.getAttribute('data-band'), 'critical');
  // tap one: the red tile's link; the form comes filled in with the figure and its owner
  await tile.locator('a.direct').click();
  await page.waitForURL(/\/tasks\/new\?/);
  assert.match(await page.locator('.raised-from').innerText(), /21,5%/);
  assert.match(await page.locator('.raised-from .as-of').innerText(), /^Số liệu đến \d\d:\d\d \d\d\/\d\d\/\d{4}$/);
  assert.equal(await page.locator('select[name=lead]').inputValue(), 'VPUB', 'the indicator’s owner leads');
  assert.match(await page.locator('textarea[name=title]').inputValue(), /21,5%/);
  // tap two: assign
  await page.click('form.new-task-form button[type=submit]');
  await page.waitForURL(/\/tasks\/\d+$/);
  const taskPath = new URL(page.url()).pathname;
  assert.equal(await page.locator('.facts .task-status').innerText(), 'Chưa thực hiện');

  // it appears in the officer's list at once, marked as new, without reloading the page
  const row = phone.locator(`tr[data-task="${taskPath.split('/').pop()}"]`);
  await row.waitFor({ timeout: 3_000 });
  assert.match(await row.getAttribute('class'), /\barrived\b/);
  assert.equal(await phone.evaluate(() => window.notReloaded), true, 'the list changed in place');
  assert.match(await phone.locator('.summary').innerText(), /^1 nhiệm vụ/);
  // the leader's page of the task follows it too
  await page.locator('.tasks-live[data-state="live"]').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('.task-changed').isVisible(), false);

  await row.locator('.task-title a').click();
  await phone.waitForURL((url) => url.pathname === taskPath);
  await phone.fill('form textarea[name=body]', 'Đã rà soát 120 thủ tục; đưa 35 thủ tục lên toàn trình');
  await phone.click('form:has(input[value=progress]) button[type=submit]');
  await phone.waitForURL((url) => url.pathname === taskPath);
  assert.equal(await phone.locator('.facts .task-status').innerText(), 'Đang thực hiện');
  assert.match(await phone.locator('.notes').innerText(), /đưa 35 thủ tục lên toàn trình/);
  // the leader's open page of the task says it changed (and keeps what the leader typed)
  await page.locator('.task-changed').waitFor({ state: 'visible', timeout: 3_000 });
  await phone.fill('form.close input[name=body]', 'Tỷ lệ trực tuyến đã đạt 52%');
  await phone.click('form.close button[type=submit]');
  await phone.waitForURL((url) => url.pathname === taskPath);
  assert.equal(await phone.locator('.facts .task-status').innerText(), 'Hoàn thành');

  // the leader sees it closed, with its whole history
  await page.goto(server.base + taskPath);
  assert.equal(await page.locator('.facts .task-status').innerText(), 'Hoàn thành');
  const history = await page.locator('.notes li strong').allInnerTexts();
  assert.deepEqual(history, ['Giao nhiệm vụ', 'Báo cáo tiến độ', 'Hoàn thành']);
  assert.deepEqual(problems, []);
  assert.deepEqual(phoneProblems, []);
});

test('a red commune on the map opens a directive filled in with its figure', async () => {
  const page = await leader.newPage();
  await page.goto(server.base + '/');
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  await page.locator('.layers .layer').nth(2).click();
  await page.waitForFunction(() => document.querySelector('svg.commune-map')?.getAttribute('data-layer') === 'services.online.rate');
  const item = page.locator('.attention li', { hasText: 'Tô Hiệu' });
  assert.match(await item.innerText(), /12,5%/);
  await item.locator('a.direct').click();
  await page.waitForURL(/\/tasks\/new\?/);
  assert.match(await page.locator('.raised-from').innerText(), /Tô Hiệu/);
  assert.match(await page.locator('.raised-from').innerText(), /12,5%/);
  await page.close();
  // an officer sees the red commune, but no way to assign a task
  const phone = await officer.newPage();
  await phone.goto(server.base + '/');
  await phone.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  assert.equal(await phone.locator('a.direct').count(), 0);
  await phone.close();
});

test('the task list at wall, laptop and phone sizes', async () => {
  const office = server.token('VPUB');
  // an overdue task among them, first in the list
  const r = await fetch(`${server.base}/api/v1/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${office}`, 'content-type': 'application/json', 'idempotency-key': 'e2e-overdue' },
    body: JSON.stringify({
      title: 'Báo cáo kết quả số hóa hồ sơ quý I/2025',
      source: 'Kế hoạch 283/KH-UBND',
      lead: 'Sở Kế hoạch và Đầu tư',
      deadline: 'Quý I/2025',
    }),
  });
  assert.equal(r.status, 201);
  // overdue tasks turn red on the overview too
  const overview = await leader.newPage();
  await overview.goto(server.base + '/');
  const overdue = overview.locator('.crumbs a.overdue-tasks');
  assert.equal(await overdue.getAttribute('data-overdue'), '1');
  assert.match(await overdue.innerText(), /Nhiệm vụ quá hạn: 1/);
  await overview.close();
  for (const [name, viewport] of [
    ['wall', { width: 3840, height: 2160 }],
    ['laptop', { width: 1440, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ]) {
    const page = await leader.newPage();
    await page.setViewportSize(viewport);
    await page.goto(server.base + '/tasks');
    if (name === 'laptop') {
      // the list as a file, with the page's session
      const csv = await page.request.get(server.base + (await page.locator('a.download').first().getAttribute('href')));
      assert.equal(csv.status(), 200);
      assert.match(await csv.text(), /^\uFEFFSố,Nhiệm vụ/);
    }
    const first = page.locator('.tasks-table tbody tr').first();
    assert.match(await first.locator('.task-status').innerText(), /Quá hạn/, 'overdue first');
    const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: no horizontal scrolling (${overflow}px too wide)`);
    await page.screenshot({ path: path.join(outputDir, `tasks-${name}.png`), fullPage: name === 'phone' });
    await page.close();
  }
});
