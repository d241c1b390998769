/**
 * page.pay / wap.pay as a merchant's site and a buyer's browser do them, without a browser: the official SDK's
 * pageExecute builds the request (a GET URL, or a POST form with the system params in its action URL), it is
 * sent as the browser would send it, and the buyer's part on the cashier pages is played over plain HTTP
 * (cookie and CSRF token included).
 */
import type { MerchantKit } from './harness.js';

export interface PageCall {
  bizContent: Record<string, unknown>;
  returnUrl?: string;
  notifyUrl?: string;
}

export interface PageAnswer {
  status: number;
  /** Where the gateway sent the browser (the cashier path), when it accepted the request. */
  location: string | null;
  /** The code on the error page, when it refused it. */
  errorCode: string | null;
  html: string;
}

const unescapeAttribute = (text: string) => text.replaceAll('&quot;', '"').replaceAll('&amp;', '&');

/** The SDK's request for `method`, sent by a browser: following the link (GET) or submitting the form (POST). */
export async function pageRequest(kit: MerchantKit, method: string, how: 'GET' | 'POST', call: PageCall): Promise<PageAnswer> {
  const built = kit.sdk.pageExecute(method, how, call);
  let response: Response;
  if (how === 'GET') {
    response = await fetch(built, { redirect: 'manual' });
  } else {
    const action = /<form action="([^"]+)"/.exec(built)?.[1];
    if (!action) throw new Error(`no form in ${built}`);
    const body = new URLSearchParams();
    for (const match of built.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)" \/>/g)) {
      body.append(match[1] as string, unescapeAttribute(match[2] as string));
    }
    response = await fetch(unescapeAttribute(action), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  }
  const html = response.status === 302 ? '' : await response.text();
  return {
    status: response.status,
    location: response.headers.get('location'),
    errorCode: /id="error-code">([^<]+)</.exec(html)?.[1] ?? null,
    html,
  };
}

/** A buyer's browser over plain HTTP: one cookie jar, redirects followed by hand. */
export class BuyerBrowser {
  private cookie = '';
  constructor(private readonly origin: string) {}

  private remember(response: Response): void {
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';', 1)[0] as string;
  }

  /** GETs a cashier path; returns the status and the page. */
  async get(path: string): Promise<{ status: number; html: string }> {
    const response = await fetch(new URL(path, this.origin), { headers: { cookie: this.cookie }, redirect: 'manual' });
    this.remember(response);
    return { status: response.status, html: await response.text() };
  }

  /** POSTs a form (with the CSRF token of `page`, unless given); returns the status, the Location and the page. */
  async post(path: string, fields: Record<string, string>, page?: string): Promise<{ status: number; location: string | null; html: string }> {
    const csrf = page ? csrfOf(page) : undefined;
    const body = new URLSearchParams({ ...(csrf !== undefined && { _csrf: csrf }), ...fields });
    const response = await fetch(new URL(path, this.origin), {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
      redirect: 'manual',
    });
    this.remember(response);
    return { status: response.status, location: response.headers.get('location'), html: await response.text() };
  }
}

export function csrfOf(page: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error(`no CSRF token in ${page.slice(0, 400)}`);
  return token;
}

/** Logs the buyer in on the order's cashier; returns the choice page. */
export async function logIn(browser: BuyerBrowser, cashier: string, logonId: string, password: string): Promise<string> {
  const login = await browser.get(cashier);
  const posted = await browser.post(`${cashier}/login`, { logon_id: logonId, login_password: password }, login.html);
  if (posted.status !== 303) throw new Error(`login answered ${posted.status}: ${posted.html.slice(0, 400)}`);
  return (await browser.get(cashier)).html;
}
