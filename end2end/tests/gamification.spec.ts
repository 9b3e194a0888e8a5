import { expect, test } from '@playwright/test';
import { AdminApi } from './support/api';
import { hydrated, initDataFor, openMiniApp } from './support/telegram';
import { signIn } from './support/admin';

const ANNA = { id: 100_000_011, first_name: 'Anna' };

async function openCard(page: import('@playwright/test').Page, name: string) {
  await page.goto('/admin/users');
  await hydrated(page);
  await page.getByLabel('Имя, @username или Telegram ID').fill(name);
  // The list shows "Surname Name".
  const shown = name.split(' ').reverse().join(' ');
  await page.getByTestId('users-table').getByRole('link', { name: shown }).click();
  await expect(page.getByTestId('card-name')).toHaveText(name);
  await hydrated(page);
}

test('a manual badge awarded with a reason appears in the Mini App', async ({ page, browser, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const name = `Наставник ${Date.now()}`;
  await api.json('gamification/badge', {
    badge: { id: 0, name, description: 'За помощь коллегам', icon_url: null, kind: 'manual', rule: null, rule_n: null, archived: false },
  });
  await signIn(page);
  await openCard(page, 'Анна Смирнова');
  await page.getByLabel('Выдать бейдж').selectOption({ label: name });
  await page.locator('#field-award_reason').fill('Помогла новому кассиру');
  await page.getByTestId('award-badge').click();
  await expect(page.getByTestId('card-badges')).toContainText(name);

  const phone = await browser.newContext();
  const mini = await phone.newPage();
  await openMiniApp(mini, initDataFor(ANNA), '/app/achievements');
  await expect(mini.getByTestId('badges-earned')).toContainText(name);
  await phone.close();
});

test('raising a level moves the points to its threshold', async ({ page, browser }) => {
  await signIn(page);
  await openCard(page, 'Анна Смирнова');
  await page.getByLabel('Установить уровень').selectOption({ label: '3 — Эксперт (500)' });
  await page.locator('#field-level_reason').fill('Перевод на новую должность');
  await page.getByTestId('apply-level').click();
  await expect(page.getByTestId('card-points')).toHaveText('500 баллов');
  await expect(page.getByTestId('card-level')).toHaveText('Уровень 3: Эксперт');

  const phone = await browser.newContext();
  const mini = await phone.newPage();
  await openMiniApp(mini, initDataFor(ANNA), '/app/achievements');
  await expect(mini.getByTestId('points')).toHaveText('500 баллов');
  await expect(mini.getByTestId('level')).toHaveText('Уровень 3: Эксперт');
  await phone.close();
});

test('a password set in the modal signs in', async ({ page, browser, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const tg = 300_000_000 + Math.floor(Math.random() * 1_000_000);
  const last = `Паролев${tg}`;
  await api.json('users/preregister', {
    person: { telegram_id: tg, first_name: 'Пётр', last_name: last, role: 'manager', position: null, branch: null },
  });
  await signIn(page);
  await openCard(page, `Пётр ${last}`);
  await page.getByTestId('password-button').click();
  const dialog = page.getByTestId('password-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Логин').fill(`petr${tg}`);
  await dialog.getByLabel('Новый пароль').fill('short1');
  await dialog.getByLabel('Повторите пароль').fill('short1');
  await dialog.getByTestId('password-submit').click();
  await expect(dialog.locator('#field-password-error')).toHaveText('Пароль должен быть не короче 10 символов.');
  await dialog.getByLabel('Новый пароль').fill('Strong-password-2026');
  await dialog.getByLabel('Повторите пароль').fill('Strong-password-2026');
  await dialog.getByTestId('password-submit').click();
  await expect(dialog).toHaveCount(0);

  const other = await browser.newContext();
  const p2 = await other.newPage();
  await signIn(p2, { login: `petr${tg}`, password: 'Strong-password-2026' });
  await expect(p2.getByTestId('sidebar-modules')).toContainText('Аттестации');
  await other.close();
});

test('the rating filters by branch', async ({ page }) => {
  await openMiniApp(page, initDataFor(ANNA), '/app/rating');
  await expect(page.getByTestId('rating').locator('li').first()).toBeVisible();
  const all = await page.getByTestId('rating').locator('li a').allTextContents();
  expect(all.length).toBeGreaterThanOrEqual(5);
  await page.getByLabel('Филиал').selectOption({ label: 'Казань' });
  await expect.poll(() => page.getByTestId('rating').locator('li a').allTextContents()).toEqual(['Елена Попова']);
  await expect(page.getByTestId('my-place')).toHaveCount(0);
});

test('my achievements chart the points over time and the progress per certification', async ({ browser, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const person = await api.freshEmployee('Графиков');
  const title = `Прогресс ${Date.now()}`;
  await api.createCertification({ title, assignTo: person.name });
  for (const [delta, reason] of [['30', 'первое'], ['-10', 'второе'], ['25', 'третье']]) {
    await api.call('users/points', { id: String(person.id), delta, reason });
  }
  const phone = await browser.newContext();
  const mini = await phone.newPage();
  await openMiniApp(mini, initDataFor(person.tg), '/app/achievements');
  await expect(mini.getByTestId('points')).toHaveText('45 баллов');
  const chart = mini.getByTestId('points-chart');
  await expect(chart).toBeVisible();
  await expect(chart.locator('title')).toHaveText('Баллы со временем');
  // The numbers are there for screen readers too, oldest first.
  await expect(mini.locator('table caption', { hasText: 'Баллы со временем' }).locator('..').locator('td')).toHaveText(['30', '20', '45']);
  const progress = mini.getByTestId('progress-chart');
  await expect(progress).toContainText(title);
  await expect(progress).toContainText('не начато');
  await expect(mini.getByTestId('progress-desc')).toContainText('Сдано 0 из 1');
  // A tap on a point says its value; the labels stay readable.
  await mini.getByTestId('chart-dot').first().click();
  await expect(mini.getByTestId('chart-readout')).toContainText('30 баллов');
  await expect(mini.locator('.chart-x span').first()).toHaveCSS('font-size', '12px');
  await phone.close();
});
