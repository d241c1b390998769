/** Batches of the batch refund with password and their lines. */
import type { Updateable } from 'kysely';
import type { Batch, BatchLine } from '../../interfaces.js';
import type { BatchRow, BatchTable } from '../schema.js';
import type { Db } from '../store.js';

export type NewBatch = Omit<Batch, 'id'>;

export async function insertBatch(db: Db, batch: NewBatch, lines: BatchLine[]): Promise<number> {
  const { id } = await db.insertInto('batches').values(batch).returning('id').executeTakeFirstOrThrow();
  // Large batches go in slices: SQLite caps the parameters of one statement.
  for (let i = 0; i < lines.length; i += 50) {
    await db
      .insertInto('batchLines')
      .values(lines.slice(i, i + 50).map((line) => ({ batchId: id, ...line })))
      .execute();
  }
  return id;
}

function toBatch(row: BatchRow): Batch {
  return row;
}

export async function findBatchById(db: Db, id: number, forUpdate = false): Promise<Batch | undefined> {
  let query = db.selectFrom('batches').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toBatch(row);
}

export async function findBatchByToken(db: Db, token: string): Promise<Batch | undefined> {
  const row = await db.selectFrom('batches').selectAll().where('token', '=', token).executeTakeFirst();
  return row && toBatch(row);
}

export async function findBatch(db: Db, partnerPid: string, batchNo: string): Promise<Batch | undefined> {
  const row = await db.selectFrom('batches').selectAll().where('partnerPid', '=', partnerPid).where('batchNo', '=', batchNo).executeTakeFirst();
  return row && toBatch(row);
}

export async function findBatchesByNo(db: Db, batchNo: string): Promise<Batch[]> {
  return (await db.selectFrom('batches').selectAll().where('batchNo', '=', batchNo).orderBy('id').execute()).map(toBatch);
}

export async function updateBatch(db: Db, id: number, change: Updateable<BatchTable>): Promise<void> {
  await db.updateTable('batches').set(change).where('id', '=', id).execute();
}

export async function listBatchLines(db: Db, batchId: number): Promise<BatchLine[]> {
  const rows = await db.selectFrom('batchLines').selectAll().where('batchId', '=', batchId).orderBy('position').execute();
  return rows.map(({ batchId: _batch, ...line }) => line);
}

/** A line as the seller reviews it: with its trade's paid and refunded amounts when the trade is this seller's. */
export interface LineUnderReview extends BatchLine {
  /** Null when the trade does not exist or is another seller's: the review shows nothing of it. */
  paid: number | null;
  refunded: number | null;
}

/** Every line of the batch with its trade, in one statement (a 1,000-line batch is one read, not 2,000). */
export async function listLinesUnderReview(db: Db, batchId: number, sellerPid: string): Promise<LineUnderReview[]> {
  const rows = await db
    .selectFrom('batchLines')
    .leftJoin('trades', (join) => join.onRef('trades.tradeNo', '=', 'batchLines.tradeNo').on('trades.sellerPid', '=', sellerPid))
    .selectAll('batchLines')
    .select(['trades.totalAmount as paid', 'trades.refundedAmount as refunded'])
    .where('batchLines.batchId', '=', batchId)
    .orderBy('batchLines.position')
    .execute();
  return rows.map(({ batchId: _batch, paid, refunded, ...line }) => ({ ...line, paid: paid ?? null, refunded: refunded ?? null }));
}

export async function recordLineResult(
  db: Db,
  batchId: number,
  position: number,
  result: { result: string; refundId: number | null; chargeFee: number | null; processedAt: number; attempts?: number; lastError?: string | null },
): Promise<void> {
  await db.updateTable('batchLines').set(result).where('batchId', '=', batchId).where('position', '=', position).execute();
}

/** A run of the line threw: counted, with its error; the line stays to be done. */
export async function recordLineFailure(db: Db, batchId: number, position: number, failure: { attempts: number; lastError: string }): Promise<void> {
  await db.updateTable('batchLines').set(failure).where('batchId', '=', batchId).where('position', '=', position).where('result', 'is', null).execute();
}
