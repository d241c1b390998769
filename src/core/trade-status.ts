/**
 * A trade's status as of a moment. A paid trade becomes TRADE_FINISHED — no longer refundable — when
 * the merchant's refund window has passed since payment (12 months by default, protocol-notes §7); a trade
 * waiting for its buyer is closed once its order's timeout has passed, whether or not its expiry job has run.
 */
import type { Trade, TradeStatus } from '../interfaces.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whether a trade waiting for the buyer is past its expiry. */
export function tradeExpired(trade: Pick<Trade, 'status' | 'expiresAt'>, now: number): boolean {
  return trade.status === 'WAIT_BUYER_PAY' && trade.expiresAt !== null && now >= trade.expiresAt;
}

export function tradeStatusAt(trade: Trade, refundWindowDays: number, now: number): TradeStatus {
  if (tradeExpired(trade, now)) return 'TRADE_CLOSED';
  if (trade.status === 'TRADE_SUCCESS' && trade.gmtPayment !== null && now > trade.gmtPayment + refundWindowDays * DAY_MS) {
    return 'TRADE_FINISHED';
  }
  return trade.status;
}

/** Statuses in which the buyer has paid. */
export function isPaid(status: TradeStatus): boolean {
  return status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED';
}
