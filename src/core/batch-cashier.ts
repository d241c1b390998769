/**
 * The seller on the cashier pages of a batch: log in with the login password, review the lines, confirm with
 * the payment password or cancel. Wrong passwords are counted on the batch, not on the browser session, so a
 * fresh cookie gains no tries; five wrong login or five wrong payment passwords lock the batch.
 */
import { findBatchById, findBatchByToken, listLinesUnderReview, updateBatch, type LineUnderReview } from '../store/sql/batches.js';
import { addJob } from '../store/sql/jobs.js';
import { findMerchant, findMerchantCredentials } from '../store/sql/merchants.js';
import type { CoreDeps } from './deps.js';
import type { Batch, Merchant } from '../interfaces.js';
import { verifyPassword } from './password.js';
import { isStorableText } from './storable-text.js';

/** Wrong payment passwords after which a batch is locked. */
export const MAX_PAYMENT_PASSWORD_FAILURES = 5;
/** Wrong login passwords after which a batch is locked, whichever browser sessions they came from. */
export const MAX_LOGIN_PASSWORD_FAILURES = 5;

export async function findBatchForCashier(deps: CoreDeps, token: string): Promise<Batch | undefined> {
  return isStorableText(token) ? findBatchByToken(deps.store.db, token) : undefined;
}

/** The batch's lines as its seller reviews them, each with what its trade paid and has refunded (one read). */
export function linesUnderReview(deps: CoreDeps, batch: Batch): Promise<LineUnderReview[]> {
  return listLinesUnderReview(deps.store.db, batch.id, batch.sellerPid);
}

/** The seller the cashier pages name: whose batch it is. */
export function batchSeller(deps: CoreDeps, batch: Batch): Promise<Merchant | undefined> {
  return findMerchant(deps.store.db, batch.sellerPid);
}

export type LoginOutcome = { kind: 'logged_in' } | { kind: 'wrong_password'; remaining: number } | { kind: 'locked' } | { kind: 'not_awaiting' };

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
