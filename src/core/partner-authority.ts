/**
 * Who may refund for whom (seed 002, and Alipay's third-party model): a partner refunds its own trades; it
 * refunds for another seller only when that seller has authorised one of the partner's apps (an app auth
 * token not revoked), and then only the trades that seller made through the partner's own apps.
 */
import { findAppAuthTokensBetween } from '../store/sql/apps.js';
import type { CoreDeps } from './deps.js';
import type { Trade } from '../interfaces.js';

/** Whether the partner may ask for refunds of this seller's trades at all. */
export async function partnerActsFor(deps: CoreDeps, partnerPid: string, sellerPid: string): Promise<boolean> {
  if (partnerPid === sellerPid) return true;
  const tokens = await findAppAuthTokensBetween(deps.store.db, partnerPid, sellerPid);
  return tokens.some((token) => token.revokedAt === null);
}

/**
 * Whether this trade is one the partner may refund for its seller: its own, or made through its apps — knowing
 * the pid of the merchant whose app the trade was made through (null when there is no such app).
 */
export function mayRefundThroughApp(partnerPid: string, trade: Pick<Trade, 'sellerPid'>, appPid: string | null): boolean {
  return partnerPid === trade.sellerPid || appPid === partnerPid;
}
