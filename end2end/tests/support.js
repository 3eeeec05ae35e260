// Starts the real `ioc` binary on a free port with its own database, and a headless
// Debian Chromium driven by playwright-core.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..');
// set by the test command; defaults to a debug build in ./target
export const iocBin = process.env.IOC_BIN || path.join(root, 'target', 'debug', 'ioc');
export const outputDir = path.join(root, 'end2end', 'output');
mkdirSync(outputDir, { recursive: true });

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export class Server {
  /** `demo`: run the demo feed with this many days of history (false: no feed), a round of
   * figures every `demoIntervalMs`. */
  static async start({ demo = false, port, demoIntervalMs = 1000 } = {}) {
    const dir = mkdtempSync(path.join(tmpdir(), 'ioc-e2e-'));
    const server = new Server(`sqlite://${path.join(dir, 'ioc.sqlite')}`, port ?? (await freePort()), demo);
    server.demoIntervalMs = demoIntervalMs;
    await server.launch();
    return server;
  }

  constructor(databaseUrl, port, demo) {
    this.databaseUrl = databaseUrl;
    this.port = port;
    this.demo = demo;
    this.base = `http://127.0.0.1:${port}`;
    this.log = '';
  }

  async launch() {
    const args = ['serve', '--addr', `127.0.0.1:${this.port}`, '--database-url', this.databaseUrl, '--demo-interval-ms', String(this.demoIntervalMs ?? 1000)];
    if (this.demo === false) args.push('--no-demo');
    else args.push('--demo-history-days', String(this.demo === true ? 30 : this.demo));
    this.process = spawn(iocBin, args, { cwd: root, env: { ...process.env, RUST_LOG: 'warn' } });
    this.process.stderr.on('data', (d) => (this.log += d));
    this.exited = new Promise((resolve) => this.process.on('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        const r = await fetch(`${this.base}/api/v1/health`);
        if (r.ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server did not start:\n${this.log}`);
  }

  /** Waits until the demo feed has sent its history and is live (health says so). */
  async demoLive(timeout = 240_000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const { demo } = await (await fetch(`${this.base}/api/v1/health`)).json();
      if (demo === 'live') return;
      if (Date.now() > deadline) throw new Error(`the demo feed is still ${demo}:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** A display token (a wall screen), made with the command line. */
  displayToken(name = 'e2e screen') {
    return execFileSync(iocBin, ['display', 'create', '--name', name, '--database-url', this.databaseUrl], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
  }

  /** Revokes the wall screen called `name` with the command line (as an administrator on
   * the server would, even while it is stopped). */
  revokeDisplay(name) {
    const list = execFileSync(iocBin, ['display', 'list', '--database-url', this.databaseUrl], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    const line = list.split('\n').find((l) => l.includes(name));
    const id = line && line.trim().split(/\s+/)[0];
    if (!id) throw new Error(`no display called ${name}:\n${list}`);
    execFileSync(iocBin, ['display', 'revoke', id, '--database-url', this.databaseUrl], { stdio: 'ignore' });
  }

  /** An administrator account, made with the command line; returns its password. */
  admin(username) {
    const password = `${username}-mật-khẩu-đủ-dài`;
    execFileSync(iocBin, ['admin', 'create', '--username', username, '--name', `Quản trị ${username}`, '--password-stdin', '--database-url', this.databaseUrl], {
      input: password + '\n',
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    return password;
  }

  /** The address of `path` for a wall screen: the display token is exchanged once. */
  wall(path, token) {
    const [p, q] = path.split('?');
    return `${this.base}${p}?display=${token}${q ? '&' + q : ''}`;
  }

  /** A token for `agency`, made with the command line as an administrator would. */
  token(agency) {
    return execFileSync(iocBin, ['token', 'create', '--agency', agency, '--database-url', this.databaseUrl], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
  }

  async post(token, observations) {
    const r = await fetch(`${this.base}/api/v1/observations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': `e2e-${Date.now()}-${Math.random()}`,
      },
      body: JSON.stringify({ observations }),
    });
    const body = await r.json();
    if (r.status !== 201) throw new Error(`ingest refused (${r.status}): ${JSON.stringify(body)}`);
    return body;
  }

  /** Signs `username` in, in a new page of `context`; returns the page. */
  async signIn(context, username, password) {
    const page = await context.newPage();
    await page.goto(this.base + '/login');
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await page.click('.login-form button[type=submit]');
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    return page;
  }

  /** Creates accounts through the administration screen, as an administrator would:
   * `users` are [username, role, agency ('' for none)], each with `password`. */
  async createUsers(browser, users, password) {
    const adminPassword = this.admin('quantri');
    const admin = await browser.newContext();
    const page = await this.signIn(admin, 'quantri', adminPassword);
    for (const [username, role, agency] of users) {
      await page.goto(this.base + '/admin?tab=users');
      await page.fill('form[action="/admin/users"] input[name=username]', username);
      await page.fill('form[action="/admin/users"] input[name=display_name]', `Người dùng ${username}`);
      await page.selectOption('form[action="/admin/users"] select[name=role]', role);
      if (agency) await page.selectOption('form[action="/admin/users"] select[name=agency]', agency);
      await page.fill('form[action="/admin/users"] input[name=password]', password);
      await page.click('form[action="/admin/users"] button[type=submit]');
      await page.waitForURL(/\/admin\?tab=users/);
    }
    await admin.close();
  }

  async stop() {
    if (this.process.exitCode === null) {
      this.process.kill('SIGTERM');
      await this.exited;
    }
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Opens a page that records console errors, warnings and page errors. */
export async function openPage(browser, url, viewport = { width: 1440, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, problems };
}

/** Today's date in Vietnam, YYYY-MM-DD. */
export function todayInVietnam() {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}
