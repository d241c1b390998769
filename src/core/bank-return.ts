/**
 * The simulated bank's answer to a refund that goes back to a bank card: after the merchant's configured
 * delay, `S` (the money is on the card) or `F` (the bank refused; the money goes to the buyer's Alipay
 * balance instead), as set for the trade or else for the merchant. Where the money went is recorded on
 * the allocation (`returned_to`) with the answer.
 */
import { findMerchant } from '../store/sql/merchants.js';
import { findRefundById, settleDepositBack } from '../store/sql/refunds.js';
import { findTradeByNo } from '../store/sql/trades.js';
import type { CoreDeps } from './deps.js';

export async function settleBankReturn(deps: CoreDeps, refundId: number): Promise<void> {
  await deps.store.transaction(async (trx) => {
    const refund = await findRefundById(trx, refundId);
    const trade = refund && (await findTradeByNo(trx, refund.tradeNo, true));
    const seller = trade && (await findMerchant(trx, trade.sellerPid));
    if (!refund || !trade || !seller) return;
    await settleDepositBack(trx, refundId, trade.dbackOutcome ?? seller.dbackOutcome, deps.clock.now());
  });
}
