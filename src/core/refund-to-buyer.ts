/**
 * A refund's money back in the buyer's own channels, when the trade was paid from a buyer's funds: the
 * balance, Yu'E Bao, points and Huabei credit of each allocation (buyer-credit.ts), and each coupon line spread
 * over the trade's coupons of that channel, in the trade's order. A bank card's part is the bank's to return
 * (bank-return.ts) — to the card on `S`, to the balance on `F`. A trade whose buyer tuikuan made up (the admin
 * API's fund mix) has no funds to give back to.
 */
import type { Trx } from '../store/store.js';
import { type ChannelCredit, fundsAfterCredits } from './buyer-credit.js';
import { loadBuyer, storeFunds } from './buyer-funds.js';
import { isBuyerCouponChannel, type BuyerFunds, type FundAllocation, type Trade } from '../interfaces.js';
import type { Fen } from './money.js';

/**
 * The credits a refund's allocations make to the buyer's channels (pure). `trade` is as it was before this
 * refund: its fund bill's refunded amounts are what earlier refunds gave back to each coupon line, which filled
 * the line's coupons in the same order — so this refund's part goes on from where they stopped, and no coupon
 * is given more than the trade took from it.
 */
export function buyerCredits(
  funds: BuyerFunds,
  trade: Pick<Trade, 'vouchers' | 'fundBills'>,
  allocations: readonly Pick<FundAllocation, 'fundChannel' | 'amount'>[],
): ChannelCredit[] {
  const credits: ChannelCredit[] = [];
  const given = new Map<string, Fen>();
  for (const { fundChannel, amount } of allocations) {
    if (amount <= 0) continue;
    if (!isBuyerCouponChannel(fundChannel)) {
      credits.push({ fundChannel, amount });
      continue;
    }
    const before = given.get(fundChannel) ?? trade.fundBills.filter((b) => b.fundChannel === fundChannel).reduce((sum, b) => sum + b.refundedAmount, 0);
    given.set(fundChannel, before + amount);
    // What of the line earlier refunds already gave back, taken from its coupons in order.
    let skip: Fen = before;
    let left: Fen = amount;
    for (const voucher of trade.vouchers) {
      if (left === 0) break;
      if (!funds.coupons.some((coupon) => coupon.voucherId === voucher.id && coupon.fundChannel === fundChannel)) continue;
      const already = Math.min(voucher.amount, skip);
      skip -= already;
      const back = Math.min(voucher.amount - already, left);
      if (back === 0) continue;
      credits.push({ fundChannel, amount: back, voucherId: voucher.id });
      left -= back;
    }
  }
  return credits;
}

/**
 * Gives the allocations back to the trade's buyer, under the buyer's lock, in the refund's transaction; `trade`
 * as it was before they were refunded (see buyerCredits: its coupon lines' refunded amounts count).
 */
export async function returnToBuyer(trx: Trx, trade: Trade, allocations: readonly Pick<FundAllocation, 'fundChannel' | 'amount'>[]): Promise<void> {
  const buyer = await loadBuyer(trx, trade.buyerUserId, true);
  if (!buyer) return;
  const credits = buyerCredits(buyer.funds, trade, allocations);
  if (credits.length === 0) return;
  await storeFunds(trx, trade.buyerUserId, buyer.funds, fundsAfterCredits(buyer.funds, credits).funds);
}
