/**
 * alipay.trade.pay — a simulated face-to-face payment: the buyer's code is "scanned" and the trade is paid
 * at once with the merchant's fund mix. A repeated out_trade_no never pays twice (notes §5.1).
 */
import { z } from 'zod';
import { formatChinaTime } from '../protocol/china-time.js';
import { MAX_TRADE_FEN } from '../core/money.js';
import { formatYuan, parsePositiveYuan } from '../protocol/yuan.js';
import { payTrade } from '../core/trades.js';
import type { Trade } from '../interfaces.js';
import { tradeError } from '../protocol/openapi/business-errors.js';
import { amountField, defineMethod, echoField, failure, optionalText, queryOptionsField, requiredText, success } from './openapi-method.js';
import { fundBillFields, voucherFields, zeroAmountFields } from './trade-fields.js';

const bizSchema = z.object({
  out_trade_no: requiredText(64),
  scene: z.enum(['bar_code', 'wave_code', 'security_code']).default('bar_code'),
  auth_code: requiredText(64),
  subject: requiredText(256),
  total_amount: amountField,
  product_code: optionalText(64),
  body: optionalText(128),
  store_id: optionalText(32),
  terminal_id: optionalText(32),
  operator_id: optionalText(28),
  timeout_express: optionalText(6),
  query_options: queryOptionsField,
});

/** Payment codes: 25–30 then digits, 16–24 long; face payments `fp` + 35 characters. */
function authCodeValid(scene: string, code: string): boolean {
  return scene === 'security_code' ? /^fp[0-9A-Za-z]{35}$/.test(code) : /^(2[5-9]|30)\d{14,22}$/.test(code);
}

function failed(name: Parameters<typeof tradeError>[0], outTradeNo?: string) {
  return failure(tradeError(name), zeroAmountFields(outTradeNo));
}

export function paymentFields(trade: Trade, queryOptions: string[] = []): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    buyer_logon_id: trade.buyerLogonId,
    total_amount: formatYuan(trade.totalAmount),
    receipt_amount: formatYuan(trade.receiptAmount),
    buyer_pay_amount: formatYuan(trade.buyerPayAmount),
    point_amount: formatYuan(trade.pointAmount),
    invoice_amount: formatYuan(trade.invoiceAmount),
    gmt_payment: formatChinaTime(trade.gmtPayment ?? trade.gmtCreate),
    fund_bill_list: fundBillFields(trade.fundBills),
    buyer_user_id: trade.buyerUserId,
  };
  if (trade.discountAmount > 0) fields.discount_amount = formatYuan(trade.discountAmount);
  if (trade.mdiscountAmount > 0) fields.mdiscount_amount = formatYuan(trade.mdiscountAmount);
  if (queryOptions.includes('voucher_detail_list') && trade.vouchers.length > 0) fields.voucher_detail_list = voucherFields(trade.vouchers);
  return fields;
}

export const tradePay = defineMethod({
  name: 'alipay.trade.pay',
  bizSchema,
  errors: tradeError,
  failureFields: (biz) => zeroAmountFields(echoField(biz, 'out_trade_no')),
  invalid: (biz) => failed('ACQ.INVALID_PARAMETER', echoField(biz, 'out_trade_no')),
  async run(biz, context) {
    if (!authCodeValid(biz.scene, biz.auth_code)) return failed('ACQ.PAYMENT_AUTH_CODE_INVALID', biz.out_trade_no);
    const totalAmount = parsePositiveYuan(biz.total_amount, Number.MAX_SAFE_INTEGER);
    if (totalAmount === null) return failed('ACQ.INVALID_PARAMETER', biz.out_trade_no);
    if (totalAmount > MAX_TRADE_FEN) return failed('ACQ.TOTAL_FEE_EXCEED', biz.out_trade_no);
    const outcome = await payTrade(context.services, {
      app: context.app,
      sellerPid: context.sellerPid,
      outTradeNo: biz.out_trade_no,
      totalAmount,
      subject: biz.subject,
      body: biz.body ?? null,
      productCode: biz.product_code ?? 'FACE_TO_FACE_PAYMENT',
      notifyUrl: context.notifyUrl,
      charset: context.charset,
      storeId: biz.store_id ?? null,
      terminalId: biz.terminal_id ?? null,
      operatorId: biz.operator_id ?? null,
    });
    switch (outcome.kind) {
      case 'paid':
        if (outcome.trade.notifyUrl) context.services.jobsAdded();
        return success(paymentFields(outcome.trade, biz.query_options));
      case 'already_paid':
        return failed('ACQ.TRADE_HAS_SUCCESS', biz.out_trade_no);
      case 'closed':
        return failed('ACQ.TRADE_HAS_CLOSE', biz.out_trade_no);
      case 'inconsistent':
        return failed('ACQ.CONTEXT_INCONSISTENT', biz.out_trade_no);
    }
  },
});
