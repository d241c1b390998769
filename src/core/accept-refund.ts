/** An asynchronous refund (`alipay.trade.refund.apply`): checked and reserved on the trade now, carried out by the worker. */
import { writeRefundAcceptance } from '../store/sql/write-refund-acceptance.js';
import type { CoreDeps } from './deps.js';
import type { Trade } from '../interfaces.js';
import { moveRefund } from './refund-state.js';
import {
  answerOf,
  checkRedPacket,
  draftRefund,
  inRefundTransaction,
  isAnswered,
  planUnderLock,
  readVersion,
  RefundChanged,
  type RefundRequest,
  type RefundResult,
} from './refund-transaction.js';

export function acceptRefund(deps: CoreDeps, request: RefundRequest): Promise<RefundResult> {
  return inRefundTransaction(deps, async (trx): Promise<RefundResult> => {
    const planned = await planUnderLock(trx, deps, request);
    if (!planned) return { kind: 'rejected', reason: 'trade_not_found', trade: null };
    const { locked, outRequestNo, plan } = planned;
    const { trade, now } = locked;
    if (isAnswered(plan)) return answerOf(plan, trade);
    if (plan.kind === 'pending') return { kind: 'accepted', trade, refund: plan.refund };
    checkRedPacket(trade, request.amount);
    const draft = draftRefund(trade, plan.previous, request, outRequestNo, now);
    const accepted = moveRefund(draft, { to: 'accepted', at: now });
    if (accepted.status !== 'accepted') throw new Error(`refund ${draft.id} was not accepted`);
    const reserved: Trade = {
      ...trade,
      pendingRefundAmount: trade.pendingRefundAmount + request.amount,
      refundCount: trade.refundCount + 1,
    };
    // The refund, the reservation and the worker's job, in one write.
    const id = await writeRefundAcceptance(trx, {
      refund: accepted,
      readAs: readVersion(plan.previous),
      trade: { pendingRefundAmount: reserved.pendingRefundAmount, refundCount: reserved.refundCount },
      now,
    });
    if (id === null) throw new RefundChanged(draft.id);
    return { kind: 'accepted', trade: reserved, refund: { ...accepted, id } };
  });
}
