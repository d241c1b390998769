/**
 * What every order the buyer pays on the cashier asks, read one way for page.pay, wap.pay, precreate and create
 * (protocol-notes §12.1–12.6, §12.11): out_trade_no, total_amount and subject; the timeout (`time_expire` wins
 * over `timeout_express`); `passback_params`; which channels may pay (`enable_pay_channels` or
 * `disable_pay_channels`, never both; no Huabei for `goods_type=0`); and the request's fingerprint, which a
 * repeat of the same out_trade_no must match.
 */
import { z } from 'zod';
import { nextChinaMidnight } from '../core/china-date.js';
import { MAX_TRADE_FEN } from '../core/money.js';
import { isNotifyUrl } from '../core/notify-url.js';
import { payChannelPolicy } from '../core/pay-channel-policy.js';
import type { PayOrderRequest } from '../core/pay-orders.js';
import type { PayOrderMethod } from '../interfaces.js';
import { parseChinaTime } from '../protocol/china-time.js';
import { parsePositiveYuan } from '../protocol/yuan.js';
import { amountField, echoField, optionalText, requiredText, type MethodContext } from './openapi-method.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UNIT_MS = { m: MINUTE, h: HOUR, d: DAY } as const;

/** Letters, digits and underscores (the docs), and `-`, which the live gateway takes too (notes §12.7). */
const OUT_TRADE_NO = /^[0-9A-Za-z_-]+$/;
/** "不可使用特殊字符，如 /，=，& 等" (notes §12.1). */
const SUBJECT_FORBIDDEN = /[/=&]/;

/** The biz params every order has. */
export const orderFields = {
  out_trade_no: requiredText(64).regex(OUT_TRADE_NO),
  total_amount: amountField,
  subject: requiredText(256).refine((subject) => !SUBJECT_FORBIDDEN.test(subject)),
  body: optionalText(128),
  timeout_express: optionalText(6),
  time_expire: optionalText(32),
  goods_type: z.enum(['0', '1']).optional(),
  passback_params: optionalText(512),
  enable_pay_channels: optionalText(128),
  disable_pay_channels: optionalText(128),
  goods_detail: z.array(z.record(z.string(), z.unknown())).max(100).optional(),
  extend_params: z.record(z.string(), z.unknown()).optional(),
  business_params: z.union([z.string().max(512), z.record(z.string(), z.unknown())]).optional(),
  store_id: optionalText(32),
  merchant_order_no: optionalText(32),
  seller_id: optionalText(28),
};

const orderSchema = z.object(orderFields);
export type OrderBiz = z.infer<typeof orderSchema>;

/** How long an order waits for its buyer when the request does not say, and the least it waits. */
export interface TimeoutRule {
  /** (Default of page.pay and wap.pay: 15 days; of precreate and create: 3 hours) */
  defaultSpan: number;
  /** wap.pay waits at least 5 minutes, whatever it asks. (Default: 0) */
  minimum?: number;
}

export const PAGE_TIMEOUT: TimeoutRule = { defaultSpan: 15 * DAY };
export const WAP_TIMEOUT: TimeoutRule = { defaultSpan: 15 * DAY, minimum: 5 * MINUTE };
export const FACE_TO_FACE_TIMEOUT: TimeoutRule = { defaultSpan: 3 * HOUR };

/**
 * When the order expires (notes §12.1, §12.6): `time_expire` (China time) wins over `timeout_express`
 * (`Nm`/`Nh`/`Nd`, 1m–15d, or `1c`, the next China midnight). Null for a value that cannot be read; `past` for a
 * time_expire already gone.
 */
export function expiryOf(biz: Pick<OrderBiz, 'timeout_express' | 'time_expire'>, now: number, rule: TimeoutRule): number | 'past' | null {
  if (biz.time_expire) {
    const at = parseChinaTime(biz.time_expire);
    if (at === null) return null;
    return at <= now ? 'past' : at;
  }
  let span = rule.defaultSpan;
  if (biz.timeout_express) {
    if (biz.timeout_express === '1c') return nextChinaMidnight(now);
    const match = /^([1-9]\d{0,4})([mhd])$/.exec(biz.timeout_express);
    if (!match) return null;
    span = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (span < MINUTE || span > 15 * DAY) return null;
  }
  return now + Math.max(span, rule.minimum ?? 0);
}

/** The request's biz params, canonical (keys sorted at every level), with its method: what a repeat must match. */
function fingerprint(method: string, biz: object, totalFen: number): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
      );
    }
    return value;
  };
  return JSON.stringify(canonical({ ...biz, total_amount: totalFen, method }));
}

/** What a refused order request still carries: the out_trade_no it gave. */
export function echoedOrder(biz: unknown): Record<string, string> {
  const outTradeNo = echoField(biz, 'out_trade_no');
  return outTradeNo ? { out_trade_no: outTradeNo } : {};
}

export type OrderRequestError = 'ACQ.INVALID_PARAMETER' | 'ACQ.TOTAL_FEE_EXCEED' | 'ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR';

export interface OrderRequestInput {
  method: PayOrderMethod;
  biz: OrderBiz;
  context: MethodContext;
  productCode: string;
  timeout: TimeoutRule;
  /** wap.pay: where a buyer who gives up goes back to. (Default: none) */
  quitUrl?: string | null;
}

/** The order the request asks for, or the error it earns. */
export function orderRequest(input: OrderRequestInput): { request: PayOrderRequest } | { error: OrderRequestError } {
  const { method, biz, context } = input;
  const totalAmount = parsePositiveYuan(biz.total_amount, Number.MAX_SAFE_INTEGER);
  if (totalAmount === null) return { error: 'ACQ.INVALID_PARAMETER' };
  if (totalAmount > MAX_TRADE_FEN) return { error: 'ACQ.TOTAL_FEE_EXCEED' };
  const limits = {
    enablePayChannels: biz.enable_pay_channels ?? null,
    disablePayChannels: biz.disable_pay_channels ?? null,
    goodsType: biz.goods_type ?? null,
  };
  if (payChannelPolicy(limits) === null) return { error: 'ACQ.INVALID_PARAMETER' };
  const quitUrl = input.quitUrl ?? null;
  for (const url of [context.returnUrl, context.notifyUrl, quitUrl]) if (url && !isNotifyUrl(url)) return { error: 'ACQ.INVALID_PARAMETER' };
  if (biz.seller_id && biz.seller_id !== context.sellerPid) return { error: 'ACQ.INVALID_PARAMETER' };
  const now = context.services.clock.now();
  const expiresAt = expiryOf(biz, now, input.timeout);
  if (expiresAt === null) return { error: 'ACQ.INVALID_PARAMETER' };
  if (expiresAt === 'past') return { error: 'ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR' };
  return {
    request: {
      method,
      appId: context.app.appId,
      sellerPid: context.sellerPid,
      outTradeNo: biz.out_trade_no,
      totalAmount,
      subject: biz.subject,
      body: biz.body ?? null,
      productCode: input.productCode,
      fingerprint: fingerprint(method, biz, totalAmount),
      charset: context.charset,
      returnUrl: context.returnUrl,
      notifyUrl: context.notifyUrl,
      quitUrl,
      expiresAt,
      buyerUserId: null,
      ...limits,
      passbackParams: biz.passback_params ?? null,
    },
  };
}
