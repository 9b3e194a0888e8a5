// SCIM 2.0 as an admin connects an identity provider: a key with the `scim` scope provisions a
// person over /scim/v2 (as Entra ID would); the person shows in the users list without a
// Telegram account, and their card makes a one-time invite link to pass on; the SCIM section
// of the integrations page is clean under axe.
import { expect, test } from '@playwright/test';
import { axeViolations, signIn } from './support/admin';
import { hydrated } from './support/telegram';

test('a provisioned person gets an invite link from their card', async ({ page, baseURL, request }) => {
  await signIn(page);
  await page.goto('/admin/api-keys');
  await hydrated(page);
  await page.getByLabel('Название').fill(`Entra ID ${Date.now()}`);
  await page.locator('#scope-scim').check();
  await page.getByTestId('api-key-create').click();
  await expect(page.getByTestId('api-key-secret-value')).toBeVisible();
  const secret = (await page.getByTestId('api-key-secret-value').textContent())!.trim();

  const stamp = Date.now();
  const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/scim+json' };
  const created = await request.post(`${baseURL}/scim/v2/Users`, {
    headers,
    data: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `pat.${stamp}@contoso.com`,
      externalId: `pat-${stamp}`,
      name: { givenName: 'Пат', familyName: `Провиженов${stamp}` },
      active: true,
    },
  });
  expect(created.status()).toBe(201);
  expect(created.headers()['content-type']).toBe('application/scim+json');
  const id = (await created.json()).id as string;
  const found = await request.get(
    `${baseURL}/scim/v2/Users?filter=${encodeURIComponent(`userName eq "PAT.${stamp}@contoso.com"`)}`,
    { headers },
  );
  expect((await found.json()).totalResults).toBe(1);

  await page.goto(`/admin/users/${id}`);
  await hydrated(page);
  await expect(page.getByTestId('card-name')).toContainText(`Провиженов${stamp}`);
  const invite = page.getByTestId('telegram-invite');
  await expect(invite).toContainText('не привязан');
  await expect
    .poll(async () => {
      if (!(await page.getByTestId('telegram-invite-url').isVisible())) {
        await page.getByTestId('telegram-invite-make').click();
      }
      return page.getByTestId('telegram-invite-url').isVisible();
    }, { timeout: 15_000 })
    .toBe(true);
  await expect(page.getByTestId('telegram-invite-url')).toHaveValue(/^https:\/\/t\.me\/[A-Za-z0-9_]+\?start=link_[0-9a-f]{48}$/);

  // Deleting over SCIM deactivates: the card no longer offers a link.
  const gone = await request.delete(`${baseURL}/scim/v2/Users/${id}`, { headers });
  expect(gone.status()).toBe(204);
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('card-name')).toBeVisible();
  await expect(page.getByTestId('telegram-invite')).toHaveCount(0);
});

test('the SCIM section says where to connect and saves the userName mapping', async ({ page }) => {
  await signIn(page);
  await page.goto('/admin/webhooks');
  await hydrated(page);
  const section = page.getByTestId('scim');
  await expect(section).toContainText('/scim/v2');
  await expect(section.getByLabel('Логином (например, UPN или e-mail)')).toBeChecked();
  await section.getByTestId('scim-save').click();
  await expect(section.getByRole('status')).toContainText('Сохранено');
  expect(await axeViolations(page)).toEqual([]);
});
