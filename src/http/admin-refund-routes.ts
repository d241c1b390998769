/** Admin API: refunds (with their fund allocations) and a merchant's ledger. */
import type { FastifyInstance } from 'fastify';
import type { Refund, RefundStatus } from '../interfaces.js';
import { formatYuan } from '../protocol/yuan.js';
import type { Services } from '../methods/services.js';
import { oneOf } from './admin-bodies.js';
import { time } from './admin-views.js';
import { merchantLedger } from '../core/ledger.js';
import { findRefunds } from '../core/refund-lookup.js';

/** A refund as the admin API shows it. */
export function refundView(refund: Refund): Record<string, unknown> {
  return {
    id: refund.id,
    trade_no: refund.tradeNo,
    out_request_no: refund.outRequestNo,
    refund_amount: formatYuan(refund.refundAmount),
    status: refund.status,
    refund_status: refund.status === 'succeeded' ? 'REFUND_SUCCESS' : null,
    refund_reason: refund.refundReason,
    source: refund.source,
    batch_no: refund.batchNo,
    send_back_fee: formatYuan(refund.sendBackFee),
    refund_charge_fee: formatYuan(refund.refundChargeFee),
    gmt_refund_pay: time(refund.gmtRefundPay),
    attempts: refund.attempts,
    last_error: refund.lastError,
    next_attempt_at: time(refund.nextAttemptAt),
    created_at: time(refund.createdAt),
    fund_allocations: refund.allocations.map((a) => ({
      fund_channel: a.fundChannel,
      fund_type: a.fundType,
      bank_code: a.bankCode,
      amount: formatYuan(a.amount),
      dback_status: a.dbackStatus,
      bank_ack_time: time(a.bankAckTime),
      est_bank_receipt_time: time(a.estBankReceiptTime),
      returned_to: a.returnedTo,
    })),
  };
}

const STATUSES: readonly RefundStatus[] = ['accepted', 'waiting_for_funds', 'succeeded', 'failed'];

export async function adminRefundRoutes(app: FastifyInstance, options: { services: Services }): Promise<void> {
  const { services } = options;

  app.get<{ Querystring: Record<string, string | undefined> }>('/refunds', async (request) => {
    const { trade_no, out_request_no, batch_no, status } = request.query;
    const refunds = await findRefunds(services, {
      tradeNo: trade_no,
      outRequestNo: out_request_no,
      batchNo: batch_no,
      status: oneOf('status', status, STATUSES),
    });
    return { refunds: refunds.map(refundView) };
  });

  app.get<{ Params: { pid: string } }>('/merchants/:pid/ledger', async (request) => {
    const { merchant, entries, entriesSum } = await merchantLedger(services, request.params.pid);
    return {
      pid: merchant.pid,
      balance: formatYuan(merchant.balance),
      entries_sum: formatYuan(entriesSum),
      entries: entries.map((entry) => ({
        id: entry.id,
        kind: entry.kind,
        amount: formatYuan(entry.amount),
        trade_no: entry.tradeNo,
        refund_id: entry.refundId,
        created_at: time(entry.createdAt),
      })),
    };
  });
}
