/** Refunds and their fund allocations. */
import type { DbackStatus, FundAllocation, Refund, RefundSource, RefundStatus } from '../../core/interfaces.js';
import type { FundAllocationRow, RefundRow } from '../schema.js';
import type { Db } from '../store.js';

export type NewRefund = Omit<Refund, 'id' | 'allocations'>;

export async function insertRefund(db: Db, refund: NewRefund): Promise<number> {
  const row = await db.insertInto('refunds').values(refund).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export type RefundChange = Partial<Omit<NewRefund, 'tradeNo' | 'outRequestNo' | 'createdAt'>>;

export async function updateRefund(db: Db, id: number, change: RefundChange): Promise<void> {
  await db.updateTable('refunds').set(change).where('id', '=', id).execute();
}

export async function insertAllocations(db: Db, refundId: number, allocations: FundAllocation[]): Promise<void> {
  if (allocations.length === 0) return;
  await db
    .insertInto('fundAllocations')
    .values(allocations.map((allocation) => ({ refundId, ...allocation })))
    .execute();
}

export async function settleDepositBack(db: Db, refundId: number, status: DbackStatus, bankAckTime: number): Promise<void> {
  await db
    .updateTable('fundAllocations')
    .set({ dbackStatus: status, bankAckTime })
    .where('refundId', '=', refundId)
    .where('dbackStatus', '=', 'P')
    .execute();
}

export async function findRefund(db: Db, tradeNo: string, outRequestNo: string): Promise<Refund | undefined> {
  const row = await db
    .selectFrom('refunds')
    .selectAll()
    .where('tradeNo', '=', tradeNo)
    .where('outRequestNo', '=', outRequestNo)
    .executeTakeFirst();
  return row && withAllocations(db, row);
}

export async function findRefundById(db: Db, id: number): Promise<Refund | undefined> {
  const row = await db.selectFrom('refunds').selectAll().where('id', '=', id).executeTakeFirst();
  return row && withAllocations(db, row);
}

export interface RefundFilter {
  tradeNo?: string | undefined;
  outRequestNo?: string | undefined;
  batchNo?: string | undefined;
  status?: RefundStatus | undefined;
  limit?: number;
}

export async function listRefunds(db: Db, filter: RefundFilter): Promise<Refund[]> {
  let query = db.selectFrom('refunds').selectAll().orderBy('id').limit(filter.limit ?? 1000);
  if (filter.tradeNo) query = query.where('tradeNo', '=', filter.tradeNo);
  if (filter.outRequestNo) query = query.where('outRequestNo', '=', filter.outRequestNo);
  if (filter.batchNo) query = query.where('batchNo', '=', filter.batchNo);
  if (filter.status) query = query.where('status', '=', filter.status);
  const rows = await query.execute();
  return Promise.all(rows.map((row) => withAllocations(db, row)));
}

async function withAllocations(db: Db, row: RefundRow): Promise<Refund> {
  const allocations = await db
    .selectFrom('fundAllocations')
    .selectAll()
    .where('refundId', '=', row.id)
    .orderBy('position')
    .execute();
  return toRefund(row, allocations);
}

function toRefund(row: RefundRow, allocations: FundAllocationRow[]): Refund {
  return {
    ...row,
    status: row.status as RefundStatus,
    source: row.source as RefundSource,
    allocations: allocations.map((a) => ({
      position: a.position,
      fundChannel: a.fundChannel,
      fundType: a.fundType,
      bankCode: a.bankCode,
      amount: a.amount,
      realAmount: a.realAmount,
      dbackStatus: a.dbackStatus as DbackStatus | null,
      bankAckTime: a.bankAckTime,
      estBankReceiptTime: a.estBankReceiptTime,
    })),
  };
}
