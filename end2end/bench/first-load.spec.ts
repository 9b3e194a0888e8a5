// First load and repeat visit of a Mini App theory page and the admin sign-in page, on
// Chromium throttled to 1.6 Mbit/s down, 750 kbit/s up and 150 ms latency: bytes on the wire
// (what the network carried, compressed), by kind, and the time until the page is hydrated
// (interactive). Printed, not asserted: scripts/bench-first-load.sh.
import { test, type BrowserContext, type Page } from '@playwright/test';
import { AdminApi } from '../tests/support/api';
import { initDataFor, openMiniApp } from '../tests/support/telegram';

type Load = { bytes: number; byKind: Record<string, number>; ms: number };

async function throttled(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6e6 / 8),
    uploadThroughput: (0.75e6 / 8),
  });
  const kinds = new Map<string, string>();
  const load: Load = { bytes: 0, byKind: {}, ms: 0 };
  cdp.on('Network.responseReceived', (e: any) => {
    const url: string = e.response.url;
    const kind = url.endsWith('.wasm') ? 'wasm' : url.endsWith('.js') ? 'js' : url.endsWith('.css') ? 'css'
      : e.type === 'Document' ? 'html' : e.type === 'Fetch' || e.type === 'XHR' ? 'data' : 'other';
    kinds.set(e.requestId, kind);
  });
  cdp.on('Network.loadingFinished', (e: any) => {
    const kind = kinds.get(e.requestId) ?? 'other';
    load.bytes += e.encodedDataLength;
    load.byKind[kind] = (load.byKind[kind] ?? 0) + e.encodedDataLength;
  });
  return load;
}

async function measure(page: Page, open: () => Promise<void>): Promise<Load> {
  const load = await throttled(page);
  const start = Date.now();
  await open();
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 120_000 });
  load.ms = Date.now() - start;
  return load;
}

function print(what: string, l: Load) {
  const kinds = Object.entries(l.byKind).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KB`).join(', ');
  console.log(`${what.padEnd(44)} ${(l.bytes / 1024).toFixed(0).padStart(6)} KB on the wire  interactive at ${(l.ms / 1000).toFixed(2)} s  (${kinds})`);
}

test('first load and repeat visit, throttled', async ({ browser, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const person = await api.freshEmployee('Замер');
  const id = await api.createCertification({ title: `Замер ${Date.now()}`, assignTo: person.name });
  const init = initDataFor(person.tg);

  // A launch and a later one in the same browser. The repeat visit is a later launch: the
  // first one is closed, with the pages it was still fetching in the background (over
  // HTTP/1.1 they would hold the browser's six connections).
  const launches = async (context: BrowserContext, over: string) => {
    const first = await context.newPage();
    print(`Mini App theory, first launch${over}`, await measure(first, () => openMiniApp(first, init, `/app/c/${id}`)));
    await first.close();
    const again = await context.newPage();
    print(`Mini App theory, repeat visit${over}`, await measure(again, () => openMiniApp(again, init, `/app/c/${id}`)));
    await context.close();
  };
  await launches(await browser.newContext(), '');
  // Through nginx over HTTP/2 (docs/DEPLOY.md): the page and every chunk on one connection.
  const h2 = process.env.BENCH_H2_URL;
  if (h2) await launches(await browser.newContext({ baseURL: h2 }), ', HTTP/2');

  // Baseline from the same run: the same page with compression refused, as before issue 13.
  const plain = await browser.newContext({ extraHTTPHeaders: { 'accept-encoding': 'identity' } });
  const raw = await plain.newPage();
  print('Mini App theory, uncompressed (base)', await measure(raw, () => openMiniApp(raw, init, `/app/c/${id}`)));
  await plain.close();

  const admin = await browser.newContext();
  const login = await admin.newPage();
  print('Admin sign-in page, first load', await measure(login, async () => { await login.goto('/admin/login'); }));
  const back = await admin.newPage();
  print('Admin sign-in page, repeat visit', await measure(back, async () => { await back.goto('/admin/login'); }));
  await admin.close();
});
