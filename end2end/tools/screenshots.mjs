// Takes the screenshots of every Mini App and admin page (docs/screenshots/) from a running
// demo server:
//   node tools/screenshots.mjs http://localhost:3000 <admin password> <bot token>
import { chromium } from '@playwright/test';
import crypto from 'node:crypto';

const [base, password, token] = process.argv.slice(2);
const out = new URL('../../docs/screenshots/', import.meta.url).pathname;

function initData(user) {
  const fields = { auth_date: String(Math.floor(Date.now() / 1000)), user: JSON.stringify(user) };
  const secret = crypto.createHmac('sha256', 'WebAppData').update(token).digest();
  const check = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('\n');
  const hash = crypto.createHmac('sha256', secret).update(check).digest('hex');
  return new URLSearchParams({ ...fields, hash }).toString();
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

const phone = await browser.newContext({ viewport: { width: 390, height: 760 }, deviceScaleFactor: 2 });
const mini = await phone.newPage();
const raw = initData({ id: 100000011, first_name: 'Anna', language_code: 'ru' });
await mini.addInitScript((d) => {
  window.Telegram = { WebApp: { initData: d, themeParams: { bg_color: '#ffffff', button_color: '#3390ec' },
    ready() {}, expand() {}, BackButton: { show() {}, hide() {}, onClick() {} } } };
}, raw);
await mini.goto(`${base}/app#tgWebAppData=${encodeURIComponent(raw)}`);
await mini.locator('[data-testid="greeting"]').waitFor();
await mini.screenshot({ path: `${out}/miniapp.png` });
await mini.goto(`${base}/app/achievements`);
await mini.locator('body[data-hydrated="true"]').waitFor();
await mini.getByTestId('achievements').waitFor();
await mini.screenshot({ path: `${out}/miniapp-achievements.png` });
await mini.goto(`${base}/app/rating`);
await mini.locator('body[data-hydrated="true"]').waitFor();
await mini.getByTestId('rating').waitFor();
await mini.screenshot({ path: `${out}/miniapp-rating.png` });
await mini.goto(`${base}/app/settings`);
await mini.locator('body[data-hydrated="true"]').waitFor();
await mini.getByTestId('my-notifications').waitFor();
await mini.screenshot({ path: `${out}/miniapp-settings.png` });
// A certification's first page (its rules) and its history, when the demo person has one.
await mini.goto(`${base}/app`);
await mini.locator('body[data-hydrated="true"]').waitFor();
const cert = await mini.locator('[data-testid="my-certifications"] a').first().getAttribute('href').catch(() => null);
if (cert) {
  await mini.goto(`${base}${cert}/theory/1`);
  await mini.locator('body[data-hydrated="true"]').waitFor();
  await mini.getByTestId('page-count').waitFor();
  await mini.screenshot({ path: `${out}/miniapp-theory.png`, fullPage: true });
  await mini.goto(`${base}${cert}/history`);
  await mini.locator('body[data-hydrated="true"]').waitFor();
  await mini.screenshot({ path: `${out}/miniapp-history.png` });
}

const desk = await browser.newContext({ viewport: { width: 1440, height: 900 } });
const admin = await desk.newPage();
await admin.goto(`${base}/admin/login`);
await admin.locator('body[data-hydrated="true"]').waitFor();
await admin.getByLabel('Логин').fill('admin');
await admin.getByLabel('Пароль').fill(password);
await admin.getByTestId('sign-in').click();
await admin.getByTestId('sidebar-modules').waitFor();
await admin.goto(`${base}/admin/profile`);
await admin.getByTestId('profile-name').waitFor();
await admin.locator('body[data-hydrated="true"]').waitFor();
await admin.goto(`${base}/admin`);
await admin.locator('body[data-hydrated="true"]').waitFor();
await admin.getByTestId('dashboard').waitFor();
await admin.screenshot({ path: `${out}/admin.png` });
// Every admin page; a certification's pages when the demo has one.
await admin.goto(`${base}/admin/certifications`);
await admin.locator('body[data-hydrated="true"]').waitFor();
const certHref = await admin.locator('main table a[href^="/admin/certifications/"]').first().getAttribute('href').catch(() => null);
const shots = [
  ['/admin/certifications', 'admin-certifications.png'],
  ...(certHref ? [[certHref, 'admin-certification-editor.png'], [`${certHref}/results`, 'admin-results.png']] : []),
  ['/admin/compliance', 'admin-compliance.png'],
  ['/admin/questions', 'admin-questions.png'],
  ['/admin/users', 'admin-users.png'],
  ['/admin/gamification', 'admin-gamification.png'],
  ['/admin/audit', 'admin-audit.png'],
  ['/admin/api-keys', 'admin-api-keys.png'],
  ['/admin/webhooks', 'admin-webhooks.png'],
  ['/admin/settings', 'admin-settings.png'],
];
for (const [path, file] of shots) {
  await admin.goto(`${base}${path}`);
  await admin.locator('body[data-hydrated="true"]').waitFor();
  await admin.locator('main h1').first().waitFor();
  await admin.screenshot({ path: `${out}/${file}`, fullPage: true });
}
await admin.goto(`${base}/admin/users`);
await admin.locator('body[data-hydrated="true"]').waitFor();
await admin.getByRole('link', { name: 'Смирнова Анна' }).click();
await admin.getByTestId('card-name').waitFor();
await admin.screenshot({ path: `${out}/admin-user-card.png`, fullPage: true });
await browser.close();
console.log(`screenshots written to ${out}`);
