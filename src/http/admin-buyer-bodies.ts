/**
 * The admin API's buyer bodies (POST and PATCH /admin/v1/buyers), and their translation into the core's terms:
 * yuan strings to fen (points too: 集分宝 by their worth, 100 to the yuan), China times to epoch milliseconds,
 * snake_case to the domain's names. A declared world (seed-file.ts) writes its buyers in the same shapes.
 */
import { z } from 'zod';
import type { BuyerChange, NewBuyer } from '../core/buyers.js';
import type { FundsSet, FundsTopUp, NewBankCard, NewCoupon } from '../core/buyer-funds.js';
import { DomainError } from '../core/domain-error.js';
import { BANK_FUND_TYPES } from '../core/fund-bill.js';
import { ACCOUNT_STATUSES, BUYER_COUPON_CHANNELS } from '../interfaces.js';
import { parseChinaTime } from '../protocol/china-time.js';
import { amountText, yuan } from './admin-bodies.js';

const PID = /^2088\d{12}$/;

const bankCardBody = z
  .object({
    bank_code: z.string().regex(/^[A-Z][A-Z0-9_]{1,31}$/, 'a bank code such as ICBC or CMB'),
    fund_type: z.enum(BANK_FUND_TYPES).optional(),
    card_tail: z
      .string()
      .regex(/^\d{4}$/, 'four digits')
      .optional(),
    available: amountText.nullable().optional(),
  })
  .strict();

const couponBody = z
  .object({
    voucher_id: z
      .string()
      .regex(/^[0-9A-Za-z_-]{1,32}$/, 'at most 32 letters, digits, _ or -')
      .optional(),
    fund_channel: z.enum(BUYER_COUPON_CHANNELS),
    name: z.string().min(1).max(64).optional(),
    merchant_pid: z.string().regex(PID, '2088 and 12 digits').optional(),
    amount: amountText,
    whole_only: z.boolean().optional(),
    expires_at: z.string().nullable().optional(),
  })
  .strict();

const amounts = {
  balance: amountText.optional(),
  yuebao: amountText.optional(),
  huabei_limit: amountText.optional(),
  points: amountText.optional(),
};

export const fundsBody = z
  .object({ ...amounts, bank_cards: z.array(bankCardBody).max(10).optional(), coupons: z.array(couponBody).max(50).optional() })
  .strict();

export const topUpBody = z.object({ ...amounts, coupons: z.array(couponBody).max(50).optional() }).strict();

const paymentPassword = z.string().regex(/^\d{6}$/, 'six digits');

export const buyerBody = z.object({
  logon_id: z.string().min(1).max(100).optional(),
  name: z.string().min(1).max(128).optional(),
  login_password: z.string().min(1).max(64).optional(),
  payment_password: paymentPassword.optional(),
  funds: fundsBody.optional(),
});

export const buyerChangeBody = z.object({
  name: z.string().min(1).max(128).optional(),
  account_status: z.enum(ACCOUNT_STATUSES).optional(),
  login_password: z.string().min(1).max(64).optional(),
  payment_password: paymentPassword.optional(),
  funds: fundsBody.optional(),
  top_up: topUpBody.optional(),
});

type AmountsBody = {
  balance?: string | number | undefined;
  yuebao?: string | number | undefined;
  huabei_limit?: string | number | undefined;
  points?: string | number | undefined;
};

function toAmounts(body: AmountsBody, where: string): Pick<FundsSet, 'balance' | 'yuebao' | 'huabeiLimit' | 'points'> {
  return {
    ...(body.balance !== undefined && { balance: yuan(body.balance, `${where}.balance`) }),
    ...(body.yuebao !== undefined && { yuebao: yuan(body.yuebao, `${where}.yuebao`) }),
    ...(body.huabei_limit !== undefined && { huabeiLimit: yuan(body.huabei_limit, `${where}.huabei_limit`) }),
    ...(body.points !== undefined && { points: yuan(body.points, `${where}.points`) }),
  };
}

function toCoupons(coupons: Array<z.infer<typeof couponBody>>, where: string): NewCoupon[] {
  return coupons.map((coupon, i) => {
    let expiresAt: number | null | undefined;
    if (coupon.expires_at !== undefined && coupon.expires_at !== null) {
      expiresAt = parseChinaTime(coupon.expires_at);
      if (expiresAt === null) throw new DomainError('invalid_request', `${where}.coupons.${i}.expires_at: a China time such as "2026-12-31 23:59:59"`);
    }
    return {
      fundChannel: coupon.fund_channel,
      amount: yuan(coupon.amount, `${where}.coupons.${i}.amount`, { positive: true }),
      ...(coupon.voucher_id !== undefined && { voucherId: coupon.voucher_id }),
      ...(coupon.name !== undefined && { name: coupon.name }),
      ...(coupon.merchant_pid !== undefined && { merchantPid: coupon.merchant_pid }),
      ...(coupon.whole_only !== undefined && { wholeOnly: coupon.whole_only }),
      ...(expiresAt !== undefined && { expiresAt }),
    };
  });
}

function toBankCards(cards: Array<z.infer<typeof bankCardBody>>, where: string): NewBankCard[] {
  return cards.map((card, i) => ({
    bankCode: card.bank_code,
    ...(card.fund_type !== undefined && { fundType: card.fund_type }),
    ...(card.card_tail !== undefined && { cardTail: card.card_tail }),
    ...(card.available !== undefined && { available: card.available === null ? null : yuan(card.available, `${where}.bank_cards.${i}.available`) }),
  }));
}

export function toFundsSet(body: z.infer<typeof fundsBody>, where = 'funds'): FundsSet {
  return {
    ...toAmounts(body, where),
    ...(body.bank_cards && { bankCards: toBankCards(body.bank_cards, where) }),
    ...(body.coupons && { coupons: toCoupons(body.coupons, where) }),
  };
}

function toTopUp(body: z.infer<typeof topUpBody>): FundsTopUp {
  return { ...toAmounts(body, 'top_up'), ...(body.coupons && { coupons: toCoupons(body.coupons, 'top_up') }) };
}

/** A parsed buyer body, in the core's terms. */
export function toNewBuyer(body: z.infer<typeof buyerBody>): NewBuyer {
  return {
    ...(body.logon_id !== undefined && { logonId: body.logon_id }),
    ...(body.name !== undefined && { name: body.name }),
    ...(body.login_password !== undefined && { loginPassword: body.login_password }),
    ...(body.payment_password !== undefined && { paymentPassword: body.payment_password }),
    ...(body.funds && { funds: toFundsSet(body.funds) }),
  };
}

/** A parsed buyer change, in the core's terms. */
export function toBuyerChange(body: z.infer<typeof buyerChangeBody>): BuyerChange {
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.account_status !== undefined && { accountStatus: body.account_status }),
    ...(body.login_password !== undefined && { loginPassword: body.login_password }),
    ...(body.payment_password !== undefined && { paymentPassword: body.payment_password }),
    ...(body.funds && { funds: toFundsSet(body.funds) }),
    ...(body.top_up && { topUp: toTopUp(body.top_up) }),
  };
}
