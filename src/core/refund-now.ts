/** A synchronous refund (`alipay.trade.refund`, and a batch line): it succeeds now, or is rejected and changes nothing. */
import type { Trx } from '../store/store.js';
import { carryOut } from './carry-out-refund.js';
import type { CoreDeps } from './deps.js';
import { executeRefund } from './execute-refund.js';
import {
  answerOf,
  checkRedPacket,
  draftRefund,
  inRefundTransaction,
  isAnswered,
  planUnderLock,
  readVersion,
  type EndsTransaction,
  type Planned,
  type RefundRequest,
  type RefundResult,
} from './refund-transaction.js';

/** Work to do in the refund's own transaction once it has succeeded (a batch line records its outcome). */
export type WithinRefund = (trx: Trx, result: RefundResult & { kind: 'succeeded' }) => Promise<void>;

export function refundNow(deps: CoreDeps, request: RefundRequest, within?: WithinRefund): Promise<RefundResult> {
  return inRefundTransaction(deps, async (trx): Promise<RefundResult> => {
    const result = await refundNowIn(trx, deps, request, within === undefined);
    if (within && result.kind === 'succeeded') await within(trx, result);
    return result;
  });
}

async function refundNowIn(trx: Trx, deps: CoreDeps, request: RefundRequest, endsTransaction: EndsTransaction): Promise<RefundResult> {
  const planned = await planUnderLock(trx, deps, request);
  if (!planned) return { kind: 'rejected', reason: 'trade_not_found', trade: null };
  return refundPlanned(trx, request, planned, endsTransaction);
}

/**
 * The synchronous refund of a request already planned under its trade's lock (a cancel reads the trade and
 * its refund once, for its own decision and the refund). Throws a Rejection to roll the transaction back.
 */
export async function refundPlanned(trx: Trx, request: RefundRequest, planned: Planned, endsTransaction: EndsTransaction): Promise<RefundResult> {
  const { locked, outRequestNo, plan } = planned;
  const { trade, now } = locked;
  if (isAnswered(plan)) return answerOf(plan, trade);
  switch (plan.kind) {
    case 'pending':
      // An accepted refund.apply with the same out_request_no: one refund, carried out now.
      return carryOut(trx, locked, plan.refund, endsTransaction);
    case 'new':
      checkRedPacket(trade, request.amount);
      return executeRefund(trx, locked, draftRefund(trade, plan.previous, request, outRequestNo, now), readVersion(plan.previous), endsTransaction);
  }
}
