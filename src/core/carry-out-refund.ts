/**
 * The worker's part of refund.apply: carry out an accepted refund. When the balance (or a freeze) stops it,
 * it waits and is retried on the refund retry schedule, and fails — releasing its reservation — when the
 * schedule gives up.
 */
import { findMerchant } from '../store/sql/merchants.js';
import { findRefundById, findRefundHeaderById } from '../store/sql/refunds.js';
import { findTradeByNo, updateTrade } from '../store/sql/trades.js';
import type { Trx } from '../store/store.js';
import type { CoreDeps } from './deps.js';
import { executeRefund } from './execute-refund.js';
import type { Trade } from '../interfaces.js';
import type { RefundRejection } from './refund-rules.js';
import { isPendingRefund, moveRefund, type PendingRefund } from './refund-state.js';
import { inRefundTransaction, persistRefund, Rejection, type Locked, type RefundResult } from './refund-transaction.js';
import { nextRefundAttempt } from './retry-schedules.js';

/** Carries out an accepted refund now, under the trade's lock (its amount is already reserved on the trade). */
export async function carryOut(trx: Trx, locked: Locked, refund: PendingRefund): Promise<RefundResult> {
  if (locked.trade.frozen) throw new Rejection('trade_frozen', locked.trade);
  return executeRefund(trx, locked, refund);
}

export type CarryOutOutcome = { kind: 'done' } | { kind: 'retry'; at: number };

export async function carryOutAcceptedRefund(deps: CoreDeps, refundId: number): Promise<CarryOutOutcome> {
  const result = await inRefundTransaction(deps, async (trx) => {
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
async function lockPendingRefund(trx: Trx, refundId: number): Promise<{ trade: Trade; refund: PendingRefund } | null> {
  // Which trade to lock is read first; the refund itself is read again once no one else can change it.
  const peek = await findRefundHeaderById(trx, refundId);
  if (!peek) return null;
  const trade = await findTradeByNo(trx, peek.tradeNo, true);
  const refund = trade && (await findRefundById(trx, refundId));
  return trade && refund && isPendingRefund(refund) ? { trade, refund } : null;
}

async function waitOrFail(deps: CoreDeps, refundId: number, reason: RefundRejection): Promise<CarryOutOutcome> {
  return deps.store.transaction(async (trx): Promise<CarryOutOutcome> => {
    const pending = await lockPendingRefund(trx, refundId);
    if (!pending) return { kind: 'done' };
    const { trade, refund } = pending;
    const now = deps.clock.now();
    const attempts = refund.attempts + 1;
    const retryable = reason === 'balance_not_enough' || reason === 'trade_frozen';
    const next = retryable ? nextRefundAttempt(refund.acceptedAt, attempts, now) : null;
    if (next !== null) {
      await persistRefund(trx, moveRefund(refund, { to: 'waiting_for_funds', reason, attempts, nextAttemptAt: next, at: now }));
      return { kind: 'retry', at: next };
    }
    // Given up: the refund fails and its reservation is released.
    await updateTrade(trx, trade.tradeNo, {
      pendingRefundAmount: trade.pendingRefundAmount - refund.refundAmount,
      refundCount: trade.refundCount - 1,
    });
    await persistRefund(trx, moveRefund(refund, { to: 'failed', reason, attempts, at: now }));
    return { kind: 'done' };
  });
}
