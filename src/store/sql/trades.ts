/**
 * Trades and their fund bills. `lockTrade` is the lock every refund takes: `select … for update` on
 * PostgreSQL; on SQLite the transaction's `begin immediate` already holds the database.
 */
import type { Trade, TradeFundBill, TradeKey, Voucher } from '../../interfaces.js';

export type { TradeKey };
import type { TradeFundBillRow, TradeRow, TradeUpdate } from '../schema.js';
import { allRows, firstRow, prepareQuery } from '../prepared-query.js';
import type { Db } from '../store.js';

export async function insertTrade(db: Db, trade: Trade): Promise<void> {
  const { fundBills, vouchers, frozen, refundAllowed, ...columns } = trade;
  await db
    .insertInto('trades')
    .values({
      ...columns,
      voucherDetailList: JSON.stringify(vouchers),
      frozen: frozen ? 1 : 0,
      refundAllowed: refundAllowed ? 1 : 0,
    })
    .execute();
  if (fundBills.length > 0) {
    await db
      .insertInto('tradeFundBills')
      .values(fundBills.map((bill) => ({ tradeNo: trade.tradeNo, ...bill })))
      .execute();
  }
}

// One prepared query per way of naming the trade and per lock: the SQL differs.
const tradeBySellerAndNo = prepareQuery((db, p: { sellerPid: string; tradeNo: string }) =>
  db.selectFrom('trades').selectAll().where('sellerPid', '=', p.sellerPid).where('tradeNo', '=', p.tradeNo),
);
const lockTradeBySellerAndNo = prepareQuery((db, p: { sellerPid: string; tradeNo: string }) =>
  db.selectFrom('trades').selectAll().where('sellerPid', '=', p.sellerPid).where('tradeNo', '=', p.tradeNo).forUpdate(),
);
const tradeBySellerAndOutNo = prepareQuery((db, p: { sellerPid: string; outTradeNo: string }) =>
  db.selectFrom('trades').selectAll().where('sellerPid', '=', p.sellerPid).where('outTradeNo', '=', p.outTradeNo),
);
const lockTradeBySellerAndOutNo = prepareQuery((db, p: { sellerPid: string; outTradeNo: string }) =>
  db.selectFrom('trades').selectAll().where('sellerPid', '=', p.sellerPid).where('outTradeNo', '=', p.outTradeNo).forUpdate(),
);
const tradeByNo = prepareQuery((db, p: { tradeNo: string }) => db.selectFrom('trades').selectAll().where('tradeNo', '=', p.tradeNo));
const lockTradeByNo = prepareQuery((db, p: { tradeNo: string }) => db.selectFrom('trades').selectAll().where('tradeNo', '=', p.tradeNo).forUpdate());
const fundBillsOfTrade = prepareQuery((db, p: { tradeNo: string }) =>
  db.selectFrom('tradeFundBills').selectAll().where('tradeNo', '=', p.tradeNo).orderBy('position'),
);
const updateTradeColumns = prepareQuery((db, p: TradeUpdate & { tradeNo: string }) => {
  const { tradeNo, ...update } = p;
  return db.updateTable('trades').set(update).where('tradeNo', '=', tradeNo);
});
const updateFundBillRefunded = prepareQuery((db, p: { tradeNo: string; position: number; refundedAmount: number }) =>
  db.updateTable('tradeFundBills').set({ refundedAmount: p.refundedAmount }).where('tradeNo', '=', p.tradeNo).where('position', '=', p.position),
);

function findTradeRow(db: Db, key: TradeKey, forUpdate: boolean): Promise<TradeRow | undefined> {
  const { sellerPid, tradeNo, outTradeNo } = key;
  if (tradeNo) return firstRow(forUpdate ? lockTradeBySellerAndNo : tradeBySellerAndNo, db, { sellerPid, tradeNo });
  if (outTradeNo) return firstRow(forUpdate ? lockTradeBySellerAndOutNo : tradeBySellerAndOutNo, db, { sellerPid, outTradeNo });
  return Promise.resolve(undefined);
}

/** Finds a seller's trade by trade_no, or by out_trade_no when no trade_no is given. */
export async function findTrade(db: Db, key: TradeKey): Promise<Trade | undefined> {
  const row = await findTradeRow(db, key, false);
  return row && toTrade(row, await findFundBills(db, row.tradeNo));
}

/** Finds a trade by trade_no alone, whoever the seller (admin and batch lines, which check the seller themselves). */
export async function findTradeByNo(db: Db, tradeNo: string, forUpdate = false): Promise<Trade | undefined> {
  const row = await firstRow(forUpdate ? lockTradeByNo : tradeByNo, db, { tradeNo });
  return row && toTrade(row, await findFundBills(db, row.tradeNo));
}

/** Like findTrade, and holds the trade's row lock until the transaction ends. */
export async function lockTrade(db: Db, key: TradeKey): Promise<Trade | undefined> {
  const row = await findTradeRow(db, key, true);
  return row && toTrade(row, await findFundBills(db, row.tradeNo));
}

export async function updateTrade(db: Db, tradeNo: string, update: TradeUpdate): Promise<void> {
  await updateTradeColumns(db, { ...update, tradeNo });
}

export async function setFundBillRefunded(db: Db, tradeNo: string, position: number, refundedAmount: number): Promise<void> {
  await updateFundBillRefunded(db, { tradeNo, position, refundedAmount });
}

/** The fund bill a payment made, in place of the one the trade was created with (none, for a trade awaiting its buyer). */
export async function replaceFundBills(db: Db, tradeNo: string, bills: TradeFundBill[]): Promise<void> {
  await db.deleteFrom('tradeFundBills').where('tradeNo', '=', tradeNo).execute();
  if (bills.length > 0) {
    await db
      .insertInto('tradeFundBills')
      .values(bills.map((bill) => ({ tradeNo, ...bill })))
      .execute();
  }
}

async function findFundBills(db: Db, tradeNo: string): Promise<TradeFundBillRow[]> {
  return allRows(fundBillsOfTrade, db, { tradeNo });
}

/** A trade's row and its fund bill's rows as the trade they are. */
export function toTrade(row: TradeRow, bills: TradeFundBillRow[]): Trade {
  return { ...toTradeHeader(row), fundBills: bills.map(toFundBill) };
}

function toTradeHeader(row: TradeRow): Omit<Trade, 'fundBills'> {
  return {
    ...row,
    frozen: row.frozen === 1,
    refundAllowed: row.refundAllowed === 1,
    dbackOutcome: row.dbackOutcome === 'S' || row.dbackOutcome === 'F' ? row.dbackOutcome : null,
    buyerAccountStatus: row.buyerAccountStatus === 'frozen' ? 'frozen' : 'normal',
    vouchers: JSON.parse(row.voucherDetailList) as Voucher[],
  };
}

function toFundBill(row: TradeFundBillRow): TradeFundBill {
  return {
    position: row.position,
    fundChannel: row.fundChannel,
    fundType: row.fundType,
    bankCode: row.bankCode,
    amount: row.amount,
    realAmount: row.realAmount,
    refundedAmount: row.refundedAmount,
  };
}
