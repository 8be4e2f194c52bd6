// Browser tests for the portal: every page through axe-core, ARIA snapshots, keyboard journeys, reflow.
//
// Run through `e2e/run` (installs what is missing, covers SQLite and, when DATABASE_URL is set, PostgreSQL),
// or `npm test` here once `target/debug/portal` is built.
//
// The config is evaluated in the runner process and again in every worker. The port and the data directory
// are chosen once, in the runner, and handed to the workers through the environment, so that all of them
// agree on the base URL.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { defineConfig } from '@playwright/test';

import { portalBin, serverEnv } from './fixtures/portal';

const root = path.resolve(__dirname, '..');

// A free port in 20000–40000 (or E2E_PORT). Probing needs an async listen(), so it runs in a child process.
function freePort(): string {
  const probe = `
    const net = require('node:net');
    const tryPort = (left) => {
      const port = 20000 + Math.floor(Math.random() * 20001);
      const server = net.createServer();
      server.once('error', () => (left > 0 ? tryPort(left - 1) : process.exit(1)));
      server.listen(port, '127.0.0.1', () => server.close(() => process.stdout.write(String(port))));
    };
    tryPort(50);`;
  return execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).trim();
}

if (!process.env.E2E_PORT) {
  process.env.E2E_PORT = freePort();
}
// The SMTP server the portal sends alerts through (fixtures/mail.ts reads what it received).
while (!process.env.E2E_SMTP_PORT || process.env.E2E_SMTP_PORT === process.env.E2E_PORT) {
  process.env.E2E_SMTP_PORT = freePort();
}
// A fresh data directory per run, created by the webServer command (so `--list` leaves nothing behind) and
// removed by fixtures/teardown.ts.
if (!process.env.E2E_DATA_DIR) {
  process.env.E2E_DATA_DIR = path.join(tmpdir(), `portal-e2e-${process.pid}-${randomBytes(6).toString('hex')}`);
  process.env.E2E_DATA_DIR_CREATED = '1';
}

const port = process.env.E2E_PORT;
const baseURL = `http://127.0.0.1:${port}`;
const backend = process.env.DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite';

export default defineConfig({
  testDir: 'tests',
  // One snapshot file per page and language, shared by both backends (no project name in the path).
  snapshotPathTemplate: '{testDir}/{testFileDir}/{testFileName}-snapshots/{arg}{ext}',
  fullyParallel: true,
  // CI machines have 2 cores, which Chromium keeps busy with two workers (four took as long: each test ran
  // at half the speed). E2E_WORKERS overrides.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: 0,
  reporter: 'list',
  timeout: 30_000,
  expect: {
    timeout: 5_000,
    // An ARIA snapshot is the whole tree: anything added, removed or moved on a page fails it (Playwright's
    // default would accept extra elements, so e.g. a new header link would go unnoticed).
    toMatchAriaSnapshot: { children: 'deep-equal' },
  },
  forbidOnly: !!process.env.CI,
  // In CI a missing snapshot is a failure; locally it is written (and the test still fails once).
  updateSnapshots: process.env.CI ? 'none' : 'missing',
  // Issues the cards the tests sign in with (after the server is up).
  globalSetup: './fixtures/setup.ts',
  globalTeardown: './fixtures/teardown.ts',
  use: {
    baseURL,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    trace: 'retain-on-failure',
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  // One project per invocation, named after the backend the server runs on.
  projects: [{ name: backend }],
  webServer: [
    {
      // A real SMTP server (Debian's python3-aiosmtpd) that keeps every message in a Maildir.
      command: `mkdir -p -m 700 "${process.env.E2E_DATA_DIR}" && exec /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:${process.env.E2E_SMTP_PORT} -c aiosmtpd.handlers.Mailbox "${process.env.E2E_DATA_DIR}/smtp-maildir"`,
      cwd: root,
      port: Number(process.env.E2E_SMTP_PORT),
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // Demo mode: three demo cards on first start, and the demo card reader (fixtures/sign-in.ts).
      command: `mkdir -p -m 700 "${process.env.E2E_DATA_DIR}" && exec "${portalBin}" serve --demo`,
      cwd: root,
      env: serverEnv(),
      url: `${baseURL}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
