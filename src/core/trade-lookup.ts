/** Reading a trade with its status as of now (the refund window can have turned it TRADE_FINISHED). */
import { findMerchant } from '../store/sql/merchants.js';
import { findTrade, type TradeKey } from '../store/sql/trades.js';
import type { CoreDeps } from './deps.js';
import type { Trade, TradeStatus } from './interfaces.js';
import { tradeStatusAt } from './trade-status.js';

export interface TradeWithStatus {
  trade: Trade;
  status: TradeStatus;
}

export async function findTradeWithStatus(deps: CoreDeps, key: TradeKey): Promise<TradeWithStatus | undefined> {
  const trade = await findTrade(deps.store.db, key);
  if (!trade) return undefined;
  const merchant = await findMerchant(deps.store.db, trade.sellerPid);
  return { trade, status: tradeStatusAt(trade, merchant?.refundWindowDays ?? 365, deps.clock.now()) };
}
