/**
 * The trade after a refund, computed, not written: each fund bill's refunded amount grows by what the refund
 * took from it, the trade's totals grow by the refund, a reservation (refund.apply) is released, and a trade
 * refunded in full is closed. Pure, so that the arithmetic is tested on its own (test/core/refunded-trade.test.ts).
 */
import type { FundAllocation, Trade, TradeFundBill } from '../interfaces.js';
import type { Fen } from './money.js';

export interface RefundedTradeInput {
  trade: Trade;
  allocations: readonly FundAllocation[];
  amount: Fen;
  sendBackFee: Fen;
  chargeFee: Fen;
  /** Whether the amount was reserved on the trade (an accepted refund.apply) rather than new. */
  reserved: boolean;
  now: number;
}

export interface RefundedTrade {
  trade: Trade;
  /** The fund bills whose refunded amount changed, as they now are. */
  changedBills: TradeFundBill[];
}

export function refundedTrade({ trade, allocations, amount, sendBackFee, chargeFee, reserved, now }: RefundedTradeInput): RefundedTrade {
  const changedBills: TradeFundBill[] = [];
  const fundBills = trade.fundBills.map((bill) => {
    const taken = allocations.filter((a) => a.position === bill.position).reduce((sum, a) => sum + a.amount, 0);
    if (!taken) return bill;
    const changed = { ...bill, refundedAmount: bill.refundedAmount + taken };
    changedBills.push(changed);
    return changed;
  });
  const refundedAmount = trade.refundedAmount + amount;
  const closed = refundedAmount === trade.totalAmount;
  return {
    trade: {
      ...trade,
      fundBills,
      refundedAmount,
      refundedSendBackFee: trade.refundedSendBackFee + sendBackFee,
      refundedChargeFee: trade.refundedChargeFee + chargeFee,
      pendingRefundAmount: trade.pendingRefundAmount - (reserved ? amount : 0),
      refundCount: trade.refundCount + (reserved ? 0 : 1),
      status: closed ? 'TRADE_CLOSED' : trade.status,
      gmtClose: closed ? now : trade.gmtClose,
    },
    changedBills,
  };
}
