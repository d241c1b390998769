/**
 * The refund core. Every refund — synchronous (`alipay.trade.refund`), asynchronous
 * (`alipay.trade.refund.apply`, carried out by the worker) or a batch line — runs here, in one transaction
 * under the trade's lock: the rules (refund-rules.ts), the fund allocation, the ledger entries, the trade's
 * totals and the effects it owes (notification, bank deposit-back) commit together or not at all.
 */
import { applyLedgerEntry } from '../store/sql/apply-ledger-entry.js';
import { addJob } from '../store/sql/jobs.js';
import { findMerchant } from '../store/sql/merchants.js';
import { findRefund, findRefundById, findRefundHeaderById, insertAllocations, insertRefund, updateRefund } from '../store/sql/refunds.js';
import { findTradeByNo, lockTrade, setFundBillRefunded, updateTrade } from '../store/sql/trades.js';
import type { Trx } from '../store/store.js';
import type { CoreDeps } from './deps.js';
import { allocateRefund, refundChargeFee } from './fund-allocation.js';
import { isBankCard } from './fund-bill.js';
import type { FundAllocation, Merchant, Refund, RefundSource, Trade } from './interfaces.js';
import type { Fen } from './money.js';
import { oweTradeStatusSync } from './notifications.js';
import { planRefund, type RefundPlan, type RefundRejection } from './refund-rules.js';
import { isPending } from './refund-state.js';
import { nextRefundAttempt } from './retry-schedules.js';
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
class Rejection extends Error {
  constructor(
    readonly reason: RefundRejection,
    readonly trade: Trade,
  ) {
    super(reason);
  }
}

interface Locked {
  trade: Trade;
  seller: Merchant;
  now: number;
}

async function lockRequestedTrade(trx: Trx, deps: CoreDeps, request: RefundRequest): Promise<Locked | null> {
  const trade = await lockTrade(trx, { sellerPid: request.sellerPid, tradeNo: request.tradeNo, outTradeNo: request.outTradeNo });
  if (!trade) return null;
  const seller = await findMerchant(trx, trade.sellerPid);
  if (!seller) return null;
  return { trade, seller, now: deps.clock.now() };
}

/** Rejects a refund that would leave an accepted one unable to return a red packet whole. */
function checkRedPacket(trade: Trade, amount: Fen): void {
  const combined = allocateRefund(trade.fundBills, trade.pendingRefundAmount + amount);
  if (!combined.ok && combined.reason === 'red_packet_partial') throw new Rejection('red_packet_partial', trade);
}

async function inTransaction(deps: CoreDeps, work: (trx: Trx) => Promise<RefundResult>): Promise<RefundResult> {
  try {
    return await deps.store.transaction(work);
  } catch (error) {
    if (error instanceof Rejection) return { kind: 'rejected', reason: error.reason, trade: error.trade };
    throw error;
  }
}

/** Work to do in the refund's own transaction once it has succeeded (a batch line records its outcome). */
export type WithinRefund = (trx: Trx, result: RefundResult & { kind: 'succeeded' }) => Promise<void>;

/** A synchronous refund: it succeeds now, or is rejected and changes nothing. */
export function refundNow(deps: CoreDeps, request: RefundRequest, within?: WithinRefund): Promise<RefundResult> {
  return inTransaction(deps, async (trx) => {
    const result = await refundNowIn(trx, deps, request);
    if (within && result.kind === 'succeeded') await within(trx, result);
    return result;
  });
}

interface Planned {
  locked: Locked;
  outRequestNo: string;
  plan: RefundPlan;
}

/** Locks the requested trade and decides what the request is: a repeat, one in flight, a new one, or refused. */
async function planUnderLock(trx: Trx, deps: CoreDeps, request: RefundRequest): Promise<Planned | null> {
  const locked = await lockRequestedTrade(trx, deps, request);
  if (!locked) return null;
  const { trade, seller, now } = locked;
  const outRequestNo = request.outRequestNo ?? trade.outTradeNo;
  const plan = planRefund({
    trade,
    status: tradeStatusAt(trade, seller.refundWindowDays, now),
    existing: await findRefund(trx, trade.tradeNo, outRequestNo),
    amount: request.amount,
    requestNoGiven: request.outRequestNo !== undefined,
  });
  return { locked, outRequestNo, plan };
}

async function refundNowIn(trx: Trx, deps: CoreDeps, request: RefundRequest): Promise<RefundResult> {
  const planned = await planUnderLock(trx, deps, request);
  if (!planned) return { kind: 'rejected', reason: 'trade_not_found', trade: null };
  const { locked, outRequestNo, plan } = planned;
  const { trade, now } = locked;
  switch (plan.kind) {
    case 'rejected':
      return { kind: 'rejected', reason: plan.reason, trade };
    case 'repeat':
      return { kind: 'succeeded', trade, refund: plan.refund, fundChange: false, jobsOwed: false };
    case 'pending':
      // An accepted refund.apply with the same out_request_no: one refund, carried out now.
      return carryOut(trx, locked, plan.refund);
    case 'new': {
      checkRedPacket(trade, request.amount);
      return execute(trx, locked, draftRefund(trade, plan.previous, request, outRequestNo, now, 'succeeded'), false);
    }
  }
}

/** An asynchronous refund (refund.apply): checked and reserved now, carried out by the worker. */
export function acceptRefund(deps: CoreDeps, request: RefundRequest): Promise<RefundResult> {
  return inTransaction(deps, async (trx) => {
    const planned = await planUnderLock(trx, deps, request);
    if (!planned) return { kind: 'rejected', reason: 'trade_not_found', trade: null };
    const { locked, outRequestNo, plan } = planned;
    const { trade, now } = locked;
    switch (plan.kind) {
      case 'rejected':
        return { kind: 'rejected', reason: plan.reason, trade };
      case 'repeat':
        return { kind: 'succeeded', trade, refund: plan.refund, fundChange: false, jobsOwed: false };
      case 'pending':
        return { kind: 'accepted', trade, refund: plan.refund };
      case 'new': {
        checkRedPacket(trade, request.amount);
        const refund = await persistRefund(trx, draftRefund(trade, plan.previous, request, outRequestNo, now, 'accepted'));
        const reserved: Trade = {
          ...trade,
          pendingRefundAmount: trade.pendingRefundAmount + request.amount,
          refundCount: trade.refundCount + 1,
        };
        await updateTrade(trx, trade.tradeNo, { pendingRefundAmount: reserved.pendingRefundAmount, refundCount: reserved.refundCount });
        await addJob(trx, { kind: 'refund', subject: String(refund.id), runAt: now, now });
        return { kind: 'accepted', trade: reserved, refund };
      }
    }
  });
}

/**
 * A new refund, or one that failed before revived (keeping its id), in `status` — not yet written:
 * `persistRefund` writes it once, with its outcome.
 */
function draftRefund(
  trade: Trade,
  previous: Refund | null,
  request: RefundRequest,
  outRequestNo: string,
  now: number,
  status: 'accepted' | 'succeeded',
): Refund {
  return {
    id: previous?.id ?? 0,
    tradeNo: trade.tradeNo,
    outRequestNo,
    createdAt: previous?.createdAt ?? now,
    refundAmount: request.amount,
    status,
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
    acceptedAt: status === 'accepted' ? now : null,
    nextAttemptAt: status === 'accepted' ? now : null,
    updatedAt: now,
    allocations: [],
  };
}

/** Writes a drafted or changed refund: inserted when new (id 0), updated otherwise. Returns it with its id. */
async function persistRefund(trx: Trx, refund: Refund): Promise<Refund> {
  const { id, allocations, tradeNo, outRequestNo, createdAt, ...fields } = refund;
  if (id !== 0) {
    await updateRefund(trx, id, fields);
    return refund;
  }
  return { ...refund, id: await insertRefund(trx, { tradeNo, outRequestNo, createdAt, ...fields }) };
}

/** Carries out an accepted refund now (its amount is already reserved on the trade). */
async function carryOut(trx: Trx, locked: Locked, refund: Refund): Promise<RefundResult> {
  if (locked.trade.frozen) throw new Rejection('trade_frozen', locked.trade);
  return execute(trx, locked, refund, true);
}

/**
 * Moves the money: allocation, trade totals, effects, then the ledger. Throws a Rejection (rolling the
 * transaction back) when the fund bill or the merchant's balance cannot take it.
 */
async function execute(trx: Trx, { trade, seller, now }: Locked, refund: Refund, reserved: boolean): Promise<RefundResult> {
  const amount = refund.refundAmount;
  const othersPending = trade.pendingRefundAmount - (reserved ? amount : 0);
  const allocation = allocateRefund(trade.fundBills, amount, { redPacketWhole: othersPending === 0 });
  if (!allocation.ok) throw new Rejection(allocation.reason === 'red_packet_partial' ? 'red_packet_partial' : 'amount_exceeds_refundable', trade);
  const { sendBackFee } = allocation;
  const chargeFee = refundChargeFee(trade, sendBackFee);

  const saved = await persistRefund(trx, { ...refund, status: 'succeeded', sendBackFee, refundChargeFee: chargeFee, gmtRefundPay: now, nextAttemptAt: null, updatedAt: now });
  const id = saved.id;

  const bankDelayMs = seller.dbackDelaySeconds * 1000;
  const allocations: FundAllocation[] = allocation.allocations.map((a) =>
    isBankCard(a.fundChannel) ? { ...a, dbackStatus: 'P', estBankReceiptTime: now + bankDelayMs } : a,
  );
  await insertAllocations(trx, id, allocations);
  const fundBills = trade.fundBills.map((bill) => {
    const taken = allocations.find((a) => a.position === bill.position)?.amount ?? 0;
    return taken ? { ...bill, refundedAmount: bill.refundedAmount + taken } : bill;
  });
  for (const bill of fundBills) {
    const before = trade.fundBills.find((b) => b.position === bill.position);
    if (before && before.refundedAmount !== bill.refundedAmount) await setFundBillRefunded(trx, trade.tradeNo, bill.position, bill.refundedAmount);
  }

  const refundedAmount = trade.refundedAmount + amount;
  const closed = refundedAmount === trade.totalAmount;
  const after: Trade = {
    ...trade,
    fundBills,
    refundedAmount,
    refundedSendBackFee: trade.refundedSendBackFee + sendBackFee,
    refundedChargeFee: trade.refundedChargeFee + chargeFee,
    pendingRefundAmount: trade.pendingRefundAmount - (reserved ? amount : 0),
    refundCount: trade.refundCount + (reserved ? 0 : 1),
    status: closed ? 'TRADE_CLOSED' : trade.status,
    gmtClose: closed ? now : trade.gmtClose,
  };
  await updateTrade(trx, trade.tradeNo, {
    refundedAmount: after.refundedAmount,
    refundedSendBackFee: after.refundedSendBackFee,
    refundedChargeFee: after.refundedChargeFee,
    pendingRefundAmount: after.pendingRefundAmount,
    refundCount: after.refundCount,
    status: after.status,
    gmtClose: after.gmtClose,
  });

  const done: Refund = { ...saved, allocations };
  const notifying = await oweTradeStatusSync(trx, after, seller, done, now);
  const bankReturn = allocations.find((a) => a.dbackStatus === 'P');
  if (bankReturn) await addJob(trx, { kind: 'deposit_back', subject: String(id), runAt: now + bankDelayMs, now });

  // The merchant's balance moves last: on PostgreSQL its row stays locked from here to the commit, and every
  // refund of the merchant waits for that lock, so it is held for as short a time as can be.
  const entry = { pid: trade.sellerPid, tradeNo: trade.tradeNo, refundId: id, createdAt: now };
  // The fee given back comes first: what the refund costs the merchant is send_back_fee less it, so a
  // merchant holding exactly what the trade left it (receipt less fee) can refund the trade in full.
  if (chargeFee !== 0) await applyLedgerEntry(trx, { ...entry, amount: chargeFee, kind: 'fee_refund' });
  if (sendBackFee !== 0 && (await applyLedgerEntry(trx, { ...entry, amount: -sendBackFee, kind: 'refund' })) === null) {
    throw new Rejection('balance_not_enough', trade);
  }
  return { kind: 'succeeded', trade: after, refund: done, fundChange: true, jobsOwed: notifying || bankReturn !== undefined };
}

export type CarryOutOutcome = { kind: 'done' } | { kind: 'retry'; at: number };

/**
 * The worker's part of refund.apply: carry out an accepted refund. When the balance (or a freeze) stops
 * it, it waits and is retried on the refund retry schedule, and fails — releasing its reservation —
 * when the schedule gives up.
 */
export async function carryOutAcceptedRefund(deps: CoreDeps, refundId: number): Promise<CarryOutOutcome> {
  const result = await inTransaction(deps, async (trx) => {
    const pending = await lockPendingRefund(trx, refundId);
    if (!pending) return { kind: 'rejected', reason: 'trade_not_found', trade: null };
    const { trade, refund } = pending;
    const seller = await findMerchant(trx, trade.sellerPid);
    if (!seller) throw new Error(`refund ${refundId} of a trade whose seller ${trade.sellerPid} is unknown`);
    return carryOut(trx, { trade, seller, now: deps.clock.now() }, refund);
  });
  if (result.kind !== 'rejected' || result.trade === null) return { kind: 'done' };
  return waitOrFail(deps, refundId, result.reason);
}

/** The refund and its trade, under the trade's lock, if the refund is still waiting to be carried out. */
async function lockPendingRefund(trx: Trx, refundId: number): Promise<{ trade: Trade; refund: Refund } | null> {
  // Which trade to lock is read first; the refund itself is read again once no one else can change it.
  const peek = await findRefundHeaderById(trx, refundId);
  if (!peek) return null;
  const trade = await findTradeByNo(trx, peek.tradeNo, true);
  const refund = trade && (await findRefundById(trx, refundId));
  return trade && refund && isPending(refund.status) ? { trade, refund } : null;
}

async function waitOrFail(deps: CoreDeps, refundId: number, reason: RefundRejection): Promise<CarryOutOutcome> {
  return deps.store.transaction(async (trx): Promise<CarryOutOutcome> => {
    const pending = await lockPendingRefund(trx, refundId);
    if (!pending) return { kind: 'done' };
    const { trade, refund } = pending;
    const now = deps.clock.now();
    const attempts = refund.attempts + 1;
    const retryable = reason === 'balance_not_enough' || reason === 'trade_frozen';
    const next = retryable ? nextRefundAttempt(refund.acceptedAt ?? refund.createdAt, attempts, now) : null;
    if (next !== null) {
      await updateRefund(trx, refund.id, { status: 'waiting_for_funds', attempts, lastError: reason, nextAttemptAt: next, updatedAt: now });
      return { kind: 'retry', at: next };
    }
    // Given up: the refund fails and its reservation is released.
    await updateTrade(trx, trade.tradeNo, {
      pendingRefundAmount: trade.pendingRefundAmount - refund.refundAmount,
      refundCount: trade.refundCount - 1,
    });
    await updateRefund(trx, refund.id, { status: 'failed', attempts, lastError: reason, nextAttemptAt: null, updatedAt: now });
    return { kind: 'done' };
  });
}
