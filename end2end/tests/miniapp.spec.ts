import { expect, test } from '@playwright/test';
import { freshTelegramId, hydrated, initDataFor, openMiniApp } from './support/telegram';

// Demo employee (pre-registered by Telegram id; names set by the admin).
const ANNA = { id: 100_000_011, first_name: 'Anna', last_name: 'Telegram', username: 'anna_tg' };

test('a pre-registered employee sees their name after hydration, without a role line', async ({ page }) => {
  await openMiniApp(page, initDataFor(ANNA));
  await hydrated(page);
  await expect(page.getByTestId('greeting')).toHaveText('Здравствуйте, Анна Смирнова!');
  // An employee is not told their role (managers and admins are).
  await expect(page.getByTestId('role')).toHaveCount(0);
  // Telegram's theme reaches the page as CSS variables.
  const bg = await page.evaluate(() =>
    getComputedStyle(document.documentElement).getPropertyValue('--tg-theme-bg-color').trim(),
  );
  expect(bg).toBe('#fefefe');
  expect(await page.evaluate(() => (window as any).__tgCalls)).toContain('ready');
  // The session cookie is HttpOnly: invisible to scripts, but the server knows the user.
  expect(await page.evaluate(() => document.cookie)).not.toContain('attest_app');
  const me = await page.request.get('/auth/me');
  expect(me.status()).toBe(200);
  expect((await me.json()).telegram_id).toBe(ANNA.id);
});

test('a reload keeps the session and renders the name on the server', async ({ page }) => {
  await openMiniApp(page, initDataFor(ANNA));
  await expect(page.getByTestId('greeting')).toContainText('Анна');
  const html = await (await page.request.get('/app')).text();
  expect(html).toContain('Здравствуйте, Анна Смирнова!');
});

test('an unknown Telegram user is registered and waits for access', async ({ page }) => {
  const id = freshTelegramId();
  await openMiniApp(page, initDataFor({ id, first_name: 'Новичок' }));
  await expect(page.getByTestId('pending')).toContainText('Ожидание доступа');
  await expect(page.getByTestId('greeting')).toHaveCount(0);
  const me = await page.request.get('/auth/me');
  expect((await me.json()).status).toBe('pending');
});

test('forged initData shows the error screen', async ({ page }) => {
  const forged = initDataFor({ id: ANNA.id, first_name: 'Anna' }, { token: '1:not-our-bot' });
  await openMiniApp(page, forged);
  const error = page.getByTestId('auth-error');
  await expect(error).toContainText('Не удалось войти');
  await expect(error).toContainText('не прошли проверку');
  await expect(page.getByTestId('greeting')).toHaveCount(0);
  expect((await page.request.get('/auth/me')).status()).toBe(401);
});

test('expired initData shows the error screen', async ({ page }) => {
  const old = initDataFor(ANNA, { authDate: Math.floor(Date.now() / 1000) - 3 * 86400 });
  await openMiniApp(page, old);
  await expect(page.getByTestId('auth-error')).toContainText('устарели');
});

test('outside Telegram the app asks to be opened from Telegram', async ({ page }) => {
  await page.goto('/app');
  await hydrated(page);
  await expect(page.getByTestId('outside-telegram')).toBeVisible();
});
