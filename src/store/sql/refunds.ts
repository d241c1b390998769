/** Refunds and their fund allocations. */
import { sql } from 'kysely';
import type { DbackStatus, DistributiveOmit, FundAllocation, Refund, RefundStatus, Trade, Voucher } from '../../interfaces.js';
import type { FundAllocationRow, RefundRow } from '../schema.js';
import { allRows, firstRow, prepareQuery } from '../prepared-query.js';
import type { Db } from '../store.js';

export type NewRefund = DistributiveOmit<Refund, 'id' | 'allocations'>;

const insertRefundRow = prepareQuery((db, p: NewRefund) => db.insertInto('refunds').values(p).returning('id'));
const updateRefundColumns = prepareQuery((db, p: RefundChange & { id: number }) => {
  const { id, ...change } = p;
  return db.updateTable('refunds').set(change).where('id', '=', id);
});
const insertAllocation = prepareQuery((db, p: FundAllocation & { refundId: number }) => db.insertInto('fundAllocations').values(p));
const refundById = prepareQuery((db, p: { id: number }) => db.selectFrom('refunds').selectAll().where('id', '=', p.id));
// The refund query's one read: the seller's trade and, if there is one, its refund under out_request_no.
const queriedTradeColumns = [
  'trades.tradeNo as queriedTradeNo',
  'trades.outTradeNo as queriedOutTradeNo',
  'trades.totalAmount as queriedTotalAmount',
  'trades.feeRatePpm as queriedFeeRatePpm',
  'trades.voucherDetailList as queriedVoucherDetailList',
] as const;
const tradeWithRefund = (db: Db, outRequestNo: string) =>
  db
    .selectFrom('trades')
    .leftJoin('refunds', (join) => join.onRef('refunds.tradeNo', '=', 'trades.tradeNo').on('refunds.outRequestNo', '=', outRequestNo))
    .selectAll('refunds')
    .select(queriedTradeColumns);
const tradeAndRefundByTradeNo = prepareQuery((db, p: { sellerPid: string; tradeNo: string; outRequestNo: string }) =>
  tradeWithRefund(db, p.outRequestNo).where('trades.sellerPid', '=', p.sellerPid).where('trades.tradeNo', '=', p.tradeNo),
);
const tradeAndRefundByOutTradeNo = prepareQuery((db, p: { sellerPid: string; outTradeNo: string; outRequestNo: string }) =>
  tradeWithRefund(db, p.outRequestNo).where('trades.sellerPid', '=', p.sellerPid).where('trades.outTradeNo', '=', p.outTradeNo),
);
const allocationsOfRefund = prepareQuery((db, p: { refundId: number }) =>
  db.selectFrom('fundAllocations').selectAll().where('refundId', '=', p.refundId).orderBy('position'),
);

export async function insertRefund(db: Db, refund: NewRefund): Promise<number> {
  const row = await firstRow(insertRefundRow, db, refund);
  if (!row) throw new Error('insert into refunds returned no id');
  return row.id;
}

export type RefundChange = Partial<Omit<NewRefund, 'tradeNo' | 'outRequestNo' | 'createdAt'>>;

export async function updateRefund(db: Db, id: number, change: RefundChange): Promise<void> {
  await updateRefundColumns(db, { ...change, id });
}

/**
 * Writes a refund's row — inserted when it has none yet, else its changing columns updated (never its trade,
 * request number or creation time) — and answers its id. Its allocations are written apart.
 */
export async function saveRefund(db: Db, refund: Refund, hasRow: boolean): Promise<number> {
  const { id, allocations: _, ...row } = refund;
  if (!hasRow) return insertRefund(db, row);
  const { tradeNo, outRequestNo, createdAt, ...change } = row;
  await updateRefund(db, id, change);
  return id;
}

export async function insertAllocations(db: Db, refundId: number, allocations: FundAllocation[]): Promise<void> {
  // One prepared row at a time: a refund has a row per channel it returns to, most often one.
  for (const allocation of allocations) await insertAllocation(db, { ...allocation, refundId });
}

/** The channel a refused deposit-back is returned to instead: the buyer's Alipay balance. */
export const REFUSED_DEPOSIT_BACK_CHANNEL = 'ALIPAYACCOUNT';

/**
 * The bank's answer to a refund's bank-card allocations still pending, and where their money went with it.
 * Returns the positions of the allocations it settled: none when another run settled them first.
 */
export async function settleDepositBack(db: Db, refundId: number, status: DbackStatus, bankAckTime: number): Promise<number[]> {
  const rows = await db
    .updateTable('fundAllocations')
    .set({ dbackStatus: status, bankAckTime, returnedTo: status === 'F' ? REFUSED_DEPOSIT_BACK_CHANNEL : sql<string>`fund_channel` })
    .where('refundId', '=', refundId)
    .where('dbackStatus', '=', 'P')
    .returning('position')
    .execute();
  return rows.map((row) => row.position);
}

/** A refund's own row, without its fund allocations. */
export type RefundHeader = DistributiveOmit<Refund, 'allocations'>;

/** What a refund query's reply shows of the trade. */
export type QueriedTrade = Pick<Trade, 'tradeNo' | 'outTradeNo' | 'totalAmount' | 'feeRatePpm' | 'vouchers'>;

/**
 * A seller's trade, by trade_no (or out_trade_no when no trade_no is given), and its refund under
 * `outRequestNo` if there is one — in one statement, as the refund query asks for both on every call.
 */
export async function findTradeAndRefund(
  db: Db,
  key: { sellerPid: string; tradeNo?: string | undefined; outTradeNo?: string | undefined },
  outRequestNo: string,
): Promise<{ trade: QueriedTrade; refund: RefundHeader | undefined } | undefined> {
  const { sellerPid, tradeNo, outTradeNo } = key;
  const row = tradeNo
    ? await firstRow(tradeAndRefundByTradeNo, db, { sellerPid, tradeNo, outRequestNo })
    : outTradeNo
      ? await firstRow(tradeAndRefundByOutTradeNo, db, { sellerPid, outTradeNo, outRequestNo })
      : undefined;
  if (!row) return undefined;
  return {
    trade: {
      tradeNo: row.queriedTradeNo,
      outTradeNo: row.queriedOutTradeNo,
      totalAmount: row.queriedTotalAmount,
      feeRatePpm: row.queriedFeeRatePpm,
      vouchers: JSON.parse(row.queriedVoucherDetailList) as Voucher[],
    },
    // Left joined: no refund under that out_request_no leaves every refund column null. (The header is the
    // whole row, so it carries the queried trade columns too; copying the row once is cheaper than leaving
    // them out, and nothing reads them.)
    refund: row.id === null ? undefined : toRefundHeader(row as RefundRow),
  };
}

/** A refund's fund allocations, in the order of the trade's fund bills. */
export async function findAllocations(db: Db, refundId: number): Promise<FundAllocation[]> {
  return (await allRows(allocationsOfRefund, db, { refundId })).map(toAllocation);
}

export async function findRefundById(db: Db, id: number): Promise<Refund | undefined> {
  const row = await firstRow(refundById, db, { id });
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
  let query = db
    .selectFrom('refunds')
    .selectAll()
    .orderBy('id')
    .limit(filter.limit ?? 1000);
  if (filter.tradeNo) query = query.where('tradeNo', '=', filter.tradeNo);
  if (filter.outRequestNo) query = query.where('outRequestNo', '=', filter.outRequestNo);
  if (filter.batchNo) query = query.where('batchNo', '=', filter.batchNo);
  if (filter.status) query = query.where('status', '=', filter.status);
  const rows = await query.execute();
  return Promise.all(rows.map((row) => withAllocations(db, row)));
}

async function withAllocations(db: Db, row: RefundRow): Promise<Refund> {
  return toRefund(row, await allRows(allocationsOfRefund, db, { refundId: row.id }));
}

/** A refund's row and its allocations' rows as the refund it is. */
export function toRefund(row: RefundRow, allocations: FundAllocationRow[]): Refund {
  return { ...toRefundHeader(row), allocations: allocations.map(toAllocation) };
}

/** A row as the refund it is, by its status; a row in no refund's state is a corrupt store, and says so. */
function toRefundHeader(row: RefundRow): RefundHeader {
  const record = { ...row };
  const { status, acceptedAt, nextAttemptAt, gmtRefundPay, lastError } = row;
  switch (status) {
    case 'accepted':
      if (acceptedAt !== null && nextAttemptAt !== null) return { ...record, status: 'accepted', acceptedAt, nextAttemptAt, gmtRefundPay: null };
      break;
    case 'waiting_for_funds':
      if (acceptedAt !== null && nextAttemptAt !== null && lastError !== null) {
        return { ...record, status: 'waiting_for_funds', acceptedAt, nextAttemptAt, lastError, gmtRefundPay: null };
      }
      break;
    case 'succeeded':
      if (gmtRefundPay !== null) return { ...record, status: 'succeeded', gmtRefundPay, nextAttemptAt: null };
      break;
    case 'failed':
      if (lastError !== null) return { ...record, status: 'failed', lastError, nextAttemptAt: null, gmtRefundPay: null };
      break;
  }
  throw new Error(`refund ${row.id}: its row is in no state a refund can be in (${status})`);
}

function toAllocation(a: FundAllocationRow): FundAllocation {
  return {
    position: a.position,
    fundChannel: a.fundChannel,
    fundType: a.fundType,
    bankCode: a.bankCode,
    amount: a.amount,
    realAmount: a.realAmount,
    dbackStatus: a.dbackStatus,
    bankAckTime: a.bankAckTime,
    estBankReceiptTime: a.estBankReceiptTime,
    returnedTo: a.returnedTo,
  };
}

/**
 * A refund's own columns as the named parameters of the refund writes' SQL text (write-refund.ts,
 * write-refund-acceptance.ts): one list, so the two writes cannot disagree on what a refund row holds.
 */
export function refundParams(refund: Refund): Record<string, unknown> {
  return {
    tradeNo: refund.tradeNo,
    outRequestNo: refund.outRequestNo,
    refundAmount: refund.refundAmount,
    refundReason: refund.refundReason,
    source: refund.source,
    batchNo: refund.batchNo,
    operatorId: refund.operatorId,
    storeId: refund.storeId,
    terminalId: refund.terminalId,
    sendBackFee: refund.sendBackFee,
    refundChargeFee: refund.refundChargeFee,
    attempts: refund.attempts,
    lastError: refund.lastError,
    acceptedAt: refund.acceptedAt,
    nextAttemptAt: refund.nextAttemptAt,
    createdAt: refund.createdAt,
    gmtRefundPay: refund.gmtRefundPay,
    updatedAt: refund.updatedAt,
  };
}
