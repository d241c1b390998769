/**
 * Migration 0010: buyers, the other side of a payment. A buyer has a logon id (an email or a mobile number) and
 * a buyer user id (`2088` + 12 digits), a login and a payment password (scrypt hashes), an account status, and
 * funds in the channels a payment draws from: the Alipay balance (ALIPAYACCOUNT), Yu'E Bao (FINANCEACCOUNT),
 * a Huabei credit limit and what of it is used (PCREDIT), points (POINT, 集分宝, 1 point = 1 fen), bank cards
 * (BANKCARD) and the red packets and coupons the buyer holds (COUPON, MCOUPON, MDISCOUNT). Wrong payment
 * passwords are counted until the count resets (the next China midnight), as Alipay locks for the day.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('buyers')
    .addColumn('buyer_user_id', 'text', (c) => c.primaryKey())
    .addColumn('logon_id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('login_password_hash', 'text', (c) => c.notNull())
    .addColumn('payment_password_hash', 'text', (c) => c.notNull())
    .addColumn('account_status', 'text', (c) => c.notNull().defaultTo('normal'))
    .addColumn('balance', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('yuebao', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('huabei_limit', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('huabei_used', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('points', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('payment_password_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('payment_password_failures_reset_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('buyers_funds_not_negative', sql`balance >= 0 and yuebao >= 0 and huabei_limit >= 0 and huabei_used >= 0 and points >= 0`)
    .execute();

  await db.schema
    .createTable('buyer_bank_cards')
    .addColumn('buyer_user_id', 'text', (c) => c.notNull().references('buyers.buyer_user_id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('bank_code', 'text', (c) => c.notNull())
    .addColumn('fund_type', 'text', (c) => c.notNull())
    .addColumn('card_tail', 'text', (c) => c.notNull())
    .addColumn('available', 'bigint')
    .addPrimaryKeyConstraint('buyer_bank_cards_pk', ['buyer_user_id', 'position'])
    .addCheckConstraint('buyer_bank_cards_available_not_negative', sql`available is null or available >= 0`)
    .execute();

  await db.schema
    .createTable('buyer_coupons')
    .addColumn('voucher_id', 'text', (c) => c.primaryKey())
    .addColumn('buyer_user_id', 'text', (c) => c.notNull().references('buyers.buyer_user_id'))
    .addColumn('fund_channel', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('merchant_pid', 'text')
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('remaining', 'bigint', (c) => c.notNull())
    .addColumn('whole_only', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('buyer_coupons_remaining_within_amount', sql`remaining >= 0 and remaining <= amount`)
    .execute();
  await db.schema.createIndex('buyer_coupons_buyer').on('buyer_coupons').column('buyer_user_id').execute();
}
