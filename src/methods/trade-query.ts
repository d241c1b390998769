/**
 * alipay.trade.query — a trade's status and amounts. trade_no wins over out_trade_no. Once the trade has
 * refunds, `refund_fee` carries its cumulative refunded amount (as the refund replies and notifications
 * name it) and a fully refunded trade reads TRADE_CLOSED.
 */
import { z } from 'zod';
import { formatChinaTime } from '../protocol/china-time.js';
import { formatYuan } from '../protocol/yuan.js';
import { findTradeWithStatus } from '../core/trade-lookup.js';
import { tradeError } from '../protocol/openapi/business-errors.js';
import { defineMethod, echoField, failure, optionalText, queryOptionsField, success } from './openapi-method.js';
import { fundBillFields, voucherFields, zeroAmountFields } from './trade-fields.js';

const bizSchema = z
  .object({
    out_trade_no: optionalText(64),
    trade_no: optionalText(64),
    query_options: queryOptionsField,
    org_pid: optionalText(16),
  })
  .refine((biz) => Boolean(biz.trade_no || biz.out_trade_no));

function failed(name: Parameters<typeof tradeError>[0], biz: unknown) {
  return failure(tradeError(name), zeroAmountFields(echoField(biz, 'out_trade_no')));
}

export const tradeQuery = defineMethod({
  name: 'alipay.trade.query',
  bizSchema,
  errors: tradeError,
  failureFields: (biz) => zeroAmountFields(echoField(biz, 'out_trade_no')),
  invalid: (biz) => failed('ACQ.INVALID_PARAMETER', biz),
  async run(biz, context) {
    const found = await findTradeWithStatus(context.services, {
      sellerPid: context.sellerPid,
      tradeNo: biz.trade_no,
      outTradeNo: biz.out_trade_no,
    });
    if (!found) return failed('ACQ.TRADE_NOT_EXIST', biz);
    const { trade, status } = found;
    // Unpaid — waiting, or closed before the buyer paid — a trade has received nothing (notes §12.8).
    const unpaid = trade.gmtPayment === null;
    const fields: Record<string, unknown> = {
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      buyer_logon_id: trade.buyerLogonId,
      trade_status: status,
      total_amount: formatYuan(trade.totalAmount),
      buyer_pay_amount: formatYuan(unpaid ? 0 : trade.buyerPayAmount),
      point_amount: formatYuan(unpaid ? 0 : trade.pointAmount),
      invoice_amount: formatYuan(unpaid ? 0 : trade.invoiceAmount),
      receipt_amount: formatYuan(unpaid ? 0 : trade.receiptAmount),
      buyer_user_id: trade.buyerUserId,
      buyer_user_type: 'PRIVATE',
    };
    if (trade.gmtPayment !== null) fields.send_pay_date = formatChinaTime(trade.gmtPayment);
    if (trade.gmtPayment !== null) fields.fund_bill_list = fundBillFields(trade.fundBills);
    if (trade.discountAmount > 0) fields.discount_amount = formatYuan(trade.discountAmount);
    if (trade.mdiscountAmount > 0) fields.mdiscount_amount = formatYuan(trade.mdiscountAmount);
    if (biz.query_options?.includes('voucher_detail_list') && trade.vouchers.length > 0) {
      fields.voucher_detail_list = voucherFields(trade.vouchers);
    }
    if (trade.storeId) fields.store_id = trade.storeId;
    if (trade.terminalId) fields.terminal_id = trade.terminalId;
    if (trade.refundedAmount > 0) fields.refund_fee = formatYuan(trade.refundedAmount);
    return success(fields);
  },
});
