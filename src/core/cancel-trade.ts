/**
 * `alipay.trade.cancel` (protocol-notes §12.10), for a payment whose outcome the merchant does not know: an
 * unpaid trade is closed (`action=close`); a paid one is refunded in full through the refund core
 * (`action=refund`); a trade that does not exist is nothing to cancel (success, no action). Repeating a cancel
 * answers as the first did, and a cancel is one refund however often it is sent or raced with
 * alipay.trade.refund: its refund is the trade's full refund under the out_trade_no — the very refund a full
 * alipay.trade.refund without out_request_no makes — so two of them are one. The decision and the refund are
 * one transaction: one locked read of the trade and its own refund, and the refund's one write.
 */
import { lockRefundContext, type RefundContext } from '../store/sql/lock-refund-context.js';
import type { Trx } from '../store/store.js';
import { closeUnpaid } from './close-trade.js';
import { closeWaitingPayOrder } from './pay-orders.js';
import type { CoreDeps } from './deps.js';
import type { Trade, TradeKey } from '../interfaces.js';
import type { RefundRejection } from './refund-rules.js';
import { refundPlanned } from './refund-now.js';
import { planInContext, RefundChanged, Rejection, type RefundRequest } from './refund-transaction.js';
import { tradeStatusAt } from './trade-status.js';

/** How long after payment a paid trade may still be cancelled rather than refunded (notes §12.13: configurable; 24 h). */
export const CANCEL_WINDOW_MS = 24 * 60 * 60 * 1000;

export type CancelRefusal =
  /** Past CANCEL_WINDOW_MS since payment (ACQ.TRADE_CANCEL_TIME_OUT): refund it instead. */
  | 'cancel_time_out'
  /** TRADE_FINISHED (ACQ.TRADE_HAS_FINISHED). */
  | 'trade_finished'
  /** The trade has refunds of its own already (ACQ.REASON_TRADE_REFUND_FEE_ERR). */
  | 'already_refunded'
  /** The product does not allow it to be cancelled (ACQ.CANCEL_NOT_ALLOWED). */
  | 'cancel_not_allowed'
  | RefundRejection;

export type CancelOutcome =
  | { kind: 'closed'; trade: Trade; jobsOwed: boolean }
  | { kind: 'refunded'; trade: Trade; jobsOwed: boolean }
  | { kind: 'not_found' }
  | { kind: 'refused'; reason: CancelRefusal; trade: Trade };

export async function cancelTrade(deps: CoreDeps, sellerPid: string, key: TradeKey): Promise<CancelOutcome> {
  for (let run = 1; ; run++) {
    try {
      return await deps.store.transaction((trx) => cancelIn(trx, deps, sellerPid, key));
    } catch (error) {
      // The refund was refused: nothing of it is written, and the cancel answers why.
      if (error instanceof Rejection) return refusedBy(error.reason, error.trade);
      if (error instanceof RefundChanged && run < MAX_CANCEL_RUNS) continue;
      throw error;
    }
  }
}

/** Runs of a cancel that found its refund changed under it before it is given up (see RefundChanged). */
const MAX_CANCEL_RUNS = 5;

/** The cancel in one transaction: the trade and its own refund in one locked read, then the close or the refund. */
async function cancelIn(trx: Trx, deps: CoreDeps, sellerPid: string, key: TradeKey): Promise<CancelOutcome> {
  // Without an out_request_no the read brings the trade's refund under its out_trade_no: the cancel's own.
  const context = await lockRefundContext(trx, { sellerPid: key.sellerPid, tradeNo: key.tradeNo, outTradeNo: key.outTradeNo });
  if (!context) {
    // An order the buyer has not acted on has no trade: nothing to answer for, but it can no longer be paid.
    if (!key.tradeNo && key.outTradeNo) await closeWaitingPayOrder(trx, sellerPid, key.outTradeNo, deps.clock.now());
    return { kind: 'not_found' };
  }
  const { trade, seller } = context;
  const now = deps.clock.now();
  const status = tradeStatusAt(trade, seller.refundWindowDays, now);
  const cancelledBefore = context.existing?.source === 'cancel';
  switch (status) {
    case 'WAIT_BUYER_PAY': {
      const closed = await closeUnpaid(trx, trade, seller, now, null);
      return { kind: 'closed', trade: closed.trade, jobsOwed: closed.notifying };
    }
    case 'TRADE_CLOSED':
      // Closed unpaid (by close, cancel or expiry) reads as closed again; refunded in full by this cancel as refunded.
      if (trade.gmtPayment === null) return { kind: 'closed', trade, jobsOwed: false };
      return cancelledBefore ? { kind: 'refunded', trade, jobsOwed: false } : { kind: 'refused', reason: 'already_refunded', trade };
    case 'TRADE_FINISHED':
      return { kind: 'refused', reason: 'trade_finished', trade };
    case 'TRADE_SUCCESS':
      if (!cancelledBefore) {
        if (trade.refundedAmount > 0 || trade.pendingRefundAmount > 0) return { kind: 'refused', reason: 'already_refunded', trade };
        if (trade.gmtPayment !== null && now > trade.gmtPayment + CANCEL_WINDOW_MS) return { kind: 'refused', reason: 'cancel_time_out', trade };
      }
      return refundInFull(trx, context, sellerPid, now);
  }
}

/** The cancel's refund: the whole trade, keyed by its out_trade_no, in the cancel's transaction and from its read. */
async function refundInFull(trx: Trx, context: RefundContext, sellerPid: string, now: number): Promise<CancelOutcome> {
  const { trade } = context;
  const request: RefundRequest = { sellerPid, tradeNo: trade.tradeNo, amount: trade.totalAmount, source: 'cancel', reason: '撤销' };
  // Nothing follows the refund in the cancel's transaction: its write carries the commit.
  const result = await refundPlanned(trx, request, planInContext(context, request, now), true);
  switch (result.kind) {
    case 'succeeded':
      // A full alipay.trade.refund without out_request_no that came first is the same refund, but not a cancel.
      if (result.refund.source !== 'cancel') return { kind: 'refused', reason: 'already_refunded', trade: result.trade };
      return { kind: 'refunded', trade: result.trade, jobsOwed: result.jobsOwed };
    case 'rejected':
      return refusedBy(result.reason, result.trade ?? trade);
    case 'accepted':
      throw new Error('a synchronous refund cannot be merely accepted');
  }
}

function refusedBy(reason: RefundRejection, trade: Trade): CancelOutcome {
  return { kind: 'refused', reason: reason === 'amount_exceeds_refundable' ? 'already_refunded' : reason, trade };
}
