// Notifications reach the fake Telegram Bot API with Mini App buttons; opening a button's URL
// in the Mini App (signed initData, as Telegram opens it) lands on the exact section: the
// certification for the employee, the person's results for the manager.
import { expect, test, type Page } from '@playwright/test';
import { fakeTelegramURL } from '../playwright.config';
import { AdminApi } from './support/api';
import { initDataFor, openMiniApp } from './support/telegram';

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
