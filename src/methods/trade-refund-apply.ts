/**
 * alipay.trade.refund.apply (seed 000) — the asynchronous refund: checked and its amount reserved now,
 * answered 10000, carried out by the worker, and retried while the merchant's balance is short.
 * The same out_request_no through alipay.trade.refund and this method is one refund.
 */
import { acceptRefund } from '../core/accept-refund.js';
import { refundError } from '../protocol/openapi/business-errors.js';
import { defineMethod, failure, success } from './openapi-method.js';
import { REFUND_REJECTION_CODES } from './refund-fields.js';
import { refundBizSchema, toRefundRequest } from './refund-request.js';

export const tradeRefundApply = defineMethod({
  name: 'alipay.trade.refund.apply',
  bizSchema: refundBizSchema,
  errors: refundError,
  invalid: () => failure(refundError('ACQ.INVALID_PARAMETER')),
  async run(biz, context) {
    const request = toRefundRequest(biz, context.sellerPid, 'refund.apply');
    if (!request) return failure(refundError('ACQ.REASON_TRADE_REFUND_FEE_ERR'));
    const result = await acceptRefund(context.services, request);
    if (result.kind === 'rejected') return failure(refundError(REFUND_REJECTION_CODES[result.reason]));
    if (result.kind === 'accepted') context.services.jobsAdded();
    return success({});
  },
});
