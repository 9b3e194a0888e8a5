// The Mini App on a phone (360×740): nothing irreversible on one tap, and nothing wider than
// the screen (issue 31).
import { expect, test, type Page } from '@playwright/test';
import { axeViolations } from './support/admin';
import { AdminApi } from './support/api';
import { hydrated, initDataFor, openMiniApp } from './support/telegram';

test.use({ viewport: { width: 360, height: 740 } });

async function answer(page: Page, option: string) {
  await page.getByTestId('question').getByRole('radio', { name: option }).click();
  await expect(page.getByTestId('save-state')).toHaveText('Ответ сохранён ✓');
}

/** How far the page scrolls sideways (0: it fits the screen). */
async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('finishing with unanswered questions shows a summary and submits only from it', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const who = await api.freshEmployee('Итог');
  const id = await api.createCertification({
    title: `Итог ${Date.now()}`, questions: 2, orderingFirst: true, assignTo: who.name,
    settings: { min_read_secs: 0, shuffle_questions: false, time_limit_secs: 600 },
  });
  await openMiniApp(page, initDataFor(who.tg), `/app/c/${id}`);
  await page.getByTestId('go-to-test').click();
  // An ordering question: its order as shown can be confirmed as the answer.
  await expect(page.getByTestId('ordering')).toBeVisible();
  await page.getByTestId('confirm-order').click();
  await expect(page.getByTestId('save-state')).toHaveText('Ответ сохранён ✓');
  await expect(page.getByTestId('confirm-order')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Вопрос 1:/ })).toHaveClass(/answered/);

  // "Finish" opens the summary; going back submits nothing.
  await page.getByTestId('finish').click();
  const summary = page.getByTestId('summary');
  await expect(summary).toBeVisible();
  await expect(summary.getByTestId('summary-answered')).toHaveText('Отвечено: 1 из 3');
  await expect(summary.getByTestId('summary-unanswered')).toContainText('Без ответа: 2');
  await expect(summary.getByTestId('summary-time')).toContainText('Осталось времени');
  expect(await axeViolations(page)).toEqual([]);
  await summary.getByTestId('summary-back').click();
  await expect(summary).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/app/c/${id}/test`));

  // The summary links to an unanswered question.
  await page.getByTestId('finish').click();
  await summary.getByTestId('summary-go').first().click();
  await expect(page.getByTestId('question-count')).toHaveText('Вопрос 2 из 3');
  await answer(page, 'Да');
  expect(await overflow(page)).toBe(0);
  await page.getByTestId('finish').click();
  await expect(summary.getByTestId('summary-answered')).toHaveText('Отвечено: 2 из 3');
  await summary.getByTestId('finish-submit').click();
  await expect(page.getByTestId('verdict')).toBeVisible();
  await expect(page.getByTestId('score')).toHaveText('33%');
  expect(await overflow(page)).toBe(0);

  // The history says how it went and opens the result.
  await page.goto(`/app/c/${id}/history`);
  await hydrated(page);
  const row = page.getByTestId('history-row').first();
  await expect(row.getByTestId('history-verdict')).toHaveText('Не сдана');
  await row.click();
  await expect(page).toHaveURL(new RegExp(`/app/c/${id}/result/\\d+$`));
  await expect(page.getByTestId('score')).toHaveText('33%');
});

test('the rules come before the theory, and the home leads with what to do next', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const who = await api.freshEmployee('Правила');
  const title = `Правила ${Date.now()}`;
  const id = await api.createCertification({
    title, questions: 2, blocks: 2, assignTo: who.name,
    settings: { min_read_secs: 5, max_attempts: 2, pass_threshold: 70, time_limit_secs: 900, points: 40 },
  });
  await openMiniApp(page, initDataFor(who.tg), '/app');
  await hydrated(page);
  await expect(page.getByTestId('role')).toHaveCount(0);
  const next = page.getByTestId('next-step');
  await expect(next).toContainText(title);
  const card = page.getByTestId('my-certifications').locator('a', { hasText: title });
  await expect(card.getByTestId('rules')).toContainText('Время на тест: 15 минут. Пауза, когда вы выходите из теста');
  await expect(card.getByTestId('rules')).toContainText('Попыток осталось: 2 из 2');
  await expect(card.getByTestId('rules')).toContainText('Проходной результат: 70%');
  await expect(card.getByTestId('rules')).toContainText('За сдачу: 40');
  await next.getByTestId('next-step-go').click();
  await expect(page).toHaveURL(new RegExp(`/app/c/${id}/theory/1`));
  await expect(page.getByTestId('rules')).toContainText('Попыток осталось: 2 из 2');
  await expect(page.getByTestId('page-wait')).toContainText('Читайте ещё');
  // The last page names the page still to read and links to it.
  await page.getByTestId('next-page').click();
  await expect(page.getByTestId('page-count')).toHaveText('2 / 2');
  await expect(page.getByTestId('unread-page')).toHaveText('Ещё не прочитана страница 1');
  await page.getByTestId('unread-page').click();
  await expect(page.getByTestId('page-count')).toHaveText('1 / 2');
  expect(await overflow(page)).toBe(0);
});

test('no Mini App page scrolls sideways on a 360 px phone, and each passes axe', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const who = await api.freshEmployee('Узко');
  const id = await api.createCertification({
    title: `Узкий экран с довольно длинным названием аттестации ${Date.now()}`, questions: 2, assignTo: who.name,
    settings: { min_read_secs: 0 },
  });
  // A text the Mini App's pages do not carry (i18n::page_texts), or texts that did not load,
  // are logged by the page.
  const missing: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' && /no text for|texts did not load/.test(m.text())) missing.push(m.text()); });
  await openMiniApp(page, initDataFor(who.tg), '/app');
  await hydrated(page);
  const wide: string[] = [];
  for (const path of ['/app', `/app/c/${id}/theory/1`, '/app/achievements', '/app/rating', '/app/settings', `/app/c/${id}/history`]) {
    await page.goto(path);
    await hydrated(page);
    const by = await overflow(page);
    if (by > 0) wide.push(`${path}: ${by}px`);
    const violations = await axeViolations(page);
    if (violations.length > 0) wide.push(`${path}: ${JSON.stringify(violations)}`);
    if (path === '/app/settings') {
      // Each choice on its own line, with an example of what it sends.
      const examples = page.getByTestId('notification-example');
      expect(await examples.count()).toBeGreaterThan(3);
      await expect(examples.first()).toContainText('Например');
    }
  }
  expect(wide).toEqual([]);
  expect(missing).toEqual([]);
});
