/**
 * alipay.trade.fastpay.refund.query (seeds 001, 003). trade_no wins over out_trade_no; out_request_no
 * defaults, at refund time, to the out_trade_no. `refund_status=REFUND_SUCCESS` only when the refund is
 * done: while it waits, or after it failed, the field is absent — which is why "absent" must never be read
 * as "pending". An unknown out_request_no on a known trade answers 10000 with no refund details.
 * Seed 001's copy lowercased its codes and values; Alipay writes them in capitals, and so do we.
 */
import { z } from 'zod';
import { formatYuan } from '../protocol/yuan.js';
import { queryRefund } from '../core/refund-query.js';
import { refundQueryError } from '../protocol/openapi/business-errors.js';
import { defineMethod, failure, optionalText, queryOptionsField, requiredText, success } from './openapi-method.js';
import { optionsShowAllocations, refundOptionFields } from './refund-fields.js';

const bizSchema = z
  .object({
    out_request_no: requiredText(64),
    trade_no: optionalText(64),
    out_trade_no: optionalText(64),
    query_options: queryOptionsField,
    org_pid: optionalText(16),
  })
  .refine((biz) => Boolean(biz.trade_no || biz.out_trade_no));

export const tradeFastpayRefundQuery = defineMethod({
  name: 'alipay.trade.fastpay.refund.query',
  bizSchema,
  errors: refundQueryError,
  invalid: () => failure(refundQueryError('ACQ.INVALID_PARAMETER')),
  async run(biz, context) {
    // Only what the reply shows is read, in one statement: not the merchant's refund window (a finished trade's
    // refunds are answered alike), not the fund bills, and the fund allocations only when an option shows them.
    const options = biz.query_options ?? [];
    const key = { sellerPid: context.sellerPid, tradeNo: biz.trade_no || undefined, outTradeNo: biz.out_trade_no || undefined };
    const found = await queryRefund(context.services, key, biz.out_request_no, { withAllocations: optionsShowAllocations(options) });
    // A wrong Alipay trade number, and a wrong merchant order number, read differently (seed 001).
    if (!found) return failure(refundQueryError(biz.trade_no ? 'TRADE_NOT_EXIST' : 'ACQ.TRADE_NOT_EXIST'));
    const { trade, refund } = found;
    if (!refund) return success({});
    const fields: Record<string, unknown> = {
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      out_request_no: refund.outRequestNo,
    };
    if (refund.refundReason) fields.refund_reason = refund.refundReason;
    fields.total_amount = formatYuan(trade.totalAmount);
    fields.refund_amount = formatYuan(refund.refundAmount);
    if (refund.status !== 'succeeded') return success(fields);
    fields.refund_status = 'REFUND_SUCCESS';
    return success({ ...fields, ...refundOptionFields(trade, refund, options, true) });
  },
});
