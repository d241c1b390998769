/**
 * The chaos run's load: lanes of merchants calling the gateway through the official alipay-sdk (every reply's
 * signature checked) — new refunds and refund.applies, exact repeats of acknowledged refunds, retries of
 * requests whose connection died, synchronous refunds of accepted applies, refund queries, and now and then a
 * payment — alipay.trade.pay, or a buyer paying a page.pay/wap.pay order on the cashier (chaos-payments.ts) —
 * so that there is always something to refund. Every answer is judged as it comes:
 * a 10000 is an acknowledgement the store must keep; a repeat must move nothing; a query must agree with what
 * was acknowledged. A call whose connection died is unknown, and may be retried exactly later.
 */
import type { AlipaySdk } from 'alipay-sdk';
import type { Random } from './chaos-random.js';
import type { CashierPayments } from './chaos-payments.js';
import { fenOf, yuan, type AcknowledgementBook, type Fen, type LoadFigures, type PaymentBook, type RefundWay, type Violations } from './chaos-record.js';
import type { ChaosMerchant, ChaosTrade, World } from './chaos-world.js';

/** A gateway reply node (`<method>_response`), keys as sent. */
type Reply = Record<string, unknown>;

type GatewayAnswer =
  | { kind: 'answered'; reply: Reply }
  /** The connection died (or never opened, or timed out) without an answer. */
  | { kind: 'unknown'; error: string }
  /** An answer the client could not accept: not HTTP 200, not JSON, or a signature that does not verify. */
  | { kind: 'malformed'; error: string };

/** One refund request, as sent: what an exact repeat sends again. */
interface RefundCall {
  trade: ChaosTrade;
  /** Absent: keyed by the trade's out_trade_no, and must refund the whole amount. */
  outRequestNo: string | undefined;
  amount: Fen;
}

interface AcknowledgedCall extends RefundCall {
  gmtRefundPay: string | null;
}

const REFUND = 'alipay.trade.refund';
const APPLY = 'alipay.trade.refund.apply';
const QUERY = 'alipay.trade.fastpay.refund.query';
const PAY = 'alipay.trade.pay';

/** Refusals that say the trade has nothing left to refund (or no more refunds allowed): it leaves the pool. */
const TRADE_SPENT = new Set(['ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', 'ACQ.TRADE_NOT_ALLOW_REFUND', 'ACQ.TRADE_STATUS_ERROR', 'ACQ.TRADE_HAS_FINISHED']);

/** How often each kind of call is made. */
const ACTIONS = {
  newRefund: 30,
  newApply: 24,
  query: 14,
  repeatRefund: 10,
  repeatRefundAsApply: 3,
  retryUnknown: 6,
  refundAcceptedApply: 5,
  wholeRefundWithoutRequestNo: 2,
  payment: 3,
  cashierPayment: 6,
  resumeCashierPayment: 2,
} as const;

type Action = keyof typeof ACTIONS;

/** Each merchant keeps at least this many trades open; more are made when it falls below. */
const OPEN_TRADES_KEPT = 6;

const str = (reply: Reply, field: string): string | undefined => (typeof reply[field] === 'string' ? (reply[field] as string) : undefined);

export interface LoadDeps {
  world: World;
  book: AcknowledgementBook;
  /** Payments acknowledged: alipay.trade.pay's here, the cashier's by `cashier`. */
  payments: PaymentBook;
  /** Buyers paying page.pay and wap.pay orders on the cashier. */
  cashier: CashierPayments;
  figures: LoadFigures;
  violations: Violations;
  /** Resolves once the gateway listens (at once, unless the group was killed). */
  gatewayUp: () => Promise<void>;
  /** The receiver, for payments' notify_url. */
  notifyUrl: string;
  /** Distinguishes this run's out_request_nos. */
  requestPrefix: string;
}

export class RefundLoad {
  readonly #deps: LoadDeps;
  readonly #synchronous: AcknowledgedCall[] = [];
  readonly #applies: AcknowledgedCall[] = [];
  readonly #unknown: Array<RefundCall & { way: RefundWay }> = [];
  #serial = 0;
  #stopping = false;
  #lanes: Array<Promise<void>> = [];
  /** While set, calls that owe the worker new jobs wait for it (see quietWhile); queries go on. */
  #quiet: Promise<void> | null = null;

  constructor(deps: LoadDeps) {
    this.#deps = deps;
  }

  start(lanes: readonly Random[]): void {
    this.#lanes = lanes.map((random) => this.#lane(random));
  }

  /**
   * Holds back every call that writes (and so owes the worker jobs) until `work` settles. A clock advance runs
   * every job due on the way and returns only when none is due, which a steady stream of new refunds can put
   * off for ever; the harness quiets the writes when an advance has waited a while.
   */
  async quietWhile(work: Promise<unknown>): Promise<void> {
    const quiet = work.then(
      () => {},
      () => {},
    );
    this.#quiet = quiet;
    await quiet;
    if (this.#quiet === quiet) this.#quiet = null;
  }

  /** Stops sending and waits for the calls in flight. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#lanes);
  }

  async #lane(random: Random): Promise<void> {
    while (!this.#stopping) {
      await this.#deps.gatewayUp();
      if (this.#stopping) break;
      const action = random.weighted<Action>(ACTIONS);
      if (action !== 'query') while (this.#quiet) await this.#quiet;
      try {
        await this.#act(action, random);
      } catch (error) {
        // A harness bug must be seen, not hidden in a lane that quietly stops.
        console.error(`load lane: ${action} failed:`, error);
        this.#stopping = true;
        throw error;
      }
    }
  }

  async #act(action: Action, random: Random): Promise<void> {
    switch (action) {
      case 'newRefund':
        return this.#newRefund(random, 'refund');
      case 'newApply':
        return this.#newRefund(random, 'apply');
      case 'query':
        return this.#query(random);
      case 'repeatRefund':
        return this.#repeat(random, REFUND);
      case 'repeatRefundAsApply':
        return this.#repeat(random, APPLY);
      case 'retryUnknown':
        return this.#retryUnknown(random);
      case 'refundAcceptedApply':
        return this.#refundAcceptedApply(random);
      case 'wholeRefundWithoutRequestNo':
        return this.#wholeRefundWithoutRequestNo(random);
      case 'payment':
        return this.#payment(random);
      case 'cashierPayment':
        return this.#deps.cashier.payNew(random);
      case 'resumeCashierPayment':
        return this.#deps.cashier.resume(random);
    }
  }

  // ------------------------------------------------------------------------------------------ the calls

  async #exec(sdk: AlipaySdk, method: string, params: Record<string, unknown>): Promise<GatewayAnswer> {
    this.#deps.figures.countSent(method);
    try {
      return { kind: 'answered', reply: (await sdk.exec(method, params, { validateSign: true })) as Reply };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // alipay-sdk wraps every transport failure (reset, refused, timeout) as "HttpClient Request error".
      if (message.startsWith('HttpClient Request error')) return { kind: 'unknown', error: message };
      return { kind: 'malformed', error: message.slice(0, 300) };
    }
  }

  #refundBiz(call: RefundCall): Record<string, unknown> {
    return {
      ...(call.outRequestNo === undefined ? { out_trade_no: call.trade.outTradeNo } : { trade_no: call.trade.tradeNo, out_request_no: call.outRequestNo }),
      refund_amount: yuan(call.amount),
      refund_reason: 'chaos',
    };
  }

  /** Sends a refund or an apply and books its answer. `fresh`: first sent, so a 10000 must have moved the money now. */
  async #sendRefund(way: RefundWay, call: RefundCall, fresh: boolean): Promise<GatewayAnswer> {
    const method = way === 'refund' ? REFUND : APPLY;
    const answer = await this.#exec(call.trade.merchant.sdk, method, { bizContent: this.#refundBiz(call) });
    const what = `${method} ${call.trade.tradeNo}/${call.outRequestNo ?? '(out_trade_no)'} ${yuan(call.amount)}`;
    if (answer.kind === 'unknown') {
      this.#deps.figures.countUnknown(method);
      this.#unknown.push({ ...call, way });
      return answer;
    }
    if (answer.kind === 'malformed') {
      this.#deps.violations.record('replies signed and well-formed', `${what}: ${answer.error}`);
      return answer;
    }
    const { reply } = answer;
    const code = str(reply, 'code');
    if (code === '10000') {
      if (way === 'refund') this.#checkRefundReply(reply, call, what, fresh);
      this.#acknowledge(way, call, way === 'refund' ? (str(reply, 'gmt_refund_pay') ?? null) : null, method);
    } else this.#refused(reply, call.trade, what);
    return answer;
  }

  #checkRefundReply(reply: Reply, call: RefundCall, what: string, fresh: boolean): void {
    const fundChange = str(reply, 'fund_change');
    const refundFee = fenOf(str(reply, 'refund_fee'));
    // alipay-sdk's HTTP client (urllib, socketErrorRetry: 1) sends a POST again, once, when its socket dies
    // (ECONNRESET): a first request whose first copy was carried out before a kill is answered as the repeat
    // it has become. Whether it moved money once is for the store to show.
    if (fresh && fundChange === 'N') this.#deps.figures.resentByClient++;
    if (fundChange !== 'Y' && fundChange !== 'N') this.#deps.violations.record('replies signed and well-formed', `${what}: fund_change ${fundChange}`);
    if (refundFee === null || refundFee < call.amount || refundFee > call.trade.total) {
      this.#deps.violations.record('replies signed and well-formed', `${what}: refund_fee ${str(reply, 'refund_fee')} of a trade of ${yuan(call.trade.total)}`);
    }
  }

  #acknowledge(way: RefundWay, call: RefundCall, gmtRefundPay: string | null, method: string): void {
    const { book, figures } = this.#deps;
    const outRequestNo = call.outRequestNo ?? call.trade.outTradeNo;
    const earlier = book.find(call.trade.tradeNo, outRequestNo);
    figures.countAcknowledged(method);
    book.acknowledge({ tradeNo: call.trade.tradeNo, outRequestNo, amount: call.amount, way, gmtRefundPay });
    if (!earlier) call.trade.acknowledged += call.amount;
    if (way === 'refund' && earlier?.way !== 'refund') this.#synchronous.push({ ...call, gmtRefundPay });
    if (way === 'apply' && !earlier) this.#applies.push({ ...call, gmtRefundPay: null });
  }

  #refused(reply: Reply, trade: ChaosTrade, what: string): void {
    const code = str(reply, 'code');
    const subCode = str(reply, 'sub_code') ?? '(none)';
    if (code === '40004') {
      this.#deps.figures.countRejected(subCode);
      if (TRADE_SPENT.has(subCode)) trade.retired = true;
    } else if (code === '20000') {
      this.#deps.violations.record('no unexpected errors (20000, HTTP 5xx)', `${what}: ${JSON.stringify(reply)}`);
    } else {
      this.#deps.violations.record('replies signed and well-formed', `${what}: ${JSON.stringify(reply)}`);
    }
  }

  // ------------------------------------------------------------------------------------------ the actions

  /** A trade of a merchant with something left to refund, as far as the acknowledgements tell. */
  async #openTrade(random: Random): Promise<ChaosTrade | null> {
    const merchant = random.pick(this.#deps.world.merchants);
    let open = this.#deps.world.openTrades(merchant).filter((t) => t.total - t.acknowledged > 0);
    if (open.length < OPEN_TRADES_KEPT) {
      await this.#deps.world.createTrade(merchant);
      open = this.#deps.world.openTrades(merchant).filter((t) => t.total - t.acknowledged > 0);
    }
    return open.length > 0 ? random.pick(open) : null;
  }

  /**
   * Mostly a few percent of the trade; now and then all that is left, or all but a little — so that a later
   * refund completes a fund bill line (a buyer's coupons, paid last) that an earlier one began.
   */
  #amountFor(random: Random, trade: ChaosTrade): Fen {
    const left = trade.total - trade.acknowledged;
    if (random.chance(0.07)) return left;
    if (left > 1 && random.chance(0.06)) return left - random.int(1, Math.min(left - 1, 3000));
    const low = Math.max(1, Math.floor(trade.total * 0.01));
    const high = Math.max(low, Math.floor(trade.total * 0.12));
    return Math.min(left, random.int(low, high));
  }

  async #newRefund(random: Random, way: RefundWay): Promise<void> {
    const trade = await this.#openTrade(random);
    if (!trade) return;
    trade.untouched = false;
    const call: RefundCall = { trade, outRequestNo: `${this.#deps.requestPrefix}${this.#serial++}`, amount: this.#amountFor(random, trade) };
    await this.#sendRefund(way, call, true);
  }

  /** The whole trade, keyed by its out_trade_no (no out_request_no). */
  async #wholeRefundWithoutRequestNo(random: Random): Promise<void> {
    const untouched = this.#deps.world.trades.filter((t) => t.untouched && !t.retired);
    if (untouched.length === 0) return;
    const trade = random.pick(untouched);
    trade.untouched = false;
    await this.#sendRefund('refund', { trade, outRequestNo: undefined, amount: trade.total }, true);
  }

  /** The same request again, byte for byte in its business content: it must answer 10000 and move nothing. */
  async #repeat(random: Random, method: typeof REFUND | typeof APPLY): Promise<void> {
    if (this.#synchronous.length === 0) return;
    const original = random.pick(this.#synchronous);
    const answer = await this.#exec(original.trade.merchant.sdk, method, { bizContent: this.#refundBiz(original) });
    const what = `repeat through ${method} of ${original.trade.tradeNo}/${original.outRequestNo ?? '(out_trade_no)'} ${yuan(original.amount)}`;
    if (answer.kind === 'unknown') return this.#deps.figures.countUnknown(method);
    if (answer.kind === 'malformed') return this.#deps.violations.record('replies signed and well-formed', `${what}: ${answer.error}`);
    const { reply } = answer;
    if (str(reply, 'code') !== '10000') return this.#deps.violations.record('repeats moved nothing', `${what}: answered ${JSON.stringify(reply)}`);
    this.#deps.figures.countAcknowledged(method);
    if (method === APPLY) return;
    const fundChange = str(reply, 'fund_change');
    const gmt = str(reply, 'gmt_refund_pay');
    if (fundChange !== 'N') this.#deps.violations.record('repeats moved nothing', `${what}: fund_change ${fundChange}`);
    if (original.gmtRefundPay !== null && gmt !== original.gmtRefundPay) {
      this.#deps.violations.record('repeats moved nothing', `${what}: gmt_refund_pay ${gmt}, the original said ${original.gmtRefundPay}`);
    }
  }

  /** A request whose connection died, sent again exactly, as a merchant would: whatever happened, it is one refund. */
  async #retryUnknown(random: Random): Promise<void> {
    if (this.#unknown.length === 0) return;
    const index = random.int(0, this.#unknown.length - 1);
    const [call] = this.#unknown.splice(index, 1);
    if (call) await this.#sendRefund(call.way, call, false);
  }

  /** alipay.trade.refund with an acknowledged apply's out_request_no and amount: carries it out now, or was already. */
  async #refundAcceptedApply(random: Random): Promise<void> {
    const candidates = this.#applies.filter((a) => this.#deps.book.find(a.trade.tradeNo, a.outRequestNo ?? a.trade.outTradeNo)?.way === 'apply');
    if (candidates.length === 0) return;
    await this.#sendRefund('refund', random.pick(candidates), false);
  }

  /** The query must show what was acknowledged: a synchronous refund as REFUND_SUCCESS, an apply with its amount. */
  async #query(random: Random): Promise<void> {
    const pool = random.chance(0.5) && this.#applies.length > 0 ? this.#applies : this.#synchronous;
    if (pool.length === 0) return;
    const call = random.pick(pool);
    const outRequestNo = call.outRequestNo ?? call.trade.outTradeNo;
    // What was acknowledged before this query left: the answer may show more (an apply carried out), never less.
    const acknowledged = this.#deps.book.find(call.trade.tradeNo, outRequestNo);
    if (!acknowledged) return;
    const answer = await this.#exec(call.trade.merchant.sdk, QUERY, { bizContent: { trade_no: call.trade.tradeNo, out_request_no: outRequestNo } });
    const what = `query of ${acknowledged.way} ${call.trade.tradeNo}/${outRequestNo} ${yuan(call.amount)}`;
    if (answer.kind === 'unknown') return this.#deps.figures.countUnknown(QUERY);
    if (answer.kind === 'malformed') return this.#deps.violations.record('replies signed and well-formed', `${what}: ${answer.error}`);
    const { reply } = answer;
    if (str(reply, 'code') !== '10000') return this.#refused(reply, call.trade, what);
    this.#deps.figures.countAcknowledged(QUERY);
    const status = str(reply, 'refund_status');
    const amount = fenOf(str(reply, 'refund_amount'));
    const agrees =
      amount === call.amount && (acknowledged.way === 'refund' ? status === 'REFUND_SUCCESS' : status === undefined || status === 'REFUND_SUCCESS');
    if (!agrees) this.#deps.violations.record('queries agree with acknowledgements', `${what}: answered ${JSON.stringify(reply)}`);
  }

  /** A face-to-face payment: a new trade (with a payment notification owed) joins the pool. */
  async #payment(random: Random): Promise<void> {
    const merchant: ChaosMerchant = random.pick(this.#deps.world.merchants);
    const total = random.int(20, 600) * 100 + random.int(0, 99);
    const outTradeNo = this.#deps.world.nextOutTradeNo();
    const answer = await this.#exec(merchant.sdk, PAY, {
      notify_url: this.#deps.notifyUrl,
      bizContent: {
        out_trade_no: outTradeNo,
        scene: 'bar_code',
        auth_code: `28${String(random.int(0, 1e9)).padStart(16, '0')}`,
        subject: 'chaos',
        total_amount: yuan(total),
      },
    });
    const what = `${PAY} ${outTradeNo} ${yuan(total)}`;
    if (answer.kind === 'unknown') return this.#deps.figures.countUnknown(PAY);
    if (answer.kind === 'malformed') return this.#deps.violations.record('replies signed and well-formed', `${what}: ${answer.error}`);
    const { reply } = answer;
    const tradeNo = str(reply, 'trade_no');
    if (str(reply, 'code') !== '10000' || !tradeNo) {
      if (str(reply, 'code') === '40004') return this.#deps.figures.countRejected(str(reply, 'sub_code') ?? '(none)');
      return this.#deps.violations.record(
        str(reply, 'code') === '20000' ? 'no unexpected errors (20000, HTTP 5xx)' : 'replies signed and well-formed',
        `${what}: ${JSON.stringify(reply)}`,
      );
    }
    this.#deps.figures.countAcknowledged(PAY);
    this.#deps.payments.acknowledge({ sellerPid: merchant.pid, outTradeNo, tradeNo, total, buyerUserId: null, how: 'trade_pay' });
    this.#deps.world.adopt(merchant, tradeNo, outTradeNo, total);
  }
}
