/**
 * A refund's money given back to the buyer's channels: the balance and Yu'E Bao are credited, the Huabei limit
 * used is restored (what the buyer has repaid meanwhile goes to the balance), points are given back. A bank card is left alone — the bank returns that money (see
 * bank-return.ts). A coupon gets back what is returned to it: a red packet usable in part is usable again for
 * what came back; a whole-only coupon becomes usable again once it is returned whole.
 */
import type { Trx } from '../store/store.js';
import { lockBuyer, storeFunds } from './buyer-funds.js';
import { isBuyerCouponChannel, type BuyerFunds } from '../interfaces.js';
import type { Fen } from './money.js';

/** Money for one of the buyer's channels; a coupon's names its voucher. */
export interface ChannelCredit {
  fundChannel: string;
  amount: Fen;
  /** For COUPON, MCOUPON and MDISCOUNT: the coupon the money goes back to. */
  voucherId?: string;
}

export type CreditOutcome =
  /** Added to the channel's funds. */
  | 'credited'
  /** Not the buyer's to credit: a bank card (the bank returns it), a channel the buyer holds nothing in. */
  | 'ignored'
  /** A coupon given back all it had: usable again. */
  | 'coupon_restored'
  /** A whole-only coupon given back part: not usable until it is whole. */
  | 'coupon_partly_returned'
  /** A coupon the buyer no longer holds. */
  | 'coupon_not_found';

/** The funds with the credits given back, and what became of each: the pure half of crediting. */
export function fundsAfterCredits(funds: BuyerFunds, credits: readonly ChannelCredit[]): { funds: BuyerFunds; outcomes: CreditOutcome[] } {
  const after: BuyerFunds = { ...funds, bankCards: funds.bankCards.map((c) => ({ ...c })), coupons: funds.coupons.map((c) => ({ ...c })) };
  const outcomes = credits.map((credit): CreditOutcome => {
    if (!Number.isSafeInteger(credit.amount) || credit.amount < 0) throw new Error(`a credit of ${credit.amount} fen to ${credit.fundChannel}`);
    switch (credit.fundChannel) {
      case 'ALIPAYACCOUNT':
        after.balance += credit.amount;
        return 'credited';
      case 'FINANCEACCOUNT':
        after.yuebao += credit.amount;
        return 'credited';
      case 'PCREDIT': {
        // What the buyer has repaid of Huabei meanwhile cannot be restored as limit: it goes to the balance [I].
        const restored = Math.min(after.huabeiUsed, credit.amount);
        after.huabeiUsed -= restored;
        after.balance += credit.amount - restored;
        return 'credited';
      }
      case 'POINT':
        after.points += credit.amount;
        return 'credited';
    }
    if (!isBuyerCouponChannel(credit.fundChannel)) return 'ignored';
    if (credit.voucherId === undefined) throw new Error(`a credit to ${credit.fundChannel} names no voucher`);
    const coupon = after.coupons.find((c) => c.voucherId === credit.voucherId);
    if (!coupon) return 'coupon_not_found';
    coupon.remaining = Math.min(coupon.amount, coupon.remaining + credit.amount);
    if (coupon.remaining === coupon.amount) return 'coupon_restored';
    return coupon.wholeOnly ? 'coupon_partly_returned' : 'credited';
  });
  return { funds: after, outcomes };
}

/**
 * Gives `credits` back to the buyer's channels in the caller's transaction, under the buyer's row lock; returns
 * what became of each credit, in order. Throws buyer_not_found.
 */
export async function creditBuyerChannels(trx: Trx, buyerUserId: string, credits: readonly ChannelCredit[]): Promise<CreditOutcome[]> {
  const buyer = await lockBuyer(trx, buyerUserId);
  const { funds, outcomes } = fundsAfterCredits(buyer.funds, credits);
  await storeFunds(trx, buyerUserId, buyer.funds, funds);
  return outcomes;
}
