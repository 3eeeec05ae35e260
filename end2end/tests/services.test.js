// The public-services view in Chromium: the desks' dossier counts arrive through the ingest
// API and move the counters and the desk rows live; a leader assigns a task from a red
// department desk, which that department leads; the view at wall, laptop and phone sizes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Server, launchBrowser, openPage, outputDir, todayInVietnam } from './support.js';

const PASSWORD = 'một mật khẩu đủ dài';
const today = todayInVietnam();
const yesterday = new Date(Date.parse(today) - 86_400_000).toISOString().slice(0, 10);
// on 1 January yesterday belongs to last year's total
const yesterdayCounts = yesterday.slice(0, 4) === today.slice(0, 4);

let server;
let browser;
let office;
let screen;

/** One desk's counts of `day`: a department's (`{ agency }`) or a commune's (`{ area }`). */
function desk(who, day, counts) {
  return Object.entries(counts).map(([name, value]) => ({
    indicator: `services.desk.${name}`,
    ...who,
    period: day,
    value,
    unit: 'count',
  }));
}

before(async () => {
  server = await Server.start();
  browser = await launchBrowser();
  await server.createUsers(browser, [['lanh.dao', 'leader', '']], PASSWORD);
  screen = server.displayToken();
  office = server.token('VPUB');
  await server.post(office, [
    ...desk({ agency: 'SXD' }, yesterday, { received: 40, resolved: 30, 'resolved.ontime': 27, overdue: 3 }),
    ...desk({ area: '03646' }, yesterday, { received: 35, resolved: 35, 'resolved.ontime': 35, overdue: 0 }),
  ]);
  await server.post(office, [
    // the Department of Construction has 25 dossiers past their deadline: a red desk
    ...desk({ agency: 'SXD' }, today, { received: 12, 'received.online': 6, resolved: 8, 'resolved.ontime': 6, overdue: 25 }),
    ...desk({ area: '03646' }, today, { received: 30, 'received.online': 24, resolved: 28, 'resolved.ontime': 28, overdue: 0 }),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const counter = (page, key) => page.locator(`.counters [data-counter="${key}"] .value`);

test('a dossier count posted to the API moves the counters and the desk row live', async () => {
  const { page, problems } = await openPage(browser, server.wall('/services', screen));
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('h1').innerText(), 'Dịch vụ công, thủ tục hành chính');
  assert.equal(await counter(page, 'received').innerText(), '42');
  assert.equal(await counter(page, 'overdue').innerText(), '25');
  // 34 resolved on time, of 36 resolved and 25 still in progress past their deadline
  assert.equal(await counter(page, 'on_time').innerText(), '55,7%', 'overdue dossiers count against the rate');
  assert.equal(await counter(page, 'year').innerText(), String(42 + (yesterdayCounts ? 75 : 0)));
  assert.match(await page.locator('.today .as-of').innerText(), /^số liệu đến \d\d:\d\d \d\d\/\d\d\/\d{4} · Nguồn: /);
  const row = page.locator('.desks tr[data-desk="SXD"]');
  assert.equal(await row.locator('th').innerText(), 'Sở Xây dựng');
  assert.equal(await row.locator('td.received').innerText(), '12');
  assert.equal(await row.getAttribute('class'), 'red', 'a department with 25 overdue dossiers is red');
  assert.equal(await row.locator('a.direct').count(), 0, 'a wall screen assigns no tasks');
  assert.equal(await page.locator('.index766 a.direct').count(), 0, 'not from the ranking either');

  // eight more dossiers at the department's desk: no reload
  await server.post(office, desk({ agency: 'SXD' }, today, { received: 20 }));
  await page.waitForFunction(
    () => document.querySelector('.counters [data-counter="received"] .value')?.textContent === '50',
    null,
    { timeout: 2_000 },
  );
  assert.equal(await row.locator('td.received').innerText(), '20');
  assert.equal(await counter(page, 'year').innerText(), String(50 + (yesterdayCounts ? 75 : 0)));

  // the 766 ranking and the trend chart are there, with their figures
  assert.ok((await page.locator('.index766 tbody tr').count()) >= 2, 'both desks are ranked');
  assert.ok((await page.locator('.trend-chart rect.received').count()) >= 1);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a leader assigns a task from a red department desk, and that department leads it', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await server.signIn(context, 'lanh.dao', PASSWORD);
  await page.goto(server.base + '/services');
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  // the commune desk is not red: nothing to assign there
  assert.equal(await page.locator('.desks tr[data-desk="03646"] a.direct').count(), 0);
  // the 766 ranking offers the same for a desk with dossiers overdue now, and only there
  const ranked = page.locator('.index766 tr[data-desk="SXD"] a.direct');
  assert.equal(await ranked.count(), 1);
  assert.equal(
    await ranked.getAttribute('href'),
    await page.locator('.desks tr[data-desk="SXD"] a.direct').getAttribute('href'),
  );
  assert.equal(await page.locator('.index766 tr[data-desk="03646"] a.direct').count(), 0);
  await page.locator('.desks tr[data-desk="SXD"] a.direct').click();
  await page.waitForURL(/\/tasks\/new\?/);
  assert.equal(await page.locator('select[name=lead]').inputValue(), 'SXD', 'the red desk’s department leads');
  assert.match(await page.locator('.raised-from').innerText(), /Sở Xây dựng/);
  assert.match(await page.locator('.raised-from').innerText(), /25/);
  await page.click('form.new-task-form button[type=submit]');
  await page.waitForURL(/\/tasks\/\d+$/);
  assert.match(await page.locator('.facts').innerText(), /Sở Xây dựng/);
  await context.close();
});

test('the services view at wall, laptop and phone sizes', async () => {
  for (const [name, width, height] of [
    ['wall', 3840, 2160],
    ['laptop', 1440, 900],
    ['phone', 390, 844],
  ]) {
    const { page, problems } = await openPage(browser, server.wall('/services', screen), { width, height });
    await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: no horizontal scrolling (${overflow}px too wide)`);
    // the downloads are server HTML inside the island (its children): laid out as a panel
    // of the view like the live parts, across the whole width where there are two columns
    const [view, downloads] = await Promise.all(
      ['main.services-view', 'nav.downloads'].map((selector) =>
        page.locator(selector).evaluate((e) => {
          const box = e.getBoundingClientRect();
          return { width: box.width, background: getComputedStyle(e).backgroundColor };
        }),
      ),
    );
    assert.notEqual(downloads.background, 'rgba(0, 0, 0, 0)', `${name}: the downloads are a panel`);
    assert.ok(downloads.width > view.width * 0.95, `${name}: the downloads span the view (${downloads.width} of ${view.width}px)`);
    await page.screenshot({ path: path.join(outputDir, `services-${name}.png`), fullPage: name !== 'wall' });
    assert.deepEqual(problems, []);
    await page.close();
  }
});
