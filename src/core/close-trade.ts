/**
 * `alipay.trade.close` (protocol-notes §12.9): only a trade waiting for the buyer may be closed. It becomes
 * TRADE_CLOSED with its close time and owes a trade_status_sync (TRADE_CLOSED is among the states Alipay notifies
 * by default, §12.8) to the close request's notify_url or, without one, the trade's. A page.pay/wap.pay order
 * not yet paid has no trade: the close answers not_found, and the order can no longer be paid.
 */
import { dropJob } from '../store/sql/jobs.js';
import { updateTrade } from '../store/sql/trades.js';
import type { Trx } from '../store/store.js';
import type { CoreDeps } from './deps.js';
import type { Merchant, Trade, TradeKey } from '../interfaces.js';
import { oweTradeStatusSync } from './notifications.js';
import { closeWaitingPayOrder } from './pay-orders.js';
import { lockTradeWithSeller } from './trade-lookup.js';
import { tradeStatusAt } from './trade-status.js';

export type CloseOutcome =
  | { kind: 'closed'; trade: Trade; notifying: boolean }
  | { kind: 'not_found' }
  /** Paid, finished or closed already: only WAIT_BUYER_PAY may be closed. */
  | { kind: 'not_waiting'; trade: Trade };

export interface CloseRequest {
  key: TradeKey;
  /** Where the TRADE_CLOSED notification goes. (Default: the trade's notify_url) */
  notifyUrl?: string | null;
}

export function closeTrade(deps: CoreDeps, request: CloseRequest): Promise<CloseOutcome> {
  return deps.store.transaction(async (trx): Promise<CloseOutcome> => {
    const locked = await lockTradeWithSeller(trx, request.key);
    if (!locked) {
      // A page.pay/wap.pay order the buyer has not paid has no trade: closing it leaves it unpayable (pay-orders.ts).
      const { sellerPid, tradeNo, outTradeNo } = request.key;
      if (!tradeNo && outTradeNo) await closeWaitingPayOrder(trx, sellerPid, outTradeNo, deps.clock.now());
      return { kind: 'not_found' };
    }
    const { trade, seller } = locked;
    if (tradeStatusAt(trade, seller.refundWindowDays, deps.clock.now()) !== 'WAIT_BUYER_PAY') return { kind: 'not_waiting', trade };
    return closeUnpaid(trx, trade, seller, deps.clock.now(), request.notifyUrl ?? null);
  });
}

/** Closes a trade waiting for the buyer, under its lock: by close, by cancel, or when it expires. */
export async function closeUnpaid(trx: Trx, trade: Trade, seller: Merchant, now: number, notifyUrl: string | null): Promise<CloseOutcome & { kind: 'closed' }> {
  const closed: Trade = { ...trade, status: 'TRADE_CLOSED', gmtClose: now, notifyUrl: notifyUrl ?? trade.notifyUrl };
  await updateTrade(trx, trade.tradeNo, { status: 'TRADE_CLOSED', gmtClose: now, notifyUrl: closed.notifyUrl });
  const notifying = await oweTradeStatusSync(trx, closed, seller, null, now);
  // The order the trade was made for can no longer be paid either, and nothing is left to expire.
  await closeWaitingPayOrder(trx, trade.sellerPid, trade.outTradeNo, now);
  if (trade.expiresAt !== null) await dropJob(trx, 'trade_expiry', trade.tradeNo);
  return { kind: 'closed', trade: closed, notifying };
}
