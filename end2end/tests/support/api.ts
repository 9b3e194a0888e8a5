// Admin-side setup through the same server functions the admin panel calls.
import { expect, request, type APIRequestContext } from '@playwright/test';
import { ADMIN } from './admin';

export interface CertOptions {
  title: string;
  blocks?: number;
  questions?: number;
  settings?: Record<string, unknown>;
  assignTo: string;
  /** The first question is an ordering question ("один", "два", "три" is the right order). */
  orderingFirst?: boolean;
}

export class AdminApi {
  private constructor(private ctx: APIRequestContext, private cookie: string) {}

  static async signIn(baseURL: string, who = ADMIN): Promise<AdminApi> {
    // Writes with a session cookie must come from our own origin, as a browser's would.
    const ctx = await request.newContext({ baseURL, extraHTTPHeaders: { origin: new URL(baseURL).origin } });
    const r = await ctx.post('/api/auth/admin_sign_in', { form: { login: who.login, password: who.password } });
    expect(r.status()).toBe(200);
    const cookie = (r.headers()['set-cookie'] ?? '').split(';')[0];
    return new AdminApi(ctx, cookie);
  }

  async call(endpoint: string, form: Record<string, string>) {
    const r = await this.ctx.post(`/api/${endpoint}`, { form, headers: { cookie: this.cookie } });
    const body = await r.json();
    expect(r.status(), `${endpoint}: ${JSON.stringify(body)}`).toBe(200);
    return body;
  }

  async json(endpoint: string, data: unknown) {
    const r = await this.ctx.post(`/api/${endpoint}`, { data, headers: { cookie: this.cookie } });
    const body = await r.json();
    expect(r.status(), `${endpoint}: ${JSON.stringify(body)}`).toBe(200);
    return body;
  }

  /** A new active employee, pre-registered by Telegram id (each test its own person). */
  async freshEmployee(first: string): Promise<{ tg: { id: number; first_name: string }; name: string; id: number }> {
    const tg = 600_000_000 + Math.floor(Math.random() * 300_000_000);
    const last = `Т${tg % 100000}`;
    const id: number = await this.json('users/preregister', {
      person: { telegram_id: tg, first_name: first, last_name: last, role: 'employee', position: null, branch: null },
    });
    return { tg: { id: tg, first_name: first }, name: `${first} ${last}`, id };
  }

  /** A new admin with their own panel login, for tests that change the account itself (the
   * shared admin is signed in by tests running in parallel). */
  async freshAdmin(): Promise<{ login: string; password: string }> {
    const tg = 600_000_000 + Math.floor(Math.random() * 300_000_000);
    const id: number = await this.json('users/preregister', {
      person: { telegram_id: tg, first_name: 'Админ', last_name: `Т${tg % 100000}`, role: 'admin', position: null, branch: null },
    });
    const who = { login: `admin${tg}`, password: 'e2e-Own-password-1' };
    await this.call('users/password', { id: String(id), login: who.login, password: who.password, confirm: who.password });
    return who;
  }

  /** An open certification with text blocks and single-choice questions whose right option is "Да". */
  async createCertification(o: CertOptions): Promise<number> {
    const id: number = await this.call('certifications/create', { title: o.title });
    for (let i = 0; i < (o.blocks ?? 1); i++) {
      await this.json('certifications/blocks/add', {
        id,
        block: { kind: 'text', title: `Страница ${i + 1}`, body: `<p>Текст страницы ${i + 1}.</p>`, url: '' },
        require_reread: false,
      });
    }
    const questions: number[] = [];
    if (o.orderingFirst) {
      const q = await this.json('questions/save', {
        id: null,
        content: { kind: 'ordering', text: `<p>Порядок (${o.title})</p>`, options: [{ text: 'один' }, { text: 'два' }, { text: 'три' }] },
      });
      questions.push(q.id);
    }
    for (let i = 0; i < (o.questions ?? 2); i++) {
      const q = await this.json('questions/save', {
        id: null,
        content: {
          kind: 'single',
          text: `<p>Вопрос ${i + 1} (${o.title})</p>`,
          options: [{ text: 'Да', correct: true }, { text: 'Нет' }, { text: 'Не знаю' }],
        },
      });
      questions.push(q.id);
    }
    await this.json('certifications/questions', { id, questions });
    const editor = await this.call('certifications/get', { id: String(id) });
    await this.json('certifications/settings', { id, settings: { ...editor.cert.settings, ...o.settings } });
    const targets = await this.call('certifications/assign_targets', {});
    const user = targets.users.find((u: [number, string]) => u[1] === o.assignTo);
    expect(user, `demo user ${o.assignTo}`).toBeTruthy();
    await this.call('certifications/assign', { id: String(id), kind: 'user', target_id: String(user[0]) });
    await this.call('certifications/lifecycle', { id: String(id), action: 'OpenNow' });
    return id;
  }
}
