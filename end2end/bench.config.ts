// The first-load benchmark (scripts/bench-first-load.sh): the e2e server setup, its own folder,
// one worker, no retries; it prints figures rather than asserting them.
import base from './playwright.config';
import { defineConfig } from '@playwright/test';

export default defineConfig({
  ...base,
  testDir: './bench',
  workers: 1,
  timeout: 180_000,
});
