// Accessibility: axe-core (WCAG 2.1 A and AA rules) on every screen, in Vietnamese and in
// English, as the people who use each one see it. No serious or critical violation.

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

const SCREENS = ['/', '/money', '/services', '/tasks', '/tasks/new', '/console', '/brief', '/admin', '/account', '/no-such-page'];

test('no serious or critical axe violation on any screen, in either language', async () => {
  // axe is injected as a script: the test's own, so the page's CSP is set aside for it
  const admin = await browser.newContext({ bypassCSP: true, viewport: { width: 1440, height: 900 } });
  const page = await server.signIn(admin, 'quan.tri.2', server.admin('quan.tri.2'));
  const found = [];
  for (const lang of ['', '?lang=en']) {
    for (const screen of SCREENS) {
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
