/** How the admin API writes a buyer: snake_case JSON, amounts (points too, by their worth) as "12.34", times in China time. */
import { failuresNow, lockedUntil } from '../core/buyer-passwords.js';
import type { Buyer, BuyerFunds } from '../interfaces.js';
import { couponUsable, huabeiAvailable } from '../core/payment-draw.js';
import { formatYuan } from '../protocol/yuan.js';
import { time } from './admin-views.js';

export function buyerFundsView(funds: BuyerFunds, now: number): Record<string, unknown> {
  return {
    balance: formatYuan(funds.balance),
    yuebao: formatYuan(funds.yuebao),
    huabei_limit: formatYuan(funds.huabeiLimit),
    huabei_used: formatYuan(funds.huabeiUsed),
    huabei_available: formatYuan(huabeiAvailable(funds)),
    points: formatYuan(funds.points),
    bank_cards: funds.bankCards.map((card) => ({
      position: card.position,
      bank_code: card.bankCode,
      fund_type: card.fundType,
      card_tail: card.cardTail,
      available: card.available === null ? null : formatYuan(card.available),
    })),
    coupons: funds.coupons.map((coupon) => ({
      voucher_id: coupon.voucherId,
      fund_channel: coupon.fundChannel,
      name: coupon.name,
      merchant_pid: coupon.merchantPid,
      amount: formatYuan(coupon.amount),
      remaining: formatYuan(coupon.remaining),
      whole_only: coupon.wholeOnly,
      expires_at: time(coupon.expiresAt),
      usable: couponUsable(coupon, now),
    })),
  };
}

export function buyerView(buyer: Buyer, now: number): Record<string, unknown> {
  return {
    buyer_user_id: buyer.buyerUserId,
    logon_id: buyer.logonId,
    name: buyer.name,
    account_status: buyer.accountStatus,
    funds: buyerFundsView(buyer.funds, now),
    // Today's wrong payment passwords, and when a lockout after five ends.
    payment_password_failures: failuresNow(buyer, now),
    payment_password_locked_until: time(lockedUntil(buyer, now)),
    created_at: time(buyer.createdAt),
  };
}
