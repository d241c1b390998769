/** Trades found by what an operator knows of them: trade_no, out_trade_no, seller, stored status; newest first. */
import type { TradeStatus } from '../../interfaces.js';
import type { Db } from '../store.js';

export interface TradeSearch {
  tradeNo?: string | undefined;
  outTradeNo?: string | undefined;
  sellerPid?: string | undefined;
  /** The stored statuses to match (a paid trade is stored TRADE_SUCCESS until its refund window is read). */
  storedStatuses?: readonly TradeStatus[] | undefined;
  limit: number;
}

export async function searchTradeNos(db: Db, search: TradeSearch): Promise<string[]> {
  let query = db.selectFrom('trades').select('tradeNo').orderBy('gmtCreate', 'desc').orderBy('tradeNo', 'desc').limit(search.limit);
  if (search.tradeNo) query = query.where('tradeNo', '=', search.tradeNo);
  if (search.outTradeNo) query = query.where('outTradeNo', '=', search.outTradeNo);
  if (search.sellerPid) query = query.where('sellerPid', '=', search.sellerPid);
  if (search.storedStatuses) query = query.where('status', 'in', [...search.storedStatuses]);
  return (await query.execute()).map((row) => row.tradeNo);
}
