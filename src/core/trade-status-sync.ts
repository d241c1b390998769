/**
 * The trade status notification (`notify_type=trade_status_sync`) owed to a trade's notify_url when it is
 * paid and when a refund succeeds (protocol-notes §4): TRADE_SUCCESS after a payment or a partial refund,
 * TRADE_CLOSED (with gmt_close) after a full one; `refund_fee` is the cumulative refunded amount,
 * `out_biz_no` the refund's out_request_no — or the trade_no for a refund made without one — and
 * `gmt_refund` in milliseconds. No parameter is ever empty, so the signature verifies with and without empty
 * values alike.
 */
import { formatChinaTime, formatChinaTimeMillis } from './china-time.js';
import type { Merchant, Refund, Trade } from './interfaces.js';
import { formatYuan } from './money.js';

function charsetLabel(charset: string): string {
  return charset === 'utf-8' ? 'utf-8' : charset.toUpperCase();
}

/**
 * A refund made without out_request_no is keyed by the merchant order number, but Alipay's notification
 * names it by the trade_no (protocol-notes §4.1, §4.2). An out_request_no given equal to the out_trade_no is
 * the same refund, so it reads the same.
 */
function outBizNo(trade: Trade, refund: Refund): string {
  return refund.outRequestNo === trade.outTradeNo ? trade.tradeNo : refund.outRequestNo;
}

/** The notification's parameters, but for notify_time, sign_type and sign, which each attempt adds. */
export function tradeStatusSyncParams(trade: Trade, seller: Merchant, notifyId: string, refund: Refund | null): Record<string, string> {
  const params: Record<string, string> = {
    notify_type: 'trade_status_sync',
    notify_id: notifyId,
    app_id: trade.appId,
    auth_app_id: trade.appId,
    charset: charsetLabel(trade.charset),
    version: '1.0',
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    buyer_id: trade.buyerUserId,
    buyer_logon_id: trade.buyerLogonId,
    seller_id: seller.pid,
    seller_email: seller.email,
    trade_status: trade.status,
    total_amount: formatYuan(trade.totalAmount),
    receipt_amount: formatYuan(trade.receiptAmount),
    invoice_amount: formatYuan(trade.invoiceAmount),
    buyer_pay_amount: formatYuan(trade.buyerPayAmount),
    point_amount: formatYuan(trade.pointAmount),
    subject: trade.subject,
    gmt_create: formatChinaTime(trade.gmtCreate),
    fund_bill_list: JSON.stringify(trade.fundBills.map((bill) => ({ amount: formatYuan(bill.amount), fundChannel: bill.fundChannel }))),
  };
  if (trade.body) params.body = trade.body;
  if (trade.gmtPayment !== null) params.gmt_payment = formatChinaTime(trade.gmtPayment);
  if (trade.gmtClose !== null && trade.status === 'TRADE_CLOSED') params.gmt_close = formatChinaTime(trade.gmtClose);
  if (refund) {
    params.out_biz_no = outBizNo(trade, refund);
    params.refund_fee = formatYuan(trade.refundedAmount);
    params.send_back_fee = formatYuan(refund.sendBackFee);
    params.gmt_refund = formatChinaTimeMillis(refund.gmtRefundPay ?? trade.gmtCreate);
  }
  return params;
}
