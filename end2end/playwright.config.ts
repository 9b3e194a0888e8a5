import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

// The test command (scripts/test.sh) passes two free ports (E2E_PORT, E2E_FAKE_TG_PORT);
// standalone runs pick random ones, and a database. The server is the debug build made by `cargo leptos build`.
// The config is evaluated again in every worker: what is chosen here goes into the
// environment the workers inherit.
process.env.E2E_PORT ??= String(20000 + Math.floor(Math.random() * 20000));
process.env.E2E_FAKE_TG_PORT ??= String(Number(process.env.E2E_PORT) + 1);
process.env.E2E_DATABASE_URL ??= `sqlite://${path.join(
  os.tmpdir(),
  `attest-e2e-${process.pid}-${process.env.E2E_PORT}.db`,
)}`;
const port = Number(process.env.E2E_PORT);
const databaseUrl = process.env.E2E_DATABASE_URL;
export const baseURL = `http://localhost:${port}`;
/** The fake Telegram Bot API the server sends to (its control API records every message). */
export const fakeTelegramURL = `http://127.0.0.1:${process.env.E2E_FAKE_TG_PORT}`;
const binDir = path.dirname(process.env.E2E_SERVER_BIN ?? 'target/debug/server');

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
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
  webServer: [{
    command: `${path.join(binDir, 'fake_telegram')} 127.0.0.1:${process.env.E2E_FAKE_TG_PORT}`,
    cwd: '..',
    url: `${fakeTelegramURL}/_calls`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { FAKE_TG_PER_CHAT_MS: '0', FAKE_TG_GLOBAL_PER_SEC: '1000' },
  }, {
    command: `${process.env.E2E_SERVER_BIN ?? 'target/debug/server'} --demo`,
    cwd: '..',
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      DATABASE_URL: databaseUrl,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: 'target/site',
      PUBLIC_URL: baseURL,
      TELEGRAM_BOT_TOKEN: process.env.E2E_BOT_TOKEN ?? '7000000001:E2E-test-token',
      // The bot talks to the fake Bot API: notifications are sent and their buttons tested.
      BOT_MODE: 'polling',
      TELEGRAM_API_URL: fakeTelegramURL,
      TELEGRAM_HTTP_BUTTONS: 'true',
      TELEGRAM_CHAT_SPACING_MS: '0',
      TELEGRAM_GLOBAL_RATE: '500',
      JOBS_TICK_MS: '200',
      // Webhook tests deliver to a receiver on loopback.
      OUTBOX_ALLOW_PRIVATE: 'true',
      TELEGRAM_WEB_APP_JS: 'none',
      DEMO_ADMIN_PASSWORD: 'e2e-Admin-password-1',
      DEMO_MANAGER_PASSWORD: 'e2e-Manager-password-1',
      // Every test signs in from this one address.
      PASSWORD_SIGN_INS_PER_IP_PER_MINUTE: '10000',
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
    },
  }],
});
