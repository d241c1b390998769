/** Reading a trade with its status as of now (the refund window can have turned it TRADE_FINISHED). */
import { findMerchant } from '../store/sql/merchants.js';
import { findTrade, findTradeByNo, lockTrade } from '../store/sql/trades.js';
import type { Trx } from '../store/store.js';
import type { CoreDeps } from './deps.js';
import type { Merchant, Trade, TradeKey, TradeStatus } from '../interfaces.js';
import { tradeStatusAt } from './trade-status.js';

export interface TradeWithStatus {
  trade: Trade;
  status: TradeStatus;
}

export async function findTradeWithStatus(deps: CoreDeps, key: TradeKey): Promise<TradeWithStatus | undefined> {
  const trade = await findTrade(deps.store.db, key);
  return trade && withStatus(deps, trade);
}

/** Any seller's trade by Alipay's trade_no (the admin API's view), with its status. */
export async function findTradeByNoWithStatus(deps: CoreDeps, tradeNo: string): Promise<TradeWithStatus | undefined> {
  const trade = await findTradeByNo(deps.store.db, tradeNo);
  return trade && withStatus(deps, trade);
}

/** The trade's status as of now, by its seller's refund window. */
export async function withStatus(deps: CoreDeps, trade: Trade): Promise<TradeWithStatus> {
  const merchant = await findMerchant(deps.store.db, trade.sellerPid);
  return { trade, status: tradeStatusAt(trade, merchant?.refundWindowDays ?? 365, deps.clock.now()) };
}

/** The trade as stored, without its status of now: for a reply that reports its numbers only. */
export async function findSellersTrade(deps: CoreDeps, key: TradeKey): Promise<Trade | undefined> {
  return findTrade(deps.store.db, key);
}

/**
 * The trade under its lock, with its seller: what a refund, a close and a cancel each decide on. Undefined when
 * the seller has no such trade (every trade's seller exists: the store's foreign key).
 */
export async function lockTradeWithSeller(trx: Trx, key: TradeKey): Promise<{ trade: Trade; seller: Merchant } | undefined> {
  const trade = await lockTrade(trx, key);
  const seller = trade && (await findMerchant(trx, trade.sellerPid));
  return trade && seller ? { trade, seller } : undefined;
}
