import { expect, test, type Page } from '@playwright/test';
import { AdminApi } from './support/api';
import { signIn } from './support/admin';
import { hydrated, initDataFor, openMiniApp, setHidden } from './support/telegram';

// Demo employees (pre-registered by Telegram id). Each test uses its own person and certification.
const IVAN = { tg: { id: 100_000_012, first_name: 'Ivan' }, name: 'Иван Петров' };
const MARIA = { tg: { id: 100_000_013, first_name: 'Maria' }, name: 'Мария Кузнецова' };
const OLEG = { tg: { id: 100_000_014, first_name: 'Oleg' }, name: 'Олег Васильев' };
const ELENA = { tg: { id: 100_000_015, first_name: 'Elena' }, name: 'Елена Попова' };

function seconds(text: string): number {
  const [m, s] = text.trim().split(':').map(Number);
  return m * 60 + s;
}

async function answer(page: Page, option: string) {
  await page.getByTestId('question').getByRole('radio', { name: option }).click();
  await expect(page.getByTestId('save-state')).toHaveText('Ответ сохранён ✓');
}

test('the test button activates after the reading time', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const id = await api.createCertification({
    title: `Чтение ${Date.now()}`, blocks: 2, settings: { min_read_secs: 3 }, assignTo: IVAN.name,
  });
  await openMiniApp(page, initDataFor(IVAN.tg), `/app/c/${id}`);
  await expect(page).toHaveURL(new RegExp(`/app/c/${id}/theory/1(#.*)?$`));
  await expect(page.getByTestId('page-count')).toHaveText('1 / 2');
  await expect(page.getByTestId('go-to-test')).toHaveCount(0);
  await page.getByTestId('next-page').click();
  await expect(page.getByTestId('page-count')).toHaveText('2 / 2');
  const go = page.getByTestId('go-to-test');
  await expect(go).toBeDisabled();
  await expect(page.getByTestId('read-wait')).toBeVisible();
  // The first page was left at once: it still needs its reading time.
  await page.getByRole('link', { name: 'Назад' }).click();
  await expect(page.getByTestId('page-count')).toHaveText('1 / 2');
  await page.waitForTimeout(3200);
  await page.getByTestId('next-page').click();
  await expect(go).toBeDisabled();
  await expect(page.getByTestId('read-wait')).toContainText('станет активной');
  await expect(go).toBeEnabled({ timeout: 10_000 });
  await go.click();
  await expect(page.getByTestId('question')).toBeVisible();
});

test('closing the app mid-test and coming back resumes the same attempt', async ({ page, browser, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const id = await api.createCertification({
    title: `Возобновление ${Date.now()}`, questions: 5, assignTo: MARIA.name,
    settings: { min_read_secs: 0, shuffle_questions: true, shuffle_options: true, time_limit_secs: 600 },
  });
  await openMiniApp(page, initDataFor(MARIA.tg), `/app/c/${id}`);
  const resumes: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/api/app/attempts/current')) resumes.push(r.url()); });
  await page.getByTestId('go-to-test').click();
  await expect(page.getByTestId('question')).toBeVisible();
  const q1 = await page.getByTestId('question').locator('.question-text').textContent();
  const q1Options = await page.getByTestId('choice').allTextContents();
  await answer(page, 'Нет');
  await page.getByTestId('next-question').click();
  const q2 = await page.getByTestId('question').locator('.question-text').textContent();
  await answer(page, 'Да');
  expect(resumes, 'a new attempt opens with the screen its start returned').toEqual([]);
  // On a fast machine both answers fit in the first second: wait until the clock has visibly
  // moved, so that "not reset to the full limit" below can fail.
  const timer = page.getByTestId('timer');
  await expect.poll(async () => seconds(await timer.textContent() ?? '10:00'), { timeout: 5_000 }).toBeLessThan(600);
  const timerBefore = seconds(await timer.textContent() ?? '0:0');
  await page.context().close();

  // Another device: a fresh browser context, a new launch from Telegram.
  const context = await browser.newContext();
  const again = await context.newPage();
  await openMiniApp(again, initDataFor(MARIA.tg), `/app/c/${id}`);
  await expect(again).toHaveURL(new RegExp(`/theory/1(#.*)?$`));
  const go = again.getByTestId('go-to-test');
  await expect(go).toHaveText('Продолжить тест');
  await expect(go).toBeEnabled();
  await go.click();
  await expect(again.getByTestId('question-count')).toHaveText('Вопрос 2 из 5');
  await expect(again.getByTestId('question').locator('.question-text')).toHaveText(q2!);
  await expect(again.getByTestId('question').getByRole('radio', { name: 'Да' })).toHaveAttribute('aria-checked', 'true');
  await again.getByRole('button', { name: /Вопрос 1:/ }).click();
  await expect(again.getByTestId('question').locator('.question-text')).toHaveText(q1!);
  expect(await again.getByTestId('choice').allTextContents()).toEqual(q1Options);
  await expect(again.getByTestId('question').getByRole('radio', { name: 'Нет' })).toHaveAttribute('aria-checked', 'true');
  const timerAfter = seconds(await again.getByTestId('timer').textContent() ?? '0:0');
  expect(timerAfter).toBeLessThanOrEqual(timerBefore);
  expect(timerAfter).toBeGreaterThan(timerBefore - 20);
  expect(timerAfter).toBeLessThan(600);
  await context.close();
});

test('time runs out on a slow network: unanswered count as wrong, no wrong verdict ever shows', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const id = await api.createCertification({
    title: `Время ${Date.now()}`, questions: 3, assignTo: OLEG.name,
    settings: { min_read_secs: 0, time_limit_secs: 6, timer_mode: 'continuous', shuffle_questions: false },
  });
  // Every verdict text that ever appears is recorded.
  await page.addInitScript(() => {
    (window as any).__verdicts = [];
    new MutationObserver(() => {
      const v = document.querySelector('[data-testid="verdict"]');
      const s = document.querySelector('[data-testid="score"]');
      if (v) (window as any).__verdicts.push(`${v.textContent}|${s?.textContent}`);
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  await openMiniApp(page, initDataFor(OLEG.tg), `/app/c/${id}`);
  await page.getByTestId('go-to-test').click();
  await expect(page.getByTestId('question')).toBeVisible();
  await answer(page, 'Да');
  // From here on the network is slow: every request takes most of a second.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 700, downloadThroughput: 50_000, uploadThroughput: 50_000,
  });
  await expect(page).toHaveURL(/\/result\/\d+$/, { timeout: 30_000 });
  await expect(page.getByTestId('verdict')).toHaveText('Аттестация не пройдена');
  await expect(page.getByTestId('score')).toHaveText('33%');
  await expect(page.getByTestId('timed-out')).toBeVisible();
  const seen: string[] = await page.evaluate(() => (window as any).__verdicts);
  expect(new Set(seen)).toEqual(new Set(['Аттестация не пройдена|33%']));
  // A reload renders the same final result on the server, on its first paint.
  const html = await (await page.request.get(page.url())).text();
  expect(html).toContain('33%');
  await page.reload();
  await expect(page.getByTestId('score')).toHaveText('33%');
});

test('100% shows no "Try again"; a failed attempt reopens the theory with the button active', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const perfect = await api.createCertification({
    title: `Отлично ${Date.now()}`, questions: 2, assignTo: ELENA.name, settings: { min_read_secs: 0, max_attempts: 3 },
  });
  const failed = await api.createCertification({
    title: `Повтор ${Date.now()}`, questions: 2, assignTo: ELENA.name, settings: { min_read_secs: 2, max_attempts: 3 },
  });
  await openMiniApp(page, initDataFor(ELENA.tg), `/app/c/${perfect}`);
  await page.getByTestId('go-to-test').click();
  await answer(page, 'Да');
  await page.getByTestId('next-question').click();
  await answer(page, 'Да');
  await page.getByTestId('finish').click();
  await page.getByTestId('finish-submit').click();
  await expect(page.getByTestId('score')).toHaveText('100%');
  await expect(page.getByTestId('verdict')).toHaveText('Аттестация пройдена');
  await expect(page.getByTestId('try-again')).toHaveCount(0);
  // The result says what the pass earned.
  await expect(page.getByTestId('earned-points')).toHaveText('+100 баллов');

  await page.goto(`/app/c/${failed}`);
  await hydrated(page);
  await expect(page.getByTestId('go-to-test')).toBeEnabled({ timeout: 10_000 });
  await page.getByTestId('go-to-test').click();
  await answer(page, 'Нет');
  await page.getByTestId('finish').click();
  await page.getByTestId('finish-submit').click();
  await expect(page.getByTestId('verdict')).toHaveText('Аттестация не пройдена');
  await page.getByTestId('try-again').click();
  await expect(page).toHaveURL(new RegExp(`/app/c/${failed}/theory/1(#.*)?$`));
  await expect(page.getByTestId('go-to-test')).toBeEnabled();
  await expect(page.getByTestId('go-to-test')).toHaveText('Перейти к тесту');
});

test('pause mode: one question at a time, resume after closing, the admin sees the leave', async ({ page, browser, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const who = await api.freshEmployee('Пауза');
  const title = `Пауза ${Date.now()}`;
  const id = await api.createCertification({
    title, questions: 3, assignTo: who.name,
    settings: { min_read_secs: 0, shuffle_questions: false, shuffle_options: true, time_limit_secs: 600 },
  });
  const second = `Вопрос 2 (${title})`;
  // Every response the Mini App receives: server functions and server-rendered pages.
  const received: Promise<string>[] = [];
  const record = (p: Page) => p.on('response', (r) => { received.push(r.text().catch(() => '')); });
  const sawSecond = async () => (await Promise.all(received)).some((b) => b.includes(second));
  record(page);
  await openMiniApp(page, initDataFor(who.tg), `/app/c/${id}`);
  await page.getByTestId('go-to-test').click();
  await expect(page.getByTestId('question').locator('.question-text')).toContainText('Вопрос 1');
  const q1Options = await page.getByTestId('choice').allTextContents();
  await answer(page, 'Да');
  await setHidden(page, true);
  const results = await api.call('certifications/results', { id: String(id) });
  const attempt = results.rows.find((r: { user_id: number }) => r.user_id === who.id).last_attempt_id;
  await expect.poll(async () => {
    const r = await api.call('certifications/attempt', { id: String(attempt) });
    return r.integrity.timeline.map((e: { what: string }) => e.what);
  }, { timeout: 10_000 }).toContain('left');
  expect(await sawSecond()).toBe(false);
  await page.context().close();

  // Back from another launch: the same question, answer and order; question 2 still unseen.
  const context = await browser.newContext();
  const again = await context.newPage();
  record(again);
  await openMiniApp(again, initDataFor(who.tg), `/app/c/${id}`);
  const go = again.getByTestId('go-to-test');
  await expect(go).toHaveText('Продолжить тест');
  await go.click();
  await expect(again.getByTestId('question-count')).toHaveText('Вопрос 1 из 3');
  await expect(again.getByTestId('question').locator('.question-text')).toContainText('Вопрос 1');
  expect(await again.getByTestId('choice').allTextContents()).toEqual(q1Options);
  await expect(again.getByTestId('question').getByRole('radio', { name: 'Да' })).toHaveAttribute('aria-checked', 'true');
  expect(await sawSecond()).toBe(false);
  await again.getByTestId('next-question').click();
  await expect(again.getByTestId('question').locator('.question-text')).toContainText(second);
  expect(await sawSecond()).toBe(true);

  // The admin reads one leave, with how long it lasted (the app is still open).
  const record2 = await api.call('certifications/attempt', { id: String(attempt) });
  expect(record2.integrity.leaves, JSON.stringify(record2.integrity.timeline)).toBe(1);
  const back = record2.integrity.timeline.find((e: { what: string }) => e.what === 'returned');
  expect(back.away_ms).toBeGreaterThan(0);
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin);
  await admin.goto(`/admin/attempts/${attempt}`);
  await expect(admin.getByTestId('leaves')).toHaveText('Выходил из теста: 1');
  await expect(admin.getByTestId('timeline').locator('li[data-what="returned"]')).toContainText('Вернулся через');
  await adminContext.close();
  await context.close();
});
