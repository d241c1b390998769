/**
 * alipay.trade.refund — the synchronous refund: it succeeds or fails now. `fund_change` is Y when this
 * call moved the money and N when an identical earlier request did; `refund_fee` is the trade's cumulative
 * refunded amount. Business errors still carry `refund_fee` and `send_back_fee`, as Alipay's do.
 */
import { formatChinaTime } from '../protocol/china-time.js';
import { formatYuan } from '../protocol/yuan.js';
import { refundNow } from '../core/refund-now.js';
import type { Trade } from '../interfaces.js';
import { findSellersTrade } from '../core/trade-lookup.js';
import { refundError, type RefundErrorName } from '../protocol/openapi/business-errors.js';
import { defineMethod, echoField, failure, success, type MethodContext } from './openapi-method.js';
import { REFUND_REJECTION_CODES, refundOptionFields } from './refund-fields.js';
import { refundBizSchema, toRefundRequest } from './refund-request.js';

function failed(name: RefundErrorName, biz: unknown, trade: Trade | null) {
  return failure(refundError(name), failureFields(biz, trade));
}

/** What a failed refund still carries, as Alipay's do: the trade's numbers, refund_fee and send_back_fee. */
function failureFields(biz: unknown, trade: Trade | null): Record<string, string> {
  const fields: Record<string, string> = {};
  const tradeNo = trade?.tradeNo ?? echoField(biz, 'trade_no');
  const outTradeNo = trade?.outTradeNo ?? echoField(biz, 'out_trade_no');
  if (tradeNo) fields.trade_no = tradeNo;
  if (outTradeNo) fields.out_trade_no = outTradeNo;
  fields.refund_fee = formatYuan(trade?.refundedAmount ?? 0);
  fields.send_back_fee = '0.00';
  return fields;
}

/**
 * The trade a request names, read without a lock, for a provoked failure: its refund_fee is the trade's real
 * cumulative refunded amount — including a refund an `after` fault let through.
 */
async function namedTrade(biz: unknown, context: MethodContext): Promise<Trade | null> {
  const tradeNo = echoField(biz, 'trade_no') || undefined;
  const outTradeNo = echoField(biz, 'out_trade_no') || undefined;
  if (!tradeNo && !outTradeNo) return null;
  return (await findSellersTrade(context.services, { sellerPid: context.sellerPid, tradeNo, outTradeNo })) ?? null;
}

export const tradeRefund = defineMethod({
  name: 'alipay.trade.refund',
  bizSchema: refundBizSchema,
  errors: refundError,
  failureFields: async (biz, context) => failureFields(biz, await namedTrade(biz, context)),
  invalid: (biz) => failed('ACQ.INVALID_PARAMETER', biz, null),
  async run(biz, context) {
    const request = toRefundRequest(biz, context.sellerPid, 'refund');
    if (!request) return failed('ACQ.REASON_TRADE_REFUND_FEE_ERR', biz, null);
    const result = await refundNow(context.services, request);
    if (result.kind === 'rejected') return failed(REFUND_REJECTION_CODES[result.reason], biz, result.trade);
    if (result.kind === 'accepted') throw new Error('a synchronous refund cannot be merely accepted');
    const { trade, refund } = result;
    if (result.jobsOwed) context.services.jobsAdded();
    return success({
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      buyer_logon_id: trade.buyerLogonId,
      fund_change: result.fundChange ? 'Y' : 'N',
      refund_fee: formatYuan(trade.refundedAmount),
      gmt_refund_pay: formatChinaTime(refund.gmtRefundPay ?? refund.updatedAt),
      buyer_user_id: trade.buyerUserId,
      ...refundOptionFields(trade, refund, biz.query_options ?? [], false),
    });
  },
});
