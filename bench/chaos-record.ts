/**
 * What the chaos harness keeps while it runs: the refunds tuikuan acknowledged (answered 10000) and the
 * payments its cashier acknowledged (sent the buyer back to return_url, paid) — the promises a crash must not
 * break —, the figures of the load, and every violation found, by invariant.
 * Money is integer fen here; yuan strings ("12.34") exist only on the wire.
 */

export type Fen = number;

/** Fen to the wire's yuan string: 1234 → "12.34". */
export function yuan(fen: Fen): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The wire's yuan string to fen; null when it is not one ("12.3" and "12" are accepted, as Alipay writes them). */
export function fenOf(text: unknown): Fen | null {
  if (typeof text !== 'string') return null;
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** Every invariant the harness checks, in the order it prints them. */
export const INVARIANTS = [
  // In the store, after every kill and at the end.
  'refunded + reserved ≤ total',
  'refunded = Σ succeeded refunds',
  'reserved = Σ pending applies',
  'refund count = live refunds',
  'one refund per (trade, out_request_no)',
  'allocations = refund amount',
  'fund bill refunded = Σ allocations',
  'balance = Σ ledger entries',
  'balance ≥ 0',
  'money moved once per payment and refund',
  'one notification per event',
  'notify_id unique',
  'acknowledged refunds kept',
  'owed work has its job',
  // Payments through the buyer's cashier, in the store.
  'acknowledged payments: one paid trade each',
  'pay order and its trade agree',
  'buyer funds conserved',
  'payments credited = Σ receipts',
  'fund bill = total',
  // In what the merchant saw.
  'merchant saw one notify_id per event',
  'receiver and store agree on notifications',
  'notifications signed',
  'repeats moved nothing',
  'queries agree with acknowledgements',
  'replies signed and well-formed',
  'no unexpected errors (20000, HTTP 5xx)',
  'cashier answered as expected',
  'no unplanned process exits',
  // Once everything has settled, at the end.
  'settled: applies ended succeeded or failed',
  'settled: jobs drained',
  'settled: notifications finished',
] as const;

export type Invariant = (typeof INVARIANTS)[number];

/** Records one breach of an invariant found by a check, with the rows involved. */
export type Breach = (invariant: Invariant, detail: string) => void;

const SAMPLES_KEPT = 5;

/**
 * Violations by invariant. The same breach seen by several checks (a lost notification stays lost) counts
 * once, with the moment it was first seen.
 */
export class Violations {
  readonly #counts = new Map<Invariant, number>();
  readonly #samples = new Map<Invariant, string[]>();
  readonly #seen = new Set<string>();

  record(invariant: Invariant, detail: string, moment?: string): void {
    const key = `${invariant}|${detail}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#counts.set(invariant, (this.#counts.get(invariant) ?? 0) + 1);
    const samples = this.#samples.get(invariant) ?? [];
    if (samples.length < SAMPLES_KEPT) samples.push(moment ? `${moment}: ${detail}` : detail);
    this.#samples.set(invariant, samples);
  }

  count(invariant: Invariant): number {
    return this.#counts.get(invariant) ?? 0;
  }

  total(): number {
    return [...this.#counts.values()].reduce((sum, n) => sum + n, 0);
  }

  samples(invariant: Invariant): readonly string[] {
    return this.#samples.get(invariant) ?? [];
  }
}

export type RefundWay = 'refund' | 'apply';

/** A refund tuikuan answered 10000 for. */
export interface AcknowledgedRefund {
  tradeNo: string;
  outRequestNo: string;
  amount: Fen;
  /**
   * 'refund' once alipay.trade.refund answered 10000 for it (it must then be succeeded, for ever); 'apply' while
   * only refund.apply did (it must exist, in any state, and end succeeded or failed).
   */
  way: RefundWay;
  /** From the synchronous answer: what every repeat must answer again. */
  gmtRefundPay: string | null;
}

export function refundKey(tradeNo: string, outRequestNo: string): string {
  return `${tradeNo}|${outRequestNo}`;
}

export class AcknowledgementBook {
  readonly #refunds = new Map<string, AcknowledgedRefund>();

  acknowledge(ack: AcknowledgedRefund): void {
    const key = refundKey(ack.tradeNo, ack.outRequestNo);
    const earlier = this.#refunds.get(key);
    // A synchronous acknowledgement is the stronger promise (succeeded): it wins over an apply's.
    if (!earlier || (earlier.way === 'apply' && ack.way === 'refund'))
      this.#refunds.set(key, { ...ack, gmtRefundPay: ack.gmtRefundPay ?? earlier?.gmtRefundPay ?? null });
  }

  find(tradeNo: string, outRequestNo: string): AcknowledgedRefund | undefined {
    return this.#refunds.get(refundKey(tradeNo, outRequestNo));
  }

  /** A copy, taken before the store is read: everything in it was committed before the read began. */
  snapshot(): AcknowledgedRefund[] {
    return [...this.#refunds.values()];
  }

  get size(): number {
    return this.#refunds.size;
  }
}

/** How tuikuan said a cashier payment was made. */
export type PaymentAcknowledgement =
  /** The payment's POST answered with the redirect to return_url, its sync return signed. */
  | 'return'
  /** The cashier, visited again after a payment whose answer was lost, showed it paid (with the signed return). */
  | 'paid_page'
  /** The trade_status_sync of the payment reached the merchant's notify_url. */
  | 'notification'
  /** alipay.trade.pay answered 10000. */
  | 'trade_pay';

/** A payment through the buyer's cashier that tuikuan acknowledged. */
export interface AcknowledgedPayment {
  sellerPid: string;
  outTradeNo: string;
  tradeNo: string;
  total: Fen;
  /** Who paid; null when only the notification told (it does not name the buyer the harness chose). */
  buyerUserId: string | null;
  how: PaymentAcknowledgement;
}

export class PaymentBook {
  readonly #payments: AcknowledgedPayment[] = [];

  acknowledge(payment: AcknowledgedPayment): void {
    this.#payments.push(payment);
  }

  /** A copy, taken before the store is read: everything in it was committed before the read began. */
  snapshot(): AcknowledgedPayment[] {
    return [...this.#payments];
  }

  /** How many were acknowledged each way, for the report. */
  count(how: PaymentAcknowledgement): number {
    return this.#payments.filter((p) => p.how === how).length;
  }
}

/** The figures of one engine's run. */
export class LoadFigures {
  sent = 0;
  acknowledged = 0;
  /** Rejected with a business code (40004): an answer, not an acknowledgement. */
  rejected = 0;
  /** The connection died (or never opened) without an answer: the request may or may not have been carried out. */
  unknown = 0;
  /** First requests answered fund_change N: the HTTP client had sent them twice (see chaos-load.ts). */
  resentByClient = 0;
  readonly bySubCode = new Map<string, number>();
  readonly byMethod = new Map<string, { sent: number; acknowledged: number; unknown: number }>();

  #method(method: string): { sent: number; acknowledged: number; unknown: number } {
    const figures = this.byMethod.get(method) ?? { sent: 0, acknowledged: 0, unknown: 0 };
    this.byMethod.set(method, figures);
    return figures;
  }

  countSent(method: string): void {
    this.sent++;
    this.#method(method).sent++;
  }

  countAcknowledged(method: string): void {
    this.acknowledged++;
    this.#method(method).acknowledged++;
  }

  countUnknown(method: string): void {
    this.unknown++;
    this.#method(method).unknown++;
  }

  countRejected(subCode: string): void {
    this.rejected++;
    this.bySubCode.set(subCode, (this.bySubCode.get(subCode) ?? 0) + 1);
  }
}
