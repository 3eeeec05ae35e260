// Signing in, administering accounts, and hostile input shown as inert text — in Chromium.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openPage, todayInVietnam } from './support.js';

let server;
let browser;
let adminPassword;

before(async () => {
  server = await Server.start();
  adminPassword = server.admin('quantri');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page, username, password) {
  await page.goto(server.base + '/');
  assert.match(new URL(page.url()).pathname, /^\/login/, 'strangers are sent to the sign-in page');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('.login-form button[type=submit]');
}

const HOSTILE = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'); DROP TABLE users; --`;

test('an administrator signs in, creates an account, and hostile text stays text', async () => {
  const { page, problems } = await openPage(browser, server.base + '/login');
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    d.dismiss();
  });
  await signIn(page, 'quantri', 'sai mật khẩu');
  await page.locator('.form-error').waitFor();
  assert.match(await page.locator('.form-error').innerText(), /Sai tên đăng nhập hoặc mật khẩu/);

  await page.fill('input[name=username]', 'quantri');
  await page.fill('input[name=password]', adminPassword);
  await page.click('.login-form button[type=submit]');
  await page.locator('.connection').waitFor({ timeout: 10_000 });
  assert.match(await page.locator('.session .viewer').innerText(), /Quản trị quantri · Quản trị/);

  await page.goto(server.base + '/admin?tab=users');
  await page.fill('form[action="/admin/users"] input[name=username]', 'ke.toan');
  await page.fill('form[action="/admin/users"] input[name=display_name]', HOSTILE);
  await page.selectOption('form[action="/admin/users"] select[name=role]', 'leader');
  await page.fill('form[action="/admin/users"] input[name=password]', 'một mật khẩu đủ dài');
  await page.click('form[action="/admin/users"] button[type=submit]');
  await page.waitForURL(/\/admin\?tab=users/);
  const row = page.locator('tr[data-user="ke.toan"]');
  assert.equal(await row.locator('td').nth(1).innerText(), HOSTILE, 'shown exactly as typed, as text');
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'nothing ran');
  assert.equal(await page.locator('tr[data-user]').count(), 2, 'the users table is intact');

  await page.goto(server.base + '/admin?tab=audit&action=user_created');
  assert.match(await page.locator('table.audit tbody').innerText(), /ke\.toan/);
  assert.equal(dialogs, 0);
  assert.deepEqual(problems, [], 'no console errors (a CSP violation would be one)');
  await page.close();
});

test('the new account signs in, sees its name as text, and signs out', async () => {
  const { page, problems } = await openPage(browser, server.base + '/login');
  await signIn(page, 'ke.toan', 'một mật khẩu đủ dài');
  await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  assert.match(await page.locator('.session .viewer').innerText(), /DROP TABLE users/);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('.session a[href="/admin"]').count(), 0, 'a leader has no administration link');
  const admin = await page.goto(server.base + '/admin');
  assert.equal(admin.status(), 403);
  await page.goto(server.base + '/');
  await page.click('.session form.logout button');
  await page.waitForURL(/\/login/);
  await page.goto(server.base + '/');
  assert.match(new URL(page.url()).pathname, /^\/login/, 'signed out');
  assert.deepEqual(problems.filter((p) => !/403/.test(p)), []);
  await page.close();
});

test('a wall screen revoked from the admin page says so at once and stops', async () => {
  const token = server.displayToken('Tường thử thu hồi');
  await server.post(server.token('VPUB'), [
    { indicator: 'services.online.rate', area: '14', period: todayInVietnam(), value: 64.2, unit: 'percent' },
  ]);
  const { page: wall, problems } = await openPage(browser, server.wall('/', token));
  await wall.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  const tile = wall.locator('article.tile[data-indicator="services.online.rate"]');
  assert.equal(await tile.getAttribute('data-freshness'), 'current');
  assert.equal(new URL(wall.url()).search, '', 'the token left the address bar');

  const { page: admin } = await openPage(browser, server.base + '/login');
  await signIn(admin, 'quantri', adminPassword);
  await admin.locator('.connection').waitFor({ timeout: 10_000 });
  await admin.goto(server.base + '/admin?tab=displays');
  await admin.click('tr[data-display="Tường thử thu hồi"] button.danger');
  await admin.waitForURL(/tab=displays/);

  await wall.locator('.connection[data-state="ended"]').waitFor({ timeout: 5_000 });
  assert.match(await wall.locator('.connection').innerText(), /Màn hình này đã hết quyền truy cập/);
  assert.equal(await tile.getAttribute('data-freshness'), 'unconfirmed', 'no figure looks live');
  await wall.waitForTimeout(2_000);
  assert.equal(await wall.locator('.connection').getAttribute('data-state'), 'ended', 'no reconnecting');
  await wall.reload();
  assert.match(new URL(wall.url()).pathname, /^\/login/, 'the screen has no session any more');
  assert.deepEqual(problems.filter((p) => !/401|403/.test(p)), []);
  await wall.close();
  await admin.close();
});

test('a wall refused when it reconnects says its access ended and stops trying', async () => {
  const token = server.displayToken('Tường thu hồi khi máy chủ tắt');
  const { page: wall, problems } = await openPage(browser, server.wall('/', token));
  await wall.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
  // revoked while the server is down: no one closes the screen's socket with 4003; it
  // learns at its next upgrade, which is refused with 401
  await server.stop();
  await wall.locator('.connection[data-state="reconnecting"]').waitFor({ timeout: 10_000 });
  server.revokeDisplay('Tường thu hồi khi máy chủ tắt');
  await server.launch();
  await wall.locator('.connection[data-state="ended"]').waitFor({ timeout: 40_000 });
  assert.match(await wall.locator('.connection').innerText(), /hết quyền truy cập/);
  let attempts = 0;
  wall.on('websocket', () => (attempts += 1));
  await wall.waitForTimeout(5_000);
  assert.equal(attempts, 0, 'no more attempts to connect');
  assert.equal(await wall.locator('.connection').getAttribute('data-state'), 'ended');
  const unexpected = problems.filter((p) => !/ERR_CONNECTION_REFUSED|WebSocket connection|live: |401/.test(p));
  assert.deepEqual(unexpected, []);
  await wall.close();
});
