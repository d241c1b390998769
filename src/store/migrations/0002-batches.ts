/**
 * Migration 0002: batches of the MAPI batch refund with password, their lines, and the seller's
 * cashier sessions.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.js';

export async function up(db: Kysely<unknown>, { idColumn }: MigrationContext): Promise<void> {
  await idColumn(db.schema.createTable('batches'))
    .addColumn('batch_no', 'text', (c) => c.notNull())
    .addColumn('partner_pid', 'text', (c) => c.notNull().references('merchants.pid'))
    .addColumn('seller_pid', 'text', (c) => c.notNull().references('merchants.pid'))
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('charset', 'text', (c) => c.notNull())
    .addColumn('sign_type', 'text', (c) => c.notNull())
    .addColumn('notify_url', 'text')
    .addColumn('return_url', 'text')
    .addColumn('refund_date', 'text', (c) => c.notNull())
    .addColumn('batch_num', 'integer', (c) => c.notNull())
    .addColumn('pwd_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('success_num', 'integer')
    .addColumn('result_details', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addUniqueConstraint('batches_partner_batch_no', ['partner_pid', 'batch_no'])
    .execute();

  await db.schema
    .createTable('batch_lines')
    .addColumn('batch_id', 'bigint', (c) => c.notNull().references('batches.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('trade_no', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('amount_text', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('refund_id', 'bigint')
    .addColumn('charge_fee', 'bigint')
    .addColumn('processed_at', 'bigint')
    .addPrimaryKeyConstraint('batch_lines_pk', ['batch_id', 'position'])
    .execute();

  await db.schema
    .createTable('cashier_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('batch_id', 'bigint', (c) => c.notNull().references('batches.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('logged_in', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('login_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}
