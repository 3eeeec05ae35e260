// Every screen, in a real browser, in both languages: axe-core's WCAG 2.1 A and AA rules
// find no serious or critical violation, as the people who use each screen see it; in
// Vietnamese no screen shows codes meant for machines, in English none shows the
// interface's Vietnamese (names of places, agencies and people stay as written).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Server, launchBrowser, todayInVietnam } from './support.js';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

let server;
let browser;

const PASSWORD = 'một mật khẩu đủ dài';

before(async () => {
  server = await Server.start();
  browser = await launchBrowser();
  await server.createUsers(browser, [['can.bo.vp', 'agency_officer', 'VPUB']], PASSWORD);
  const vpub = server.token('VPUB');
  const today = todayInVietnam();
  await server.post(vpub, [
    { indicator: 'services.ontime.rate', area: '14', period: today, value: 80, unit: 'percent' },
    { indicator: 'services.online.rate', area: '14', period: today, value: 61.5, unit: 'percent' },
    { indicator: 'services.online.rate', area: '03646', period: today, value: 12, unit: 'percent' },
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const AXE_SCREENS = ['/', '/money', '/services', '/tasks', '/tasks/new', '/console', '/brief', '/wall', '/wall/scene/2', '/admin', '/admin?tab=walls', '/account', '/no-such-page'];

/** The serious and critical violations axe finds on the page now, one line each. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found;
}

test('no serious or critical axe violation on any screen, in either language', async () => {
  // axe is injected as a script: the test's own, so the page's CSP is set aside for it
  const admin = await browser.newContext({ bypassCSP: true, viewport: { width: 1440, height: 900 } });
  const page = await server.signIn(admin, 'quan.tri.2', server.admin('quan.tri.2'));
  const found = [];
  for (const lang of ['', '?lang=en']) {
    for (const screen of AXE_SCREENS) {
      await page.goto(server.base + screen + lang);
      await page.waitForLoadState('load');
      // a live screen as it is looked at: connected (until then its figures are dimmed on
      // purpose, as not live)
      if (['/', '/money', '/services'].includes(screen)) {
        await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
      }
      for (const v of await violations(page)) found.push(`${screen}${lang}: ${v}`);
    }
  }
  // a band is said in words too, not in colour only: the critical tile and the map's table
  await page.goto(server.base + '/?lang=vi');
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('article.tile[data-indicator="services.ontime.rate"] .band-badge').innerText(), 'Báo động');
  assert.equal(await page.locator('article.tile[data-band="good"] .band-badge').count(), 0);
  await admin.close();

  // an agency officer's submission form, and the sign-in page for nobody
  const officer = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
  const officerPage = await server.signIn(officer, 'can.bo.vp', PASSWORD);
  for (const screen of ['/submit', '/brief', '/console']) {
    await officerPage.goto(server.base + screen);
    for (const v of await violations(officerPage)) found.push(`${screen} (officer, phone): ${v}`);
  }
  await officer.close();
  const nobody = await browser.newContext({ bypassCSP: true });
  const login = await nobody.newPage();
  await login.goto(server.base + '/login');
  for (const v of await violations(login)) found.push(`/login: ${v}`);
  await nobody.close();

  assert.deepEqual(found, []);
});

const LANGUAGE_SCREENS = ['/', '/money', '/services', '/tasks', '/tasks/new', '/console', '/brief', '/admin', '/admin?tab=users', '/admin?tab=tokens', '/admin?tab=displays', '/admin?tab=audit', '/admin?tab=walls', '/wall', '/wall/scene/2', '/account', '/no-such-page'];

// what a Vietnamese page must not show: codes meant for machines
const CODES = [
  /\b20\d\d-(0[1-9]|1[0-2])(-\d\d)?\b/, // ISO dates and months
  /\b20\d\d-(Q[1-4]|W\d\d|H[12])\b/, // ISO quarters, weeks, halves
  /\b(percent|billion_dong|million_dong|count|points|days|usd)\b/, // unit codes
  /\b(agency_officer|operator|leader|admin|display)\b/, // role codes
  /\b(open|acknowledged|resolved|overdue|in_progress|not_started|done)\b/, // status codes
];
// what an English page must not show: the interface's own Vietnamese
// ("Quản trị" is left out: the test's administrator is called so)
const VIETNAMESE = ['số liệu đến', 'Chưa có số liệu', 'Trực tiếp', 'Tổng quan', 'Đăng xuất', 'Nhiệm vụ', 'Cảnh báo', 'Tài khoản', 'Gửi số liệu', 'Đang tải', 'Không tìm thấy', 'tỷ đồng', 'Nguồn:'];

/** The page's visible text, without what it shows as code on purpose (`<code>`: the
 * indicator and unit codes a submission's CSV needs, an audit entry's JSON), nor on an
 * English page the names marked as Vietnamese. */
async function visibleText(page) {
  return page.evaluate(() => {
    const body = document.body.cloneNode(true);
    for (const code of body.querySelectorAll('code')) code.remove();
    // names the province chose (a wall's scenes), marked as Vietnamese
    if (document.documentElement.lang === 'en') for (const name of body.querySelectorAll('[lang="vi"]')) name.remove();
    document.documentElement.append(body);
    const text = body.innerText;
    body.remove();
    return text;
  });
}

/** Reads `screen` on `page` in Vietnamese and in English; what is wrong goes to `found`. */
async function checkLanguages(page, screen, found) {
  const sep = screen.includes('?') ? '&' : '?';
  await page.goto(`${server.base}${screen}${sep}lang=vi`);
  const vi = await visibleText(page);
  for (const code of CODES) {
    const m = vi.match(code);
    if (m) found.push(`${screen} (vi): "${m[0]}" in …${vi.slice(Math.max(0, m.index - 40), m.index + 40).replace(/\s+/g, ' ')}…`);
  }
  await page.goto(`${server.base}${screen}${sep}lang=en`);
  const en = await visibleText(page);
  for (const phrase of VIETNAMESE) {
    const at = en.indexOf(phrase);
    if (at >= 0) found.push(`${screen} (en): "${phrase}" in …${en.slice(Math.max(0, at - 40), at + 40).replace(/\s+/g, ' ')}…`);
  }
}

test('Vietnamese screens show no codes and English screens no Vietnamese interface text', async () => {
  const admin = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await server.signIn(admin, 'quan.tri.3', server.admin('quan.tri.3'));
  const found = [];
  for (const screen of LANGUAGE_SCREENS) await checkLanguages(page, screen, found);
  await admin.close();
  // an agency officer's submission form, and the sign-in page for nobody
  const officer = await browser.newContext();
  await checkLanguages(await server.signIn(officer, 'can.bo.vp', PASSWORD), '/submit', found);
  await officer.close();
  const nobody = await browser.newContext();
  await checkLanguages(await nobody.newPage(), '/login', found);
  await nobody.close();
  assert.deepEqual(found, []);
});
