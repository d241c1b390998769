/**
 * The batch refund with password (refund_fastpay_by_platform_pwd, seed 002): a validated request becomes
 * a batch awaiting the seller's confirmation; the seller confirms with the payment password; the worker
 * refunds line by line through the refund core — one line's failure does not stop the others — and, when
 * every line has its outcome, owes `batch_refund_notify` to the notify_url.
 *
 * Each line refunds with out_request_no = batch_no (see `lineRequestNo`), and records its outcome in the
 * refund's own transaction. A worker that dies mid-batch therefore resumes without refunding any line twice:
 * a line whose refund committed is either recorded or, when run again, answered as the idempotent repeat it is.
 */
import { findApp } from '../store/sql/apps.js';
import {
  findBatchById,
  findBatchByToken,
  insertBatch,
  listBatchLines,
  listLinesUnderReview,
  recordLineFailure,
  recordLineResult,
  updateBatch,
  type LineUnderReview,
  type NewBatch,
} from '../store/sql/batches.js';
import { addJob } from '../store/sql/jobs.js';
import { findRefund } from '../store/sql/refunds.js';
import { findMerchant, findMerchantCredentials } from '../store/sql/merchants.js';
import { findTradeByNo } from '../store/sql/trades.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import type { CoreDeps } from './deps.js';
import { newNotifyId, newSecret } from './identifiers.js';
import { isStorableText } from './storable-text.js';
import type { Batch, BatchLine } from './interfaces.js';
import { encodeResultDetails } from './batch-result-details.js';
import { oweNotification } from './notifications.js';
import { verifyPassword } from './password.js';
import type { RefundRejection } from './refund-rules.js';
import { refundNow } from './refunds.js';
import { nextJobRetry } from './retry-schedules.js';

/**
 * Runs of a line that may throw (an unexpected failure, not a refusal) before the line is given up as
 * SYSTEM_ERROR, so that the batch completes and its merchant is told.
 */
export const MAX_LINE_ATTEMPTS = 5;

/** Wrong payment passwords after which a batch is locked. */
export const MAX_PAYMENT_PASSWORD_FAILURES = 5;
/** Wrong login passwords after which a batch is locked, whichever browser sessions they came from. */
export const MAX_LOGIN_PASSWORD_FAILURES = 5;

/** Why a line is refused before the refund core sees it. */
type LineRefusal =
  | 'not_this_sellers_trade'
  | 'not_this_partners_trade'
  /** The seller's account is not normal (admin-set). */
  | 'seller_account_not_normal'
  /** The trade's buyer's account is not normal (admin-set). */
  | 'buyer_account_not_normal'
  | 'zero_amount'
  /** The line threw MAX_LINE_ATTEMPTS times. */
  | 'line_failed';

/**
 * What a refused batch line is called in result_details (seed 002's codes). Seed 002's codes for products
 * tuikuan does not model (ticket face values, collected charges) have no line here; see mapi-errors.ts.
 */
const LINE_CODES: Record<RefundRejection | LineRefusal, string> = {
  not_this_sellers_trade: 'NOT_THIS_SELLER_TRADE',
  not_this_partners_trade: 'NOT_THIS_PARTNERS_TRADE',
  seller_account_not_normal: 'TXN_RESULT_ACCOUNT_STATUS_NOT_VALID',
  buyer_account_not_normal: 'BUYER_ERROR',
  zero_amount: 'REFUND_AMOUNT_NOT_VALID',
  line_failed: 'SYSTEM_ERROR',
  trade_not_found: 'NOT_THIS_SELLER_TRADE',
  trade_not_paid: 'TRADE_STATUS_ERROR',
  trade_finished: 'TRADE_STATUS_ERROR',
  trade_frozen: 'TRADE_STATUS_ERROR',
  too_many_refunds: 'TRADE_STATUS_ERROR',
  refund_not_allowed: 'TRADE_PRODUCT_TYPE_NOT_ALLOW_REFUND',
  partial_without_request_no: 'REFUND_AMOUNT_NOT_VALID',
  amount_exceeds_total: 'REFUND_AMOUNT_NOT_VALID',
  amount_exceeds_refundable: 'REASON_TRADE_REFUND_FEE_ERR',
  red_packet_partial: 'REASON_REFUND_AMOUNT_LESS_THAN_COUPON_FEE',
  discordant_repeat: 'REASON_HAS_REFUND_FEE_NOT_MATCH',
  balance_not_enough: 'TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH',
};

export interface BatchDraft {
  batchNo: string;
  partnerPid: string;
  sellerPid: string;
  charset: string;
  signType: string;
  notifyUrl: string | null;
  returnUrl: string | null;
  refundDate: string;
  lines: Array<Pick<BatchLine, 'tradeNo' | 'amount' | 'amountText' | 'reason'>>;
}

/** Records a valid request as a batch awaiting the seller; null when the partner used the batch_no before. */
export async function createBatch(deps: CoreDeps, draft: BatchDraft): Promise<Batch | null> {
  const batch: NewBatch = {
    batchNo: draft.batchNo,
    partnerPid: draft.partnerPid,
    sellerPid: draft.sellerPid,
    token: newSecret(16),
    status: 'awaiting_confirmation',
    charset: draft.charset,
    signType: draft.signType,
    notifyUrl: draft.notifyUrl,
    returnUrl: draft.returnUrl,
    refundDate: draft.refundDate,
    batchNum: draft.lines.length,
    pwdFailures: 0,
    loginFailures: 0,
    successNum: null,
    resultDetails: null,
    createdAt: deps.clock.now(),
    confirmedAt: null,
    completedAt: null,
  };
  const lines: BatchLine[] = draft.lines.map((line, position) => ({
    ...line,
    position,
    result: null,
    refundId: null,
    chargeFee: null,
    processedAt: null,
    attempts: 0,
    lastError: null,
  }));
  try {
    const id = await deps.store.transaction((trx) => insertBatch(trx, batch, lines));
    return { ...batch, id };
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

export async function findBatchForCashier(deps: CoreDeps, token: string): Promise<Batch | undefined> {
  return isStorableText(token) ? findBatchByToken(deps.store.db, token) : undefined;
}

/** The batch's lines as its seller reviews them, each with what its trade paid and has refunded (one read). */
export function linesUnderReview(deps: CoreDeps, batch: Batch): Promise<LineUnderReview[]> {
  return listLinesUnderReview(deps.store.db, batch.id, batch.sellerPid);
}

export type LoginOutcome =
  | { kind: 'logged_in' }
  | { kind: 'wrong_password'; remaining: number }
  | { kind: 'locked' }
  | { kind: 'not_awaiting' };

/**
 * The seller logs in with the login password. Wrong ones are counted on the batch, not the browser session,
 * so that a fresh cookie gains no tries; five lock the batch, as five wrong payment passwords do.
 */
export async function logInSeller(deps: CoreDeps, batch: Batch, password: string): Promise<LoginOutcome> {
  const credentials = await findMerchantCredentials(deps.store.db, batch.sellerPid);
  const valid = credentials !== undefined && (await verifyPassword(password, credentials.loginPasswordHash));
  return deps.store.transaction(async (trx): Promise<LoginOutcome> => {
    const current = await findBatchById(trx, batch.id, true);
    if (!current) throw new Error(`batch ${batch.id} vanished`);
    if (current.status !== 'awaiting_confirmation') return current.status === 'locked' ? { kind: 'locked' } : { kind: 'not_awaiting' };
    if (valid) return { kind: 'logged_in' };
    const failures = current.loginFailures + 1;
    const locked = failures >= MAX_LOGIN_PASSWORD_FAILURES;
    await updateBatch(trx, current.id, { loginFailures: failures, ...(locked && { status: 'locked' }) });
    return locked ? { kind: 'locked' } : { kind: 'wrong_password', remaining: MAX_LOGIN_PASSWORD_FAILURES - failures };
  });
}

/** Whether the batch was locked by wrong login passwords (rather than payment passwords). */
export function lockedAtLogin(batch: Batch): boolean {
  return batch.status === 'locked' && batch.loginFailures >= MAX_LOGIN_PASSWORD_FAILURES;
}

export type ConfirmOutcome =
  | { kind: 'confirmed'; batch: Batch }
  | { kind: 'wrong_password'; remaining: number }
  | { kind: 'locked' }
  | { kind: 'not_awaiting'; batch: Batch };

/** The seller confirms with the payment password; five wrong ones lock the batch. */
export async function confirmBatch(deps: CoreDeps, batch: Batch, paymentPassword: string): Promise<ConfirmOutcome> {
  const credentials = await findMerchantCredentials(deps.store.db, batch.sellerPid);
  const valid = credentials !== undefined && (await verifyPassword(paymentPassword, credentials.paymentPasswordHash));
  return deps.store.transaction(async (trx): Promise<ConfirmOutcome> => {
    const current = await findBatchById(trx, batch.id, true);
    if (!current) throw new Error(`batch ${batch.id} vanished`);
    if (current.status !== 'awaiting_confirmation') return { kind: 'not_awaiting', batch: current };
    const now = deps.clock.now();
    if (!valid) {
      const failures = current.pwdFailures + 1;
      const locked = failures >= MAX_PAYMENT_PASSWORD_FAILURES;
      await updateBatch(trx, current.id, { pwdFailures: failures, ...(locked && { status: 'locked' }) });
      return locked ? { kind: 'locked' } : { kind: 'wrong_password', remaining: MAX_PAYMENT_PASSWORD_FAILURES - failures };
    }
    await updateBatch(trx, current.id, { status: 'processing', confirmedAt: now });
    await addJob(trx, { kind: 'batch', subject: String(current.id), runAt: now, now });
    return { kind: 'confirmed', batch: { ...current, status: 'processing', confirmedAt: now } };
  });
}

/** The seller cancels: nothing is refunded, nothing is notified. */
export async function cancelBatch(deps: CoreDeps, batch: Batch): Promise<Batch> {
  return deps.store.transaction(async (trx) => {
    const current = await findBatchById(trx, batch.id, true);
    if (!current) throw new Error(`batch ${batch.id} vanished`);
    if (current.status !== 'awaiting_confirmation') return current;
    await updateBatch(trx, current.id, { status: 'cancelled' });
    return { ...current, status: 'cancelled' };
  });
}

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

/** Why a line cannot be this partner's refund of this seller's trade, before the refund core sees it. */
async function lineRefusal(deps: CoreDeps, batch: Batch, line: BatchLine): Promise<LineRefusal | null> {
  const trade = await findTradeByNo(deps.store.db, line.tradeNo);
  if (!trade || trade.sellerPid !== batch.sellerPid) return 'not_this_sellers_trade';
  if (batch.partnerPid !== batch.sellerPid) {
    // A partner refunding for another seller may refund only the trades it made through its own apps.
    const app = await findApp(deps.store.db, trade.appId);
    if (app?.pid !== batch.partnerPid) return 'not_this_partners_trade';
  }
  if (line.amount === 0) return 'zero_amount';
  // A line whose refund committed before a worker died is that refund, whatever the accounts are now.
  if (await findRefund(deps.store.db, trade.tradeNo, lineRequestNo(batch))) return null;
  if ((await findMerchant(deps.store.db, batch.sellerPid))?.accountStatus !== 'normal') return 'seller_account_not_normal';
  if (trade.buyerAccountStatus !== 'normal') return 'buyer_account_not_normal';
  return null;
}

async function refundLine(deps: CoreDeps, batch: Batch, line: BatchLine): Promise<void> {
  const refusal = await lineRefusal(deps, batch, line);
  const record = (trx: Parameters<typeof recordLineResult>[0], result: string, refundId: number | null, chargeFee: number | null) =>
    recordLineResult(trx, batch.id, line.position, { result, refundId, chargeFee, processedAt: deps.clock.now() });
  if (refusal) return record(deps.store.db, LINE_CODES[refusal], null, null);
  const outcome = await refundNow(
    deps,
    {
      sellerPid: batch.sellerPid,
      tradeNo: line.tradeNo,
      outRequestNo: lineRequestNo(batch),
      amount: line.amount,
      reason: line.reason || null,
      source: 'batch',
      batchNo: batch.batchNo,
    },
    (trx, result) => record(trx, 'SUCCESS', result.refund.id, result.refund.refundChargeFee),
  );
  if (outcome.kind === 'rejected') await record(deps.store.db, LINE_CODES[outcome.reason], null, null);
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
  if (!batch || batch.status !== 'processing') return { kind: 'completed' };
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
    result: LINE_CODES.line_failed,
    refundId: null,
    chargeFee: null,
    processedAt: deps.clock.now(),
    attempts,
    lastError: message,
  });
  return null;
}

async function completeBatch(deps: CoreDeps, batchId: number): Promise<void> {
  await deps.store.transaction(async (trx) => {
    const batch = await findBatchById(trx, batchId, true);
    if (!batch || batch.status !== 'processing') return;
    const seller = await findMerchant(trx, batch.sellerPid);
    const lines = await listBatchLines(trx, batch.id);
    const successNum = lines.filter((line) => line.result === 'SUCCESS').length;
    const resultDetails = encodeResultDetails(lines, seller ?? { email: '', pid: batch.sellerPid });
    const now = deps.clock.now();
    await updateBatch(trx, batch.id, { status: 'completed', successNum, resultDetails, completedAt: now });
    if (batch.notifyUrl) {
      const notifyId = newNotifyId();
      await oweNotification(trx, {
        notifyId,
        kind: 'batch_refund_notify',
        pid: batch.partnerPid,
        appId: null,
        url: batch.notifyUrl,
        charset: batch.charset,
        // MD5 with the partner's key when the request was MD5-signed; otherwise RSA by the platform key.
        signType: batch.signType === 'MD5' ? 'MD5' : 'RSA',
        params: {
          notify_type: 'batch_refund_notify',
          notify_id: notifyId,
          batch_no: batch.batchNo,
          success_num: String(successNum),
          result_details: resultDetails,
        },
        tradeNo: null,
        refundId: null,
        batchNo: batch.batchNo,
        createdAt: now,
      });
    }
  });
}
