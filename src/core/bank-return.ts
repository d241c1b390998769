/**
 * The simulated bank's answer to a refund that goes back to a bank card: after the merchant's configured
 * delay, `S` (the money is on the card) or `F` (the bank refused; the money goes to the buyer's Alipay
 * balance instead), as set for the trade or else for the merchant. Where the money went is recorded on
 * the allocation (`returned_to`) with the answer; and, in the same transaction, each allocation answered
 * owes the app's gateway an alipay.trade.refund.depositback.completed, when the app has a message_url.
 */
import { findApp } from '../store/sql/apps.js';
import { findMerchant } from '../store/sql/merchants.js';
import { findRefundById, settleDepositBack } from '../store/sql/refunds.js';
import { findTradeByNo } from '../store/sql/trades.js';
import type { CoreDeps } from './deps.js';
import { oweDepositBackMessage } from './notifications.js';
import { returnToBuyer } from './refund-to-buyer.js';

export async function settleBankReturn(deps: CoreDeps, refundId: number): Promise<void> {
  await deps.store.transaction(async (trx) => {
    const refund = await findRefundById(trx, refundId);
    const trade = refund && (await findTradeByNo(trx, refund.tradeNo, true));
    const seller = trade && (await findMerchant(trx, trade.sellerPid));
    if (!refund || !trade || !seller) return;
    const now = deps.clock.now();
    const dbackStatus = trade.dbackOutcome ?? seller.dbackOutcome;
    // Only what this run settled owes a message: a run that finds them settled already owes none.
    const settled = new Set(await settleDepositBack(trx, refundId, dbackStatus, now));
    if (settled.size === 0) return;
    // Refused by the bank, the money goes to the buyer's Alipay balance instead.
    if (dbackStatus === 'F') {
      const refused = refund.allocations.filter((a) => settled.has(a.position)).map((a) => ({ fundChannel: 'ALIPAYACCOUNT', amount: a.amount }));
      await returnToBuyer(trx, trade, refused);
    }
    const app = await findApp(trx, trade.appId);
    for (const allocation of refund.allocations) {
      if (!settled.has(allocation.position)) continue;
      await oweDepositBackMessage(trx, app, trade, refund, { ...allocation, dbackStatus, bankAckTime: now }, now);
    }
  });
}
