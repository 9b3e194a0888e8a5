// The admin home's dashboard: an open certification shows with who has not passed yet, the
// 30-day activity is an accessible chart (title, description, the numbers as a table), and the
// page passes axe. A section without the certifications module shows no dashboard.
import { expect, test } from '@playwright/test';
import { axeViolations, signIn } from './support/admin';
import { AdminApi } from './support/api';
import { hydrated } from './support/telegram';

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
  await expect(chart.locator('title')).toHaveText('Активность за 30 дней');
  await expect(chart.locator('desc')).toContainText('Завершено попыток');
  await expect(dash.locator('table.visually-hidden tbody tr')).toHaveCount(30);
  expect(await axeViolations(page)).toEqual([]);
});
