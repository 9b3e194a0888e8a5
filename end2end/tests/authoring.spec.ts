import { expect, test, type Page } from '@playwright/test';
import { hydrated } from './support/telegram';
import { axeViolations, signIn } from './support/admin';
import { AdminApi } from './support/api';

async function titles(page: Page) {
  return page.getByTestId('blocks').getByTestId('block-title').allTextContents();
}

async function addTextBlock(page: Page, title: string) {
  await page.getByTestId('add-block').click();
  const form = page.getByTestId('block-form');
  await form.getByLabel('Заголовок блока').fill(title);
  await form.getByTestId('rt-block_body').click();
  await page.keyboard.type(`Текст блока «${title}».`);
  await form.getByTestId('save-block').click();
  await expect(page.getByTestId('blocks').getByTestId('block-title').filter({ hasText: title })).toBeVisible();
}

async function createCertification(page: Page, title: string): Promise<string> {
  await page.goto('/admin/certifications');
  await hydrated(page);
  await page.getByTestId('new-certification').click();
  await page.getByTestId('create-certification').getByLabel('Название').fill(title);
  await page.getByTestId('create-submit').click();
  await expect(page).toHaveURL(/\/admin\/certifications\/\d+$/);
  await expect(page.getByTestId('cert-title')).toHaveText(title);
  await hydrated(page);
  return page.url();
}

test('blocks are reordered by drag and by keyboard, and the order is kept', async ({ page }) => {
  await signIn(page);
  const url = await createCertification(page, `Порядок блоков ${Date.now()}`);
  for (const t of ['Первый', 'Второй', 'Третий']) await addTextBlock(page, t);
  expect(await titles(page)).toEqual(['Первый', 'Второй', 'Третий']);

  // Drag the third block above the first with the pointer.
  const handles = page.getByTestId('blocks').getByTestId('drag-handle');
  // The pointer acts within the viewport: bring the list into it (the settings above it grow).
  await page.getByTestId('blocks').scrollIntoViewIfNeeded();
  const from = (await handles.nth(2).boundingBox())!;
  const to = (await page.getByTestId('blocks').locator('li').first().boundingBox())!;
  // Each move is saved in the background: wait for the save before leaving the page.
  const reordered = () =>
    page.waitForResponse((r) => r.url().includes('/api/certifications/blocks/reorder') && r.ok());
  let saved = reordered();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2, to.y + 4, { steps: 12 });
  await page.mouse.up();
  await saved;
  await expect.poll(() => titles(page)).toEqual(['Третий', 'Первый', 'Второй']);
  await expect(page.getByTestId('reorder-announcement')).toContainText('позицию 1 из 3');

  await page.reload();
  await hydrated(page);
  await expect.poll(() => titles(page)).toEqual(['Третий', 'Первый', 'Второй']);

  // Keyboard: focus the handle of "Второй" and move it up twice.
  const second = page.getByTestId('blocks').locator('li').filter({ hasText: 'Второй' }).getByTestId('drag-handle');
  await second.focus();
  saved = reordered();
  await page.keyboard.press('ArrowUp');
  await saved;
  await expect(page.getByTestId('reorder-announcement')).toContainText('«Второй» перемещён на позицию 2 из 3');
  await expect.poll(() => titles(page)).toEqual(['Третий', 'Второй', 'Первый']);
  // The focus stays on the moved block's handle, so the arrows can be pressed again.
  await expect(page.locator(':focus')).toHaveAccessibleName(/«Второй», позиция 2 из 3/);
  saved = reordered();
  await page.keyboard.press('ArrowUp');
  await saved;
  await expect.poll(() => titles(page)).toEqual(['Второй', 'Третий', 'Первый']);

  await page.goto(url);
  await hydrated(page);
  await expect.poll(() => titles(page)).toEqual(['Второй', 'Третий', 'Первый']);
});

test('an open certification refuses a threshold change and keeps the value', async ({ page, context }) => {
  await signIn(page);
  const url = await createCertification(page, `Блокировка ${Date.now()}`);
  await addTextBlock(page, 'Теория');
  await page.getByTestId('create-question').click();
  const dialog = page.getByTestId('create-question-dialog');
  await dialog.getByTestId('rt-text').click();
  await page.keyboard.type('Сколько будет 2 + 2?');
  const options = dialog.locator('.option-text');
  await options.nth(0).fill('4');
  await options.nth(1).fill('5');
  await dialog.getByTestId('save-question').click();
  await expect(page.getByTestId('cert-questions').locator('li')).toHaveCount(1);

  // A second tab opens the certification while this one still shows the draft's form.
  const other = await context.newPage();
  await other.goto(url);
  await hydrated(other);
  await other.getByTestId('open-now').click();
  await expect(other.getByTestId('cert-status')).toHaveText('Открыта');
  await expect(other.getByLabel('Порог прохождения, %')).toBeDisabled();

  const threshold = page.getByLabel('Порог прохождения, %');
  await expect(threshold).toHaveValue('80');
  await threshold.fill('95');
  await page.getByTestId('save-settings').click();
  await expect(page.locator('#field-pass_threshold-error')).toHaveText(
    'Этот параметр нельзя менять после открытия аттестации.',
  );
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('Порог прохождения, %')).toHaveValue('80');
  await expect(page.getByLabel('Порог прохождения, %')).toBeDisabled();
});

test('a select shows its placeholder once, and the editor pages pass axe', async ({ page }) => {
  await signIn(page);
  await page.goto('/admin/questions');
  await hydrated(page);
  const kind = page.getByLabel('Тип вопроса');
  await expect(kind.locator('option')).toHaveCount(4);
  await expect(kind.locator('option', { hasText: 'Все типы' })).toHaveCount(1);
  // A filter's "All" is a real choice: not hidden, and the filter can always go back to it.
  await expect(kind.locator('option', { hasText: 'Все типы' })).not.toHaveAttribute('hidden', '');
  await kind.selectOption('ordering');
  await expect(kind.locator('option', { hasText: 'Все типы' })).toHaveCount(1);
  await kind.selectOption({ label: 'Все типы' });
  await expect(kind).toHaveValue('');
  expect(await axeViolations(page)).toEqual([]);

  await page.goto('/admin/questions/new');
  await hydrated(page);
  expect(await axeViolations(page)).toEqual([]);

  await page.goto('/admin/certifications');
  await hydrated(page);
  await page.getByRole('link', { name: 'Охрана труда и пожарная безопасность' }).click();
  await expect(page.getByTestId('cert-title')).toBeVisible();
  await hydrated(page);
  const target = page.getByLabel('Кого');
  await expect(target.locator('option', { hasText: 'Выберите…' })).toHaveCount(1);
  expect(await axeViolations(page)).toEqual([]);
});

test('closing asks first and says what it does; a closed certification reopens with a new close date', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const who = await api.freshEmployee('Закрытие');
  const title = `Закрытие ${Date.now()}`;
  const id = await api.createCertification({ title, assignTo: who.name });
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page);
  await page.goto(`/admin/certifications/${id}`);
  await hydrated(page);
  await expect(page.getByTestId('cert-status')).toHaveText('Открыта');
  // Closing sits apart from "Results", and asks.
  await expect(page.locator('.page-head').getByTestId('close')).toHaveCount(0);
  await page.getByTestId('close').click();
  const dialog = page.getByTestId('close-dialog');
  await expect(dialog).toContainText('Начатые попытки сразу завершатся');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('cert-status')).toHaveText('Открыта');
  await page.getByTestId('close').click();
  await dialog.getByTestId('close-submit').click();
  await expect(page.getByTestId('cert-status')).toHaveText('Закрыта');
  await expect(page.getByTestId('status-note')).toContainText('Аттестация закрыта');

  // Reopening needs a future close date.
  await page.getByTestId('reopen').click();
  const reopen = page.getByTestId('reopen-dialog');
  await reopen.getByTestId('reopen-submit').click();
  await expect(reopen).toContainText('Укажите новую дату закрытия.');
  const next = new Date(Date.now() + 7 * 86_400_000);
  const local = `${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}-${String(next.getDate()).padStart(2, '0')}T12:00`;
  await reopen.getByLabel('Новая дата закрытия').fill(local);
  await reopen.getByTestId('reopen-submit').click();
  await expect(page.getByTestId('cert-status')).toHaveText('Открыта');
  await expect(page.getByLabel('Дата закрытия')).toHaveValue(local);
  expect(await axeViolations(page)).toEqual([]);
});
