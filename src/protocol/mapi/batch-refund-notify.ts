/**
 * `batch_refund_notify` (seed 002), encoded from the facts the core records: `result_details` per line
 * `交易号^退款金额^处理结果` — the amount as the request wrote it —, with `$退费账号^退费账户ID^退费金额^处理结果`
 * appended when the merchant's fee was given back too; lines joined by `#`. e.g.
 * `2014040311001004370000361525^80^SUCCESS$jax_chuanhang@alipay.com^2088101003147483^0.01^SUCCESS`.
 */
import { formatYuan, type Fen } from '../yuan.js';
import { lineCode } from './batch-line-codes.js';

/** What the core says of a line: the facts result_details reports. */
export interface BatchLineFacts {
  tradeNo: string;
  /** The amount as the request wrote it. */
  amountText: string;
  /** `succeeded`, the reason it was refused, or (for lines recorded before) a MAPI code; null if never done. */
  outcome: string | null;
  /** The merchant fee the line's refund gave back. */
  chargeFee: Fen | null;
}

export interface BatchRefundFacts {
  kind: 'batch_refund_notify';
  batchNo: string;
  /** How the batch request was signed: the notification is signed alike (MD5) or by the platform (RSA). */
  requestSignType: string;
  seller: { email: string; pid: string };
  lines: BatchLineFacts[];
}

export function resultDetails(lines: readonly BatchLineFacts[], seller: { email: string; pid: string }): string {
  return lines
    .map((line) => {
      const code = line.outcome === null ? 'SYSTEM_ERROR' : lineCode(line.outcome);
      const head = `${line.tradeNo}^${line.amountText}^${code}`;
      const fee = line.chargeFee ?? 0;
      return code === 'SUCCESS' && fee > 0 ? `${head}$${seller.email}^${seller.pid}^${formatYuan(fee)}^SUCCESS` : head;
    })
    .join('#');
}

export function successNum(lines: readonly BatchLineFacts[]): number {
  return lines.filter((line) => line.outcome !== null && lineCode(line.outcome) === 'SUCCESS').length;
}

/** The notification's parameters, but for notify_time, sign_type and sign, which each attempt adds. */
export function batchRefundNotifyParams(facts: BatchRefundFacts, notifyId: string): Record<string, string> {
  return {
    notify_type: 'batch_refund_notify',
    notify_id: notifyId,
    batch_no: facts.batchNo,
    success_num: String(successNum(facts.lines)),
    result_details: resultDetails(facts.lines, facts.seller),
  };
}

/** MD5 with the partner's key when the request was MD5-signed; otherwise RSA by the platform key. */
export function batchRefundNotifySignType(facts: Pick<BatchRefundFacts, 'requestSignType'>): 'MD5' | 'RSA' {
  return facts.requestSignType === 'MD5' ? 'MD5' : 'RSA';
}
