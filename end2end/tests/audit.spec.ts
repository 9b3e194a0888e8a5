// The audit log page: filters by actor and kind, the entry's before/after, and the CSV export
// of exactly what is filtered.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { MANAGER, signIn } from './support/admin';
import { AdminApi } from './support/api';
import { hydrated } from './support/telegram';

test('the audit log filters by actor and kind and exports the filtered rows', async ({ page, baseURL }) => {
  const admin = await AdminApi.signIn(baseURL!);
  const person = await admin.freshEmployee('Аудитный');
  await admin.call('users/points', { id: String(person.id), delta: '7', reason: 'За проверку аудита' });
  await admin.json('users/update', {
    id: person.id,
    edit: { first_name: 'Аудитный', last_name: person.name.split(' ')[1], role: 'manager', status: 'active', position: null, branch: null },
  });
  // Another actor: the manager changes their own notification choices.
  const manager = await AdminApi.signIn(baseURL!, MANAGER);
  await manager.json('notifications/mine/save', { surface: 'admin', muted: ['reminder'] });

  await signIn(page);
  await page.goto('/admin/audit');
  await hydrated(page);
  const rows = page.getByTestId('audit-table').locator('tbody tr');

  // Search by the person's name: the three entries about them (added, points, role).
  await page.getByLabel('Поиск').fill(person.name);
  await expect(rows).toHaveCount(3);
  // And of one kind.
  await page.getByLabel('Действие').selectOption({ label: 'Пользователь изменён' });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-action', 'user_edited');
  await expect(rows.first()).toContainText('Роль: сотрудник → руководитель');
  // The entry's before and after.
  await rows.first().getByTestId('audit-details').click();
  const diff = page.getByTestId('audit-entry').getByTestId('audit-diff');
  await expect(diff).toContainText('Роль');
  await expect(diff.locator('.diff-before').first()).toBeVisible();
  await expect(diff).toContainText('руководитель');
  await page.keyboard.press('Escape');

  // The export holds exactly the filtered rows.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('audit-export').click(),
  ]);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const lines = csv.trim().split('\r\n');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain('user_edited');
  expect(lines[1]).toContain(person.name);

  // By actor: only the manager's entries.
  await page.getByLabel('Поиск').fill('');
  await page.getByLabel('Действие').selectOption({ label: 'Все типы' });
  await page.getByLabel('Кто').fill('Руководова');
  // The rows of the previous filter stay until the new page arrives: wait for the new ones.
  await expect
    .poll(async () => {
      const shown = await page.getByTestId('audit-actor').allTextContents();
      return shown.length > 0 && shown.every((a) => a.includes('Руководова'));
    }, { timeout: 10_000 })
    .toBe(true);
  const actors = await page.getByTestId('audit-actor').allTextContents();
  await expect(page.locator('tbody tr[data-action="notifications_muted"]').first()).toBeVisible();
  const [second] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('audit-export').click(),
  ]);
  const byActor = readFileSync((await second.path())!, 'utf8').trim().split('\r\n').slice(1);
  expect(byActor.length).toBe(actors.length < 50 ? actors.length : byActor.length);
  for (const line of byActor) expect(line).toContain('Руководова');
});
