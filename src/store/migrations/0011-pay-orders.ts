/**
 * Migration 0011: the buyer's cashier of `alipay.trade.page.pay` and `alipay.trade.wap.pay`. A pay order is what
 * the merchant asked the buyer to pay — its biz params (and their fingerprint, so that a repeat with other
 * params is told apart), where the buyer goes back to (`return_url`, `quit_url`) and where the merchant is
 * notified — until the buyer pays it (then it names its trade) or it is closed or expires; no trade exists
 * before (protocol-notes §12.1). Cashier sessions now belong to a batch or to a pay order, and a buyer's session
 * names the buyer who logged in: the table is made anew (sessions last 30 minutes; a seller half-way through a
 * batch logs in again).
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.js';

export async function up(db: Kysely<unknown>, { idColumn }: MigrationContext): Promise<void> {
  await idColumn(db.schema.createTable('pay_orders'))
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.app_id'))
    .addColumn('seller_pid', 'text', (c) => c.notNull().references('merchants.pid'))
    .addColumn('out_trade_no', 'text', (c) => c.notNull())
    .addColumn('total_amount', 'bigint', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('product_code', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('charset', 'text', (c) => c.notNull())
    .addColumn('return_url', 'text')
    .addColumn('notify_url', 'text')
    .addColumn('quit_url', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('trade_no', 'text')
    .addColumn('login_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('closed_at', 'bigint')
    .addColumn('paid_at', 'bigint')
    .addUniqueConstraint('pay_orders_seller_out_trade_no', ['seller_pid', 'out_trade_no'])
    .addCheckConstraint('pay_orders_status', sql`status in ('WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_CLOSED')`)
    .execute();

  await db.schema.dropTable('cashier_sessions').execute();
  await db.schema
    .createTable('cashier_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('batch_id', 'bigint', (c) => c.references('batches.id'))
    .addColumn('pay_order_id', 'bigint', (c) => c.references('pay_orders.id'))
    .addColumn('buyer_user_id', 'text', (c) => c.references('buyers.buyer_user_id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('logged_in', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('cashier_sessions_one_subject', sql`(batch_id is null) <> (pay_order_id is null)`)
    .execute();
}
