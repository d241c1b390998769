/**
 * The chaos run's world, made through the admin API: merchants (some kept short of balance, topped up now and
 * then), an app each with the key pair tuikuan generates, and paid trades whose notify_url is the harness's
 * receiver. The harness's own view of each trade — how much was acknowledged refunded — only steers the choice
 * of amounts; the invariants are judged from the store.
 */
import { AlipaySdk } from 'alipay-sdk';
import type { Random } from './chaos-random.js';
import { fenOf, yuan, type Fen } from './chaos-record.js';

const ADMIN_TIMEOUT_MS = 120_000;

export type AdminAnswer<T> = { kind: 'answered'; status: number; body: T } | { kind: 'unknown'; error: string };

/** The admin API (JSON, bearer token). A call whose connection dies is `unknown`, like a gateway call. */
export class AdminClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<AdminAnswer<T>> {
    try {
      const response = await fetch(`${this.baseUrl}/admin/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
      });
      const text = await response.text();
      return { kind: 'answered', status: response.status, body: (text ? JSON.parse(text) : {}) as T };
    } catch (error) {
      return {
        kind: 'unknown',
        error: error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error),
      };
    }
  }

  /** A call that must succeed (setup, with no kill under way). */
  async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.kind === 'unknown') throw new Error(`${method} ${path}: ${answer.error}`);
    if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }
}

interface MerchantView {
  pid: string;
  balance: string;
}

interface AppView {
  app_id: string;
  app_private_key?: string;
}

interface TradeView {
  trade_no: string;
  out_trade_no: string;
  total_amount: string;
}

export interface ChaosMerchant {
  pid: string;
  appId: string;
  /** The official client, pointed at the cluster's gateway, checking every reply's signature. */
  sdk: AlipaySdk;
  /** Its balance is kept low: synchronous refunds fail for want of funds, applies wait and retry. */
  short: boolean;
  /** Short to the very end: its waiting applies are given up (failed) once three days have passed. */
  shortToTheEnd: boolean;
}

export interface ChaosTrade {
  tradeNo: string;
  outTradeNo: string;
  merchant: ChaosMerchant;
  total: Fen;
  /** What refunds answered 10000 add up to, as far as the harness knows (unknown ones may add more). */
  acknowledged: Fen;
  /** No refund was sent for it yet: the one kind of trade a whole refund without out_request_no suits. */
  untouched: boolean;
  /** Taken out of play once refused as full (or it has 99 refunds). */
  retired: boolean;
}

export interface WorldOptions {
  merchants: number;
  tradesPerMerchant: number;
  notifyUrl: string;
  gateway: string;
  platformPublicKey: string;
}

/** How a trade was paid, as a fund_bill_list (undefined: the merchant's default mix). */
function fundBillFor(random: Random, total: Fen): Array<{ fund_channel: string; amount: string }> | undefined {
  const shape = random.weighted({ defaultMix: 4, balanceAndCard: 4, cardCreditBalance: 2 });
  if (shape === 'defaultMix' || total < 300) return undefined;
  if (shape === 'balanceAndCard') {
    const card = random.int(1, total - 1);
    return [
      { fund_channel: 'ALIPAYACCOUNT', amount: yuan(total - card) },
      { fund_channel: 'BANKCARD', amount: yuan(card) },
    ];
  }
  const card = random.int(1, Math.floor(total / 2));
  const credit = random.int(1, total - card - 1);
  return [
    { fund_channel: 'BANKCARD', amount: yuan(card) },
    { fund_channel: 'PCREDIT', amount: yuan(credit) },
    { fund_channel: 'ALIPAYACCOUNT', amount: yuan(total - card - credit) },
  ];
}

export class World {
  readonly merchants: ChaosMerchant[] = [];
  readonly trades: ChaosTrade[] = [];
  readonly #admin: AdminClient;
  readonly #random: Random;
  readonly #options: WorldOptions;
  #tradeSerial = 0;

  constructor(admin: AdminClient, random: Random, options: WorldOptions) {
    this.#admin = admin;
    this.#random = random;
    this.#options = options;
  }

  /** Merchants with their settings and apps, then their first trades; short merchants are then drained. */
  async create(): Promise<void> {
    const count = this.#options.merchants;
    for (let i = 0; i < count; i++) {
      const short = i % 3 === 2;
      this.merchants.push(await this.#createMerchant(i, short));
    }
    // The last short merchant stays short to the end (so some applies are given up).
    const shorts = this.merchants.filter((m) => m.short);
    const last = shorts[shorts.length - 1];
    if (last) last.shortToTheEnd = true;
    for (const merchant of this.merchants) {
      for (let t = 0; t < this.#options.tradesPerMerchant; t++) await this.createTrade(merchant);
    }
    for (const merchant of shorts) await this.#admin.ok('POST', `/merchants/${merchant.pid}/balance`, { set: '3.00' });
  }

  async #createMerchant(index: number, short: boolean): Promise<ChaosMerchant> {
    const merchant = await this.#admin.ok<MerchantView>('POST', '/merchants', { name: `chaos merchant ${index}`, balance: short ? '0.00' : '500000.00' });
    await this.#admin.ok('PATCH', `/merchants/${merchant.pid}`, {
      // A fee makes refunds give some back (fee_refund entries); a bank card in the mix makes deposit-backs.
      ...(index % 2 === 0 && { fee_rate: '0.006' }),
      ...(index % 2 === 1 && {
        default_fund_mix: [
          { fund_channel: 'ALIPAYACCOUNT', percent: 60 },
          { fund_channel: 'BANKCARD', percent: 40 },
        ],
      }),
      dback_delay_seconds: this.#random.int(300, 1800),
      dback_outcome: index % 4 === 1 ? 'F' : 'S',
    });
    const app = await this.#admin.ok<AppView>('POST', '/apps', { pid: merchant.pid });
    if (!app.app_private_key) throw new Error('POST /apps returned no app_private_key');
    return {
      pid: merchant.pid,
      appId: app.app_id,
      sdk: new AlipaySdk({
        appId: app.app_id,
        privateKey: app.app_private_key,
        alipayPublicKey: this.#options.platformPublicKey,
        gateway: this.#options.gateway,
        camelcase: false,
        timeout: 30_000,
      }),
      short,
      shortToTheEnd: false,
    };
  }

  /** A paid trade through the admin API (most with the receiver as notify_url); null when the call failed. */
  async createTrade(merchant: ChaosMerchant): Promise<ChaosTrade | null> {
    const total = this.#random.int(20, 800) * 100 + this.#random.int(0, 99);
    const fundBills = fundBillFor(this.#random, total);
    const answer = await this.#admin.call<TradeView>('POST', '/trades', {
      app_id: merchant.appId,
      out_trade_no: `CHAOS${Date.now()}${String(this.#tradeSerial++).padStart(6, '0')}`,
      total_amount: yuan(total),
      ...(this.#random.chance(0.85) && { notify_url: this.#options.notifyUrl }),
      ...(fundBills && { fund_bill_list: fundBills }),
    });
    if (answer.kind === 'unknown' || answer.status !== 201) return null;
    return this.adopt(merchant, answer.body.trade_no, answer.body.out_trade_no, fenOf(answer.body.total_amount) ?? total);
  }

  /** A paid trade (from the admin API or alipay.trade.pay) joins the pool. */
  adopt(merchant: ChaosMerchant, tradeNo: string, outTradeNo: string, total: Fen): ChaosTrade {
    const trade: ChaosTrade = { tradeNo, outTradeNo, merchant, total, acknowledged: 0, untouched: true, retired: false };
    this.trades.push(trade);
    return trade;
  }

  openTrades(merchant: ChaosMerchant): ChaosTrade[] {
    return this.trades.filter((t) => t.merchant === merchant && !t.retired);
  }

  nextOutTradeNo(): string {
    return `CHAOSPAY${Date.now()}${String(this.#tradeSerial++).padStart(6, '0')}`;
  }
}
