// Certification statistics on the results page: the funnel and the score distribution are
// accessible charts (title, description, the numbers as a table), the per-question table
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
  await expect(funnel.locator('figcaption')).toHaveText(/Воронка/);
  await expect(funnel).toHaveAccessibleName(/Воронка/);
  await expect(funnel).toHaveAccessibleDescription(/Назначено: 1/);
  // The bars fill the section's width.
  const chart = await funnel.boundingBox();
  const box = await section.boundingBox();
  expect(chart!.width).toBeGreaterThan(box!.width * 0.8);
  await expect(section.getByTestId('stats-empty')).toBeVisible();
  // The toggle refetches without losing the section.
  await section.getByLabel('Только первые попытки').check();
  await expect(section.getByTestId('funnel-chart')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
});
