/**
 * The sync return of the page APIs (protocol-notes §12.5): once the buyer has paid, the browser is sent with a
 * GET to the merchant's return_url carrying `method` (`alipay.trade.page.pay.return` / `alipay.trade.wap.pay.return`),
 * charset, out_trade_no, trade_no, total_amount, seller_id, auth_app_id, app_id, version, timestamp, sign_type
 * and sign. Signed like a notification: RSA2 over every parameter but `sign` and `sign_type`, sorted, raw
 * values; none is ever empty, so PHP (which drops empties) and Node/Java (which keep them) verify alike.
 */
import { formatChinaTime } from '../china-time.js';
import { formatYuan, type Fen } from '../yuan.js';

export interface SyncReturnFacts {
  /** The page API paid: `alipay.trade.page.pay` or `alipay.trade.wap.pay`. */
  method: string;
  charset: string;
  outTradeNo: string;
  tradeNo: string;
  totalAmount: Fen;
  sellerId: string;
  appId: string;
  /** When the browser is sent back. */
  at: number;
}

/** The return's parameters, without `sign` (sign them with signContentWithoutSignType). */
export function syncReturnParams(facts: SyncReturnFacts): Record<string, string> {
  return {
    charset: facts.charset,
    out_trade_no: facts.outTradeNo,
    method: `${facts.method}.return`,
    total_amount: formatYuan(facts.totalAmount),
    trade_no: facts.tradeNo,
    auth_app_id: facts.appId,
    version: '1.0',
    app_id: facts.appId,
    sign_type: 'RSA2',
    seller_id: facts.sellerId,
    timestamp: formatChinaTime(facts.at),
  };
}

/** The return_url with the signed parameters appended (after its own query, if it has one). */
export function syncReturnUrl(returnUrl: string, params: Record<string, string>, sign: string): string {
  const query = new URLSearchParams({ ...params, sign }).toString();
  const [base, fragment] = returnUrl.split('#', 2) as [string, string | undefined];
  return `${base}${base.includes('?') ? '&' : '?'}${query}${fragment === undefined ? '' : `#${fragment}`}`;
}
