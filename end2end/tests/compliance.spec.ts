// The compliance matrix: a person assigned a certification shows as "not started" under it,
// the state filter narrows the rows, the CSV and XLSX exports hold exactly the filtered rows,
// and the page passes axe.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { axeViolations, signIn } from './support/admin';
import { AdminApi } from './support/api';
import { hydrated } from './support/telegram';

test('the matrix shows who has not started, filters by state and exports what it shows', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const person = await api.freshEmployee('Матрицев');
  const title = `Соответствие ${Date.now()}`;
  await api.createCertification({ title, assignTo: person.name });

  await signIn(page);
  await page.goto('/admin/certifications');
  await hydrated(page);
  await page.getByTestId('compliance-link').click();
  await expect(page).toHaveURL(/\/admin\/compliance$/);
  await hydrated(page);
  const table = page.getByTestId('compliance-table');
  await expect(table.locator('thead')).toContainText(title);
  const row = page.getByTestId('compliance-row').filter({ hasText: person.name });
  await expect(row).toContainText('не начато');
  await expect(page.getByTestId('by-branch')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);

  // Only people with something passed: this person is gone from the rows.
  await page.getByLabel('Состояние').selectOption({ label: 'сдано' });
  await expect(page.getByTestId('compliance-row').filter({ hasText: person.name })).toHaveCount(0);
  await page.getByLabel('Состояние').selectOption({ label: 'не начато' });
  await expect(row).toBeVisible();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('compliance-export').click(),
  ]);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const lines = csv.trim().split('\r\n');
  expect(lines[0]).toContain(title);
  const mine = lines.filter((l) => l.includes(person.name));
  expect(mine).toHaveLength(1);
  expect(mine[0]).toContain('не начато');
  // Every exported row has a "not started" cell, as the filter asks.
  for (const l of lines.slice(1)) expect(l).toContain('не начато');

  // The same rows as a real Excel workbook: a bold header, then the filtered people.
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('compliance-export-xlsx').click(),
  ]);
  expect(xlsx.suggestedFilename()).toBe('compliance.xlsx');
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile((await xlsx.path())!);
  const sheet = book.getWorksheet('compliance')!;
  expect(sheet.getRow(1).getCell(1).value).toBe('Сотрудник');
  expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
  const header = (sheet.getRow(1).values as unknown[]).map(String);
  expect(header).toContain(title);
  expect(sheet.rowCount).toBe(lines.length);
  const names: string[] = [];
  sheet.eachRow((r, n) => { if (n > 1) names.push(String(r.getCell(1).value)); });
  expect(names.filter((n) => n === person.name)).toHaveLength(1);
});
