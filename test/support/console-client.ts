/**
 * The console over plain HTTP, as a browser without JavaScript uses it: log in with the admin token (keeping the
 * session cookie), read pages, and post forms with the CSRF token read from a page — redirects are not followed,
 * so a test sees each 303 and where it goes.
 */
import type { Harness } from './harness.js';

export interface ConsolePage {
  status: number;
  text: string;
  location: string | null;
  headers: Headers;
}

export interface ConsoleClient {
  cookie: string;
  get(path: string, headers?: Record<string, string>): Promise<ConsolePage>;
  /** Posts a form; `_csrf` is the session's unless the fields give one. */
  post(path: string, fields?: Record<string, string>): Promise<ConsolePage>;
  csrf(): Promise<string>;
}

async function read(response: Response): Promise<ConsolePage> {
  return { status: response.status, text: await response.text(), location: response.headers.get('location'), headers: response.headers };
}

export async function consoleLogin(harness: Harness): Promise<ConsoleClient> {
  const base = harness.tuikuan.url;
  const login = await fetch(`${base}/console/login`, {
    method: 'POST',
    body: new URLSearchParams({ token: harness.tuikuan.adminToken, next: '/console/trades' }),
    redirect: 'manual',
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '';
  if (login.status !== 303 || !cookie.startsWith('tk_console=')) throw new Error(`console login failed: ${login.status}`);
  const client: ConsoleClient = {
    cookie,
    async get(path, headers = {}) {
      return read(await fetch(`${base}${path}`, { headers: { cookie, ...headers }, redirect: 'manual' }));
    },
    async csrf() {
      const page = await client.get('/console/faults');
      const match = /name="_csrf" value="([^"]+)"/.exec(page.text);
      if (!match?.[1]) throw new Error('no CSRF token on the page');
      return match[1];
    },
    async post(path, fields = {}) {
      const body = new URLSearchParams({ _csrf: await client.csrf(), ...fields });
      return read(await fetch(`${base}${path}`, { method: 'POST', body, headers: { cookie }, redirect: 'manual' }));
    },
  };
  return client;
}
