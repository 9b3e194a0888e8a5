import { expect, test, type Page } from '@playwright/test';
import { hydrated } from './support/telegram';
import { AdminApi } from './support/api';
import { axeViolations } from './support/admin';

const ADMIN = { login: 'admin', password: 'e2e-Admin-password-1' };
const MANAGER = { login: 'manager', password: 'e2e-Manager-password-1' };

async function signIn(page: Page, who: { login: string; password: string }) {
  await page.goto('/admin/login');
  await hydrated(page);
  await page.getByLabel('Логин').fill(who.login);
  await page.getByLabel('Пароль').fill(who.password);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('sidebar-modules')).toBeVisible();
  // Signing in loads /admin as a new document: clicks before it hydrates would be lost.
  await hydrated(page);
}

function modules(page: Page) {
  return page.getByTestId('sidebar-modules').locator('[data-module]');
}

test('the admin signs in, sees every module, edits the profile and signs out', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(modules(page)).toHaveCount(7);

  await page.getByTestId('account-button').click();
  await page.getByRole('menuitem', { name: 'Профиль' }).click();
  await expect(page).toHaveURL(/\/admin\/profile$/);
  await expect(page.getByTestId('profile-telegram-id')).toHaveText('100000001');
  await expect(page.getByTestId('profile-role')).toHaveText('Администратор');

  await page.getByLabel('Имя').fill('Алиса');
  await page.getByLabel('Фамилия').fill('Новикова');
  await page.getByTestId('save-profile').click();
  await expect(page.getByTestId('toast').first()).toHaveText('Сохранено');
  await expect(page.getByTestId('profile-name')).toHaveText('Алиса Новикова');

  await page.reload();
  await expect(page.getByTestId('profile-name')).toHaveText('Алиса Новикова');
  await expect(page.getByLabel('Имя')).toHaveValue('Алиса');

  // An empty first name is refused with a message, and nothing changes.
  await hydrated(page);
  await page.getByLabel('Имя').fill('   ');
  await page.getByTestId('save-profile').click();
  await expect(page.locator('#field-first_name-error')).toHaveText('Введите имя.');
  await page.reload();
  await expect(page.getByTestId('profile-name')).toHaveText('Алиса Новикова');

  await hydrated(page);
  await page.getByTestId('account-button').click();
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/admin\/login$/);
  await page.goto('/admin/profile');
  await expect(page).toHaveURL(/\/admin\/login$/);
});

test('a manager sees only the modules a manager may open', async ({ page }) => {
  await signIn(page, MANAGER);
  const names = await modules(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-module')));
  expect(names).toEqual(['certifications', 'question_bank', 'users', 'gamification']);
  await page.goto('/admin/settings');
  await expect(page.getByRole('alert')).toContainText('Этот раздел вам не открыт');
});

test('a wrong password is refused with a message', async ({ page }) => {
  await page.goto('/admin/login');
  await hydrated(page);
  await page.getByLabel('Логин').fill('admin');
  await page.getByLabel('Пароль').fill('not-the-password-1');
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('error-notice')).toHaveText('Неверный логин или пароль.');
  await expect(page).toHaveURL(/\/admin\/login$/);
});

test('no admin page scrolls sideways at 1440 or 1024 px, each names itself in the tab, and each passes axe', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const api = await AdminApi.signIn(baseURL!);
  const who = await api.freshEmployee('Ширина');
  const id = await api.createCertification({ title: `Ширина страниц ${Date.now()}`, assignTo: who.name });
  await signIn(page, ADMIN);
  const paths = [
    '/admin', '/admin/certifications', `/admin/certifications/${id}`, `/admin/certifications/${id}/results`,
    '/admin/compliance', '/admin/questions', '/admin/users', `/admin/users/${who.id}`, '/admin/gamification',
    '/admin/audit', '/admin/api-keys', '/admin/webhooks', '/admin/settings', '/admin/profile',
  ];
  const problems: string[] = [];
  for (const width of [1440, 1024]) {
    await page.setViewportSize({ width, height: 900 });
    for (const path of paths) {
      await page.goto(path);
      await hydrated(page);
      await page.locator('main h1').first().waitFor();
      const by = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (by > 0) problems.push(`${width} ${path}: ${by}px wider`);
      const title = await page.title();
      if (!/ — Аттестация$/.test(title)) problems.push(`${path}: title "${title}"`);
      if (width === 1440) {
        const violations = await axeViolations(page);
        if (violations.length > 0) problems.push(`${path}: ${JSON.stringify(violations)}`);
      }
    }
  }
  expect(problems).toEqual([]);
});

test('a lazy page counts as hydrated only once its own chunk is live', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const who = await api.freshEmployee('Медленный');
  await signIn(page, ADMIN);
  // A slow network: every split chunk arrives a second late, long after the shell has hydrated.
  await page.route('**/pkg/chunk_*', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await route.continue();
  });
  await page.goto(`/admin/users/${who.id}`);
  await hydrated(page);
  // One edit, no retries: if the mark came before the card's handlers, this input is lost.
  await page.getByLabel('Имя', { exact: true }).fill('Медленная');
  await expect(page.getByTestId('save-user-state')).toHaveText('Есть несохранённые изменения');
});

test('the user card leads with certifications and says when a section has unsaved changes', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const who = await api.freshEmployee('Карточкин');
  const title = `Карточка ${Date.now()}`;
  await api.createCertification({ title, assignTo: who.name });
  await signIn(page, ADMIN);
  await page.goto(`/admin/users/${who.id}`);
  await hydrated(page);
  const first = page.locator('section.card').first();
  await expect(first.getByTestId('card-progress')).toContainText(title);
  await expect(first.getByTestId('card-state').first()).toHaveText('Не начата');
  const save = page.getByTestId('save-user');
  await expect(save).toBeDisabled();
  await expect(page.getByTestId('save-user-state')).toHaveText('Изменений нет');
  await page.getByLabel('Имя', { exact: true }).fill('Карточкина');
  await expect(page.getByTestId('save-user-state')).toHaveText('Есть несохранённые изменения');
  await save.click();
  await expect(page.getByTestId('save-user-state')).toHaveText('Изменений нет');
  await expect(page.getByTestId('card-name')).toContainText('Карточкина');
});
