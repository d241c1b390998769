/**
 * What every refund shares — synchronous (`alipay.trade.refund`, refund-now.ts), asynchronous
 * (`alipay.trade.refund.apply`, accept-refund.ts, carried out by the worker: carry-out-refund.ts) or a batch
 * line: the request, its result, and one transaction under the trade's lock in which the rules
 * (refund-rules.ts) decide and every effect commits with the refund or not at all (execute-refund.ts).
 */
import { lockRefundContext, type RefundContext } from '../store/sql/lock-refund-context.js';
import { saveRefund } from '../store/sql/refunds.js';
import type { Trx } from '../store/store.js';
import type { CoreDeps } from './deps.js';
import { allocateRefund } from './fund-allocation.js';
import type { Merchant, Refund, RefundDraft, RefundSource, RefundStatus, Trade } from '../interfaces.js';
import type { Fen } from './money.js';
import { planRefund, type RefundPlan, type RefundRejection } from './refund-rules.js';
import { tradeStatusAt } from './trade-status.js';

export interface RefundRequest {
  /** The seller the call acts for. */
  sellerPid: string;
  /** trade_no wins over out_trade_no when both are given. */
  tradeNo?: string | undefined;
  outTradeNo?: string | undefined;
  /** Identifies the refund within its trade. (Default: the trade's out_trade_no) */
  outRequestNo?: string | undefined;
  amount: Fen;
  reason?: string | null | undefined;
  operatorId?: string | null | undefined;
  storeId?: string | null | undefined;
  terminalId?: string | null | undefined;
  source: RefundSource;
  batchNo?: string | null | undefined;
}

export type RefundResult =
  /**
   * The money moved — now (`fundChange`), or by an earlier identical request. `jobsOwed`: it owes the worker
   * something (a notification, a bank deposit-back).
   */
  | { kind: 'succeeded'; trade: Trade; refund: Refund; fundChange: boolean; jobsOwed: boolean }
  /** Accepted and reserved; the worker carries it out. */
  | { kind: 'accepted'; trade: Trade; refund: Refund }
  | { kind: 'rejected'; reason: RefundRejection; trade: Trade | null };

/** Thrown inside a transaction to roll it back and answer with a rejection. */
export class Rejection extends Error {
  constructor(
    readonly reason: RefundRejection,
    readonly trade: Trade,
  ) {
    super(reason);
  }
}

/**
 * Thrown inside a transaction when a refund's row is no longer as its read saw it (on PostgreSQL, a refund the
 * read's snapshot predates): the transaction rolls back and runs again, reading it as it now is.
 */
export class RefundChanged extends Error {
  constructor(refundId: number) {
    super(`refund ${refundId} changed after it was read`);
  }
}

/** The trade under its lock, its seller, what its notification and buyer need, and the transaction's time. */
export interface Locked {
  trade: Trade;
  seller: Merchant;
  appKeys: RefundContext['appKeys'];
  buyerRegistered: boolean;
  now: number;
}

/** Runs of a refund's transaction that found its refund changed before one is given up (a bug, or a storm). */
const MAX_REFUND_RUNS = 5;

/**
 * Runs `work` in a transaction; a Rejection thrown inside rolls it back and becomes the result, and a
 * RefundChanged runs it again.
 */
export async function inRefundTransaction<T = RefundResult>(
  deps: CoreDeps,
  work: (trx: Trx) => Promise<T>,
): Promise<T | Extract<RefundResult, { kind: 'rejected' }>> {
  for (let run = 1; ; run++) {
    try {
      return await deps.store.transaction(work);
    } catch (error) {
      if (error instanceof Rejection) return { kind: 'rejected', reason: error.reason, trade: error.trade };
      if (error instanceof RefundChanged && run < MAX_REFUND_RUNS) continue;
      throw error;
    }
  }
}

/**
 * Whether a refund's write is the last statement of its transaction — nothing is recorded after it — so that
 * it may carry the transaction's commit (store/postgres-client.ts). A batch line records its outcome after it.
 */
export type EndsTransaction = boolean;

/** A refund's row as a read saw it: what its write checks is still so. Null for a refund with no row. */
export type ReadVersion = { status: RefundStatus; updatedAt: number } | null;

export function readVersion(refund: Refund | null | undefined): ReadVersion {
  return refund ? { status: refund.status, updatedAt: refund.updatedAt } : null;
}

/** The locked context as the refund core works with it. */
export function lockedOf(context: RefundContext, now: number): Locked {
  return { trade: context.trade, seller: context.seller, appKeys: context.appKeys, buyerRegistered: context.buyerRegistered, now };
}

export interface Planned {
  locked: Locked;
  outRequestNo: string;
  plan: RefundPlan;
}

/**
 * Locks the requested trade and decides what the request is: a repeat, one in flight, a new one, or refused —
 * from one read of everything the rules need (lock-refund-context.ts).
 */
export async function planUnderLock(trx: Trx, deps: CoreDeps, request: RefundRequest): Promise<Planned | null> {
  const context = await lockRefundContext(trx, request);
  if (!context) return null;
  return planInContext(context, request, deps.clock.now());
}

/** Decides what the request is, from its trade's locked context. */
export function planInContext(context: RefundContext, request: RefundRequest, now: number): Planned {
  const { trade, seller, existing } = context;
  const plan = planRefund({
    trade,
    status: tradeStatusAt(trade, seller.refundWindowDays, now),
    existing,
    amount: request.amount,
    requestNoGiven: request.outRequestNo !== undefined,
  });
  return { locked: lockedOf(context, now), outRequestNo: request.outRequestNo ?? trade.outTradeNo, plan };
}

/** A plan answered without refunding: a rejection, or the repeat of a refund that succeeded. */
export type AnsweredPlan = Extract<RefundPlan, { kind: 'rejected' | 'repeat' }>;

/** Whether the plan is answered as it stands; a pending or new refund is where refund.now and refund.apply differ. */
export function isAnswered(plan: RefundPlan): plan is AnsweredPlan {
  return plan.kind === 'rejected' || plan.kind === 'repeat';
}

export function answerOf(plan: AnsweredPlan, trade: Trade): RefundResult {
  return plan.kind === 'rejected'
    ? { kind: 'rejected', reason: plan.reason, trade }
    : { kind: 'succeeded', trade, refund: plan.refund, fundChange: false, jobsOwed: false };
}

/** Rejects a refund that would leave an accepted one unable to return a red packet whole. */
export function checkRedPacket(trade: Trade, amount: Fen): void {
  const combined = allocateRefund(trade.fundBills, trade.pendingRefundAmount + amount);
  if (!combined.ok && combined.reason === 'red_packet_partial') throw new Rejection('red_packet_partial', trade);
}

/** A new refund, or one that failed before tried again (keeping its id): drafted, not yet written. */
export function draftRefund(trade: Trade, previous: Refund | null, request: RefundRequest, outRequestNo: string, now: number): RefundDraft {
  return {
    id: previous?.id ?? 0,
    tradeNo: trade.tradeNo,
    outRequestNo,
    createdAt: previous?.createdAt ?? now,
    refundAmount: request.amount,
    status: 'new',
    refundReason: request.reason ?? null,
    source: request.source,
    batchNo: request.batchNo ?? null,
    operatorId: request.operatorId ?? null,
    storeId: request.storeId ?? null,
    terminalId: request.terminalId ?? null,
    sendBackFee: 0,
    refundChargeFee: 0,
    gmtRefundPay: null,
    attempts: 0,
    lastError: null,
    acceptedAt: null,
    nextAttemptAt: null,
    updatedAt: now,
    allocations: [],
  };
}

/** Writes a refund in its new state: inserted when it was a draft never written (id 0), updated otherwise. */
export async function persistRefund(trx: Trx, refund: Refund): Promise<Refund> {
  return { ...refund, id: await saveRefund(trx, refund, refund.id !== 0) };
}
