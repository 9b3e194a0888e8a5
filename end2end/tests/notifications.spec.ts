// Notifications reach the fake Telegram Bot API with Mini App buttons; opening a button's URL
// in the Mini App (signed initData, as Telegram opens it) lands on the exact section: the
// certification for the employee, the person's results for the manager.
import { expect, test, type Page } from '@playwright/test';
import { fakeTelegramURL } from '../playwright.config';
import { AdminApi } from './support/api';
import { hydrated, initDataFor, openMiniApp } from './support/telegram';
import { axeViolations, signIn } from './support/admin';

const MANAGER_TG = { id: 100_000_002, first_name: 'Manager' };

interface Sent {
  method: string;
  body: { chat_id: number; text: string; reply_markup?: { inline_keyboard: { web_app?: { url: string } }[][] } };
}

/** The newest message to `chat` whose text contains `words`, once the bot has sent it. */
async function messageTo(chat: number, words: string): Promise<Sent> {
  let found: Sent | undefined;
  await expect
    .poll(async () => {
      const r = await fetch(`${fakeTelegramURL}/_calls?method=sendMessage`);
      const calls: Sent[] = (await r.json()).calls;
      found = calls.filter((c) => c.body.chat_id === chat && c.body.text.includes(words)).pop();
      return found !== undefined;
    }, { timeout: 30_000 })
    .toBe(true);
  return found!;
}

function buttonPath(m: Sent): string {
  const url = m.body.reply_markup?.inline_keyboard[0][0].web_app?.url;
  expect(url, JSON.stringify(m.body)).toBeTruthy();
  return new URL(url!).pathname;
}

async function answer(page: Page, option: string) {
  await page.getByTestId('question').getByRole('radio', { name: option }).click();
  await expect(page.getByTestId('save-state')).toHaveText('Ответ сохранён ✓');
}

test('a notification button opens the Mini App on its section, for the employee and the manager', async ({ page, browser, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const person = await api.freshEmployee('Уведомлённый');
  const title = `Уведомления ${Date.now()}`;
  const id = await api.createCertification({
    title, questions: 1, assignTo: person.name, settings: { min_read_secs: 0 },
  });
  const opened = await messageTo(person.tg.id, title);
  const path = buttonPath(opened);
  expect(path).toMatch(/^\/app\/go\/[A-Za-z0-9]{16}$/);
  await openMiniApp(page, initDataFor(person.tg), path);
  await expect(page).toHaveURL(new RegExp(`/app/c/${id}/theory/1(#.*)?$`));
  await page.getByTestId('go-to-test').click();
  await answer(page, 'Да');
  await page.getByTestId('finish').click();
  await page.getByTestId('finish-submit').click();
  await expect(page.getByTestId('verdict')).toHaveText('Аттестация пройдена');

  // The manager hears about it; the button opens that person's results in the Mini App.
  const result = await messageTo(MANAGER_TG.id, `${person.name} сдал(а) «${title}»`);
  const manager = await (await browser.newContext()).newPage();
  await openMiniApp(manager, initDataFor(MANAGER_TG), buttonPath(result));
  await expect(manager).toHaveURL(new RegExp(`/app/team/${person.id}(#.*)?$`));
  await expect(manager.getByTestId('team-person')).toHaveText(person.name);
  await expect(manager.getByTestId('team-cert').filter({ hasText: title })).toContainText('100%');

  // A forged link opens a clear page, not an error.
  const forged = await (await browser.newContext()).newPage();
  await openMiniApp(forged, initDataFor(person.tg), '/app/go/forged-token-123');
  await expect(forged.getByTestId('link-gone')).toContainText('Ссылка устарела');
});

test('a bulk remind over a filtered results page reaches exactly the filtered people', async ({ page, baseURL }) => {
  const api = await AdminApi.signIn(baseURL!);
  const stamp = Date.now() % 100000;
  const chosen = await api.freshEmployee(`Напомнить${stamp}`);
  const other = await api.freshEmployee(`Непомнить${stamp}`);
  const id = await api.createCertification({ title: `Напоминание ${stamp}`, assignTo: chosen.name });
  await api.call('certifications/assign', { id: String(id), kind: 'user', target_id: String(other.id) });
  // Reminders wait out the quiet hours: the test must not depend on the hour it runs at.
  const { settings } = await api.call('notifications/settings', {});
  await api.json('notifications/settings/save', { settings: { ...settings, quiet_hours: null } });
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page);
  await page.goto(`/admin/certifications/${id}/results`);
  await hydrated(page);
  await expect(page.getByTestId('results-row')).toHaveCount(2);
  await page.getByLabel('Поиск по имени').fill(`Напомнить${stamp}`);
  await expect(page.getByTestId('results-row')).toHaveCount(1);
  await page.getByTestId('select-all-matching').click();
  await expect(page.getByTestId('bulk-chosen')).toHaveText('Выбрано: 1');
  await page.getByTestId('bulk-open').click();
  const dialog = page.getByTestId('bulk-dialog');
  await expect(dialog.getByTestId('bulk-preview-text')).toContainText('бот напишет 1');
  await dialog.getByTestId('bulk-submit').click();
  await expect(dialog).toBeHidden();
  await messageTo(chosen.tg.id, `Напоминание ${stamp}`);
  const r = await fetch(`${fakeTelegramURL}/_calls?method=sendMessage`);
  const calls: Sent[] = (await r.json()).calls;
  expect(calls.filter((c) => c.body.chat_id === other.tg.id && c.body.text.startsWith('⏰'))).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
});
