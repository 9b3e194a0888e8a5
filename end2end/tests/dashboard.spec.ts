// The admin home's dashboard: an open certification shows with who has not passed yet, the
// 30-day activity is an accessible chart (title, description, the numbers as a table), and the
// page passes axe. A section without the certifications module shows no dashboard.
import { expect, test } from '@playwright/test';
import { axeViolations, signIn } from './support/admin';
import { AdminApi } from './support/api';
import { hydrated } from './support/telegram';
import ExcelJS from 'exceljs';

test('the dashboard lists open certifications and charts the last 30 days', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const person = await api.freshEmployee('Сводкин');
  const title = `Сводка ${Date.now()}`;
  await api.createCertification({ title, assignTo: person.name });

  await signIn(page);
  await page.goto('/admin');
  await hydrated(page);
  const dash = page.getByTestId('dashboard');
  const row = dash.getByTestId('dash-open-row').filter({ hasText: title });
  await expect(row).toBeVisible();
  await expect(row.locator('td').nth(1)).toHaveText(/^[1-9]\d*$/);
  const chart = dash.getByTestId('activity-chart');
  await expect(chart.locator('title#activity-title')).toHaveText('Активность за 30 дней');
  await expect(chart.locator('desc')).toContainText('Завершено попыток');
  await expect(dash.locator('.visually-hidden table tbody tr')).toHaveCount(30);
  // The chart fills its column, and a day's values show on hover.
  const plot = await chart.boundingBox();
  const column = await dash.boundingBox();
  expect(plot!.width).toBeGreaterThan(column!.width * 0.85);
  await dash.getByTestId('activity-day').last().hover();
  await expect(dash.getByTestId('activity-readout')).toContainText('попыток');
  // The first screen: completion, then who needs a push, linking into the matrix.
  await expect(dash.getByTestId('dash-completion')).toHaveText(/^\d+%$/);
  await expect(page.locator('.module-grid')).toHaveCount(0);
  await dash.locator('a.figure', { hasText: 'не сдали, срок' }).click();
  await expect(page).toHaveURL(/\/admin\/compliance\?due=7$/);
  await hydrated(page);
  await expect(page.getByLabel('Срок')).toHaveValue('7');
  await page.goto('/admin');
  await hydrated(page);
  // No blank space after the page: the screen-reader table takes none.
  const docHeight = await page.evaluate(() => document.documentElement.scrollHeight);
  const mainBottom = await page.evaluate(() => document.querySelector('main')!.getBoundingClientRect().bottom + window.scrollY);
  expect(docHeight - mainBottom).toBeLessThan(80);
  expect(await axeViolations(page)).toEqual([]);

  // The open certifications as a workbook, the same figures.
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    dash.getByTestId('dash-export-xlsx').click(),
  ]);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile((await xlsx.path())!);
  const sheet = book.getWorksheet('dashboard')!;
  expect(sheet.getRow(1).getCell(1).value).toBe('Аттестация');
  let found = false;
  sheet.eachRow((r) => {
    if (r.getCell(1).value === title) {
      found = true;
      expect(Number(r.getCell(3).value)).toBeGreaterThan(0);
    }
  });
  expect(found).toBe(true);
});

test('a badge awarded shows among the newest on the dashboard', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const person = await api.freshEmployee('Значков');
  const badge = `Звезда ${Date.now()}`;
  const id = await api.json('gamification/badge', {
    badge: { id: 0, name: badge, description: '', icon_url: null, kind: 'manual', rule: null, rule_n: null, archived: false },
  });
  await api.call('users/badges/award', { id: String(person.id), badge_id: String(id), reason: 'за пример' });
  await signIn(page);
  await page.goto('/admin');
  await hydrated(page);
  const item = page.getByTestId('dash-recent-item').filter({ hasText: badge });
  await expect(item).toContainText(person.name);
  await expect(item.getByRole('link', { name: person.name })).toHaveAttribute('href', `/admin/users/${person.id}`);
});
