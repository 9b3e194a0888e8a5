// The first-load benchmark (scripts/bench-first-load.sh): the e2e server setup, its own folder,
// one worker, no retries; it prints figures rather than asserting them. The script's nginx
// serves HTTP/2 with a throwaway certificate: Chromium trusts its key (BENCH_SPKI), so that
// a repeat visit is served from the cache as it would be from a real certificate.
import base from './playwright.config';
import { defineConfig } from '@playwright/test';

const launch = base.use?.launchOptions ?? {};
const spki = process.env.BENCH_SPKI;

export default defineConfig({
  ...base,
  testDir: './bench',
  workers: 1,
  timeout: 180_000,
  use: {
    ...base.use,
    launchOptions: {
      ...launch,
      args: [...(launch.args ?? []), ...(spki ? [`--ignore-certificate-errors-spki-list=${spki}`] : [])],
    },
  },
});
