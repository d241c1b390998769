/**
 * A batch as it is reported — to the admin API and in its `batch_refund_notify`: its lines with their outcomes
 * and its seller, in the core's words. protocol/mapi/ turns them into success_num and result_details.
 */
import { findBatchesByNo, listBatchLines } from '../store/sql/batches.js';
import { findMerchant } from '../store/sql/merchants.js';
import type { Db } from '../store/db.js';
import type { CoreDeps } from './deps.js';
import type { Batch, BatchLine, BatchRefundFacts, Merchant } from '../interfaces.js';

export interface BatchReport {
  batch: Batch;
  lines: BatchLine[];
  facts: BatchRefundFacts;
}

/** Every batch with this batch_no (batch_no is unique per partner, not across partners). */
export function batchesByNo(deps: CoreDeps, batchNo: string): Promise<Batch[]> {
  return findBatchesByNo(deps.store.db, batchNo);
}

/** The batch's lines and the facts its notification reports. */
export function batchReport(deps: CoreDeps, batch: Batch): Promise<BatchReport> {
  return reportBatch(deps.store.db, batch);
}

/** The same, read in `db`: the transaction that completes the batch. */
export async function reportBatch(db: Db, batch: Batch): Promise<BatchReport> {
  const seller = await findMerchant(db, batch.sellerPid);
  const lines = await listBatchLines(db, batch.id);
  return { batch, lines, facts: batchRefundFacts(batch, seller, lines) };
}

function batchRefundFacts(batch: Batch, seller: Merchant | undefined, lines: readonly BatchLine[]): BatchRefundFacts {
  return {
    kind: 'batch_refund_notify',
    batchNo: batch.batchNo,
    requestSignType: batch.signType,
    seller: { email: seller?.email ?? '', pid: batch.sellerPid },
    lines: lines.map((line) => ({ tradeNo: line.tradeNo, amountText: line.amountText, outcome: line.result, chargeFee: line.chargeFee })),
  };
}
