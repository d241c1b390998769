/**
 * The batch refund with password without a browser: build and sign the request URL as a merchant would,
 * send it, and play the seller's part on the cashier pages over plain HTTP (cookie and CSRF token included).
 */
import { formatChinaDate, formatChinaTime } from '../../src/protocol/china-time.js';
import type { Harness, MerchantKit } from './harness.js';
import { signedQuery, type MapiCharset, type MapiSigner } from './mapi-client.js';
import { clockNow, runDueJobs } from './refund-calls.js';

let serial = 0;

export interface BatchLineSpec {
  tradeNo: string;
  amount: string;
  reason?: string;
}

export interface BatchRequestOptions {
  lines?: BatchLineSpec[];
  /** Replaces, adds, or (undefined) drops parameters before signing. */
  params?: Record<string, string | undefined>;
  signer?: MapiSigner;
  charset?: MapiCharset;
  notifyUrl?: string;
  /** How the browser brings the request: a link (GET, the default) or an auto-submitted form (POST). */
  how?: 'GET' | 'POST';
  /** Who logs in and confirms on the cashier pages. (Default: the partner itself) */
  seller?: MerchantKit;
}

export async function batchParams(harness: Harness, kit: MerchantKit, options: BatchRequestOptions = {}): Promise<Record<string, string>> {
  const now = await clockNow(harness);
  const lines = options.lines ?? [];
  const charset = options.charset ?? 'GBK';
  const params: Record<string, string | undefined> = {
    service: 'refund_fastpay_by_platform_pwd',
    partner: kit.pid,
    _input_charset: charset,
    seller_user_id: kit.pid,
    refund_date: formatChinaTime(now),
    batch_no: `${formatChinaDate(now)}${String(Date.now() % 1e9)}${++serial}`,
    batch_num: String(lines.length),
    detail_data: lines.map((line) => `${line.tradeNo}^${line.amount}^${line.reason ?? '协商退款'}`).join('#'),
    ...(options.notifyUrl && { notify_url: options.notifyUrl }),
    ...options.params,
  };
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export interface Submitted {
  status: number;
  /** The cashier path the gateway redirected to, when it accepted the request. */
  location: string | null;
  /** The error code shown on the error page, when it refused it. */
  errorCode: string | null;
  html: string;
  params: Record<string, string>;
}

export async function submitBatch(harness: Harness, kit: MerchantKit, options: BatchRequestOptions = {}): Promise<Submitted> {
  const params = await batchParams(harness, kit, options);
  const signer = options.signer ?? { type: 'MD5' as const, key: kit.md5Key };
  return submitQuery(harness, signedQuery(params, signer, options.charset ?? 'GBK'), params, options.how);
}

export async function submitQuery(harness: Harness, query: string, params: Record<string, string>, how: 'GET' | 'POST' = 'GET'): Promise<Submitted> {
  const response =
    how === 'GET'
      ? await fetch(`${harness.tuikuan.gateway}?${query}`, { redirect: 'manual' })
      : await fetch(harness.tuikuan.gateway, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: query,
        });
  const html = response.status === 302 ? '' : await response.text();
  return {
    status: response.status,
    location: response.headers.get('location'),
    errorCode: /<span class="code" id="error-code">([A-Z_]+)<\/span>/.exec(html)?.[1] ?? null,
    html,
    params,
  };
}

/** The seller in a (cookie-keeping) browser-less session on the cashier pages. */
export class Seller {
  cookie = '';
  csrf = '';
  setCookie = '';

  constructor(
    private readonly harness: Harness,
    readonly path: string,
  ) {}

  /** Keeps the cookie a response sets, as a browser does (the session id is renewed at login). */
  #keepCookie(response: Response): void {
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      this.setCookie = setCookie;
      this.cookie = setCookie.split(';')[0] ?? '';
    }
  }

  async open(): Promise<{ status: number; html: string }> {
    const response = await fetch(`${this.harness.tuikuan.url}${this.path}`, { headers: this.cookie ? { cookie: this.cookie } : {} });
    this.#keepCookie(response);
    const html = await response.text();
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? this.csrf;
    return { status: response.status, html };
  }

  async post(action: 'login' | 'confirm' | 'cancel', fields: Record<string, string> = {}, csrf = this.csrf): Promise<{ status: number; html: string; location: string | null }> {
    const response = await fetch(`${this.harness.tuikuan.url}${this.path}/${action}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(this.cookie && { cookie: this.cookie }) },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
    this.#keepCookie(response);
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  }

  /** Logs in; like a browser, follows the redirect that a login answers with, for the renewed session's forms. */
  async login(password: string) {
    if (!this.csrf) await this.open();
    const answered = await this.post('login', { login_password: password });
    if (answered.status === 303) await this.open();
    return answered;
  }

  async confirm(paymentPassword: string) {
    return this.post('confirm', { payment_password: paymentPassword });
  }
}

/** Where a test steps into runBatch's flow; each step is awaited. */
export interface BatchFlowHooks {
  /** Once the gateway has accepted the request, before the seller opens the cashier. (Default: nothing) */
  afterSubmit?(submitted: Submitted): unknown;
  /** Once the seller has logged in, before the payment password is entered. (Default: nothing) */
  beforeConfirm?(seller: Seller, submitted: Submitted): unknown;
  /** Carries out the confirmed batch. (Default: the jobs already due are run, the clock standing still) */
  process?(submitted: Submitted): unknown;
}

export interface RunBatchOptions extends BatchRequestOptions, BatchFlowHooks {}

/**
 * The whole batch refund with password: submits the request, logs in and confirms as the seller, and has the
 * batch carried out; returns the batch as the admin API shows it then.
 */
export async function runBatch(harness: Harness, kit: MerchantKit, options: RunBatchOptions = {}): Promise<Record<string, any>> {
  const submitted = await submitBatch(harness, kit, options);
  if (!submitted.location) throw new Error(`refused: ${submitted.status} ${submitted.errorCode}`);
  await options.afterSubmit?.(submitted);
  const seller = new Seller(harness, submitted.location);
  const credentials = options.seller ?? kit;
  await seller.open();
  await seller.login(credentials.loginPassword);
  await options.beforeConfirm?.(seller, submitted);
  await seller.confirm(credentials.paymentPassword);
  await (options.process ? options.process(submitted) : runDueJobs(harness));
  // batch_no is unique per partner only: name the partner, in case another used the same one.
  return harness.adminOk('GET', `/batches/${submitted.params.batch_no}?partner=${kit.pid}`);
}
