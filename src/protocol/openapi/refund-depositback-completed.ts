/**
 * `alipay.trade.refund.depositback.completed` (收单退款冲退完成通知, protocol-notes §4.4, §13.1): the bank's
 * answer to the part of a refund that went back to a bank card, sent through the message service
 * (message-service.ts) to the app's application gateway. `biz_content`: trade_no, out_trade_no,
 * out_request_no, dback_status `S` (on the card) or `F` (refused: the money went to the buyer's Alipay
 * balance instead), dback_amount — "仅当 dback_status=S 时，才会返回", so only on S —, bank_ack_time and,
 * when announced, est_bank_receipt_time, in China time.
 */
import { formatChinaTime } from '../china-time.js';
import { formatYuan, type Fen } from '../yuan.js';
import { messageParams } from './message-service.js';

export const DEPOSIT_BACK_COMPLETED = 'alipay.trade.refund.depositback.completed';

/** What the core says of one bank-card allocation once the bank has answered. */
export interface DepositBackFacts {
  kind: typeof DEPOSIT_BACK_COMPLETED;
  appId: string;
  tradeNo: string;
  outTradeNo: string;
  outRequestNo: string;
  dbackStatus: 'S' | 'F';
  /** What went back to the card (or, on F, to the buyer's balance instead). */
  dbackAmount: Fen;
  bankAckTime: number;
  estBankReceiptTime: number | null;
  /** Which of its keys the app has registered: the message is signed in that algorithm. */
  appKeys: { rsa2: boolean; rsa: boolean };
}

/** The message's biz_content fields, in the order of the documented table. */
export function depositBackBizContent(facts: DepositBackFacts): Record<string, string> {
  const content: Record<string, string> = {
    trade_no: facts.tradeNo,
    out_trade_no: facts.outTradeNo,
    out_request_no: facts.outRequestNo,
    dback_status: facts.dbackStatus,
  };
  if (facts.dbackStatus === 'S') content.dback_amount = formatYuan(facts.dbackAmount);
  content.bank_ack_time = formatChinaTime(facts.bankAckTime);
  if (facts.estBankReceiptTime !== null) content.est_bank_receipt_time = formatChinaTime(facts.estBankReceiptTime);
  return content;
}

/** The message's parameters, but for utc_timestamp, sign_type and sign, which each attempt adds. */
export function depositBackCompletedParams(facts: DepositBackFacts, notifyId: string): Record<string, string> {
  return messageParams({ msgMethod: DEPOSIT_BACK_COMPLETED, appId: facts.appId, bizContent: depositBackBizContent(facts) }, notifyId);
}

/** Signed in the app's algorithm, as its trade notifications are: RSA2 unless the app has only an RSA key. */
export function depositBackCompletedSignType(facts: Pick<DepositBackFacts, 'appKeys'>): 'RSA2' | 'RSA' {
  return facts.appKeys.rsa2 || !facts.appKeys.rsa ? 'RSA2' : 'RSA';
}
