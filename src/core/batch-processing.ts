/**
 * The batch refund's processing, by the worker once the seller has confirmed: each line refunds through the
 * refund core with its own outcome — one line's failure does not stop the others — and, when every line has its
 * outcome, the batch completes and owes `batch_refund_notify` to the notify_url. Outcomes are recorded in the
 * core's words (`succeeded`, or the reason a line was refused); protocol/mapi/ names them in result_details.
 *
 * Each line refunds with out_request_no = batch_no (see `lineRequestNo`), and records its outcome in the
 * refund's own transaction. A worker that dies mid-batch therefore resumes without refunding any line twice:
 * a line whose refund committed is either recorded or, when run again, answered as the idempotent repeat it is.
 */
import { findBatchById, listBatchLines, recordLineFailure, recordLineResult, updateBatch } from '../store/sql/batches.js';
import { lockRefundContext, type RefundContext } from '../store/sql/lock-refund-context.js';
import type { CoreDeps } from './deps.js';
import { newNotifyId } from './identifiers.js';
import { reportBatch } from './batch-report.js';
import type { Batch, BatchLine } from '../interfaces.js';
import { oweNotification } from './notifications.js';
import { mayRefundThroughApp } from './partner-authority.js';
import type { RefundRejection } from './refund-rules.js';
import { refundPlanned } from './refund-now.js';
import { inRefundTransaction, planInContext, type RefundRequest, type RefundResult } from './refund-transaction.js';
import { nextJobRetry } from './retry-schedules.js';

/**
 * Runs of a line that may throw (an unexpected failure, not a refusal) before the line is given up
 * (`line_failed`, SYSTEM_ERROR on the wire), so that the batch completes and its merchant is told.
 */
export const MAX_LINE_ATTEMPTS = 5;

/** Why a line is refused before the refund core sees it. */
export type LineRefusal =
  | 'not_this_sellers_trade'
  | 'not_this_partners_trade'
  /** The seller's account is not normal (admin-set). */
  | 'seller_account_not_normal'
  /** The trade's buyer's account is not normal (admin-set). */
  | 'buyer_account_not_normal'
  | 'zero_amount'
  /** The line threw MAX_LINE_ATTEMPTS times. */
  | 'line_failed';

/** A line's outcome: refunded, or why not. */
export type LineOutcome = 'succeeded' | RefundRejection | LineRefusal;

/**
 * The out_request_no a line refunds under. A seller's own batch uses its batch_no, so that an OpenAPI refund
 * with that out_request_no is the same refund and alipay.trade.fastpay.refund.query finds the line by it.
 * batch_no is unique only per partner: an authorised partner's batch appends `@` and its pid (a batch_no
 * has only digits and letters), so that a seller's and a partner's batch with the same batch_no on the same
 * trade are two refunds, not a repeat of one another.
 */
export function lineRequestNo(batch: Pick<Batch, 'batchNo' | 'partnerPid' | 'sellerPid'>): string {
  return batch.partnerPid === batch.sellerPid ? batch.batchNo : `${batch.batchNo}@${batch.partnerPid}`;
}

/**
 * Why a line cannot be this partner's refund of this seller's trade, from its trade's locked read (undefined:
 * the seller has no such trade), before the refund core decides.
 */
function lineRefusal(batch: Batch, line: BatchLine, context: RefundContext | undefined): LineRefusal | null {
  if (!context) return 'not_this_sellers_trade';
  const { trade, seller } = context;
  if (!mayRefundThroughApp(batch.partnerPid, trade, context.appPid)) return 'not_this_partners_trade';
  if (line.amount === 0) return 'zero_amount';
  // A line whose refund committed before a worker died is that refund, whatever the accounts are now.
  if (context.existing) return null;
  if (seller.accountStatus !== 'normal') return 'seller_account_not_normal';
  if (trade.buyerAccountStatus !== 'normal') return 'buyer_account_not_normal';
  return null;
}

/**
 * A line in one transaction: its trade's one locked read, the line's own checks, the refund's one write, and
 * the line's outcome. A refund refused by a Rejection (its transaction rolled back) records its outcome after.
 */
async function refundLine(deps: CoreDeps, batch: Batch, line: BatchLine): Promise<void> {
  const record = (db: Parameters<typeof recordLineResult>[0], outcome: LineOutcome, refundId: number | null, chargeFee: number | null) =>
    recordLineResult(db, batch.id, line.position, { result: outcome, refundId, chargeFee, processedAt: deps.clock.now() });
  const request: RefundRequest = {
    sellerPid: batch.sellerPid,
    tradeNo: line.tradeNo,
    outRequestNo: lineRequestNo(batch),
    amount: line.amount,
    reason: line.reason || null,
    source: 'batch',
    batchNo: batch.batchNo,
  };
  const outcome = await inRefundTransaction<RefundResult | { kind: 'refused' }>(deps, async (trx) => {
    const context = await lockRefundContext(trx, request);
    const refusal = lineRefusal(batch, line, context);
    if (refusal || !context) {
      await record(trx, refusal ?? 'not_this_sellers_trade', null, null);
      return { kind: 'refused' };
    }
    // The line's outcome is recorded after the refund, in its transaction.
    const result = await refundPlanned(trx, request, planInContext(context, request, deps.clock.now()), false);
    if (result.kind === 'succeeded') await record(trx, 'succeeded', result.refund.id, result.refund.refundChargeFee);
    if (result.kind === 'rejected') await record(trx, result.reason, null, null);
    return result.kind === 'rejected' ? { kind: 'refused' } : result;
  });
  // Thrown (balance, red packet): rolled back with the refund, so recorded on its own.
  if (outcome.kind === 'rejected') await record(deps.store.db, outcome.reason, null, null);
}

export interface ProcessOptions {
  /** Called after each line (tests use it to stop a worker mid-batch). */
  afterLine?: (position: number) => Promise<void> | void;
}

/** Where a run of the batch left it: done, or lines that threw to be tried again at `retryAt`. */
export type BatchProgress = { kind: 'completed' } | { kind: 'lines_failed'; retryAt: number; error: string };

/**
 * The worker's part: refunds every line not yet done, then completes the batch and owes its notification.
 * A line that throws does not stop the others: it is counted and tried again by a later run, and after
 * MAX_LINE_ATTEMPTS it is given up as SYSTEM_ERROR, so the batch never stays processing for ever.
 */
export async function processBatch(deps: CoreDeps, batchId: number, options: ProcessOptions = {}): Promise<BatchProgress> {
  const batch = await findBatchById(deps.store.db, batchId);
  if (batch?.status !== 'processing') return { kind: 'completed' };
  let failure: { attempts: number; error: string } | null = null;
  for (const line of await listBatchLines(deps.store.db, batch.id)) {
    if (line.result !== null) continue;
    try {
      await refundLine(deps, batch, line);
    } catch (error) {
      const failed = await recordFailedRun(deps, batch, line, error);
      if (failed && (failure === null || failed.attempts > failure.attempts)) failure = failed;
    }
    await options.afterLine?.(line.position);
  }
  if (failure) return { kind: 'lines_failed', retryAt: nextJobRetry(failure.attempts - 1, deps.clock.now()), error: failure.error };
  await completeBatch(deps, batch.id);
  return { kind: 'completed' };
}

/** Counts a run of the line that threw; gives the line up once it has thrown too often. Null once given up. */
async function recordFailedRun(deps: CoreDeps, batch: Batch, line: BatchLine, error: unknown): Promise<{ attempts: number; error: string } | null> {
  const message = error instanceof Error ? error.message : String(error);
  const attempts = line.attempts + 1;
  if (attempts < MAX_LINE_ATTEMPTS) {
    await recordLineFailure(deps.store.db, batch.id, line.position, { attempts, lastError: message });
    return { attempts, error: `line ${line.position + 1} (${line.tradeNo}): ${message}` };
  }
  await recordLineResult(deps.store.db, batch.id, line.position, {
    result: 'line_failed' satisfies LineOutcome,
    refundId: null,
    chargeFee: null,
    processedAt: deps.clock.now(),
    attempts,
    lastError: message,
  });
  return null;
}

/**
 * Every line has its outcome: the batch is completed and, when the request gave a notify_url, owes
 * batch_refund_notify — recorded as the lines' facts, encoded when sent.
 */
async function completeBatch(deps: CoreDeps, batchId: number): Promise<void> {
  await deps.store.transaction(async (trx) => {
    const batch = await findBatchById(trx, batchId, true);
    if (batch?.status !== 'processing') return;
    const { lines, facts } = await reportBatch(trx, batch);
    const successNum = lines.filter((line) => isSucceeded(line.result)).length;
    const now = deps.clock.now();
    await updateBatch(trx, batch.id, { status: 'completed', successNum, completedAt: now });
    if (!batch.notifyUrl) return;
    await oweNotification(trx, {
      notifyId: newNotifyId(),
      kind: 'batch_refund_notify',
      pid: batch.partnerPid,
      appId: null,
      url: batch.notifyUrl,
      charset: batch.charset,
      facts,
      tradeNo: null,
      refundId: null,
      batchNo: batch.batchNo,
      createdAt: now,
    });
  });
}

/** A line refunded: `succeeded`, or `SUCCESS` as lines were recorded before outcomes were kept in the core's words. */
export function isSucceeded(outcome: string | null): boolean {
  return outcome === 'succeeded' || outcome === 'SUCCESS';
}
