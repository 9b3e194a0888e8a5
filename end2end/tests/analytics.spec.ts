// Certification statistics on the results page: the funnel and the score distribution are
// accessible SVG charts (title, description, the numbers as a table), the per-question table
// lists facility and discrimination, and the page passes axe.
import { expect, test } from '@playwright/test';
import { axeViolations, signIn } from './support/admin';
import { AdminApi } from './support/api';
import { hydrated } from './support/telegram';

test('a certification with no attempts yet shows its funnel and says what will appear', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const person = await api.freshEmployee('Стат');
  const id = await api.createCertification({ title: `Статистика ${Date.now()}`, assignTo: person.name });
  await signIn(page);
  await page.goto(`/admin/certifications/${id}/results`);
  await hydrated(page);
  const section = page.getByTestId('cert-stats');
  const funnel = section.getByTestId('funnel-chart');
  await expect(funnel).toBeVisible();
  await expect(funnel.locator('title')).toHaveText(/Воронка/);
  await expect(funnel.locator('desc')).toContainText('Назначено: 1');
  await expect(section.getByTestId('stats-empty')).toBeVisible();
  // The toggle refetches without losing the section.
  await section.getByLabel('Только первые попытки').check();
  await expect(section.getByTestId('funnel-chart')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
});
