/**
 * The batch refund with password (refund_fastpay_by_platform_pwd, seed 002), first step: a validated request
 * becomes a batch awaiting the seller's confirmation on the cashier pages (batch-cashier.ts); once confirmed the
 * worker refunds it line by line (batch-processing.ts).
 */
import { findBatch, insertBatch, type NewBatch } from '../store/sql/batches.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import type { CoreDeps } from './deps.js';
import { newSecret } from './identifiers.js';
import type { Batch, BatchLine } from '../interfaces.js';

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

/** Whether the partner has used this batch_no before (batch_no is unique per partner). */
export async function batchNoTaken(deps: CoreDeps, partnerPid: string, batchNo: string): Promise<boolean> {
  return (await findBatch(deps.store.db, partnerPid, batchNo)) !== undefined;
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
