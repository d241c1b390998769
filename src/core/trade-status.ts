/**
 * A trade's status as of a moment. A paid trade becomes TRADE_FINISHED — no longer refundable — when
 * the merchant's refund window has passed since payment (12 months by default, protocol-notes §7).
 */
import type { Trade, TradeStatus } from '../interfaces.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function tradeStatusAt(trade: Trade, refundWindowDays: number, now: number): TradeStatus {
  if (trade.status === 'TRADE_SUCCESS' && trade.gmtPayment !== null && now > trade.gmtPayment + refundWindowDays * DAY_MS) {
    return 'TRADE_FINISHED';
  }
  return trade.status;
}

/** Statuses in which the buyer has paid. */
export function isPaid(status: TradeStatus): boolean {
  return status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED';
}
