/**
 * alipay.trade.page.pay (product FAST_INSTANT_TRADE_PAY, a PC's cashier) and alipay.trade.wap.pay (QUICK_WAP_WAY,
 * a phone's), protocol-notes §12.1–12.4: the buyer's browser brings the signed request (the SDK's pageExecute,
 * GET or POST); valid biz params become a pay order awaiting the buyer, and the browser is sent to the cashier
 * (`/cashier/pay/<token>`). No trade exists until the buyer logs in there (waiting-trade.ts). The same request again reopens the order;
 * other params with the same out_trade_no are ACQ.CONTEXT_INCONSISTENT; a paid order ACQ.TRADE_HAS_SUCCESS, a
 * closed or expired one ACQ.TRADE_HAS_CLOSE — every error on the gateway's error page.
 */
import { z } from 'zod';
import { openPayOrder } from '../core/pay-orders.js';
import type { PayOrderMethod } from '../interfaces.js';
import { pagePayError, type PagePayErrorName } from '../protocol/openapi/business-errors.js';
import { defineMethod, failure, optionalText, success, type OpenApiMethod } from './openapi-method.js';
import { orderFields, orderRequest, PAGE_TIMEOUT, WAP_TIMEOUT } from './order-request.js';

const pageSchema = z.object({
  ...orderFields,
  product_code: z.literal('FAST_INSTANT_TRADE_PAY'),
  qr_pay_mode: z.enum(['0', '1', '2', '3', '4']).optional(),
  qrcode_width: z.union([z.number().int().positive(), z.string().regex(/^\d{1,4}$/)]).optional(),
  integration_type: z.enum(['ALIAPP', 'PCWEB']).optional(),
  request_from_url: optionalText(256),
});

const wapSchema = z.object({
  ...orderFields,
  product_code: z.literal('QUICK_WAP_WAY').default('QUICK_WAP_WAY'),
  quit_url: optionalText(400),
  specified_channel: z.literal('pcredit').optional(),
  auth_token: optionalText(40),
});

type PageBiz = z.infer<typeof pageSchema> | z.infer<typeof wapSchema>;

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
      const asked = orderRequest({
        method: name,
        biz,
        context,
        productCode: biz.product_code,
        timeout: wap ? WAP_TIMEOUT : PAGE_TIMEOUT,
        quitUrl: 'quit_url' in biz ? (biz.quit_url ?? null) : null,
      });
      if ('error' in asked) return failed(asked.error);
      const outcome = await openPayOrder(context.services, asked.request);
      switch (outcome.kind) {
        case 'opened':
          return { ...success({}), location: `/cashier/pay/${outcome.order.token}` };
        case 'paid':
          return failed('ACQ.TRADE_HAS_SUCCESS');
        case 'closed':
          return failed('ACQ.TRADE_HAS_CLOSE');
        case 'inconsistent':
        case 'too_many_requests':
          return failed('ACQ.CONTEXT_INCONSISTENT');
      }
    },
  });
}

export const tradePagePay = pageMethod('alipay.trade.page.pay', pageSchema);
export const tradeWapPay = pageMethod('alipay.trade.wap.pay', wapSchema);
