/**
 * The trade status notification (`notify_type=trade_status_sync`, protocol-notes §4), encoded from the facts
 * the core records when a trade is paid or a refund succeeds: TRADE_SUCCESS after a payment or a partial
 * refund, TRADE_CLOSED (with gmt_close) after a full one; `refund_fee` the cumulative refunded amount,
 * `out_biz_no` the refund's out_request_no — or the trade_no for a refund made without one — and `gmt_refund`
 * in milliseconds. No parameter is ever empty, so the signature verifies with and without empty values alike.
 */
import { formatChinaTime, formatChinaTimeMillis } from '../china-time.js';
import { formatYuan, type Fen } from '../yuan.js';

/** What the core says of the trade, its seller and (for a refund) the refund, at the moment it happened. */
export interface TradeStatusFacts {
  kind: 'trade_status_sync';
  trade: {
    tradeNo: string;
    outTradeNo: string;
    appId: string;
    charset: string;
    buyerUserId: string;
    buyerLogonId: string;
    status: string;
    totalAmount: Fen;
    receiptAmount: Fen;
    invoiceAmount: Fen;
    buyerPayAmount: Fen;
    pointAmount: Fen;
    subject: string;
    body: string | null;
    gmtCreate: number;
    gmtPayment: number | null;
    gmtClose: number | null;
    /** Cumulative, after the refund when there is one. */
    refundedAmount: Fen;
    fundBills: Array<{ fundChannel: string; amount: Fen }>;
    passbackParams?: string | null;
  };
  seller: { pid: string; email: string };
  refund: { outRequestNo: string; sendBackFee: Fen; gmtRefundPay: number | null } | null;
  /** Which of its keys the app has registered: the notification is signed in that algorithm. */
  appKeys: { rsa2: boolean; rsa: boolean };
}

function charsetLabel(charset: string): string {
  return charset === 'utf-8' ? 'utf-8' : charset.toUpperCase();
}

/**
 * A refund made without out_request_no is keyed by the merchant order number, but Alipay's notification
 * names it by the trade_no (protocol-notes §4.1, §4.2). An out_request_no given equal to the out_trade_no is
 * the same refund, so it reads the same.
 */
function outBizNo(facts: TradeStatusFacts, outRequestNo: string): string {
  return outRequestNo === facts.trade.outTradeNo ? facts.trade.tradeNo : outRequestNo;
}

/** The notification's parameters, but for notify_time, sign_type and sign, which each attempt adds. */
export function tradeStatusSyncParams(facts: TradeStatusFacts, notifyId: string): Record<string, string> {
  const { trade, seller, refund } = facts;
  const paid = trade.gmtPayment !== null;
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
    // A trade closed unpaid received nothing: its amounts read 0.00 and it has no fund bill (notes §12.7, §12.8).
    receipt_amount: formatYuan(paid ? trade.receiptAmount : 0),
    invoice_amount: formatYuan(paid ? trade.invoiceAmount : 0),
    buyer_pay_amount: formatYuan(paid ? trade.buyerPayAmount : 0),
    point_amount: formatYuan(paid ? trade.pointAmount : 0),
    subject: trade.subject,
    gmt_create: formatChinaTime(trade.gmtCreate),
  };
  if (paid) params.fund_bill_list = JSON.stringify(trade.fundBills.map((bill) => ({ amount: formatYuan(bill.amount), fundChannel: bill.fundChannel })));
  if (trade.body) params.body = trade.body;
  // "原样返回" (notes §12.2): the merchant's own string, as it sent it.
  if (trade.passbackParams) params.passback_params = trade.passbackParams;
  if (trade.gmtPayment !== null) params.gmt_payment = formatChinaTime(trade.gmtPayment);
  if (trade.gmtClose !== null && trade.status === 'TRADE_CLOSED') params.gmt_close = formatChinaTime(trade.gmtClose);
  if (refund) {
    params.out_biz_no = outBizNo(facts, refund.outRequestNo);
    params.refund_fee = formatYuan(trade.refundedAmount);
    params.send_back_fee = formatYuan(refund.sendBackFee);
    params.gmt_refund = formatChinaTimeMillis(refund.gmtRefundPay ?? trade.gmtCreate);
  }
  return params;
}

/** Signed in the app's algorithm: RSA2 unless the app has only an RSA key. */
export function tradeStatusSyncSignType(facts: Pick<TradeStatusFacts, 'appKeys'>): 'RSA2' | 'RSA' {
  return facts.appKeys.rsa2 || !facts.appKeys.rsa ? 'RSA2' : 'RSA';
}
