/** The coupons a buyer holds: all of them, adding, changing (what is left of one) and removing them. */
import type { BuyerCoupon } from '../../interfaces.js';
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

export async function insertBuyerCoupon(db: Db, buyerUserId: string, coupon: BuyerCoupon): Promise<void> {
  await db
    .insertInto('buyerCoupons')
    .values({ ...coupon, buyerUserId, wholeOnly: coupon.wholeOnly ? 1 : 0 })
    .execute();
}

/** Changes what a coupon is (all but its id and holder): what is left of it, or the whole of it, declared anew. */
export async function updateBuyerCoupon(db: Db, coupon: BuyerCoupon): Promise<void> {
  const { voucherId, ...fields } = coupon;
  await db
    .updateTable('buyerCoupons')
    .set({ ...fields, wholeOnly: fields.wholeOnly ? 1 : 0 })
    .where('voucherId', '=', voucherId)
    .execute();
}

export async function deleteBuyerCoupon(db: Db, voucherId: string): Promise<void> {
  await db.deleteFrom('buyerCoupons').where('voucherId', '=', voucherId).execute();
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
