/**
 * Buyers: insert, find by buyer user id or logon id (optionally holding the row lock), their credentials, and
 * changes to the account and its amounts. A buyer's bank cards and coupons are in buyer-bank-cards.ts and
 * buyer-coupons.ts.
 */
import type { Updateable } from 'kysely';
import type { BuyerAccount, BuyerAmounts } from '../../interfaces.js';
import type { BuyerRow, BuyerTable } from '../schema.js';
import type { Db } from '../store.js';

export interface BuyerCredentials {
  loginPasswordHash: string;
  paymentPasswordHash: string;
}

/** A buyer's row: the account and its amounts. */
export type BuyerRecord = BuyerAccount & BuyerAmounts;

export async function insertBuyer(db: Db, buyer: BuyerRecord & BuyerCredentials): Promise<void> {
  await db.insertInto('buyers').values(buyer).execute();
}

export async function findBuyerRecord(db: Db, buyerUserId: string, forUpdate = false): Promise<BuyerRecord | undefined> {
  let query = db.selectFrom('buyers').selectAll().where('buyerUserId', '=', buyerUserId);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toBuyerRecord(row);
}

export async function findBuyerRecordByLogonId(db: Db, logonId: string): Promise<BuyerRecord | undefined> {
  const row = await db.selectFrom('buyers').selectAll().where('logonId', '=', logonId).executeTakeFirst();
  return row && toBuyerRecord(row);
}

export async function findBuyerCredentials(db: Db, buyerUserId: string): Promise<BuyerCredentials | undefined> {
  return db.selectFrom('buyers').select(['loginPasswordHash', 'paymentPasswordHash']).where('buyerUserId', '=', buyerUserId).executeTakeFirst();
}

export type BuyerUpdate = Partial<
  Pick<BuyerRecord, 'name' | 'accountStatus' | 'paymentPasswordFailures' | 'paymentPasswordFailuresResetAt'> & BuyerAmounts & BuyerCredentials
>;

export async function updateBuyer(db: Db, buyerUserId: string, change: BuyerUpdate): Promise<void> {
  const update: Updateable<BuyerTable> = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
  if (Object.keys(update).length === 0) return;
  await db.updateTable('buyers').set(update).where('buyerUserId', '=', buyerUserId).execute();
}

function toBuyerRecord(row: BuyerRow): BuyerRecord {
  return {
    buyerUserId: row.buyerUserId,
    logonId: row.logonId,
    name: row.name,
    accountStatus: row.accountStatus === 'frozen' ? 'frozen' : 'normal',
    paymentPasswordFailures: row.paymentPasswordFailures,
    paymentPasswordFailuresResetAt: row.paymentPasswordFailuresResetAt,
    createdAt: row.createdAt,
    balance: row.balance,
    yuebao: row.yuebao,
    huabeiLimit: row.huabeiLimit,
    huabeiUsed: row.huabeiUsed,
    points: row.points,
  };
}
