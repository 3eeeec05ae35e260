// The money view in a real browser: seeded through the ingest API, live, drill-down and
// back, at wall, laptop and phone sizes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Server, launchBrowser, openPage, outputDir, todayInVietnam } from './support.js';

const TY = 1_000_000_000;
let server;
let browser;
let screen;
let finance;
let treasury;
let projects;

// in January the view shows last year's plan, whose capital is disbursed until 31 January
const today = todayInVietnam();
const january = today.slice(5, 7) === '01';
const planYear = Number(today.slice(0, 4)) - (january ? 1 : 0);
const disbursed = (project, value) => ({
  indicator: january ? 'invest.project.disbursed.extension' : 'invest.project.disbursed.ytd',
  project,
  period: today,
  value,
  unit: 'dong',
});

before(async () => {
  server = await Server.start();
  screen = server.displayToken();
  finance = server.token('STC');
  treasury = server.token('KBNN');
  browser = await launchBrowser();
  const registry = await (await fetch(`${server.base}/api/v1/projects`, { headers: { authorization: `Bearer ${screen}` } })).json();
  // two projects of different investors and communes
  const first = registry.projects[0];
  const second = registry.projects.find((p) => p.investor !== first.investor && p.communes[0] !== first.communes[0]);
  projects = [first, second];
  await server.post(finance, [
    { indicator: 'invest.project.plan.council', project: first.code, period: String(planYear), value: 100 * TY, unit: 'dong' },
    { indicator: 'invest.project.plan.council', project: second.code, period: String(planYear), value: 50 * TY, unit: 'dong' },
    { indicator: 'budget.revenue.estimate', area: '14', period: String(Number(today.slice(0, 4))), value: 4500 * TY, unit: 'dong' },
  ]);
  await server.post(treasury, [disbursed(first.code, 10 * TY), disbursed(second.code, 5 * TY)]);
  await server.post(treasury, [
    { indicator: 'budget.revenue.ytd', area: '14', period: today, value: 4123.4 * TY, unit: 'dong' },
    { indicator: 'budget.commune.revenue.ytd', area: first.communes[0], period: today, value: 12 * TY, unit: 'dong' },
  ]);
  await server.post(finance, [
    { indicator: 'budget.commune.revenue.estimate', area: first.communes[0], period: String(Number(today.slice(0, 4))), value: 48 * TY, unit: 'dong' },
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the money view shows the seeded figures and moves live', async () => {
  const { page, problems } = await openPage(browser, server.wall('/money', screen));
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  const rate = page.locator('.disbursement .headline .rate');
  assert.equal(await rate.innerText(), '10,0%', '15 of 150 tỷ');
  assert.match(await page.locator('.disbursement .headline .detail').innerText(), /^15,0 \/ 150,0 tỷ đồng kế hoạch$/);
  assert.match(await page.locator('.disbursement .headline .as-of').innerText(), /^số liệu đến \d\d:\d\d \d\d\/\d\d\/\d{4}$/);
  const investors = page.locator('[data-ranking="investor"] tbody tr');
  assert.equal(await investors.count(), 2);
  const [firstByCode] = [projects[0].investor, projects[1].investor].sort();
  assert.equal(await investors.nth(0).getAttribute('data-code'), firstByCode, 'equal rates go by code');
  const revenue = page.locator('.budget tr[data-indicator="budget.revenue.ytd"]');
  assert.equal(await revenue.locator('.ytd').innerText(), '4.123,4');
  assert.match(await revenue.innerText(), /91,6%/, '% of its own year’s estimate');
  const runningDot = () => page.locator('svg.scurve-chart circle.this-year').last().getAttribute('cy');
  const before = await runningDot();

  // the map is the server's markup; the browser writes the live figures into it
  const secondCommune = `.money-view svg.commune-map path[data-area="${projects[1].communes[0]}"]`;
  const mapTitleBefore = await page.locator(`${secondCommune} title`).textContent();

  let navigations = 0;
  page.on('framenavigated', () => navigations++);
  await server.post(treasury, [disbursed(projects[1].code, 40 * TY)]);
  await page.waitForFunction(
    () => document.querySelector('.disbursement .headline .rate')?.textContent === '33,3%',
    null,
    { timeout: 2_000 },
  );
  // the second project's investor now leads the ranking, and the curve's running month rose
  await page.waitForFunction(
    (code) => document.querySelector('[data-ranking="investor"] tbody tr')?.getAttribute('data-code') === code,
    projects[1].investor,
    { timeout: 2_000 },
  );
  assert.notEqual(await runningDot(), before, 'the S-curve moved');
  await page.waitForFunction(
    ([selector, before]) => document.querySelector(`${selector} title`)?.textContent !== before,
    [secondCommune, mapTitleBefore],
    { timeout: 2_000 },
  );
  // … and the map's table says the same
  const tooltipValue = (await page.locator(`${secondCommune} title`).textContent()).match(/: ([^ ]+%) /)[1];
  const tableRow = page.locator(`.money-view table.communes tr[data-area="${projects[1].communes[0]}"]`);
  assert.equal(await tableRow.locator('td.value').textContent(), tooltipValue, 'the map and its table agree');
  assert.equal(await tableRow.getAttribute('data-band'), await page.locator(secondCommune).getAttribute('data-band'));
  assert.equal(navigations, 0, 'no reload');

  // the downloads: the morning briefing opens as a one-page PDF with the screen's session
  const briefing = await page.locator('.downloads a[href^="/api/v1/briefing.pdf"]').getAttribute('href');
  assert.match(briefing, /^\/api\/v1\/briefing\.pdf\?date=\d{4}-\d\d-\d\d$/);
  const pdf = await page.request.get(new URL(briefing, page.url()).href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.ok((await pdf.body()).subarray(0, 5).equals(Buffer.from('%PDF-')));
  const csv = await page.locator('.downloads a[href*="by=investor"]').first().getAttribute('href');
  const table = await page.request.get(new URL(csv, page.url()).href);
  assert.equal(table.status(), 200);
  assert.match(await table.text(), /^\uFEFF/, 'CSV with a byte-order mark for Excel');

  // the below-average list copies into a briefing in one tap
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
  await page.locator('.briefing-text summary').click();
  await page.locator('.briefing-text .copy button').click();
  await page.locator('.briefing-text [role="status"]', { hasText: 'Đã sao chép.' }).waitFor({ timeout: 2_000 });
  const copiedText = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copiedText, await page.locator('.briefing-text textarea').inputValue());
  assert.ok(copiedText.length > 10, copiedText);

  // the commune map: disbursement by commune, one click to revenue against the estimate
  const map = page.locator('.money-view svg.commune-map');
  assert.equal(await map.locator('path[data-area]').count(), 75);
  assert.equal(await map.getAttribute('data-layer'), 'invest.disbursement.rate');
  const seeded = await map.locator(`path[data-area="${projects[0].communes[0]}"]`).getAttribute('data-band');
  assert.notEqual(seeded, 'missing', 'the seeded project’s commune has a rate');
  await page.locator('.money-view .layers .layer').nth(1).click();
  await page.waitForFunction(() => document.querySelector('.money-view svg.commune-map')?.getAttribute('data-layer') === 'budget.commune.revenue.ytd');
  assert.match(await map.locator(`path[data-area="${projects[0].communes[0]}"] title`).textContent(), /: 25,0% \(số liệu đến /, '12 of 48 tỷ');
  assert.deepEqual(problems, [], 'no console errors or hydration warnings');
  await page.close();
});

test('on the wall the money screen fits without scrolling and the rankings show who lags', async () => {
  const demo = await Server.start({ demo: 30 });
  try {
    await demo.demoLive();
    const screenToken = demo.displayToken();
    const wall = { width: 3840, height: 2160 };
    const { page, problems } = await openPage(browser, demo.wall('/money', screenToken), wall);
    await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
    for (const kind of ['investor', 'commune']) {
      const ranking = page.locator(`[data-ranking="${kind}"]`);
      const rows = ranking.locator('tbody tr');
      const all = await rows.count();
      assert.ok(all > 10, `${kind}: the demo ranks more than fit a wall (${all})`);
      const shown = await rows.evaluateAll((trs) => trs.filter((tr) => tr.offsetParent !== null).map((tr) => Number(tr.cells[0].textContent)));
      assert.equal(shown.length, 10, `${kind}: ten rows on the wall`);
      const rated = await rows.evaluateAll((trs) => trs.filter((tr) => tr.dataset.band !== 'missing').length);
      assert.deepEqual(shown, Array.from({ length: 10 }, (_, i) => rated - 9 + i), `${kind}: the ten lowest rates`);
      assert.equal(
        await ranking.locator('.wall-note').innerText(),
        `10 đơn vị có tỷ lệ thấp nhất trong ${all}; cả danh sách trên máy tính, điện thoại và trong tệp tải về.`,
      );
      const box = await ranking.boundingBox();
      assert.ok(box.y + box.height <= wall.height, `${kind}: the ranking ends on the wall (${box.y + box.height} px)`);
    }
    for (const part of ['.disbursement', '.map-panel', '.budget', '.budget table']) {
      const box = await page.locator(part).first().boundingBox();
      assert.ok(box.x + box.width <= wall.width && box.y + box.height <= wall.height, `${part} is on the wall`);
    }
    await page.screenshot({ path: path.join(outputDir, 'money-wall-demo.png') });
    assert.deepEqual(problems, []);
    await page.close();

    // a laptop still has every row
    const laptop = await openPage(browser, demo.wall('/money', screenToken));
    await laptop.page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
    const rows = laptop.page.locator('[data-ranking="investor"] tbody tr');
    const visible = await rows.evaluateAll((trs) => trs.filter((tr) => tr.offsetParent !== null).length);
    assert.equal(visible, await rows.count());
    assert.equal(await laptop.page.locator('.wall-note').first().isVisible(), false);
    await laptop.page.close();
  } finally {
    await demo.stop();
  }
});

test('the drill-down reaches a project in two clicks and comes back', async () => {
  const { page, problems } = await openPage(browser, server.wall('/money', screen));
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  await page.locator(`[data-ranking="investor"] tr[data-code="${projects[0].investor}"] a`).click();
  await page.waitForURL(/investor=/);
  const row = page.locator(`[data-ranking="project"] tr[data-code="${projects[0].code}"]`);
  assert.match(await row.innerText(), /10,0%/);
  await row.locator('a').click();
  await page.waitForURL(/project=/);
  assert.match(await page.locator('.project dl').innerText(), new RegExp(projects[0].code));
  assert.equal(await page.locator('.disbursement .headline .rate').innerText(), '10,0%');
  // its month-end history downloads as a spreadsheet
  const history = await page.locator(`.downloads a[href^="/api/v1/projects/${projects[0].code}.xlsx"]`).getAttribute('href');
  const xlsx = await page.request.get(new URL(history, page.url()).href);
  assert.equal(xlsx.status(), 200);
  assert.ok((await xlsx.body()).subarray(0, 2).equals(Buffer.from('PK')), 'an XLSX is a zip');
  await page.goBack();
  await page.waitForURL(/investor=/);
  await page.goBack();
  await page.waitForURL((url) => url.pathname === '/money' && !url.search.includes('investor'));
  assert.equal(await page.locator('[data-ranking="investor"] tbody tr').count(), 2);
  assert.deepEqual(problems, []);
  await page.close();
});

test('money view screenshots at wall, laptop and phone sizes', async () => {
  for (const [name, viewport] of [
    ['wall', { width: 3840, height: 2160 }],
    ['laptop', { width: 1440, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ]) {
    const { page, problems } = await openPage(browser, server.wall('/money', screen), viewport);
    await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
    const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: no horizontal scrolling (${overflow}px too wide)`);
    if (name !== 'phone') {
      // every column of a ranking, its band too, in sight without scrolling the table
      const hidden = await page.locator('.ranking').evaluateAll((sections) => sections.map((s) => s.scrollWidth - s.clientWidth));
      assert.ok(hidden.every((px) => px <= 0), `${name}: a ranking scrolls sideways (${hidden} px)`);
    }
    await page.screenshot({ path: path.join(outputDir, `money-${name}.png`), fullPage: name === 'phone' });
    assert.deepEqual(problems, []);
    await page.close();
  }
});
