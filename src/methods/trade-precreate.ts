/**
 * alipay.trade.precreate (当面付 扫码支付, protocol-notes §12.6): the order, and a `qr_code` whose URL opens the
 * buyer's cashier on this server (`/qr/<code>`, as Alipay's `https://qr.alipay.com/bax…`). No trade exists until
 * the buyer scans it — logs in on that cashier — so until then `alipay.trade.query` answers ACQ.TRADE_NOT_EXIST.
 * The same request again gives the same QR code, at most 20 times (ACQ.APPLY_PC_MERCHANT_CODE_ERROR after);
 * another with the same out_trade_no is ACQ.CONTEXT_INCONSISTENT; a paid or closed one ACQ.TRADE_HAS_SUCCESS /
 * ACQ.TRADE_HAS_CLOSE. The order waits 3 hours unless `timeout_express` / `time_expire` say otherwise.
 */
import { z } from 'zod';
import { openPayOrder } from '../core/pay-orders.js';
import { orderError, type OrderErrorName } from '../protocol/openapi/business-errors.js';
import { defineMethod, failure, optionalText, queryOptionsField, success } from './openapi-method.js';
import { echoedOrder, FACE_TO_FACE_TIMEOUT, orderFields, orderRequest } from './order-request.js';

const bizSchema = z.object({
  ...orderFields,
  product_code: z.enum(['FACE_TO_FACE_PAYMENT', 'QR_CODE_OFFLINE']).default('FACE_TO_FACE_PAYMENT'),
  discountable_amount: z.union([z.string().max(20), z.number()]).optional(),
  undiscountable_amount: z.union([z.string().max(20), z.number()]).optional(),
  alipay_store_id: optionalText(32),
  terminal_id: optionalText(32),
  operator_id: optionalText(28),
  qr_code_timeout_express: optionalText(6),
  code_type: optionalText(32),
  buyer_logon_id: optionalText(100),
  query_options: queryOptionsField,
});

const failed = (name: OrderErrorName, biz: unknown) => failure(orderError(name), echoedOrder(biz));

export const tradePrecreate = defineMethod({
  name: 'alipay.trade.precreate',
  bizSchema,
  errors: orderError,
  failureFields: (biz) => echoedOrder(biz),
  invalid: (biz) => failed('ACQ.INVALID_PARAMETER', biz),
  async run(biz, context) {
    const asked = orderRequest({ method: 'alipay.trade.precreate', biz, context, productCode: biz.product_code, timeout: FACE_TO_FACE_TIMEOUT });
    if ('error' in asked) return failed(asked.error, biz);
    const outcome = await openPayOrder(context.services, asked.request);
    switch (outcome.kind) {
      case 'opened':
        return success({ out_trade_no: outcome.order.outTradeNo, qr_code: `${context.origin}/qr/${outcome.order.token}` });
      case 'paid':
        return failed('ACQ.TRADE_HAS_SUCCESS', biz);
      case 'closed':
        return failed('ACQ.TRADE_HAS_CLOSE', biz);
      case 'inconsistent':
        return failed('ACQ.CONTEXT_INCONSISTENT', biz);
      case 'too_many_requests':
        return failed('ACQ.APPLY_PC_MERCHANT_CODE_ERROR', biz);
    }
  },
});
