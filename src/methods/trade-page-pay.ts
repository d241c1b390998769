/**
 * alipay.trade.page.pay (product FAST_INSTANT_TRADE_PAY, a PC's cashier) and alipay.trade.wap.pay (QUICK_WAP_WAY,
 * a phone's), protocol-notes §12.1–12.4: the buyer's browser brings the signed request (the SDK's pageExecute,
 * GET or POST); valid biz params become a pay order awaiting the buyer, and the browser is sent to the cashier
 * (`/cashier/pay/<token>`). No trade exists until the buyer pays there. The same request again reopens the order;
 * other params with the same out_trade_no are ACQ.CONTEXT_INCONSISTENT; a paid order ACQ.TRADE_HAS_SUCCESS, a
 * closed or expired one ACQ.TRADE_HAS_CLOSE — every error on the gateway's error page.
 */
import { z } from 'zod';
import { nextChinaMidnight } from '../core/china-date.js';
import { MAX_TRADE_FEN } from '../core/money.js';
import { isNotifyUrl } from '../core/notify-url.js';
import { openPayOrder } from '../core/pay-orders.js';
import type { PayOrderMethod } from '../interfaces.js';
import { parseChinaTime } from '../protocol/china-time.js';
import { pagePayError, type PagePayErrorName } from '../protocol/openapi/business-errors.js';
import { parsePositiveYuan } from '../protocol/yuan.js';
import { amountField, defineMethod, failure, optionalText, requiredText, success, type OpenApiMethod } from './openapi-method.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const UNIT_MS = { m: MINUTE, h: 60 * MINUTE, d: DAY } as const;

/** Letters, digits and underscores (the docs), and `-`, which the live gateway takes too (notes §12.7). */
const OUT_TRADE_NO = /^[0-9A-Za-z_-]+$/;
/** "不可使用特殊字符，如 /，=，& 等" (notes §12.1). */
const SUBJECT_FORBIDDEN = /[/=&]/;

const common = {
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
};

const pageSchema = z.object({
  ...common,
  product_code: z.literal('FAST_INSTANT_TRADE_PAY'),
  qr_pay_mode: z.enum(['0', '1', '2', '3', '4']).optional(),
  qrcode_width: z.union([z.number().int().positive(), z.string().regex(/^\d{1,4}$/)]).optional(),
  integration_type: z.enum(['ALIAPP', 'PCWEB']).optional(),
  request_from_url: optionalText(256),
});

const wapSchema = z.object({
  ...common,
  product_code: z.literal('QUICK_WAP_WAY').default('QUICK_WAP_WAY'),
  quit_url: optionalText(400),
  seller_id: optionalText(28),
  specified_channel: z.literal('pcredit').optional(),
  auth_token: optionalText(40),
});

type PageBiz = z.infer<typeof pageSchema> | z.infer<typeof wapSchema>;

/**
 * When the order expires (notes §12.1): `time_expire` (China time) wins over `timeout_express` (`Nm`/`Nh`/`Nd`,
 * 1m–15d, or `1c`, the next China midnight); 15 days by default; on wap.pay nothing under 5 minutes. Null for a
 * value that cannot be read; `past` for a time_expire already gone.
 */
export function expiryOf(biz: Pick<PageBiz, 'timeout_express' | 'time_expire'>, now: number, wap: boolean): number | 'past' | null {
  if (biz.time_expire) {
    const at = parseChinaTime(biz.time_expire);
    if (at === null) return null;
    return at <= now ? 'past' : at;
  }
  let span = 15 * DAY;
  if (biz.timeout_express) {
    if (biz.timeout_express === '1c') return nextChinaMidnight(now);
    const match = /^([1-9]\d{0,4})([mhd])$/.exec(biz.timeout_express);
    if (!match) return null;
    span = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (span < MINUTE || span > 15 * DAY) return null;
  }
  return now + (wap ? Math.max(span, 5 * MINUTE) : span);
}

/** The request's biz params, canonical (keys sorted at every level), with its method: what a repeat must match. */
function fingerprint(method: string, biz: PageBiz, totalFen: number): string {
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

const failed = (name: PagePayErrorName) => failure(pagePayError(name));

function pageMethod(name: PayOrderMethod, bizSchema: typeof pageSchema | typeof wapSchema): OpenApiMethod {
  const wap = name === 'alipay.trade.wap.pay';
  return defineMethod({
    name,
    page: true,
    bizSchema,
    errors: pagePayError,
    invalid: () => failed('ACQ.INVALID_PARAMETER'),
    async run(biz: PageBiz, context) {
      const totalAmount = parsePositiveYuan(biz.total_amount, Number.MAX_SAFE_INTEGER);
      if (totalAmount === null) return failed('ACQ.INVALID_PARAMETER');
      if (totalAmount > MAX_TRADE_FEN) return failed('ACQ.TOTAL_FEE_EXCEED');
      if (biz.enable_pay_channels && biz.disable_pay_channels) return failed('ACQ.INVALID_PARAMETER');
      const quitUrl = 'quit_url' in biz ? (biz.quit_url ?? null) : null;
      for (const url of [context.returnUrl, quitUrl]) if (url && !isNotifyUrl(url)) return failed('ACQ.INVALID_PARAMETER');
      if ('seller_id' in biz && biz.seller_id && biz.seller_id !== context.sellerPid) return failed('ACQ.INVALID_PARAMETER');
      const now = context.services.clock.now();
      const expiresAt = expiryOf(biz, now, wap);
      if (expiresAt === null) return failed('ACQ.INVALID_PARAMETER');
      if (expiresAt === 'past') return failed('ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR');
      const outcome = await openPayOrder(context.services, {
        method: name,
        appId: context.app.appId,
        sellerPid: context.sellerPid,
        outTradeNo: biz.out_trade_no,
        totalAmount,
        subject: biz.subject,
        body: biz.body ?? null,
        productCode: biz.product_code,
        fingerprint: fingerprint(name, biz, totalAmount),
        charset: context.charset,
        returnUrl: context.returnUrl,
        notifyUrl: context.notifyUrl,
        quitUrl,
        expiresAt,
      });
      switch (outcome.kind) {
        case 'opened':
          return { ...success({}), location: `/cashier/pay/${outcome.order.token}` };
        case 'paid':
          return failed('ACQ.TRADE_HAS_SUCCESS');
        case 'closed':
          return failed('ACQ.TRADE_HAS_CLOSE');
        case 'inconsistent':
          return failed('ACQ.CONTEXT_INCONSISTENT');
      }
    },
  });
}

export const tradePagePay = pageMethod('alipay.trade.page.pay', pageSchema);
export const tradeWapPay = pageMethod('alipay.trade.wap.pay', wapSchema);
