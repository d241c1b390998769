/**
 * The worker's part of refund.apply: carry out an accepted refund. When the balance (or a freeze) stops it,
 * it waits and is retried on the refund retry schedule, and fails — releasing its reservation — when the
 * schedule gives up.
 */
import { lockRefundContextById } from '../store/sql/lock-refund-context.js';
import { updateTrade } from '../store/sql/trades.js';
import type { Trx } from '../store/store.js';
import type { CoreDeps } from './deps.js';
import { executeRefund } from './execute-refund.js';
import type { RefundRejection } from './refund-rules.js';
import { isPendingRefund, moveRefund, type PendingRefund } from './refund-state.js';
import {
  inRefundTransaction,
  lockedOf,
  persistRefund,
  readVersion,
  Rejection,
  type EndsTransaction,
  type Locked,
  type RefundResult,
} from './refund-transaction.js';
import { nextRefundAttempt } from './retry-schedules.js';

/** Carries out an accepted refund now, under the trade's lock (its amount is already reserved on the trade). */
export async function carryOut(trx: Trx, locked: Locked, refund: PendingRefund, endsTransaction: EndsTransaction): Promise<RefundResult> {
  if (locked.trade.frozen) throw new Rejection('trade_frozen', locked.trade);
  return executeRefund(trx, locked, refund, readVersion(refund), endsTransaction);
}

export type CarryOutOutcome = { kind: 'done' } | { kind: 'retry'; at: number };

export async function carryOutAcceptedRefund(deps: CoreDeps, refundId: number): Promise<CarryOutOutcome> {
  const result = await inRefundTransaction(deps, async (trx): Promise<RefundResult> => {
    const pending = await lockPendingRefund(trx, refundId, deps.clock.now());
    if (!pending) return { kind: 'rejected', reason: 'trade_not_found', trade: null };
    return carryOut(trx, pending.locked, pending.refund, true);
  });
  if (result.kind !== 'rejected' || result.trade === null) return { kind: 'done' };
  return waitOrFail(deps, refundId, result.reason);
}

/** The refund and its trade, under the trade's lock (one read), if the refund is still waiting to be carried out. */
async function lockPendingRefund(trx: Trx, refundId: number, now: number): Promise<{ locked: Locked; refund: PendingRefund } | null> {
  const context = await lockRefundContextById(trx, refundId);
  const refund = context?.existing;
  return context && refund && isPendingRefund(refund) ? { locked: lockedOf(context, now), refund } : null;
}

async function waitOrFail(deps: CoreDeps, refundId: number, reason: RefundRejection): Promise<CarryOutOutcome> {
  return deps.store.transaction(async (trx): Promise<CarryOutOutcome> => {
    const now = deps.clock.now();
    const pending = await lockPendingRefund(trx, refundId, now);
    if (!pending) return { kind: 'done' };
    const { refund } = pending;
    const { trade } = pending.locked;
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
