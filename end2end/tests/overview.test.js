// The overview in a real browser: rendered on the server, hydrated, updated live.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Server, launchBrowser, openPage, outputDir, todayInVietnam } from './support.js';

let server;
let browser;
let office;
let screen;

before(async () => {
  server = await Server.start();
  office = server.token('VPUB');
  screen = server.displayToken();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const tile = (page, code) => page.locator(`article.tile[data-indicator="${code}"]`);

test('a value posted to the API shows on the open page within 2 s, without reload', async () => {
  await server.post(office, [
    { indicator: 'services.online.rate', area: '14', period: todayInVietnam(), value: 61.5, unit: 'percent' },
  ]);
  const { page, problems } = await openPage(browser, server.wall('/', screen));
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  const number = tile(page, 'services.online.rate').locator('.number');
  assert.equal(await number.innerText(), '61,5');

  let navigations = 0;
  page.on('framenavigated', () => navigations++);
  const posted = Date.now();
  await server.post(office, [
    { indicator: 'services.online.rate', area: '14', period: todayInVietnam(), value: 77.7, unit: 'percent' },
  ]);
  await page.waitForFunction(
    () => document.querySelector('article.tile[data-indicator="services.online.rate"] .number')?.textContent === '77,7',
    null,
    { timeout: 2_000 },
  );
  const elapsed = Date.now() - posted;
  assert.equal(navigations, 0, 'no reload');
  const card = tile(page, 'services.online.rate');
  assert.match(await card.locator('.as-of').innerText(), /^số liệu đến \d\d:\d\d \d\d\/\d\d\/\d{4}$/);
  assert.match(await card.locator('.source').innerText(), /VP UBND tỉnh/);
  assert.equal(await card.getAttribute('data-freshness'), 'current');
  assert.deepEqual(problems, [], 'no console errors or hydration warnings');
  console.log(`live update shown ${elapsed} ms after the POST`);
  await page.close();
});

test("every screen's text is in the product's own font, with digits of one width", async () => {
  const { page, problems } = await openPage(browser, server.wall('/', screen));
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  await page.evaluate(() => document.fonts.ready);
  const font = await page.evaluate(() => ({
    family: getComputedStyle(document.querySelector('article.tile .number, article.tile h2')).fontFamily,
    loaded: [...document.fonts].filter((f) => f.family.replaceAll('"', '') === 'IOC Noto Sans' && f.status === 'loaded').map((f) => f.weight),
    // Vietnamese in the regular and bold faces, from the product's font only
    vietnamese: document.fonts.check('16px "IOC Noto Sans"', 'Tỷ lệ hồ sơ giải quyết đúng hạn ₫'),
  }));
  assert.match(font.family, /^"?IOC Noto Sans"?,/);
  assert.ok(font.loaded.includes('400') && font.loaded.includes('700'), `both weights loaded: ${font.loaded}`);
  assert.ok(font.vietnamese);
  // tabular digits: a live number changing from 1.111 to 8.888 does not move
  const widths = await page.evaluate(() => ['1.111,1', '8.888,8', '0.000,0'].map((t) => {
    const span = document.createElement('span');
    span.style.font = '700 48px "IOC Noto Sans"';
    span.textContent = t;
    document.body.append(span);
    const w = span.getBoundingClientRect().width;
    span.remove();
    return w;
  }));
  assert.ok(widths.every((w) => Math.abs(w - widths[0]) < 0.01), `digits of one width: ${widths}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a year-to-date tile is compared with the estimate of its own year', async () => {
  // last year's closing figure, with last year's estimate, and this year's estimate already
  // adopted: the live estimate is this year's, the figure is last year's
  const year = Number(todayInVietnam().slice(0, 4));
  const TY = 1_000_000_000;
  const finance = server.token('STC');
  const treasury = server.token('KBNN');
  const estimate = (y, v) => ({ indicator: 'budget.revenue.estimate', area: '14', period: String(y), value: v * TY, unit: 'dong' });
  await server.post(finance, [estimate(year - 1, 4_000)]);
  await server.post(treasury, [
    { indicator: 'budget.revenue.ytd', area: '14', period: `${year - 1}-12-31`, value: 3_800 * TY, unit: 'dong', as_of: `${year - 1}-12-31T17:00:00+07:00` },
  ]);
  await server.post(finance, [estimate(year, 5_000)]);
  // the same day last year (29 February: the 28th), for cùng kỳ
  // (on 31 December that is the closing figure above)
  const sameDay = `${year - 1}${todayInVietnam().slice(4).replace('-02-29', '-02-28')}`;
  const closing = sameDay === `${year - 1}-12-31`;
  if (!closing) {
    await server.post(treasury, [
      { indicator: 'budget.revenue.ytd', area: '14', period: sameDay, value: 800 * TY, unit: 'dong', as_of: `${sameDay}T17:00:00+07:00` },
    ]);
  }
  const { page, problems } = await openPage(browser, server.wall('/', screen));
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  const detail = tile(page, 'budget.revenue.ytd').locator('.detail');
  assert.match(await detail.innerText(), /^Đạt 95,0% dự toán \(4\.000/, 'against last year’s 4.000 tỷ, not this year’s 5.000');
  // this year's first figure meets this year's estimate, live
  await server.post(treasury, [
    { indicator: 'budget.revenue.ytd', area: '14', period: todayInVietnam(), value: 1_000 * TY, unit: 'dong' },
  ]);
  await page.waitForFunction(
    () => /^Đạt 20,0% dự toán/.test(document.querySelector('article.tile[data-indicator="budget.revenue.ytd"] .detail')?.textContent ?? ''),
    null,
    { timeout: 2_000 },
  );
  // and its change is against the same day last year, not against last year's total
  assert.equal(
    await tile(page, 'budget.revenue.ytd').locator('.trend').innerText(),
    closing ? '▼ −73,7% so với cùng kỳ' : '▲ +25,0% so với cùng kỳ',
  );
  assert.deepEqual(problems, []);
  await page.close();
});

test('the page says when it is not live and catches up after the server returns', async () => {
  const { page, problems } = await openPage(browser, server.wall('/', screen));
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  await server.stop();
  await page.locator('.connection[data-state="reconnecting"]').waitFor({ timeout: 10_000 });
  assert.match(await page.locator('.connection').innerText(), /Mất kết nối/);
  assert.equal(await tile(page, 'services.online.rate').getAttribute('data-freshness'), 'unconfirmed', 'a figure never looks live while the link is down');
  assert.equal(await page.locator('svg.commune-map').getAttribute('data-live'), 'false', 'the map dims too');

  await server.launch();
  await server.post(office, [
    { indicator: 'services.online.rate', area: '14', period: todayInVietnam(), value: 80.2, unit: 'percent' },
  ]);
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 20_000 });
  await page.waitForFunction(
    () => document.querySelector('article.tile[data-indicator="services.online.rate"] .number')?.textContent === '80,2',
    null,
    { timeout: 5_000 },
  );
  assert.match(await page.locator('.connection').innerText(), /Trực tiếp · đã cập nhật \d+ thay đổi/);
  const unexpected = problems.filter((p) => !/ERR_CONNECTION_REFUSED|WebSocket connection|live: /.test(p));
  assert.deepEqual(unexpected, []);
  await page.close();
});

test('English is available, with English number formats', async () => {
  const { page, problems } = await openPage(browser, server.wall('/?lang=en', screen));
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('h1').innerText(), 'Intelligent Operations Center');
  assert.equal(await tile(page, 'services.online.rate').locator('.number').innerText(), '80.2');
  assert.match(await tile(page, 'services.online.rate').locator('.as-of').innerText(), /^data as of /);
  assert.deepEqual(problems, []);
  await page.close();
  // the wall keeps its language: opened again without `?lang=`, and the language link back
  const again = await openPage(browser, server.wall('/', screen));
  assert.equal(await again.page.locator('h1').innerText(), 'Intelligent Operations Center');
  assert.equal(await again.page.getAttribute('html', 'lang'), 'en');
  await again.page.goto(server.base + '/?lang=vi');
  assert.equal(await again.page.locator('h1').innerText(), 'Trung tâm điều hành thông minh');
  await again.page.goto(server.base + '/money');
  assert.equal(await again.page.getAttribute('html', 'lang'), 'vi');
  await again.page.close();
});

test('the map shows every commune of Sơn La, coloured by its figure', async () => {
  const demo = await Server.start({ demo: 30 });
  try {
    // the demo feed backfills its history through the API first
    await demo.demoLive();
    const { page, problems } = await openPage(browser, demo.wall('/', demo.displayToken()));
    await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
    const map = page.locator('svg.commune-map');
    assert.equal(await map.getAttribute('data-layer'), 'invest.disbursement.rate');
    assert.equal(await map.getAttribute('data-schematic'), 'false');
    const communes = map.locator('path[data-area]');
    assert.equal(await communes.count(), 75, 'all 75 communes and wards since 1 July 2025');
    const bands = await communes.evaluateAll((paths) => paths.map((p) => p.getAttribute('data-band')));
    assert.ok(bands.every((b) => b !== 'missing'), `every commune has a figure: ${bands.filter((b) => b === 'missing').length} missing`);
    assert.ok(bands.includes('critical'), 'some communes disburse below 20%');
    const boxes = await communes.evaluateAll((paths) => paths.map((p) => p.getBBox().width * p.getBBox().height));
    assert.ok(boxes.every((area) => area > 0), 'every commune is drawn');
    const tooltip = await map.locator('path[data-area="03646"] title').textContent();
    assert.match(tooltip, /^Phường Tô Hiệu: \d+,\d% \(số liệu đến \d\d:\d\d \d\d\/\d\d\/\d{4}\)$/);
    assert.match(await page.locator('.map-panel .boundaries').innerText(), /ranh giới gần đúng/);
    assert.match(await page.locator('.map-panel .as-of').innerText(), /^số liệu đến /);
    assert.ok((await page.locator('.attention li').count()) >= 1, 'the communes that need attention are listed');

    // the same data as a table: one row per commune, the same band in words
    const table = page.locator('.map-table');
    await table.locator('summary').click();
    const rows = table.locator('table.communes tbody tr');
    assert.equal(await rows.count(), 75);
    const rowBands = Object.fromEntries(await rows.evaluateAll((trs) => trs.map((tr) => [tr.dataset.area, tr.dataset.band])));
    const mapBands = Object.fromEntries(await communes.evaluateAll((paths) => paths.map((p) => [p.dataset.area, p.dataset.band])));
    assert.deepEqual(rowBands, mapBands);
    // project sites where the registry knows them, coloured by their own rate, in the table too
    const sites = map.locator('circle.site[data-project]');
    const siteCount = await sites.count();
    assert.ok(siteCount >= 100, `the registry's project sites are drawn: ${siteCount}`);
    assert.equal(await table.locator('table.sites tbody tr').count(), siteCount);
    const siteBands = await sites.evaluateAll((cs) => cs.map((c) => c.dataset.band));
    assert.ok(siteBands.filter((b) => b !== 'missing').length > siteCount / 2, 'most sites have a rate');
    assert.match(await sites.first().locator('title').textContent(), /: \d+,\d% \(số liệu đến /);
    const toHieu = await table.locator('tr[data-area="03646"]').innerText();
    assert.match(toHieu, /^Phường Tô Hiệu\s+\d+,\d%\s+(Báo động|Cần chú ý|Trung bình|Tốt)\s+\d\d:\d\d \d\d\/\d\d\/\d{4}$/);

    // revenue against each commune's own estimate
    await page.locator('.layers .layer').nth(1).click();
    await page.waitForFunction(() => document.querySelector('svg.commune-map')?.getAttribute('data-layer') === 'budget.commune.revenue.ytd');
    assert.equal(await page.locator('.map-panel h2').innerText(), 'Thu ngân sách trên địa bàn xã, phường so với dự toán (%)');
    const revenueBands = await communes.evaluateAll((paths) => paths.map((p) => p.getAttribute('data-band')));
    assert.ok(revenueBands.every((b) => b !== 'missing'), `every commune has a share of its estimate: ${revenueBands.filter((b) => b === 'missing').length} missing`);
    assert.match(await map.locator('path[data-area="03646"] title').textContent(), /^Phường Tô Hiệu: \d+,\d% \(số liệu đến /);

    await page.locator('.layers .layer').nth(2).click();
    await page.waitForFunction(() => document.querySelector('svg.commune-map')?.getAttribute('data-layer') === 'services.online.rate');
    assert.equal(await page.locator('.map-panel h2').innerText(), 'Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến (từ đầu năm)');
    assert.equal(await map.locator('circle.site:visible').count(), 0, 'project sites belong to the disbursement layer');
    assert.equal(await table.locator('table.sites').isVisible(), false, 'and so does their table');
    // each layer shows its own legend, and the pressed button is the layer shown
    assert.equal(await page.locator('.map-panel ul.legend:visible').count(), 1);
    assert.equal(await page.locator('.map-panel ul.legend:visible').getAttribute('data-layer'), 'services.online.rate');
    const pressed = await page.locator('.layers .layer').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-pressed')));
    assert.deepEqual(pressed, pressed.map((_, i) => String(i === 2)));
    // back to disbursement: the sites return
    await page.locator('.layers .layer').nth(0).click();
    await page.waitForFunction(() => document.querySelector('svg.commune-map')?.getAttribute('data-layer') === 'invest.disbursement.rate');
    assert.equal(await map.locator('circle.site:visible').count(), siteCount);
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await demo.stop();
  }
});

test('screenshots at wall, laptop and phone sizes', async () => {
  const demo = await Server.start({ demo: 30 });
  const demoScreen = demo.displayToken();
  try {
    for (const [name, width, height] of [
      ['wall', 3840, 2160],
      ['laptop', 1440, 900],
      ['phone', 390, 844],
    ]) {
      const { page, problems } = await openPage(browser, demo.wall('/', demoScreen), { width, height });
      await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
      await page.locator('article.tile[data-freshness="current"]').first().waitFor({ timeout: 30_000 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name}: no horizontal scrolling (${overflow}px too wide)`);
      await page.screenshot({ path: path.join(outputDir, `overview-${name}.png`), fullPage: true });
      assert.deepEqual(problems, [], name);
      await page.close();
    }
  } finally {
    await demo.stop();
  }
});
