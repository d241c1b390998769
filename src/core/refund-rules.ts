/**
 * The rules a refund request must pass, as one pure function over the trade as it stands under its lock.
 * Each rejection is a reason in the domain's words; each protocol maps it to its own code (ACQ.* for the
 * OpenAPI, seed 002's codes for batch lines).
 */
import type { Refund, Trade, TradeStatus } from '../interfaces.js';
import type { Fen } from './money.js';
import { isPendingRefund, type PendingRefund } from './refund-state.js';

/** Seed 002: "一笔交易可以多次退款,退款次数最多不能超过99次" — applied to every refund, not only batches. */
export const MAX_REFUNDS_PER_TRADE = 99;

export type RefundRejection =
  /** No such trade for this seller. */
  | 'trade_not_found'
  /** The buyer has not paid (WAIT_BUYER_PAY, or closed unpaid). */
  | 'trade_not_paid'
  /** TRADE_FINISHED, or past the merchant's refund window. */
  | 'trade_finished'
  | 'trade_frozen'
  /** The trade's product does not allow refunds. */
  | 'refund_not_allowed'
  | 'too_many_refunds'
  /** No out_request_no, and not the whole amount. */
  | 'partial_without_request_no'
  /** This refund alone is more than the trade's total. */
  | 'amount_exceeds_total'
  /** With what is refunded and reserved already, more than the trade's total. */
  | 'amount_exceeds_refundable'
  /** It would return part of a red packet. */
  | 'red_packet_partial'
  /** The out_request_no was used with another amount. */
  | 'discordant_repeat'
  /** The merchant's available balance does not cover what it must return. */
  | 'balance_not_enough';

export type RefundPlan =
  /** The same refund succeeded before: answer its outcome again, move nothing. */
  | { kind: 'repeat'; refund: Refund }
  /** The same refund is accepted and not yet carried out. */
  | { kind: 'pending'; refund: PendingRefund }
  /** A new refund, or one that failed before and is tried again. */
  | { kind: 'new'; previous: Refund | null }
  | { kind: 'rejected'; reason: RefundRejection };

export interface RefundCheck {
  trade: Trade;
  /** The trade's status now (see trade-status.ts). */
  status: TradeStatus;
  existing: Refund | undefined;
  amount: Fen;
  /** Whether the caller gave an out_request_no (rather than defaulting to out_trade_no). */
  requestNoGiven: boolean;
}

export function planRefund({ trade, status, existing, amount, requestNoGiven }: RefundCheck): RefundPlan {
  const reject = (reason: RefundRejection): RefundPlan => ({ kind: 'rejected', reason });
  if (existing) {
    if (existing.refundAmount !== amount) return reject('discordant_repeat');
    if (existing.status === 'succeeded') return { kind: 'repeat', refund: existing };
    if (isPendingRefund(existing)) return { kind: 'pending', refund: existing };
  }
  if (status === 'WAIT_BUYER_PAY') return reject('trade_not_paid');
  if (status === 'TRADE_CLOSED') return reject(trade.refundedAmount > 0 ? 'amount_exceeds_refundable' : 'trade_not_paid');
  if (status === 'TRADE_FINISHED') return reject('trade_finished');
  if (trade.frozen) return reject('trade_frozen');
  if (!trade.refundAllowed) return reject('refund_not_allowed');
  if (amount > trade.totalAmount) return reject('amount_exceeds_total');
  if (!requestNoGiven && amount !== trade.totalAmount) return reject('partial_without_request_no');
  if (trade.refundCount >= MAX_REFUNDS_PER_TRADE) return reject('too_many_refunds');
  if (trade.refundedAmount + trade.pendingRefundAmount + amount > trade.totalAmount) return reject('amount_exceeds_refundable');
  return { kind: 'new', previous: existing ?? null };
}
