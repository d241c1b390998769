/**
 * alipay.trade.create (JSAPI / 小程序, protocol-notes §12.6): the trade, waiting for the buyer the request names
 * (`buyer_id`, 2088…, or `buyer_logon_id`; `buyer_open_id` names nobody here), at once — its `trade_no` is what
 * a mini program passes to `my.tradePay`. Here the buyer pays it on the order's cashier, whose link the admin API
 * shows with the trade. The buyer may not be the seller (ACQ.BUYER_SELLER_EQUAL) nor frozen
 * (ACQ.BUYER_ENABLE_STATUS_FORBID); the same request again answers the same trade; another for the same
 * out_trade_no is ACQ.CONTEXT_INCONSISTENT, or ACQ.TRADE_BUYER_NOT_MATCH for another buyer. The trade waits 3
 * hours unless `timeout_express` / `time_expire` say otherwise, then closes (TRADE_CLOSED, notified).
 */
import { z } from 'zod';
import { createTradeForBuyer, type BuyerReference } from '../core/waiting-trade.js';
import { orderError, type OrderErrorName } from '../protocol/openapi/business-errors.js';
import { defineMethod, failure, optionalText, queryOptionsField, success } from './openapi-method.js';
import { echoedOrder, FACE_TO_FACE_TIMEOUT, orderFields, orderRequest } from './order-request.js';

const bizSchema = z.object({
  ...orderFields,
  product_code: z.enum(['FACE_TO_FACE_PAYMENT', 'JSAPI_PAY']).default('FACE_TO_FACE_PAYMENT'),
  buyer_id: z
    .string()
    .regex(/^2088\d{12}$/)
    .optional(),
  buyer_logon_id: optionalText(100),
  buyer_open_id: optionalText(128),
  op_app_id: optionalText(32),
  op_buyer_open_id: optionalText(128),
  discountable_amount: z.union([z.string().max(20), z.number()]).optional(),
  undiscountable_amount: z.union([z.string().max(20), z.number()]).optional(),
  terminal_id: optionalText(32),
  operator_id: optionalText(28),
  query_options: queryOptionsField,
});

const failed = (name: OrderErrorName, biz: unknown) => failure(orderError(name), echoedOrder(biz));

export const tradeCreate = defineMethod({
  name: 'alipay.trade.create',
  bizSchema,
  errors: orderError,
  failureFields: (biz) => echoedOrder(biz),
  invalid: (biz) => failed('ACQ.INVALID_PARAMETER', biz),
  async run(biz, context) {
    // One buyer identifier is needed; an open id names no buyer of this world.
    const reference: BuyerReference | null = biz.buyer_id ? { buyerUserId: biz.buyer_id } : biz.buyer_logon_id ? { logonId: biz.buyer_logon_id } : null;
    if (!reference) return failed('ACQ.INVALID_PARAMETER', biz);
    const asked = orderRequest({ method: 'alipay.trade.create', biz, context, productCode: biz.product_code, timeout: FACE_TO_FACE_TIMEOUT });
    if ('error' in asked) return failed(asked.error, biz);
    const outcome = await createTradeForBuyer(context.services, asked.request, reference);
    switch (outcome.kind) {
      case 'waiting':
        context.services.jobsAdded();
        return success({ out_trade_no: outcome.trade.outTradeNo, trade_no: outcome.trade.tradeNo });
      case 'opened':
        throw new Error('a created order always has its trade');
      case 'paid':
        return failed('ACQ.TRADE_HAS_SUCCESS', biz);
      case 'closed':
        return failed('ACQ.TRADE_HAS_CLOSE', biz);
      case 'inconsistent':
      case 'too_many_requests':
        return failed('ACQ.CONTEXT_INCONSISTENT', biz);
      case 'buyer_not_found':
        return failed('ACQ.INVALID_PARAMETER', biz);
      case 'buyer_frozen':
        return failed('ACQ.BUYER_ENABLE_STATUS_FORBID', biz);
      case 'buyer_is_seller':
        return failed('ACQ.BUYER_SELLER_EQUAL', biz);
      case 'buyer_mismatch':
        return failed('ACQ.TRADE_BUYER_NOT_MATCH', biz);
    }
  },
});
