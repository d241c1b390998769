/**
 * How a refund is split across the trade's fund bill (the rule the README documents):
 * 1. the buyer's own channels first (balance, bank card, Huabei, points, …), in the order they paid;
 * 2. then the discount channels (coupons, vouchers), in the order they paid;
 * 3. no channel ever gets back more than it paid, less what earlier refunds already returned to it;
 * 4. a red packet (COUPON, MCOUPON) is refunded whole or not at all — "红包无法部分退款".
 * The merchant returns (`send_back_fee`) the refund less the merchant-funded discounts it reverses: the
 * merchant never received that money. Its fee comes back pro rata to what it returned.
 */
import { isDiscountChannel, isMerchantFunded } from './fund-bill.js';
import type { FundAllocation, TradeFundBill } from '../interfaces.js';
import { prorate, type Fen } from './money.js';

const RED_PACKETS = new Set(['COUPON', 'MCOUPON']);

export type AllocationResult =
  | { ok: true; allocations: FundAllocation[]; sendBackFee: Fen }
  /** The refund would return part of a red packet. */
  | { ok: false; reason: 'red_packet_partial' }
  /** The fund bill has less left than the refund (the trade's limits should have caught it). */
  | { ok: false; reason: 'exceeds_fund_bill' };

/**
 * `redPacketWhole: false` lets this refund stop inside a red packet: when other accepted refunds are still
 * to be carried out, they complete it (their acceptance checked that all of them together return it whole).
 */
export function allocateRefund(bills: readonly TradeFundBill[], amount: Fen, { redPacketWhole = true } = {}): AllocationResult {
  const ordered = [...bills.filter((b) => !isDiscountChannel(b.fundChannel)), ...bills.filter((b) => isDiscountChannel(b.fundChannel))];
  const allocations: FundAllocation[] = [];
  let left = amount;
  let merchantFunded = 0;
  for (const bill of ordered) {
    if (left === 0) break;
    const remaining = bill.amount - bill.refundedAmount;
    const take = Math.min(remaining, left);
    if (take <= 0) continue;
    if (redPacketWhole && RED_PACKETS.has(bill.fundChannel) && take < remaining) return { ok: false, reason: 'red_packet_partial' };
    left -= take;
    if (isMerchantFunded(bill.fundChannel)) merchantFunded += take;
    allocations.push({
      position: bill.position,
      fundChannel: bill.fundChannel,
      fundType: bill.fundType,
      bankCode: bill.bankCode,
      amount: take,
      realAmount: take,
      dbackStatus: null,
      bankAckTime: null,
      estBankReceiptTime: null,
      returnedTo: null,
    });
  }
  if (left > 0) return { ok: false, reason: 'exceeds_fund_bill' };
  return { ok: true, allocations, sendBackFee: amount - merchantFunded };
}

/**
 * The fee a refund gives back: the trade's fee × what has now been returned in all ÷ what was received,
 * less what earlier refunds gave back — so a full refund gives back the whole fee, to the fen.
 */
export function refundChargeFee(trade: { chargeAmount: Fen; receiptAmount: Fen; refundedSendBackFee: Fen; refundedChargeFee: Fen }, sendBackFee: Fen): Fen {
  const returnedAfter = trade.refundedSendBackFee + sendBackFee;
  return prorate(trade.chargeAmount, returnedAfter, trade.receiptAmount) - trade.refundedChargeFee;
}
