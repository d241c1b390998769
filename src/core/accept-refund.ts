/** An asynchronous refund (`alipay.trade.refund.apply`): checked and reserved on the trade now, carried out by the worker. */
import { addJob } from '../store/sql/jobs.js';
import { updateTrade } from '../store/sql/trades.js';
import type { CoreDeps } from './deps.js';
import type { Trade } from '../interfaces.js';
import { moveRefund } from './refund-state.js';
import {
  answerOf,
  checkRedPacket,
  draftRefund,
  inRefundTransaction,
  isAnswered,
  persistRefund,
  planUnderLock,
  type RefundRequest,
  type RefundResult,
} from './refund-transaction.js';

export function acceptRefund(deps: CoreDeps, request: RefundRequest): Promise<RefundResult> {
  return inRefundTransaction(deps, async (trx) => {
    const planned = await planUnderLock(trx, deps, request);
    if (!planned) return { kind: 'rejected', reason: 'trade_not_found', trade: null };
    const { locked, outRequestNo, plan } = planned;
    const { trade, now } = locked;
    if (isAnswered(plan)) return answerOf(plan, trade);
    if (plan.kind === 'pending') return { kind: 'accepted', trade, refund: plan.refund };
    checkRedPacket(trade, request.amount);
    const draft = draftRefund(trade, plan.previous, request, outRequestNo, now);
    const refund = await persistRefund(trx, moveRefund(draft, { to: 'accepted', at: now }));
    const reserved: Trade = {
      ...trade,
      pendingRefundAmount: trade.pendingRefundAmount + request.amount,
      refundCount: trade.refundCount + 1,
    };
    await updateTrade(trx, trade.tradeNo, { pendingRefundAmount: reserved.pendingRefundAmount, refundCount: reserved.refundCount });
    await addJob(trx, { kind: 'refund', subject: String(refund.id), runAt: now, now });
    return { kind: 'accepted', trade: reserved, refund };
  });
}
