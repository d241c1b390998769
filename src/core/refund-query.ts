/**
 * The refund query (alipay.trade.fastpay.refund.query): a seller's trade and its refund under an
 * out_request_no, read in one statement — the query is the most frequent call, and it reads only what its
 * reply shows. The fund allocations are a second read, made only when the caller asks for them.
 */
import { findAllocations, findTradeAndRefund, type QueriedTrade } from '../store/sql/refunds.js';
import type { CoreDeps } from './deps.js';
import type { Refund, TradeKey } from '../interfaces.js';

export interface QueriedRefund {
  trade: QueriedTrade;
  /** The refund under that out_request_no; null when the trade has none. */
  refund: Refund | null;
}

/** Undefined when the seller has no such trade. */
export async function queryRefund(
  deps: CoreDeps,
  key: TradeKey,
  outRequestNo: string,
  options: { withAllocations: boolean },
): Promise<QueriedRefund | undefined> {
  const db = deps.store.db;
  const found = await findTradeAndRefund(db, key, outRequestNo);
  if (!found) return undefined;
  if (!found.refund) return { trade: found.trade, refund: null };
  const allocations = options.withAllocations ? await findAllocations(db, found.refund.id) : [];
  return { trade: found.trade, refund: { ...found.refund, allocations } };
}
