// A person's card shows their timeline (points, attempts, badges, newest first) and their
// points over time as an accessible chart; the card passes axe.
import { expect, test } from '@playwright/test';
import { axeViolations, signIn } from './support/admin';
import { AdminApi } from './support/api';
import { hydrated } from './support/telegram';

test('the card shows the timeline and the points chart', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const person = await api.freshEmployee('Хронов');
  await api.call('users/points', { id: String(person.id), delta: '12', reason: 'Наставничество' });
  await api.call('users/points', { id: String(person.id), delta: '-2', reason: 'Исправление' });

  await signIn(page);
  await page.goto(`/admin/users/${person.id}`);
  await hydrated(page);
  const timeline = page.getByTestId('timeline');
  const items = timeline.getByTestId('timeline-item');
  await expect(items.first()).toContainText('Исправление');
  await expect(items.nth(1)).toContainText('+12 · Наставничество');
  const chart = timeline.getByTestId('points-chart');
  await expect(chart.locator('title')).toHaveText('Баллы со временем');
  await expect(chart.locator('desc')).toContainText('сейчас 10');
  expect(await axeViolations(page)).toEqual([]);
});
