/**
 * Migration 0004: the account statuses a batch line can be refused for (seed 002's
 * TXN_RESULT_ACCOUNT_STATUS_NOT_VALID for the seller, BUYER_ERROR for the buyer), set through the admin
 * API; and wrong login passwords counted per batch rather than per cashier session, so that a fresh
 * cookie does not start the count again.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.js';

export async function up(db: Kysely<unknown>, _context: MigrationContext): Promise<void> {
  await db.schema
    .alterTable('merchants')
    .addColumn('account_status', 'text', (c) => c.notNull().defaultTo('normal'))
    .execute();
  await db.schema
    .alterTable('trades')
    .addColumn('buyer_account_status', 'text', (c) => c.notNull().defaultTo('normal'))
    .execute();
  await db.schema
    .alterTable('batches')
    .addColumn('login_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('cashier_sessions').dropColumn('login_failures').execute();
}
