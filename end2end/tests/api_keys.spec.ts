// API keys in the admin panel: a key made with one scope shows its secret once, works against
// the REST API at once and stops at once when revoked; the API docs render from our own assets.
import { expect, test } from '@playwright/test';
import { signIn } from './support/admin';
import { hydrated } from './support/telegram';

test('an admin creates a key, uses it once and revokes it', async ({ page, baseURL, request }) => {
  await signIn(page);
  await page.goto('/admin/api-keys');
  await hydrated(page);
  const name = `HR-синхронизация ${Date.now()}`;
  await page.getByLabel('Название').fill(name);
  // Without a scope the form says which field is wrong.
  await page.getByTestId('api-key-create').click();
  await expect(page.locator('#field-scopes-error')).toContainText('право');
  await page.locator('#scope-users-read').check();
  await page.getByTestId('api-key-create').click();
  const secret = (await page.getByTestId('api-key-secret-value').textContent())!.trim();
  expect(secret).toMatch(/^at_live_[0-9a-f]{64}$/);
  await page.getByTestId('api-key-secret').getByRole('button', { name: 'Закрыть' }).last().click();
  await expect(page.getByTestId('api-key-secret')).toHaveCount(0);
  const row = page.getByTestId('api-key-row').filter({ hasText: name });
  await expect(row).toContainText('users:read');
  await expect(row).not.toContainText(secret.slice(8, 20));

  const ok = await request.get(`${baseURL}/api/v1/users?limit=1`, { headers: { authorization: `Bearer ${secret}` } });
  expect(ok.status()).toBe(200);
  const denied = await request.get(`${baseURL}/api/v1/positions`, { headers: { authorization: `Bearer ${secret}` } });
  expect(denied.status()).toBe(403);
  expect(denied.headers()['content-type']).toBe('application/problem+json');

  await row.getByTestId('api-key-revoke').click();
  await page.getByTestId('api-key-revoke-submit').click();
  await expect(row).toContainText('Отозван');
  const revoked = await request.get(`${baseURL}/api/v1/users?limit=1`, { headers: { authorization: `Bearer ${secret}` } });
  expect(revoked.status()).toBe(401);
});

test('the API documentation renders offline from the served OpenAPI document', async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) external.push(r.url());
  });
  await page.goto('/api/docs/');
  await expect(page.locator('.swagger-ui .info .title')).toContainText('Attest API');
  await expect(page.locator('.opblock-tag').first()).toBeVisible();
  expect(external).toEqual([]);
});
