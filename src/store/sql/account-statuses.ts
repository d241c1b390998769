/**
 * The seller's and the buyer's account statuses, kept apart from merchants.ts and trades.ts: only batch
 * lines read them (seed 002's TXN_RESULT_ACCOUNT_STATUS_NOT_VALID and BUYER_ERROR), and the admin API sets them.
 * Each setter answers whether the merchant or trade exists.
 */
import type { Db } from '../store.js';

export async function findSellerAccountStatus(db: Db, pid: string): Promise<string | undefined> {
  const row = await db.selectFrom('merchants').select('accountStatus').where('pid', '=', pid).executeTakeFirst();
  return row?.accountStatus;
}

export async function updateSellerAccountStatus(db: Db, pid: string, status: string): Promise<boolean> {
  const result = await db.updateTable('merchants').set({ accountStatus: status }).where('pid', '=', pid).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function findBuyerAccountStatus(db: Db, tradeNo: string): Promise<string | undefined> {
  const row = await db.selectFrom('trades').select('buyerAccountStatus').where('tradeNo', '=', tradeNo).executeTakeFirst();
  return row?.buyerAccountStatus;
}

export async function updateBuyerAccountStatus(db: Db, tradeNo: string, status: string): Promise<boolean> {
  const result = await db.updateTable('trades').set({ buyerAccountStatus: status }).where('tradeNo', '=', tradeNo).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
