/**
 * A buyer's browser on tuikuan's cashier, as the chaos harness plays it over plain HTTP: one cookie (the
 * cashier session), redirects not followed (their Location is what is judged), every request with a timeout,
 * and a connection that dies answered as `unknown` — the harness cannot tell whether it was carried out. And
 * the reading of the cashier's pages: which page it is, what the choice page offers (each channel, card and
 * coupon with what it holds), the CSRF token, and the link back to return_url on the paid page.
 */

import type { Fen } from './chaos-record.js';
import { fenOf } from './chaos-record.js';

const REQUEST_TIMEOUT_MS = 30_000;

export type BrowserAnswer = { kind: 'answered'; status: number; location: string | null; html: string } | { kind: 'unknown'; error: string };

export class CashierBrowser {
  readonly #origin: string;
  #cookie = '';

  constructor(origin: string) {
    this.#origin = origin;
  }

  /** Forgets the session, as a new browser would (after a 403: the session or its CSRF token is gone). */
  forget(): void {
    this.#cookie = '';
  }

  get(pathOrUrl: string): Promise<BrowserAnswer> {
    return this.#send(pathOrUrl, { method: 'GET' });
  }

  post(path: string, fields: Record<string, string>): Promise<BrowserAnswer> {
    return this.#send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async #send(pathOrUrl: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<BrowserAnswer> {
    try {
      const response = await fetch(new URL(pathOrUrl, this.#origin), {
        ...init,
        headers: { ...init.headers, ...(this.#cookie && { cookie: this.#cookie }) },
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const set = response.headers.getSetCookie()[0];
      if (set) this.#cookie = set.split(';', 1)[0] ?? '';
      return { kind: 'answered', status: response.status, location: response.headers.get('location'), html: await response.text() };
    } catch (error) {
      return {
        kind: 'unknown',
        error: error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error),
      };
    }
  }
}

/** Which of the cashier's pages this is (pay-cashier-pages.ts). */
export type CashierPage = 'login' | 'choice' | 'password_locked' | 'paid' | 'closed' | 'login_locked' | 'not_found' | 'other';

export function cashierPageOf(html: string): CashierPage {
  if (html.includes('name="login_password"')) return 'login';
  if (html.includes('id="locked"')) return 'password_locked';
  if (html.includes('name="payment_password"')) return 'choice';
  if (html.includes('<h1 id="outcome">付款成功')) return 'paid';
  if (html.includes('<h1 id="outcome">订单已关闭')) return 'closed';
  if (html.includes('<h1 id="outcome">登录已锁定')) return 'login_locked';
  if (html.includes('订单不存在或页面已过期') || html.includes('页面已过期')) return 'not_found';
  return 'other';
}

const unescapeHtml = (text: string) =>
  text.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

/** One checkbox or radio of the choice page, with what it holds. */
export interface OfferedOption {
  name: string;
  value: string;
  label: string;
  /** What it can pay, in fen; null for a card the bank always pays (no amount shown). */
  holds: Fen | null;
  disabled: boolean;
}

export interface ChoicePage {
  csrf: string;
  /** pay_ALIPAYACCOUNT, pay_FINANCEACCOUNT, pay_PCREDIT, pay_POINT. */
  channels: OfferedOption[];
  /** The bank_card radios (without "no card"). */
  cards: OfferedOption[];
  /** coupon_<voucher_id>, each with what is left of it; a whole-only one is labelled so. */
  coupons: Array<OfferedOption & { voucherId: string; wholeOnly: boolean }>;
  /** The refusal the page shows, if any. */
  error: string | null;
}

const OPTION =
  /<input type="(?:checkbox|radio)" id="[^"]*" name="([^"]+)" value="([^"]*)"(?: checked)?( disabled)?><label for="[^"]*"><span>([^<]*)<\/span><span class="hold">([^<]*)<\/span>/g;

/** The last amount "¥12.34" a hold text names ("可用 ¥50.00", "200 个，可抵 ¥2.00"); null when none. */
function heldAmount(hold: string): Fen | null {
  const amounts = [...hold.matchAll(/¥(\d+\.\d{2})/g)];
  const last = amounts[amounts.length - 1];
  return last ? fenOf(last[1]) : null;
}

export function csrfOf(html: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

export function choicePageOf(html: string): ChoicePage | null {
  const csrf = csrfOf(html);
  if (!csrf) return null;
  const page: ChoicePage = { csrf, channels: [], cards: [], coupons: [], error: null };
  for (const match of html.matchAll(OPTION)) {
    const [, name = '', value = '', disabled, label = '', hold = ''] = match;
    const option: OfferedOption = {
      name: unescapeHtml(name),
      value: unescapeHtml(value),
      label: unescapeHtml(label),
      holds: heldAmount(hold),
      disabled: !!disabled,
    };
    if (option.name.startsWith('pay_')) page.channels.push(option);
    else if (option.name === 'bank_card') {
      if (option.value !== '') page.cards.push(option);
    } else if (option.name.startsWith('coupon_')) {
      page.coupons.push({ ...option, voucherId: option.name.slice('coupon_'.length), wholeOnly: option.label.includes('需一次用完') });
    }
  }
  const error = /<div class="alert error" role="alert">([^<]*)<\/div>/.exec(html)?.[1];
  page.error = error ? unescapeHtml(error) : null;
  return page;
}

/** The paid page's link back to return_url (with the signed sync return); null when it has none. */
export function paidReturnLinkOf(html: string): string | null {
  const href = /<a class="button secondary" id="back" href="([^"]+)"/.exec(html)?.[1];
  return href ? unescapeHtml(href) : null;
}
