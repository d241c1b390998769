/** Pay orders of the page APIs (page.pay, wap.pay), awaiting the buyer on the cashier. */
import type { Updateable } from 'kysely';
import type { PayOrder } from '../../interfaces.js';
import type { PayOrderTable } from '../schema.js';
import type { Db } from '../store.js';

export type NewPayOrder = Omit<PayOrder, 'id'>;

export async function insertPayOrder(db: Db, order: NewPayOrder): Promise<PayOrder> {
  const { id } = await db.insertInto('payOrders').values(order).returning('id').executeTakeFirstOrThrow();
  return { id, ...order };
}

export async function findPayOrderByToken(db: Db, token: string): Promise<PayOrder | undefined> {
  return db.selectFrom('payOrders').selectAll().where('token', '=', token).executeTakeFirst();
}

export async function findPayOrderById(db: Db, id: number, forUpdate = false): Promise<PayOrder | undefined> {
  let query = db.selectFrom('payOrders').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The seller's order with this out_trade_no, locked when asked. */
export async function findPayOrder(db: Db, sellerPid: string, outTradeNo: string, forUpdate = false): Promise<PayOrder | undefined> {
  let query = db.selectFrom('payOrders').selectAll().where('sellerPid', '=', sellerPid).where('outTradeNo', '=', outTradeNo);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function updatePayOrder(db: Db, id: number, change: Updateable<PayOrderTable>): Promise<void> {
  await db.updateTable('payOrders').set(change).where('id', '=', id).execute();
}
