/**
 * `result_details` of batch_refund_notify (seed 002): per line `交易号^退款金额^处理结果`, and when the
 * merchant's fee was given back too, `$退费账号^退费账户ID^退费金额^处理结果` appended; lines joined by `#`.
 * e.g. `2014040311001004370000361525^80^SUCCESS$jax_chuanhang@alipay.com^2088101003147483^0.01^SUCCESS`.
 */
import type { BatchLine, Merchant } from './interfaces.js';
import { formatYuan } from './money.js';

export function encodeResultDetails(lines: readonly BatchLine[], seller: Pick<Merchant, 'email' | 'pid'>): string {
  return lines
    .map((line) => {
      const head = `${line.tradeNo}^${line.amountText}^${line.result ?? 'SYSTEM_ERROR'}`;
      const fee = line.chargeFee ?? 0;
      return line.result === 'SUCCESS' && fee > 0 ? `${head}$${seller.email}^${seller.pid}^${formatYuan(fee)}^SUCCESS` : head;
    })
    .join('#');
}
