// Both languages, everywhere: every screen in Vietnamese shows no English codes (unit codes,
// ISO periods, role or status codes) and every screen in English shows none of the
// interface's Vietnamese phrases (names of places, agencies and people stay as written).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, todayInVietnam } from './support.js';

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
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const SCREENS = ['/', '/money', '/services', '/tasks', '/tasks/new', '/console', '/brief', '/admin', '/admin?tab=users', '/admin?tab=tokens', '/admin?tab=displays', '/admin?tab=audit', '/account', '/no-such-page'];

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
 * indicator and unit codes a submission's CSV needs, an audit entry's JSON). */
async function visibleText(page) {
  return page.evaluate(() => {
    const body = document.body.cloneNode(true);
    for (const code of body.querySelectorAll('code')) code.remove();
    document.documentElement.append(body);
    const text = body.innerText;
    body.remove();
    return text;
  });
}

test('Vietnamese screens show no codes and English screens no Vietnamese interface text', async () => {
  const admin = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await server.signIn(admin, 'quan.tri.3', server.admin('quan.tri.3'));
  const found = [];
  for (const screen of SCREENS) {
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
  await admin.close();
  // an agency officer's submission form, and the sign-in page for nobody
  const officer = await browser.newContext();
  const officerPage = await server.signIn(officer, 'can.bo.vp', PASSWORD);
  const nobody = await browser.newContext();
  const nobodyPage = await nobody.newPage();
  for (const [p, screen] of [[officerPage, '/submit'], [nobodyPage, '/login']]) {
    await p.goto(`${server.base}${screen}?lang=vi`);
    const vi = await visibleText(p);
    for (const code of CODES) {
      const m = vi.match(code);
      if (m) found.push(`${screen} (vi): "${m[0]}" in …${vi.slice(Math.max(0, m.index - 40), m.index + 40).replace(/\s+/g, ' ')}…`);
    }
    await p.goto(`${server.base}${screen}?lang=en`);
    const en = await visibleText(p);
    for (const phrase of VIETNAMESE) {
      const at = en.indexOf(phrase);
      if (at >= 0) found.push(`${screen} (en): "${phrase}" in …${en.slice(Math.max(0, at - 40), at + 40).replace(/\s+/g, ' ')}…`);
    }
  }
  await officer.close();
  await nobody.close();
  assert.deepEqual(found, []);
});
