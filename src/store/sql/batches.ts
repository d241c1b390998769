/** Batches of the batch refund with password, their lines, and the seller's cashier sessions. */
import type { Updateable } from 'kysely';
import type { Batch, BatchLine, BatchStatus } from '../../core/interfaces.js';
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
  return { ...row, status: row.status as BatchStatus };
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

export async function recordLineResult(
  db: Db,
  batchId: number,
  position: number,
  result: { result: string; refundId: number | null; chargeFee: number | null; processedAt: number },
): Promise<void> {
  await db.updateTable('batchLines').set(result).where('batchId', '=', batchId).where('position', '=', position).execute();
}

export interface CashierSession {
  id: string;
  batchId: number;
  csrfToken: string;
  loggedIn: boolean;
  createdAt: number;
  expiresAt: number;
}

export async function insertCashierSession(db: Db, session: CashierSession): Promise<void> {
  await db.insertInto('cashierSessions').values({ ...session, loggedIn: session.loggedIn ? 1 : 0 }).execute();
}

export async function findCashierSession(db: Db, id: string): Promise<CashierSession | undefined> {
  const row = await db.selectFrom('cashierSessions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && { ...row, loggedIn: row.loggedIn === 1 };
}

export async function updateCashierSession(db: Db, id: string, change: { loggedIn: boolean }): Promise<void> {
  await db
    .updateTable('cashierSessions')
    .set({ loggedIn: change.loggedIn ? 1 : 0 })
    .where('id', '=', id)
    .execute();
}
