/**
 * Finding trades by what an operator knows: trade_no, out_trade_no, seller, status. The status searched is the
 * status of now — a paid trade past its refund window is TRADE_FINISHED though stored TRADE_SUCCESS.
 */
import { findTradeByNo } from '../store/sql/trades.js';
import { searchTradeNos } from '../store/sql/trade-search.js';
import type { TradeStatus } from '../interfaces.js';
import type { CoreDeps } from './deps.js';
import { withStatus, type TradeWithStatus } from './trade-lookup.js';

export interface TradeQuery {
  tradeNo?: string | undefined;
  outTradeNo?: string | undefined;
  sellerPid?: string | undefined;
  status?: TradeStatus | undefined;
  /** (Default: 50) */
  limit?: number;
}

/** The stored statuses a trade of this status of now may have. */
function storedStatusesFor(status: TradeStatus): TradeStatus[] {
  return status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED' ? ['TRADE_SUCCESS', 'TRADE_FINISHED'] : [status];
}

export async function searchTrades(deps: CoreDeps, query: TradeQuery): Promise<TradeWithStatus[]> {
  const limit = query.limit ?? 50;
  const tradeNos = await searchTradeNos(deps.store.db, {
    tradeNo: query.tradeNo,
    outTradeNo: query.outTradeNo,
    sellerPid: query.sellerPid,
    storedStatuses: query.status && storedStatusesFor(query.status),
    // Paid trades past their window are told apart only once read: read more, keep `limit`.
    limit: query.status === 'TRADE_SUCCESS' || query.status === 'TRADE_FINISHED' ? limit * 4 : limit,
  });
  const found: TradeWithStatus[] = [];
  for (const tradeNo of tradeNos) {
    const trade = await findTradeByNo(deps.store.db, tradeNo);
    if (!trade) continue;
    const read = await withStatus(deps, trade);
    if (!query.status || read.status === query.status) found.push(read);
    if (found.length >= limit) break;
  }
  return found;
}
