/**
 * Moving a refund's money, inside its transaction under the trade's lock: the fund allocation, the trade's
 * totals (refunded-trade.ts), the effects owed (the notification, a bank deposit-back), then the ledger.
 * Throws a Rejection — rolling all of it back — when the fund bill or the merchant's balance cannot take it.
 */
import { applyLedgerEntry } from '../store/sql/apply-ledger-entry.js';
import { addJob } from '../store/sql/jobs.js';
import { insertAllocations } from '../store/sql/refunds.js';
import { setFundBillRefunded, updateTrade } from '../store/sql/trades.js';
import type { Trx } from '../store/store.js';
import { allocateRefund, refundChargeFee } from './fund-allocation.js';
import { isBankCard } from './fund-bill.js';
import type { FundAllocation, Refund, RefundDraft } from '../interfaces.js';
import { oweTradeStatusSync } from './notifications.js';
import { refundedTrade } from './refunded-trade.js';
import { returnToBuyer } from './refund-to-buyer.js';
import { moveRefund, type PendingRefund } from './refund-state.js';
import { persistRefund, Rejection, type Locked, type RefundResult } from './refund-transaction.js';

/** Carries out a new refund (a draft) or an accepted one (`PendingRefund`, its amount reserved on the trade). */
export async function executeRefund(
  trx: Trx,
  { trade, seller, now }: Locked,
  refund: RefundDraft | PendingRefund,
): Promise<RefundResult & { kind: 'succeeded' }> {
  const reserved = refund.status !== 'new';
  const amount = refund.refundAmount;
  const othersPending = trade.pendingRefundAmount - (reserved ? amount : 0);
  const allocation = allocateRefund(trade.fundBills, amount, { redPacketWhole: othersPending === 0 });
  if (!allocation.ok) throw new Rejection(allocation.reason === 'red_packet_partial' ? 'red_packet_partial' : 'amount_exceeds_refundable', trade);
  const { sendBackFee } = allocation;
  const chargeFee = refundChargeFee(trade, sendBackFee);

  const saved = await persistRefund(trx, moveRefund(refund, { to: 'succeeded', sendBackFee, refundChargeFee: chargeFee, at: now }));
  const id = saved.id;

  const bankDelayMs = seller.dbackDelaySeconds * 1000;
  const allocations: FundAllocation[] = allocation.allocations.map((a) =>
    isBankCard(a.fundChannel) ? { ...a, dbackStatus: 'P', estBankReceiptTime: now + bankDelayMs } : a,
  );
  await insertAllocations(trx, id, allocations);
  const after = refundedTrade({ trade, allocations, amount, sendBackFee, chargeFee, reserved, now });
  for (const bill of after.changedBills) await setFundBillRefunded(trx, trade.tradeNo, bill.position, bill.refundedAmount);
  await updateTrade(trx, trade.tradeNo, {
    refundedAmount: after.trade.refundedAmount,
    refundedSendBackFee: after.trade.refundedSendBackFee,
    refundedChargeFee: after.trade.refundedChargeFee,
    pendingRefundAmount: after.trade.pendingRefundAmount,
    refundCount: after.trade.refundCount,
    status: after.trade.status,
    gmtClose: after.trade.gmtClose,
  });

  // Bank cards wait for the bank (dbackStatus P); every other channel is back with the buyer now.
  await returnToBuyer(
    trx,
    trade,
    allocations.filter((a) => a.dbackStatus !== 'P'),
  );
  const done: Refund = { ...saved, allocations };
  const notifying = await oweTradeStatusSync(trx, after.trade, seller, done, now);
  const bankReturn = allocations.find((a) => a.dbackStatus === 'P');
  if (bankReturn) await addJob(trx, { kind: 'deposit_back', subject: String(id), runAt: now + bankDelayMs, now });

  // The merchant's balance moves last: on PostgreSQL its row stays locked from here to the commit, and every
  // refund of the merchant waits for that lock, so it is held for as short a time as can be.
  const entry = { pid: trade.sellerPid, tradeNo: trade.tradeNo, refundId: id, createdAt: now };
  // The fee given back comes first: what the refund costs the merchant is send_back_fee less it, so a
  // merchant holding exactly what the trade left it (receipt less fee) can refund the trade in full.
  if (chargeFee !== 0) await applyLedgerEntry(trx, { ...entry, amount: chargeFee, kind: 'fee_refund' });
  if (sendBackFee !== 0 && (await applyLedgerEntry(trx, { ...entry, amount: -sendBackFee, kind: 'refund' })) === null) {
    throw new Rejection('balance_not_enough', trade);
  }
  return { kind: 'succeeded', trade: after.trade, refund: done, fundChange: true, jobsOwed: notifying || bankReturn !== undefined };
}
