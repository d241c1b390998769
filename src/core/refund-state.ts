/**
 * A refund's states and the moves between them:
 *
 *   accepted ──────────────┬──> succeeded      (carried out: money moved, effects owed)
 *      │                   │
 *      └──> waiting_for_funds ──> failed       (gave up: the reservation is released)
 *              │     ^                │
 *              └─────┘ (retry)        └──> accepted | succeeded   (the merchant tries again)
 *
 * A synchronous refund is born succeeded or not at all. `succeeded` is final.
 */
import type { RefundStatus } from './interfaces.js';

const MOVES: Record<RefundStatus, readonly RefundStatus[]> = {
  accepted: ['succeeded', 'waiting_for_funds', 'failed'],
  waiting_for_funds: ['succeeded', 'waiting_for_funds', 'failed'],
  failed: ['accepted', 'succeeded'],
  succeeded: [],
};

export function canMove(from: RefundStatus, to: RefundStatus): boolean {
  return MOVES[from].includes(to);
}

/** Accepted and not yet carried out or given up: its amount is reserved on the trade. */
export function isPending(status: RefundStatus): boolean {
  return status === 'accepted' || status === 'waiting_for_funds';
}
