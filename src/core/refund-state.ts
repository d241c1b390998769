/**
 * A refund's states and the moves between them:
 *
 *   new ──> accepted ──────────────┬──> succeeded      (carried out: money moved, effects owed)
 *    │         │                   │
 *    │         └──> waiting_for_funds ──> failed       (gave up: the reservation is released)
 *    │                 │     ^                │
 *    │                 └─────┘ (retry)        └──> accepted | succeeded   (the merchant tries again)
 *    └──> succeeded    (a synchronous refund is born succeeded, or not at all)
 *
 * `new` is a draft, never stored. `succeeded` is final. Every change of status is `moveRefund`.
 */
import type { Refund, RefundDraft, RefundStatus } from '../interfaces.js';
import type { Fen } from './money.js';

const MOVES: Record<RefundStatus | 'new', readonly RefundStatus[]> = {
  new: ['accepted', 'succeeded'],
  accepted: ['succeeded', 'waiting_for_funds', 'failed'],
  waiting_for_funds: ['succeeded', 'waiting_for_funds', 'failed'],
  failed: ['accepted', 'succeeded'],
  succeeded: [],
};

export function canMove(from: RefundStatus | 'new', to: RefundStatus): boolean {
  return MOVES[from].includes(to);
}

/** Accepted and not yet carried out or given up: its amount is reserved on the trade. */
export function isPending(status: RefundStatus | 'new'): boolean {
  return status === 'accepted' || status === 'waiting_for_funds';
}

export type PendingRefund = Extract<Refund, { status: 'accepted' | 'waiting_for_funds' }>;

export function isPendingRefund(refund: Refund): refund is PendingRefund {
  return isPending(refund.status);
}

/** What happens to a refund, each with what its new status records. */
export type RefundMove =
  | { to: 'accepted'; at: number }
  | { to: 'succeeded'; sendBackFee: Fen; refundChargeFee: Fen; at: number }
  | { to: 'waiting_for_funds'; reason: string; attempts: number; nextAttemptAt: number; at: number }
  | { to: 'failed'; reason: string; attempts: number; at: number };

export class RefundMoveError extends Error {}

/** The refund after `move`; throws when the state machine has no such move (a bug, never a user's input). */
export function moveRefund(refund: Refund | RefundDraft, move: RefundMove): Refund {
  if (!canMove(refund.status, move.to)) throw new RefundMoveError(`refund ${refund.id}: no move from ${refund.status} to ${move.to}`);
  switch (move.to) {
    case 'accepted':
      return { ...refund, status: 'accepted', acceptedAt: move.at, nextAttemptAt: move.at, gmtRefundPay: null, updatedAt: move.at };
    case 'succeeded':
      return {
        ...refund,
        status: 'succeeded',
        sendBackFee: move.sendBackFee,
        refundChargeFee: move.refundChargeFee,
        gmtRefundPay: move.at,
        nextAttemptAt: null,
        updatedAt: move.at,
      };
    case 'waiting_for_funds':
      return {
        ...refund,
        status: 'waiting_for_funds',
        acceptedAt: refund.acceptedAt ?? refund.createdAt,
        attempts: move.attempts,
        lastError: move.reason,
        nextAttemptAt: move.nextAttemptAt,
        gmtRefundPay: null,
        updatedAt: move.at,
      };
    case 'failed':
      return { ...refund, status: 'failed', attempts: move.attempts, lastError: move.reason, nextAttemptAt: null, gmtRefundPay: null, updatedAt: move.at };
  }
}
