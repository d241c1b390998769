/**
 * How a payment draws on a buyer's funds, as pure functions: given the funds, the channels the buyer chose, the
 * coupons the buyer picked, the merchant paid and the total, the fund bills (fund-bill.ts) and vouchers the
 * payment makes, in the order Alipay draws them — or why it cannot be made. Nothing is written here: debiting
 * (buyer-debit.ts) applies a draw to the stored funds.
 *
 * The order [I] (protocol-notes §12.11 names the channels, not the order): discounts first, as the cashier
 * takes them off the price before the buyer pays — the merchant's coupons (MDISCOUNT, then MCOUPON), then
 * Alipay's red packets (COUPON), each in the order picked — then points (POINT), then the buyer's money:
 * balance (ALIPAYACCOUNT), Yu'E Bao (FINANCEACCOUNT), Huabei (PCREDIT) and last the bank card (BANKCARD), which
 * the bank pays in full unless the card has a limit. A chosen channel takes what it has, up to what is left.
 */
import type { BuyerCoupon, BuyerCouponChannel, BuyerFunds, BuyerPayChannel, FundBill, Voucher } from '../interfaces.js';
import type { Fen } from './money.js';
import { ANY_CHANNEL, allowsChannel, allowsCoupon, type PayChannelPolicy } from './pay-channel-policy.js';

/** What the buyer chose on the cashier page. */
export interface PaymentChoice {
  /** The buyer's own funds to pay from, in any order (they are drawn in Alipay's order). (Default: none) */
  channels?: readonly BuyerPayChannel[];
  /** The card, by position, when BANKCARD is chosen. (Default: the buyer's first card) */
  bankCardPosition?: number;
  /** The coupons to use, by voucher id. (Default: none) */
  voucherIds?: readonly string[];
}

/** The payment being made: to whom, how much, when. */
export interface PaymentOrder {
  /** The merchant paid: only its own MCOUPON/MDISCOUNT coupons apply. */
  sellerPid: string;
  total: Fen;
  now: number;
  /** The channels the order may be paid with (enable/disable_pay_channels, goods_type). (Default: any) */
  policy?: PayChannelPolicy;
}

/** What the payment takes from one of the buyer's channels. */
export type ChannelDraw =
  | { fundChannel: 'POINT' | 'ALIPAYACCOUNT' | 'FINANCEACCOUNT' | 'PCREDIT'; amount: Fen }
  | { fundChannel: 'BANKCARD'; amount: Fen; position: number }
  | { fundChannel: BuyerCouponChannel; amount: Fen; voucherId: string };

/** Why a coupon cannot be used on this payment. */
export type CouponProblem =
  /** An MCOUPON/MDISCOUNT coupon of another merchant. */
  | 'other_merchant'
  | 'expired'
  /** Nothing of it is left, or (whole-only) part of it is used. */
  | 'used'
  /** A whole-only coupon worth more than is left to pay. */
  | 'exceeds_amount'
  /** The coupons before it already cover the payment. */
  | 'nothing_left_to_pay'
  /** Picked twice. */
  | 'repeated';

export type PaymentRefusal =
  | { reason: 'invalid_total' }
  /** The chosen channels (and coupons) together hold less than the total, by `shortBy`. */
  | { reason: 'insufficient_funds'; shortBy: Fen }
  /** BANKCARD chosen, and the buyer has no such card. */
  | { reason: 'bank_card_not_found'; position: number | null }
  | { reason: 'coupon_not_found'; voucherId: string }
  | { reason: 'coupon_not_applicable'; voucherId: string; problem: CouponProblem }
  /** The order may not be paid with this channel (pay-channel-policy.ts). */
  | { reason: 'channel_not_allowed'; channel: BuyerPayChannel | BuyerCouponChannel }
  /** The buyer's account is frozen (buyer-debit.ts; the funds alone cannot say). */
  | { reason: 'account_frozen' };

export type PaymentDraw = { ok: true; draws: ChannelDraw[]; fundBills: FundBill[]; vouchers: Voucher[] } | { ok: false; refusal: PaymentRefusal };

/** The coupon channels in the order they are drawn: the merchant's discounts, then Alipay's red packets. */
const COUPON_ORDER: readonly BuyerCouponChannel[] = ['MDISCOUNT', 'MCOUPON', 'COUPON'];

/** The buyer's own channels in the order they are drawn. */
export const DRAW_ORDER: readonly BuyerPayChannel[] = ['POINT', 'ALIPAYACCOUNT', 'FINANCEACCOUNT', 'PCREDIT', 'BANKCARD'];

/** Voucher types [I]: the merchant's coupon a fixed voucher, red packets cash vouchers. */
const VOUCHER_TYPES: Record<BuyerCouponChannel, string> = {
  MDISCOUNT: 'ALIPAY_FIX_VOUCHER',
  MCOUPON: 'ALIPAY_CASH_VOUCHER',
  COUPON: 'ALIPAY_CASH_VOUCHER',
};

/** What of the Huabei limit can still be drawn. */
export function huabeiAvailable(funds: Pick<BuyerFunds, 'huabeiLimit' | 'huabeiUsed'>): Fen {
  return Math.max(0, funds.huabeiLimit - funds.huabeiUsed);
}

/** Why a coupon cannot be used now, whoever is paid; null when it can: unexpired, and whole if it must be used whole. */
function unusable(coupon: BuyerCoupon, now: number): 'expired' | 'used' | null {
  if (coupon.expiresAt !== null && now >= coupon.expiresAt) return 'expired';
  if (coupon.remaining <= 0 || (coupon.wholeOnly && coupon.remaining < coupon.amount)) return 'used';
  return null;
}

/** Whether a coupon can be used now (on its merchant's trades, for a merchant's coupon). */
export function couponUsable(coupon: BuyerCoupon, now: number): boolean {
  return unusable(coupon, now) === null;
}

/** Why a coupon cannot be used now on this merchant's trades, whatever the amount; null when it can. */
export function couponProblem(coupon: BuyerCoupon, sellerPid: string, now: number): CouponProblem | null {
  if (coupon.fundChannel !== 'COUPON' && coupon.merchantPid !== sellerPid) return 'other_merchant';
  return unusable(coupon, now);
}

/** The buyer's coupons that apply to a payment to this merchant now (and that the order allows), in the order they would be drawn. */
export function applicableCoupons(funds: Pick<BuyerFunds, 'coupons'>, sellerPid: string, now: number, policy = ANY_CHANNEL): BuyerCoupon[] {
  const usable = funds.coupons.filter((coupon) => couponProblem(coupon, sellerPid, now) === null && allowsCoupon(policy, coupon.fundChannel));
  return COUPON_ORDER.flatMap((channel) => usable.filter((coupon) => coupon.fundChannel === channel));
}

/** The card a BANKCARD choice names: by position, else the buyer's first. */
function chosenCard(funds: BuyerFunds, position: number | undefined): BuyerFunds['bankCards'][number] | undefined {
  return position === undefined ? funds.bankCards[0] : funds.bankCards.find((c) => c.position === position);
}

/** What one of the buyer's own channels holds for this payment; null for a card the buyer does not have. */
function channelHolds(funds: BuyerFunds, channel: BuyerPayChannel, position: number | undefined): { amount: Fen; position?: number } | null {
  switch (channel) {
    case 'POINT':
      return { amount: funds.points };
    case 'ALIPAYACCOUNT':
      return { amount: funds.balance };
    case 'FINANCEACCOUNT':
      return { amount: funds.yuebao };
    case 'PCREDIT':
      return { amount: huabeiAvailable(funds) };
    case 'BANKCARD': {
      const card = chosenCard(funds, position);
      if (!card) return null;
      return { amount: card.available ?? Number.MAX_SAFE_INTEGER, position: card.position };
    }
  }
}

/**
 * The draws, fund bills and vouchers of a payment of `order.total` from `funds` as `choice` says, or why there
 * can be none. Pure: the same funds and choice always give the same answer.
 */
export function drawPayment(funds: BuyerFunds, choice: PaymentChoice, order: PaymentOrder): PaymentDraw {
  const refuse = (refusal: PaymentRefusal): PaymentDraw => ({ ok: false, refusal });
  if (!Number.isSafeInteger(order.total) || order.total <= 0) return refuse({ reason: 'invalid_total' });
  let left = order.total;
  const draws: ChannelDraw[] = [];
  const policy = order.policy ?? ANY_CHANNEL;

  // The coupons, checked in the order picked, drawn in Alipay's.
  const picked: BuyerCoupon[] = [];
  for (const voucherId of choice.voucherIds ?? []) {
    const coupon = funds.coupons.find((c) => c.voucherId === voucherId);
    if (!coupon) return refuse({ reason: 'coupon_not_found', voucherId });
    if (picked.includes(coupon)) return refuse({ reason: 'coupon_not_applicable', voucherId, problem: 'repeated' });
    const problem = couponProblem(coupon, order.sellerPid, order.now);
    if (problem) return refuse({ reason: 'coupon_not_applicable', voucherId, problem });
    if (!allowsCoupon(policy, coupon.fundChannel)) return refuse({ reason: 'channel_not_allowed', channel: coupon.fundChannel });
    picked.push(coupon);
  }
  for (const coupon of COUPON_ORDER.flatMap((channel) => picked.filter((c) => c.fundChannel === channel))) {
    if (left === 0) return refuse({ reason: 'coupon_not_applicable', voucherId: coupon.voucherId, problem: 'nothing_left_to_pay' });
    if (coupon.wholeOnly && coupon.remaining > left) return refuse({ reason: 'coupon_not_applicable', voucherId: coupon.voucherId, problem: 'exceeds_amount' });
    const amount = Math.min(coupon.remaining, left);
    draws.push({ fundChannel: coupon.fundChannel, amount, voucherId: coupon.voucherId });
    left -= amount;
  }

  const chosen = new Set(choice.channels ?? []);
  if (chosen.has('BANKCARD') && channelHolds(funds, 'BANKCARD', choice.bankCardPosition) === null) {
    return refuse({ reason: 'bank_card_not_found', position: choice.bankCardPosition ?? null });
  }
  for (const channel of chosen) {
    const card = channel === 'BANKCARD' ? chosenCard(funds, choice.bankCardPosition) : undefined;
    if (!allowsChannel(policy, channel, card)) return refuse({ reason: 'channel_not_allowed', channel });
  }
  for (const channel of DRAW_ORDER) {
    if (!chosen.has(channel) || left === 0) continue;
    const holds = channelHolds(funds, channel, choice.bankCardPosition);
    const amount = Math.min(holds?.amount ?? 0, left);
    if (amount <= 0) continue;
    if (channel === 'BANKCARD') draws.push({ fundChannel: 'BANKCARD', amount, position: holds?.position ?? 0 });
    else draws.push({ fundChannel: channel, amount });
    left -= amount;
  }
  if (left > 0) return refuse({ reason: 'insufficient_funds', shortBy: left });
  return { ok: true, draws, fundBills: fundBillsOf(funds, draws), vouchers: vouchersOf(funds, draws) };
}

/** One fund bill line per channel drawn, in the order drawn; a card's line names its bank and card type. */
function fundBillsOf(funds: BuyerFunds, draws: ChannelDraw[]): FundBill[] {
  const bills: FundBill[] = [];
  for (const draw of draws) {
    const line = bills.find((bill) => bill.fundChannel === draw.fundChannel);
    if (line) {
      line.amount += draw.amount;
      line.realAmount += draw.amount;
      continue;
    }
    const card = draw.fundChannel === 'BANKCARD' ? funds.bankCards.find((c) => c.position === draw.position) : undefined;
    bills.push({
      fundChannel: draw.fundChannel,
      amount: draw.amount,
      realAmount: draw.amount,
      fundType: card?.fundType ?? null,
      bankCode: card?.bankCode ?? null,
    });
  }
  return bills;
}

/** One voucher per coupon drawn: the merchant's contribute for its own coupons, others' for Alipay's. */
function vouchersOf(funds: BuyerFunds, draws: ChannelDraw[]): Voucher[] {
  const vouchers: Voucher[] = [];
  for (const draw of draws) {
    if (!('voucherId' in draw)) continue;
    const coupon = funds.coupons.find((c) => c.voucherId === draw.voucherId);
    const merchantFunded = draw.fundChannel !== 'COUPON';
    vouchers.push({
      id: draw.voucherId,
      name: coupon?.name ?? '',
      type: VOUCHER_TYPES[draw.fundChannel],
      amount: draw.amount,
      merchantContribute: merchantFunded ? draw.amount : 0,
      otherContribute: merchantFunded ? 0 : draw.amount,
    });
  }
  return vouchers;
}

/** The funds once the draws are taken from them: the pure half of debiting. */
export function fundsAfterDraws(funds: BuyerFunds, draws: readonly ChannelDraw[]): BuyerFunds {
  const after: BuyerFunds = { ...funds, bankCards: funds.bankCards.map((c) => ({ ...c })), coupons: funds.coupons.map((c) => ({ ...c })) };
  for (const draw of draws) {
    switch (draw.fundChannel) {
      case 'POINT':
        after.points -= draw.amount;
        break;
      case 'ALIPAYACCOUNT':
        after.balance -= draw.amount;
        break;
      case 'FINANCEACCOUNT':
        after.yuebao -= draw.amount;
        break;
      case 'PCREDIT':
        after.huabeiUsed += draw.amount;
        break;
      case 'BANKCARD': {
        const card = after.bankCards.find((c) => c.position === draw.position);
        if (card && card.available !== null) card.available -= draw.amount;
        break;
      }
      default: {
        const coupon = after.coupons.find((c) => c.voucherId === draw.voucherId);
        if (coupon) coupon.remaining -= draw.amount;
      }
    }
  }
  return after;
}
