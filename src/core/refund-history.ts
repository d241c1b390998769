/**
 * A refund's status history, read from what the refund records: when it was asked for, accepted, stopped for
 * want of funds (how often, why), carried out or given up, and when each bank answered its card's part. The
 * store keeps no separate event log — every move (refund-state.ts) stamps the refund — so the history is
 * derived, and a move between two others (an earlier wait) is told by its count, not its time.
 */
import type { Refund, RefundSource } from '../interfaces.js';

export type RefundEvent =
  | { kind: 'requested'; at: number; source: RefundSource }
  | { kind: 'accepted'; at: number }
  | { kind: 'waiting_for_funds'; at: number; attempts: number; reason: string; nextAttemptAt: number }
  | { kind: 'succeeded'; at: number }
  | { kind: 'failed'; at: number; reason: string }
  | { kind: 'bank_answered'; at: number; fundChannel: string; dbackStatus: 'S' | 'F'; returnedTo: string | null }
  /** Earlier tries that did not carry it out, before it succeeded or was given up. */
  | { kind: 'tried'; at: number; attempts: number; reason: string | null };

export function refundHistory(refund: Refund): RefundEvent[] {
  const events: RefundEvent[] = [{ kind: 'requested', at: refund.createdAt, source: refund.source }];
  if (refund.acceptedAt !== null) events.push({ kind: 'accepted', at: refund.acceptedAt });
  switch (refund.status) {
    case 'waiting_for_funds':
      events.push({
        kind: 'waiting_for_funds',
        at: refund.updatedAt,
        attempts: refund.attempts,
        reason: refund.lastError,
        nextAttemptAt: refund.nextAttemptAt,
      });
      break;
    case 'succeeded':
      if (refund.attempts > 0) events.push({ kind: 'tried', at: refund.gmtRefundPay, attempts: refund.attempts, reason: refund.lastError });
      events.push({ kind: 'succeeded', at: refund.gmtRefundPay });
      break;
    case 'failed':
      events.push({ kind: 'failed', at: refund.updatedAt, reason: refund.lastError });
      break;
    case 'accepted':
      break;
  }
  for (const allocation of refund.allocations) {
    if (allocation.bankAckTime !== null && (allocation.dbackStatus === 'S' || allocation.dbackStatus === 'F')) {
      events.push({
        kind: 'bank_answered',
        at: allocation.bankAckTime,
        fundChannel: allocation.fundChannel,
        dbackStatus: allocation.dbackStatus,
        returnedTo: allocation.returnedTo,
      });
    }
  }
  // Stable: events of one moment keep the order they happen in.
  return events
    .map((event, i) => ({ event, i }))
    .sort((a, b) => a.event.at - b.event.at || a.i - b.i)
    .map(({ event }) => event);
}
