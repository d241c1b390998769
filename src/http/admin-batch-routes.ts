/** Admin API: batches of the batch refund with password, with every line's outcome. */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../core/domain-error.js';
import { batchReport, batchesByNo, type BatchReport } from '../core/batch-report.js';
import { lineCode } from '../protocol/mapi/batch-line-codes.js';
import { resultDetails } from '../protocol/mapi/batch-refund-notify.js';
import { formatYuan } from '../protocol/yuan.js';
import type { Services } from '../methods/services.js';
import { time } from './admin-views.js';

/** The batch in the words of its notification: lines' results as MAPI codes, result_details once completed. */
function batchView({ batch, lines, facts }: BatchReport): Record<string, unknown> {
  return {
    batch_no: batch.batchNo,
    partner: batch.partnerPid,
    seller_user_id: batch.sellerPid,
    status: batch.status,
    charset: batch.charset,
    sign_type: batch.signType,
    notify_url: batch.notifyUrl,
    return_url: batch.returnUrl,
    refund_date: batch.refundDate,
    batch_num: batch.batchNum,
    pwd_failures: batch.pwdFailures,
    login_failures: batch.loginFailures,
    success_num: batch.successNum,
    result_details: batch.status === 'completed' ? resultDetails(facts.lines, facts.seller) : null,
    created_at: time(batch.createdAt),
    confirmed_at: time(batch.confirmedAt),
    completed_at: time(batch.completedAt),
    cashier_url: `/cashier/batches/${batch.token}`,
    lines: lines.map((line) => ({
      trade_no: line.tradeNo,
      amount: formatYuan(line.amount),
      reason: line.reason,
      result: line.result === null ? null : lineCode(line.result),
      refund_id: line.refundId,
      charge_fee: line.chargeFee === null ? null : formatYuan(line.chargeFee),
      processed_at: time(line.processedAt),
      attempts: line.attempts,
      last_error: line.lastError,
    })),
  };
}

export async function adminBatchRoutes(app: FastifyInstance, options: { services: Services }): Promise<void> {
  const { services } = options;
  app.get<{ Params: { batchNo: string }; Querystring: { partner?: string } }>('/batches/:batchNo', async (request) => {
    const batches = (await batchesByNo(services, request.params.batchNo)).filter(
      (batch) => !request.query.partner || batch.partnerPid === request.query.partner,
    );
    const [batch] = batches;
    if (!batch) throw new DomainError('batch_not_found', `no batch ${request.params.batchNo}`);
    if (batches.length > 1) throw new DomainError('invalid_request', 'several partners used this batch_no: add ?partner=<pid>');
    return batchView(await batchReport(services, batch));
  });
}
