// Webhooks in the admin panel: a subscription to a local receiver shows its secret once; "Send a
// test" reaches the receiver signed with that secret (HMAC-SHA256 over "timestamp.body"), and
// the deliveries list shows a delivered one and a failed one (500, to be retried); a delivered
// one can be sent again by hand, with the same id.
import { expect, Locator, Page, test } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { signIn } from './support/admin';
import { hydrated } from './support/telegram';

type Got = { headers: IncomingHttpHeaders; body: string };

/// Opens a subscription's deliveries; a click that lands while the table is still hydrating
/// is lost, so it is clicked again until the list opens.
async function openDeliveries(page: Page, row: Locator) {
  const open = page.getByTestId('deliveries-open');
  await expect
    .poll(async () => {
      if (!(await open.isVisible())) await row.getByTestId('webhook-deliveries').click();
      return open.isVisible();
    }, { timeout: 10_000 })
    .toBe(true);
  await expect(page.getByTestId('deliveries')).toBeVisible();
}

test('an admin subscribes a receiver, sends a test and redelivers a failed one', async ({ page }) => {
  const got: Got[] = [];
  const statuses = [200, 500];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    await signIn(page);
    await page.goto('/admin/api-keys');
    await hydrated(page);
    await page.getByTestId('webhooks-link').click();
    await expect(page).toHaveURL(/\/admin\/webhooks$/);
    await hydrated(page);
    const name = `HR webhook ${Date.now()}`;
    await page.getByLabel('Название').fill(name);
    await page.getByLabel('Адрес (https)').fill(url);
    // Without an event the form says which field is wrong.
    await page.getByTestId('webhook-create').click();
    await expect(page.locator('#field-events-error')).toContainText('событие');
    await page.locator('#event-user-created').check();
    await page.getByTestId('webhook-create').click();
    const secret = (await page.getByTestId('webhook-secret-value').textContent())!.trim();
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    await page.getByTestId('webhook-secret').getByRole('button', { name: 'Закрыть' }).last().click();
    const row = page.getByTestId('webhook-row').filter({ hasText: name });
    await expect(row).toContainText('user.created');
    await expect(row.getByTestId('webhook-status')).toContainText('Включена');

    await row.getByTestId('webhook-ping').click();
    await expect.poll(() => got.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const first = got[0];
    const payload = JSON.parse(first.body);
    expect(payload.type).toBe('ping');
    const sig = String(first.headers['attest-signature']);
    const t = /t=(\d+)/.exec(sig)![1];
    const expected = createHmac('sha256', secret).update(`${t}.${first.body}`).digest('hex');
    expect(sig).toContain(`v1=${expected}`);
    expect(first.headers['attest-webhook-id']).toBe(payload.id);

    // The second test fails (500): the deliveries list says so once it is recorded.
    await row.getByTestId('webhook-ping').click();
    await expect.poll(() => got.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await expect
      .poll(async () => {
        await page.reload();
        await hydrated(page);
        await openDeliveries(page, row);
        return (await page.getByTestId('deliveries').textContent()) ?? '';
      }, { timeout: 15_000 })
      .toContain('500');
    await expect(page.getByTestId('deliveries')).toContainText('доставлено');
    await page.getByTestId('delivery-row').filter({ hasText: 'доставлено' }).first().getByTestId('delivery-redeliver').click();
    await expect.poll(() => got.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(got[2].body).id).toBe(payload.id);
  } finally {
    receiver.close();
  }
});

test('an admin sets up xAPI: a wrong address is refused and the password is never shown back', async ({ page }) => {
  await signIn(page);
  await page.goto('/admin/webhooks');
  await hydrated(page);
  const xapi = page.getByTestId('xapi');
  await xapi.getByLabel('Отправлять выписки').check();
  await xapi.getByLabel(/Адрес xAPI/).fill('ftp://lrs.example.com/xapi');
  await xapi.getByTestId('xapi-save').click();
  await expect(page.locator('#field-endpoint-error')).toContainText('https');
  await xapi.getByLabel(/Адрес xAPI/).fill('http://127.0.0.1:9/xapi');
  await xapi.getByLabel('Логин (Basic)').fill('lrs');
  await xapi.getByLabel('Пароль (Basic)').fill('lrs-password-9');
  await xapi.getByTestId('xapi-save').click();
  await expect(xapi.getByTestId('xapi-password-kept')).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('xapi').getByLabel('Пароль (Basic)')).toHaveValue('');
  await expect(page.getByTestId('xapi').getByLabel(/Адрес xAPI/)).toHaveValue('http://127.0.0.1:9/xapi');
  expect(await page.content()).not.toContain('lrs-password-9');
  // Off again, so other tests' events are not sent to nowhere.
  await page.getByTestId('xapi').getByLabel('Отправлять выписки').uncheck();
  await page.getByTestId('xapi').getByTestId('xapi-save').click();
  await expect(page.getByTestId('xapi').getByRole('status')).toBeVisible();
});
