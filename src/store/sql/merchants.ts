/** Merchants: insert, find by pid or login email, change settings. Balances change only through the ledger. */
import type { Updateable } from 'kysely';
import type { FundMixShare, Merchant } from '../../interfaces.js';
import type { MerchantRow, MerchantTable } from '../schema.js';
import { firstRow, prepareQuery } from '../prepared-query.js';
import type { Db } from '../store.js';

export interface MerchantCredentials {
  loginPasswordHash: string;
  paymentPasswordHash: string;
}

export async function insertMerchant(db: Db, merchant: Omit<Merchant, 'balance'> & MerchantCredentials): Promise<void> {
  await db
    .insertInto('merchants')
    .values({
      ...merchant,
      balance: 0,
      pwdRefundEnabled: merchant.pwdRefundEnabled ? 1 : 0,
      defaultFundMix: JSON.stringify(merchant.defaultFundMix),
      nonRefundableProducts: JSON.stringify(merchant.nonRefundableProducts),
    })
    .execute();
}

const merchantByPid = prepareQuery((db, p: { pid: string }) => db.selectFrom('merchants').selectAll().where('pid', '=', p.pid));

export async function findMerchant(db: Db, pid: string): Promise<Merchant | undefined> {
  const row = await firstRow(merchantByPid, db, { pid });
  return row && toMerchant(row);
}

/** Like findMerchant, holding the merchant's row lock until the transaction ends (admin balance changes). */
export async function lockMerchant(db: Db, pid: string): Promise<Merchant | undefined> {
  const row = await db.selectFrom('merchants').selectAll().where('pid', '=', pid).forUpdate().executeTakeFirst();
  return row && toMerchant(row);
}

export async function findMerchantByEmail(db: Db, email: string): Promise<Merchant | undefined> {
  const row = await db.selectFrom('merchants').selectAll().where('email', '=', email).executeTakeFirst();
  return row && toMerchant(row);
}

export async function findMerchantCredentials(db: Db, pid: string): Promise<MerchantCredentials | undefined> {
  return db.selectFrom('merchants').select(['loginPasswordHash', 'paymentPasswordHash']).where('pid', '=', pid).executeTakeFirst();
}

export type MerchantSettings = Partial<
  Pick<
    Merchant,
    | 'name'
    | 'feeRatePpm'
    | 'refundWindowDays'
    | 'pwdRefundEnabled'
    | 'defaultFundMix'
    | 'dbackDelaySeconds'
    | 'dbackOutcome'
    | 'accountStatus'
    | 'nonRefundableProducts'
    | 'mapiRsaPublicKey'
    | 'mapiDsaPublicKey'
    | 'md5Key'
  >
> &
  Partial<MerchantCredentials>;

export async function updateMerchantSettings(db: Db, pid: string, settings: MerchantSettings): Promise<void> {
  const { pwdRefundEnabled, defaultFundMix, nonRefundableProducts, ...plain } = settings;
  const update: Updateable<MerchantTable> = { ...plain };
  if (nonRefundableProducts !== undefined) update.nonRefundableProducts = JSON.stringify(nonRefundableProducts);
  if (pwdRefundEnabled !== undefined) update.pwdRefundEnabled = pwdRefundEnabled ? 1 : 0;
  if (defaultFundMix !== undefined) update.defaultFundMix = JSON.stringify(defaultFundMix);
  if (Object.keys(update).length === 0) return;
  await db.updateTable('merchants').set(update).where('pid', '=', pid).execute();
}

/** What a merchant is, of its row: all but the password hashes. */
export type MerchantRecordRow = Omit<MerchantRow, 'loginPasswordHash' | 'paymentPasswordHash'>;

export function toMerchant(row: MerchantRecordRow): Merchant {
  return {
    pid: row.pid,
    name: row.name,
    email: row.email,
    md5Key: row.md5Key,
    balance: row.balance,
    feeRatePpm: row.feeRatePpm,
    refundWindowDays: row.refundWindowDays,
    pwdRefundEnabled: row.pwdRefundEnabled === 1,
    defaultFundMix: JSON.parse(row.defaultFundMix) as FundMixShare[],
    dbackDelaySeconds: row.dbackDelaySeconds,
    dbackOutcome: row.dbackOutcome === 'F' ? 'F' : 'S',
    accountStatus: row.accountStatus === 'frozen' ? 'frozen' : 'normal',
    nonRefundableProducts: JSON.parse(row.nonRefundableProducts) as string[],
    mapiRsaPublicKey: row.mapiRsaPublicKey,
    mapiDsaPublicKey: row.mapiDsaPublicKey,
    createdAt: row.createdAt,
  };
}
