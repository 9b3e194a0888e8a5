// Telegram as the Mini App sees it: initData signed with the test bot token exactly as
// Telegram signs it, and a window.Telegram.WebApp shim installed before the page loads.
import crypto from 'node:crypto';
import type { Page } from '@playwright/test';

export const BOT_TOKEN = process.env.E2E_BOT_TOKEN ?? '7000000001:E2E-test-token';

export interface TgUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  photo_url?: string;
}

export function signInitData(fields: Record<string, string>, token = BOT_TOKEN): string {
  const secret = crypto.createHmac('sha256', 'WebAppData').update(token).digest();
  const checkString = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('\n');
  const hash = crypto.createHmac('sha256', secret).update(checkString).digest('hex');
  return new URLSearchParams({ ...fields, hash }).toString();
}

export function initDataFor(
  user: TgUser,
  opts: { authDate?: number; token?: string; startParam?: string } = {},
): string {
  const fields: Record<string, string> = {
    query_id: 'AAHdF6IQAAAAAN0XohDhrOrc',
    user: JSON.stringify({ language_code: 'ru', ...user }),
    auth_date: String(opts.authDate ?? Math.floor(Date.now() / 1000)),
    signature: 'e2e-signature-field',
  };
  if (opts.startParam) fields.start_param = opts.startParam;
  return signInitData(fields, opts.token ?? BOT_TOKEN);
}

/** A Telegram user id no other test uses. */
export function freshTelegramId(): number {
  return 500_000_000 + Math.floor(Math.random() * 400_000_000);
}

/** Opens the Mini App as Telegram would: shim first, launch parameters in the URL hash. */
export async function openMiniApp(
  page: Page,
  initData: string,
  path = '/app',
  theme: Record<string, string> = {},
): Promise<void> {
  await page.addInitScript(([raw, themeOverride]: [string, Record<string, string>]) => {
    const params = new URLSearchParams(raw);
    const events: Record<string, Array<() => void>> = {};
    (window as any).__tgFire = (name: string) => (events[name] ?? []).forEach((h) => h());
    const calls: string[] = [];
    const button = (name: string) => ({
      isVisible: false,
      text: '',
      _handlers: [] as Array<() => void>,
      show() { this.isVisible = true; calls.push(`${name}.show`); return this; },
      hide() { this.isVisible = false; calls.push(`${name}.hide`); return this; },
      setText(t: string) { this.text = t; return this; },
      onClick(cb: () => void) { this._handlers.push(cb); return this; },
      offClick(cb: () => void) { this._handlers = this._handlers.filter((h) => h !== cb); return this; },
      enable() { return this; },
      disable() { return this; },
      click() { this._handlers.forEach((h) => h()); },
    });
    (window as any).__tgCalls = calls;
    (window as any).Telegram = {
      WebApp: {
        initData: raw,
        initDataUnsafe: {
          user: JSON.parse(params.get('user') ?? 'null'),
          auth_date: Number(params.get('auth_date')),
          hash: params.get('hash'),
          start_param: params.get('start_param') ?? undefined,
        },
        version: '8.0',
        platform: 'tdesktop',
        colorScheme: 'light',
        themeParams: {
          bg_color: '#fefefe',
          text_color: '#111111',
          hint_color: '#707579',
          link_color: '#2481cc',
          button_color: '#3390ec',
          button_text_color: '#ffffff',
          secondary_bg_color: '#f4f4f5',
          ...themeOverride,
        },
        onEvent(name: string, cb: () => void) { (events[name] ??= []).push(cb); },
        offEvent(name: string, cb: () => void) { events[name] = (events[name] ?? []).filter((h) => h !== cb); },
        ready() { calls.push('ready'); },
        expand() { calls.push('expand'); },
        close() { calls.push('close'); },
        BackButton: button('BackButton'),
        MainButton: button('MainButton'),
        HapticFeedback: {
          impactOccurred(s: string) { calls.push(`haptic.impact.${s}`); },
          notificationOccurred(s: string) { calls.push(`haptic.notification.${s}`); },
          selectionChanged() { calls.push('haptic.selection'); },
        },
      },
    };
  }, [initData, theme] as [string, Record<string, string>]);
  const hash = `tgWebAppData=${encodeURIComponent(initData)}&tgWebAppVersion=8.0&tgWebAppPlatform=tdesktop`;
  await page.goto(`${path}#${hash}`);
}

export async function hydrated(page: Page): Promise<void> {
  await page.locator('body[data-hydrated="true"]').waitFor();
}

/** Hides the page (phone locked, another chat) as the browser would, or shows it again. */
export async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h: boolean) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}
