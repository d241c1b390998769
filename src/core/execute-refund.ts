/**
 * Moving a refund's money, inside its transaction under the trade's lock: the fund allocation, the trade's
 * totals (refunded-trade.ts) and the effects owed (the notification, a bank deposit-back) are worked out here,
 * from the locked read alone, and go to the store as one write (write-refund.ts) — the merchant's balance its
 * guard. Throws a Rejection — rolling all of it back — when the fund bill or the merchant's balance cannot take it.
 */
import { writeRefund } from '../store/sql/write-refund.js';
import type { Trx } from '../store/store.js';
import { allocateRefund, refundChargeFee } from './fund-allocation.js';
import { isBankCard } from './fund-bill.js';
import type { FundAllocation, Refund, RefundDraft } from '../interfaces.js';
import { tradeStatusSyncOwed } from './notifications.js';
import { refundedTrade } from './refunded-trade.js';
import { returnToBuyer } from './refund-to-buyer.js';
import { moveRefund, type PendingRefund } from './refund-state.js';
import { RefundChanged, Rejection, type EndsTransaction, type Locked, type ReadVersion, type RefundResult } from './refund-transaction.js';

/**
 * Carries out a new refund (a draft) or an accepted one (`PendingRefund`, its amount reserved on the trade).
 * `readAs`: the refund's row as the locked read saw it (null when it has none), which the write checks.
 * `endsTransaction`: whether the write is the transaction's last statement (then it carries the commit).
 */
export async function executeRefund(
  trx: Trx,
  { trade, seller, appKeys, buyerRegistered, now }: Locked,
  refund: RefundDraft | PendingRefund,
  readAs: ReadVersion,
  endsTransaction: EndsTransaction,
): Promise<RefundResult & { kind: 'succeeded' }> {
  const reserved = refund.status !== 'new';
  const amount = refund.refundAmount;
  const othersPending = trade.pendingRefundAmount - (reserved ? amount : 0);
  const allocation = allocateRefund(trade.fundBills, amount, { redPacketWhole: othersPending === 0 });
  if (!allocation.ok) throw new Rejection(allocation.reason === 'red_packet_partial' ? 'red_packet_partial' : 'amount_exceeds_refundable', trade);
  const { sendBackFee } = allocation;
  const chargeFee = refundChargeFee(trade, sendBackFee);
  const succeeded = moveRefund(refund, { to: 'succeeded', sendBackFee, refundChargeFee: chargeFee, at: now });
  if (succeeded.status !== 'succeeded') throw new Error(`refund ${refund.id} did not succeed`);

  const bankDelayMs = seller.dbackDelaySeconds * 1000;
  const allocations: FundAllocation[] = allocation.allocations.map((a) =>
    isBankCard(a.fundChannel) ? { ...a, dbackStatus: 'P', estBankReceiptTime: now + bankDelayMs } : a,
  );
  const after = refundedTrade({ trade, allocations, amount, sendBackFee, chargeFee, reserved, now });

  // Bank cards wait for the bank (dbackStatus P); every other channel is back with a registered buyer now. (A
  // trade whose buyer tuikuan made up has no funds to give back to: the read says which.)
  if (buyerRegistered) {
    await returnToBuyer(
      trx,
      trade,
      allocations.filter((a) => a.dbackStatus !== 'P'),
    );
  }
  const done = { ...succeeded, allocations };
  const notification = tradeStatusSyncOwed(after.trade, seller, done, appKeys, now);
  const bankReturn = allocations.some((a) => a.dbackStatus === 'P');
  const written = await writeRefund(trx, {
    refund: done,
    readAs,
    allocations,
    changedBills: after.changedBills,
    trade: {
      refundedAmount: after.trade.refundedAmount,
      refundedSendBackFee: after.trade.refundedSendBackFee,
      refundedChargeFee: after.trade.refundedChargeFee,
      pendingRefundAmount: after.trade.pendingRefundAmount,
      refundCount: after.trade.refundCount,
      status: after.trade.status,
      gmtClose: after.trade.gmtClose,
    },
    // The fee given back comes first: what the refund costs the merchant is send_back_fee less it.
    ledger: { pid: trade.sellerPid, feeRefund: chargeFee, refund: -sendBackFee },
    notification,
    depositBackAt: bankReturn ? now + bankDelayMs : null,
    now,
    endsTransaction,
  });
  if (written.kind === 'balance_not_enough') throw new Rejection('balance_not_enough', trade);
  if (written.kind === 'refund_changed') throw new RefundChanged(refund.id);
  const saved: Refund = { ...done, id: written.refundId };
  return { kind: 'succeeded', trade: after.trade, refund: saved, fundChange: true, jobsOwed: notification !== null || bankReturn };
}
