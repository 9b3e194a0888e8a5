// The defects found when the product was tried as a new user would, checked in Chromium:
// the clock while the Mini App is hidden or closed, filters going back to "All", progress reset
// from the user card, one's own password, and readable colours under Telegram's light theme.
import { expect, request, test, type Page } from '@playwright/test';
import { ADMIN, axeViolations, signIn } from './support/admin';
import { AdminApi } from './support/api';
import { hydrated, initDataFor, openMiniApp, setHidden } from './support/telegram';

function seconds(text: string | null): number {
  const [m, s] = (text ?? '0:0').trim().split(':').map(Number);
  return m * 60 + s;
}

async function answer(page: Page, option: string) {
  await page.getByTestId('question').getByRole('radio', { name: option }).click();
  await expect(page.getByTestId('save-state')).toHaveText('Ответ сохранён ✓');
}

test('a Mini App hidden for longer than the time left keeps its attempt (pauses while away)', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const person = await api.freshEmployee('Фоновый');
  const id = await api.createCertification({
    title: `Фон ${Date.now()}`, questions: 2, assignTo: person.name,
    settings: { min_read_secs: 0, time_limit_secs: 8, timer_mode: 'pause_while_away', shuffle_questions: false },
  });
  await openMiniApp(page, initDataFor(person.tg), `/app/c/${id}`);
  await page.getByTestId('go-to-test').click();
  await expect(page.getByTestId('question')).toBeVisible();
  await answer(page, 'Да');
  await setHidden(page, true);
  const frozen = await page.getByTestId('timer').textContent();
  // The phone is locked for longer than the time that was left: the scenario itself takes time.
  await page.waitForTimeout(10_000);
  await expect(page.getByTestId('timer')).toHaveText(frozen!);
  expect(page.url()).toMatch(/\/test$/);
  await setHidden(page, false);
  // Back: the server says how much is left and the attempt goes on.
  await expect(page.getByTestId('question')).toBeVisible();
  const left = seconds(await page.getByTestId('timer').textContent());
  expect(left).toBeGreaterThan(2);
  expect(page.url()).toMatch(/\/test$/);
  // Only the server ends it: staying on the screen, the time runs out and the result follows.
  await expect(page).toHaveURL(/\/result\/\d+$/, { timeout: 30_000 });
  await expect(page.getByTestId('score')).toHaveText('50%');
  await expect(page.getByTestId('timed-out')).toBeVisible();
});

test('closing the app pauses the clock at once, without the presence grace', async ({ page, browser, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const person = await api.freshEmployee('Закрывший');
  const id = await api.createCertification({
    title: `Закрытие ${Date.now()}`, questions: 2, assignTo: person.name,
    settings: { min_read_secs: 0, time_limit_secs: 600, timer_mode: 'pause_while_away' },
  });
  await openMiniApp(page, initDataFor(person.tg), `/app/c/${id}`);
  await page.getByTestId('go-to-test').click();
  await expect(page.getByTestId('question')).toBeVisible();
  await answer(page, 'Да');
  const before = seconds(await page.getByTestId('timer').textContent());
  await page.close({ runBeforeUnload: true });
  // Away for less than the 10 s grace: without the leave beacon the server would count it.
  await new Promise((r) => setTimeout(r, 6_000));
  const context = await browser.newContext();
  const again = await context.newPage();
  await openMiniApp(again, initDataFor(person.tg), `/app/c/${id}`);
  await again.getByTestId('go-to-test').click();
  await expect(again.getByTestId('question')).toBeVisible();
  const after = seconds(await again.getByTestId('timer').textContent());
  expect(after).toBeGreaterThanOrEqual(before - 3);
  await context.close();
});

test('filters go back to "All"; a progress reset is reachable from the user card', async ({ page, browser, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const person = await api.freshEmployee('Сбросов');
  const id = await api.createCertification({
    title: `Сброс ${Date.now()}`, questions: 1, assignTo: person.name,
    settings: { min_read_secs: 0, max_attempts: 1 },
  });
  // The person uses their only attempt.
  const mini = await (await browser.newContext()).newPage();
  await openMiniApp(mini, initDataFor(person.tg), `/app/c/${id}`);
  await mini.getByTestId('go-to-test').click();
  await answer(mini, 'Нет');
  await mini.getByTestId('finish').click();
  await mini.getByTestId('finish-submit').click();
  await expect(mini.getByTestId('verdict')).toBeVisible();

  await signIn(page, ADMIN);
  await page.goto('/admin/users');
  await hydrated(page);
  const rows = page.getByTestId('users-table').locator('tbody tr');
  // Tests running in parallel add people meanwhile: follow this test's person, found by their
  // Telegram id (unique), and wait for the search to apply before filtering further.
  await page.getByLabel('Имя, @username или Telegram ID').fill(String(person.tg.id));
  const token = person.name.split(' ')[1];
  const theirs = rows.filter({ hasText: token });
  await expect(rows).toHaveCount(1);
  await expect(theirs).toHaveCount(1);
  await page.getByLabel('Роль').selectOption({ label: 'Руководитель' });
  await expect(theirs).toHaveCount(0);
  await page.getByLabel('Роль').selectOption({ label: 'Все роли' });
  await expect(rows).toHaveCount(1);
  await expect(theirs).toHaveCount(1);

  await page.goto(`/admin/users/${person.id}`);
  await hydrated(page);
  await page.getByTestId('card-reset').click();
  const dialog = page.getByTestId('card-reset-dialog');
  // Their only attempt is used, so the full review with the right answers was open to them.
  await expect(dialog.getByTestId('card-reset-reviewed')).toBeVisible();
  await dialog.getByLabel('Причина').fill('Сбой связи на экзамене');
  await dialog.getByTestId('card-reset-submit').click();
  await expect(dialog).toHaveCount(0);
  // The person may start again.
  await mini.goto(`/app/c/${id}`);
  await hydrated(mini);
  await expect(mini.getByTestId('go-to-test')).toBeEnabled();
  // A click that lands while the page is still wiring up is lost: click until the test opens.
  await expect
    .poll(async () => {
      if (!(await mini.getByTestId('question').isVisible())) {
        await mini.getByTestId('go-to-test').click({ timeout: 2_000 }).catch(() => {});
      }
      return mini.getByTestId('question').isVisible();
    }, { timeout: 15_000 })
    .toBe(true);
});

test('an admin changes their own password from the profile, knowing the current one', async ({ page, baseURL }) => {
  // Their own account: the shared admin is signed in by tests running in parallel.
  const who = await (await AdminApi.signIn(baseURL!)).freshAdmin();
  await signIn(page, who);
  await page.goto('/admin/profile');
  await hydrated(page);
  await page.getByTestId('own-password-button').click();
  const dialog = page.getByTestId('own-password-dialog');
  await dialog.getByLabel('Текущий пароль').fill('not-the-password-1');
  await dialog.getByLabel('Новый пароль').fill('Brand-new-password-2');
  await dialog.getByLabel('Повторите пароль').fill('Brand-new-password-2');
  await dialog.getByTestId('own-password-submit').click();
  await expect(dialog.getByText('Текущий пароль указан неверно.')).toBeVisible();
  await dialog.getByLabel('Текущий пароль').fill(who.password);
  await dialog.getByTestId('own-password-submit').click();
  await expect(dialog).toHaveCount(0);
  // The new password signs in (signIn asserts 200); the old one no longer does.
  await AdminApi.signIn(baseURL!, { login: who.login, password: 'Brand-new-password-2' });
  const ctx = await request.newContext({ baseURL, extraHTTPHeaders: { origin: new URL(baseURL!).origin } });
  const old = await ctx.post('/api/auth/admin_sign_in', { form: { login: who.login, password: who.password } });
  expect(old.status()).toBe(401);
  await ctx.dispose();
});

test('secondary text stays readable under a theme with a faint hint colour, and the sidebar passes axe', async ({ page, browser, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const person = await api.freshEmployee('Контраст');
  await openMiniApp(page, initDataFor(person.tg), '/app', { bg_color: '#ffffff', hint_color: '#999999' });
  await hydrated(page);
  await expect(page.getByTestId('greeting')).toBeVisible();
  const hint = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--hint').trim());
  expect(hint).not.toBe('#999999');
  expect((await axeViolations(page)).filter((v) => v.id === 'color-contrast')).toEqual([]);

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, ADMIN);
  expect(await axeViolations(admin)).toEqual([]);
});
