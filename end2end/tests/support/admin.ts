import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { hydrated } from './telegram';

export const ADMIN = { login: 'admin', password: 'e2e-Admin-password-1' };
export const MANAGER = { login: 'manager', password: 'e2e-Manager-password-1' };

export async function signIn(page: Page, who = ADMIN) {
  await page.goto('/admin/login');
  await hydrated(page);
  await page.getByLabel('Логин').fill(who.login);
  await page.getByLabel('Пароль').fill(who.password);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('sidebar-modules')).toBeVisible();
  // Signing in loads /admin as a new document: clicks before it hydrates would be lost.
  await hydrated(page);
}

/** Runs axe-core (from npm) on the page; returns WCAG 2 A/AA violations (with the experimental
 * label-in-name rule). Evaluated through the debugger, so the page's CSP stays in force. */
export async function axeViolations(page: Page) {
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const result = await (window as any).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      rules: { 'label-content-name-mismatch': { enabled: true } },
    });
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n: any) => n.target.join(' ')).slice(0, 5),
    }));
  });
}
