/** The coupons a buyer holds: all of them, adding and removing them, and what is left of one. */
import type { BuyerCoupon } from '../../core/interfaces.js';
import type { BuyerCouponRow } from '../schema.js';
import type { Db } from '../store.js';

export async function findBuyerCoupons(db: Db, buyerUserId: string): Promise<BuyerCoupon[]> {
  const rows = await db.selectFrom('buyerCoupons').selectAll().where('buyerUserId', '=', buyerUserId).orderBy('createdAt').orderBy('voucherId').execute();
  return rows.map(toCoupon);
}

/** Whether a coupon with this voucher id exists, whoever holds it. */
export async function couponExists(db: Db, voucherId: string): Promise<boolean> {
  return (await db.selectFrom('buyerCoupons').select('voucherId').where('voucherId', '=', voucherId).executeTakeFirst()) !== undefined;
}

export async function insertBuyerCoupons(db: Db, buyerUserId: string, coupons: BuyerCoupon[]): Promise<void> {
  if (coupons.length === 0) return;
  await db
    .insertInto('buyerCoupons')
    .values(coupons.map((coupon) => ({ ...coupon, buyerUserId, wholeOnly: coupon.wholeOnly ? 1 : 0 })))
    .execute();
}

export async function deleteBuyerCoupons(db: Db, buyerUserId: string): Promise<void> {
  await db.deleteFrom('buyerCoupons').where('buyerUserId', '=', buyerUserId).execute();
}

export async function setCouponRemaining(db: Db, voucherId: string, remaining: number): Promise<void> {
  await db.updateTable('buyerCoupons').set({ remaining }).where('voucherId', '=', voucherId).execute();
}

function toCoupon(row: BuyerCouponRow): BuyerCoupon {
  return {
    voucherId: row.voucherId,
    fundChannel: row.fundChannel,
    name: row.name,
    merchantPid: row.merchantPid,
    amount: row.amount,
    remaining: row.remaining,
    wholeOnly: row.wholeOnly === 1,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
  };
}
