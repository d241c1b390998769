/**
 * The admin API's request bodies: one zod schema per body, and the functions that turn a parsed body into the
 * core's terms (yuan strings to fen, snake_case to the domain's names). A declared world (seed-file.ts) is
 * written in the same shapes, so both read them here.
 */
import { z } from 'zod';
import { DomainError } from '../core/domain-error.js';
import { BANK_FUND_TYPES, FUND_CHANNELS, isDiscountChannel } from '../core/fund-bill.js';
import { newSecret } from '../core/identifiers.js';
import type { FundBill, FundMixShare, TradeStatus, Voucher } from '../interfaces.js';
import { ACCOUNT_STATUSES, BUYER_PAY_CHANNELS, KEY_MODES, TRADE_STATUSES } from '../interfaces.js';
import type { NewMerchant, SettingsChange } from '../core/merchants.js';
import { parsePositiveYuan, parseRate, parseYuan } from '../protocol/yuan.js';
import { isNotifyUrl, OPENAPI_NOTIFY_URL_MAX } from '../core/notify-url.js';
import type { TradeDraft } from '../core/trades.js';

/**
 * Parses a JSON body against a schema; a mismatch is a 400 naming the first field that is wrong. No body at
 * all is an empty object; a JSON `null` is not.
 */
export function parse<Schema extends z.ZodType>(schema: Schema, value: unknown): z.infer<Schema> {
  const result = schema.safeParse(value === undefined ? {} : value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new DomainError('invalid_request', `${where}${issue?.message ?? 'invalid request'}`);
}

/** Refines a yuan string field into fen, or fails with a 400 naming it. */
/** A filter that takes one of a few values: absent, or one of them; anything else is a 400 naming them. */
export function oneOf<T extends string>(field: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new DomainError('invalid_request', `${field}: one of ${allowed.join(', ')}`);
  return value as T;
}

export function yuan(value: string | number, field: string, { positive = false } = {}): number {
  const fen = positive ? parsePositiveYuan(value) : parseYuan(value);
  if (fen === null) throw new DomainError('invalid_request', `${field}: not an amount in yuan with at most two decimals`);
  return fen;
}

export const amountText = z.union([z.string(), z.number()]);
const publicKeyText = z.string().min(1).max(8192);

/** A merchant's credentials, given at creation or changed later (each generated when not given at creation). */
const credentialFields = {
  md5_key: z
    .string()
    .regex(/^[0-9A-Za-z]{1,64}$/)
    .optional(),
  login_password: z.string().min(1).max(64).optional(),
  payment_password: z.string().min(1).max(64).optional(),
};

export const merchantBody = z.object({
  name: z.string().min(1).max(128).optional(),
  email: z.string().min(3).max(100).optional(),
  balance: amountText.optional(),
  ...credentialFields,
});

export const fundMixBody = z
  .array(
    z.object({
      fund_channel: z.enum(FUND_CHANNELS),
      percent: z.number().int().min(1).max(100),
      fund_type: z.enum(BANK_FUND_TYPES).optional(),
      bank_code: z.string().max(32).optional(),
    }),
  )
  .min(1)
  .refine((mix) => mix.reduce((sum, share) => sum + share.percent, 0) === 100, 'percents must add up to 100')
  .refine((mix) => mix.every((share) => !isDiscountChannel(share.fund_channel)), 'a fund mix names buyer channels; discounts come from vouchers');

export const settingsBody = z.object({
  name: z.string().min(1).max(128).optional(),
  fee_rate: amountText.optional(),
  refund_window_days: z.number().int().min(0).max(3650).optional(),
  pwd_refund_enabled: z.boolean().optional(),
  default_fund_mix: fundMixBody.optional(),
  dback_delay_seconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86400)
    .optional(),
  dback_outcome: z.enum(['S', 'F']).optional(),
  non_refundable_products: z
    .array(z.string().regex(/^[A-Z0-9_]{1,64}$/))
    .max(20)
    .optional(),
  mapi_rsa_public_key: publicKeyText.nullable().optional(),
  mapi_dsa_public_key: publicKeyText.nullable().optional(),
  ...credentialFields,
  account_status: z.enum(ACCOUNT_STATUSES).optional(),
});

export const balanceBody = z.union([z.object({ delta: amountText }).strict(), z.object({ set: amountText }).strict()]);

export const appBody = z.object({
  pid: z.string().min(1).max(16),
  key_mode: z.enum(KEY_MODES).optional(),
  app_public_key: publicKeyText.optional(),
  rsa_public_key: publicKeyText.optional(),
});

export const appSettingsBody = z.object({
  aes_key: z.string().min(1).max(64).nullable().optional(),
  message_url: z.string().max(1024).nullable().optional(),
  notify_wait_buyer_pay: z.boolean().optional(),
});

export const tokenBody = z.object({ app_id: z.string().min(1).max(32), pid: z.string().min(1).max(16) });

export const tradeBody = z.object({
  app_id: z.string().min(1).max(32),
  seller_id: z.string().min(1).max(16).optional(),
  out_trade_no: z.string().min(1).max(64).optional(),
  total_amount: amountText,
  subject: z.string().min(1).max(256).optional(),
  notify_url: z
    .string()
    .refine((url) => isNotifyUrl(url, OPENAPI_NOTIFY_URL_MAX), `an absolute http(s) URL of at most ${OPENAPI_NOTIFY_URL_MAX} characters`)
    .nullable()
    .optional(),
  status: z.enum(TRADE_STATUSES as [TradeStatus, ...TradeStatus[]]).optional(),
  fund_bill_list: z
    .array(
      z.object({
        fund_channel: z.enum(FUND_CHANNELS),
        amount: amountText,
        real_amount: amountText.optional(),
        fund_type: z.enum(BANK_FUND_TYPES).optional(),
        bank_code: z.string().max(32).optional(),
      }),
    )
    .min(1)
    .max(20)
    .optional(),
  /** A registered buyer who pays from their own funds: the channels and coupons they choose. */
  buyer_user_id: z
    .string()
    .regex(/^2088\d{12}$/)
    .optional(),
  pay_channels: z.array(z.enum(BUYER_PAY_CHANNELS)).max(5).optional(),
  bank_card_position: z.number().int().min(1).max(99).optional(),
  voucher_ids: z.array(z.string().min(1).max(32)).max(20).optional(),
  voucher_detail_list: z
    .array(
      z.object({
        id: z.string().min(1).max(32).optional(),
        name: z.string().max(64).optional(),
        type: z.string().max(32).optional(),
        amount: amountText,
        merchant_contribute: amountText.optional(),
        other_contribute: amountText.optional(),
        memo: z.string().max(256).optional(),
        template_id: z.string().max(64).optional(),
      }),
    )
    .max(20)
    .optional(),
});

export const tradeSettingsBody = z.object({
  frozen: z.boolean().optional(),
  refund_allowed: z.boolean().optional(),
  dback_outcome: z.enum(['S', 'F']).nullable().optional(),
  buyer_account_status: z.enum(ACCOUNT_STATUSES).optional(),
});

export const faultBody = z.object({
  method: z.string().min(1).max(128),
  sub_code: z.string().min(1).max(64),
  times: z.number().int().min(1).max(1_000_000).optional(),
  phase: z.enum(['before', 'after']).optional(),
});

/** A parsed merchant body, in the core's terms. */
export function toNewMerchant(body: z.infer<typeof merchantBody>): NewMerchant {
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.email !== undefined && { email: body.email }),
    ...(body.balance !== undefined && { balance: yuan(body.balance, 'balance') }),
    ...(body.md5_key !== undefined && { md5Key: body.md5_key }),
    ...(body.login_password !== undefined && { loginPassword: body.login_password }),
    ...(body.payment_password !== undefined && { paymentPassword: body.payment_password }),
  };
}

/** Parsed merchant settings, in the core's terms. */
export function toSettingsChange(body: z.infer<typeof settingsBody>): SettingsChange {
  let feeRatePpm: number | undefined;
  if (body.fee_rate !== undefined) {
    const parsed = parseRate(body.fee_rate);
    if (parsed === null) throw new DomainError('invalid_request', 'fee_rate: a rate between 0 and 1 with at most six decimals, such as "0.006"');
    feeRatePpm = parsed;
  }
  const mix: FundMixShare[] | undefined = body.default_fund_mix?.map((share) => ({
    fundChannel: share.fund_channel,
    percent: share.percent,
    ...(share.fund_type && { fundType: share.fund_type }),
    ...(share.bank_code && { bankCode: share.bank_code }),
  }));
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(feeRatePpm !== undefined && { feeRatePpm }),
    ...(body.refund_window_days !== undefined && { refundWindowDays: body.refund_window_days }),
    ...(body.pwd_refund_enabled !== undefined && { pwdRefundEnabled: body.pwd_refund_enabled }),
    ...(mix && { defaultFundMix: mix }),
    ...(body.dback_delay_seconds !== undefined && { dbackDelaySeconds: body.dback_delay_seconds }),
    ...(body.dback_outcome !== undefined && { dbackOutcome: body.dback_outcome }),
    ...(body.account_status !== undefined && { accountStatus: body.account_status }),
    ...(body.non_refundable_products !== undefined && { nonRefundableProducts: body.non_refundable_products }),
    ...(body.mapi_rsa_public_key !== undefined && { mapiRsaPublicKey: body.mapi_rsa_public_key }),
    ...(body.mapi_dsa_public_key !== undefined && { mapiDsaPublicKey: body.mapi_dsa_public_key }),
    ...(body.md5_key !== undefined && { md5Key: body.md5_key }),
    ...(body.login_password !== undefined && { loginPassword: body.login_password }),
    ...(body.payment_password !== undefined && { paymentPassword: body.payment_password }),
  };
}

/** A parsed trade body, in the core's terms but for its app, which the caller finds; the seller is the app's owner unless named. */
export function toTradeDraft(body: z.infer<typeof tradeBody>, ownerPid: string): Omit<TradeDraft, 'app'> {
  const total = yuan(body.total_amount, 'total_amount', { positive: true });
  const fundBills: FundBill[] | undefined = body.fund_bill_list?.map((bill, i) => {
    const amount = yuan(bill.amount, `fund_bill_list.${i}.amount`, { positive: true });
    return {
      fundChannel: bill.fund_channel,
      amount,
      realAmount: bill.real_amount === undefined ? amount : yuan(bill.real_amount, `fund_bill_list.${i}.real_amount`),
      fundType: bill.fund_channel === 'BANKCARD' ? (bill.fund_type ?? 'DEBIT_CARD') : null,
      bankCode: bill.bank_code ?? null,
    };
  });
  const vouchers: Voucher[] | undefined = body.voucher_detail_list?.map((voucher, i) => {
    const amount = yuan(voucher.amount, `voucher_detail_list.${i}.amount`, { positive: true });
    const merchantContribute =
      voucher.merchant_contribute === undefined ? null : yuan(voucher.merchant_contribute, `voucher_detail_list.${i}.merchant_contribute`);
    const otherContribute = voucher.other_contribute === undefined ? null : yuan(voucher.other_contribute, `voucher_detail_list.${i}.other_contribute`);
    return {
      id: voucher.id ?? `2026${String(i + 1).padStart(24, '0')}`,
      name: voucher.name ?? '优惠券',
      type: voucher.type ?? 'ALIPAY_FIX_VOUCHER',
      amount,
      merchantContribute: merchantContribute ?? amount - (otherContribute ?? 0),
      otherContribute: otherContribute ?? amount - (merchantContribute ?? amount),
      ...(voucher.memo && { memo: voucher.memo }),
      ...(voucher.template_id && { templateId: voucher.template_id }),
    };
  });
  return {
    sellerPid: body.seller_id ?? ownerPid,
    outTradeNo: body.out_trade_no ?? `T${newSecret(12)}`,
    totalAmount: total,
    subject: body.subject ?? '测试商品',
    ...(fundBills && { fundBills }),
    ...(vouchers && { vouchers }),
    notifyUrl: body.notify_url ?? null,
    ...(body.status && { status: body.status as TradeStatus }),
    ...(body.buyer_user_id && {
      payer: {
        buyerUserId: body.buyer_user_id,
        choice: {
          channels: body.pay_channels ?? [],
          ...(body.bank_card_position !== undefined && { bankCardPosition: body.bank_card_position }),
          voucherIds: body.voucher_ids ?? [],
        },
      },
    }),
  };
}
