/**
 * Migration 0001: merchants, apps, the platform key, trades and their fund bills, refunds and their
 * fund allocations, the ledger, jobs and notifications. Append-only: later changes get new files.
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.js';

export async function up(db: Kysely<unknown>, { idColumn }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('platform')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('private_key_pem', 'text', (c) => c.notNull())
    .addColumn('public_key_pem', 'text', (c) => c.notNull())
    .addColumn('virtual_now', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('merchants')
    .addColumn('pid', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('md5_key', 'text', (c) => c.notNull())
    .addColumn('login_password_hash', 'text', (c) => c.notNull())
    .addColumn('payment_password_hash', 'text', (c) => c.notNull())
    .addColumn('balance', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('fee_rate_ppm', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('refund_window_days', 'integer', (c) => c.notNull())
    .addColumn('pwd_refund_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('default_fund_mix', 'text', (c) => c.notNull())
    .addColumn('dback_delay_seconds', 'integer', (c) => c.notNull())
    .addColumn('dback_outcome', 'text', (c) => c.notNull().defaultTo('S'))
    .addColumn('mapi_rsa_public_key', 'text')
    .addColumn('mapi_dsa_public_key', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('merchants_balance_not_negative', sql`balance >= 0`)
    .execute();

  await db.schema
    .createTable('apps')
    .addColumn('app_id', 'text', (c) => c.primaryKey())
    .addColumn('pid', 'text', (c) => c.notNull().references('merchants.pid'))
    .addColumn('app_public_key', 'text')
    .addColumn('rsa_public_key', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('app_auth_tokens')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.app_id'))
    .addColumn('pid', 'text', (c) => c.notNull().references('merchants.pid'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('trades')
    .addColumn('trade_no', 'text', (c) => c.primaryKey())
    .addColumn('out_trade_no', 'text', (c) => c.notNull())
    .addColumn('seller_pid', 'text', (c) => c.notNull().references('merchants.pid'))
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('product_code', 'text', (c) => c.notNull())
    .addColumn('total_amount', 'bigint', (c) => c.notNull())
    .addColumn('receipt_amount', 'bigint', (c) => c.notNull())
    .addColumn('buyer_pay_amount', 'bigint', (c) => c.notNull())
    .addColumn('point_amount', 'bigint', (c) => c.notNull())
    .addColumn('invoice_amount', 'bigint', (c) => c.notNull())
    .addColumn('discount_amount', 'bigint', (c) => c.notNull())
    .addColumn('mdiscount_amount', 'bigint', (c) => c.notNull())
    .addColumn('voucher_detail_list', 'text', (c) => c.notNull())
    .addColumn('buyer_user_id', 'text', (c) => c.notNull())
    .addColumn('buyer_logon_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('frozen', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('refund_allowed', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('fee_rate_ppm', 'integer', (c) => c.notNull())
    .addColumn('charge_amount', 'bigint', (c) => c.notNull())
    .addColumn('refunded_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('refunded_charge_fee', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('refunded_send_back_fee', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('pending_refund_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('refund_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('notify_url', 'text')
    .addColumn('charset', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text')
    .addColumn('terminal_id', 'text')
    .addColumn('operator_id', 'text')
    .addColumn('dback_outcome', 'text')
    .addColumn('gmt_create', 'bigint', (c) => c.notNull())
    .addColumn('gmt_payment', 'bigint')
    .addColumn('gmt_close', 'bigint')
    .addUniqueConstraint('trades_seller_out_trade_no', ['seller_pid', 'out_trade_no'])
    .addCheckConstraint(
      'trades_refunds_within_total',
      sql`refunded_amount >= 0 and pending_refund_amount >= 0 and refunded_amount + pending_refund_amount <= total_amount`,
    )
    .execute();

  await db.schema
    .createTable('trade_fund_bills')
    .addColumn('trade_no', 'text', (c) => c.notNull().references('trades.trade_no'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('fund_channel', 'text', (c) => c.notNull())
    .addColumn('fund_type', 'text')
    .addColumn('bank_code', 'text')
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('real_amount', 'bigint', (c) => c.notNull())
    .addColumn('refunded_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('trade_fund_bills_pk', ['trade_no', 'position'])
    .addCheckConstraint('trade_fund_bills_refund_within_amount', sql`refunded_amount >= 0 and refunded_amount <= amount`)
    .execute();

  await idColumn(db.schema.createTable('refunds'))
    .addColumn('trade_no', 'text', (c) => c.notNull().references('trades.trade_no'))
    .addColumn('out_request_no', 'text', (c) => c.notNull())
    .addColumn('refund_amount', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('refund_reason', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('batch_no', 'text')
    .addColumn('operator_id', 'text')
    .addColumn('store_id', 'text')
    .addColumn('terminal_id', 'text')
    .addColumn('send_back_fee', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('refund_charge_fee', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('gmt_refund_pay', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('accepted_at', 'bigint')
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('refunds_trade_out_request_no', ['trade_no', 'out_request_no'])
    .execute();

  await db.schema
    .createTable('fund_allocations')
    .addColumn('refund_id', 'bigint', (c) => c.notNull().references('refunds.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('fund_channel', 'text', (c) => c.notNull())
    .addColumn('fund_type', 'text')
    .addColumn('bank_code', 'text')
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('real_amount', 'bigint', (c) => c.notNull())
    .addColumn('dback_status', 'text')
    .addColumn('bank_ack_time', 'bigint')
    .addColumn('est_bank_receipt_time', 'bigint')
    .addPrimaryKeyConstraint('fund_allocations_pk', ['refund_id', 'position'])
    .execute();

  await idColumn(db.schema.createTable('ledger_entries'))
    .addColumn('pid', 'text', (c) => c.notNull().references('merchants.pid'))
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('trade_no', 'text')
    .addColumn('refund_id', 'bigint')
    .addColumn('memo', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_entries_pid').on('ledger_entries').column('pid').execute();

  await idColumn(db.schema.createTable('jobs'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('jobs_kind_subject', ['kind', 'subject'])
    .execute();
  await db.schema.createIndex('jobs_run_at').on('jobs').column('run_at').execute();

  await idColumn(db.schema.createTable('notifications'))
    .addColumn('notify_id', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('pid', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text')
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('charset', 'text', (c) => c.notNull())
    .addColumn('sign_type', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('trade_no', 'text')
    .addColumn('refund_id', 'bigint')
    .addColumn('batch_no', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notifications_trade_no').on('notifications').column('trade_no').execute();

  await idColumn(db.schema.createTable('notification_attempts'))
    .addColumn('notification_id', 'bigint', (c) => c.notNull().references('notifications.id'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('request_body', 'text', (c) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('error', 'text')
    .addColumn('delivered', 'integer', (c) => c.notNull())
    .addColumn('manual', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint')
    .execute();
  await db.schema.createIndex('notification_attempts_notification').on('notification_attempts').column('notification_id').execute();

  await idColumn(db.schema.createTable('faults'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('sub_code', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('remaining', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
