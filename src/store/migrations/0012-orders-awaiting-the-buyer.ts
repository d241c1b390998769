/**
 * Migration 0012: every order the buyer pays on the cashier — page.pay, wap.pay, precreate's QR code and
 * create's JSAPI order — and the trade it makes before it is paid. A pay order now keeps what limits its
 * payment (`enable_pay_channels` / `disable_pay_channels`, `goods_type`: no Huabei for virtual goods), the
 * `passback_params` its notifications echo, the buyer it is for (create names one; otherwise the buyer who
 * logged in) and how often the merchant asked for it (precreate refuses a QR code past 20 requests). A trade
 * keeps `passback_params` too, and `expires_at`: when a trade waiting for the buyer closes by itself. An app may
 * ask for the WAIT_BUYER_PAY notification Alipay sends for a trade created unpaid (off by default, §12.8). A
 * merchant may sign products that allow no refund (`non_refundable_products`, a JSON array of product codes):
 * their trades are TRADE_FINISHED once paid.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const payOrderColumns: Array<[string, 'text' | 'integer']> = [
    ['buyer_user_id', 'text'],
    ['goods_type', 'text'],
    ['passback_params', 'text'],
    ['enable_pay_channels', 'text'],
    ['disable_pay_channels', 'text'],
  ];
  for (const [name, type] of payOrderColumns) await db.schema.alterTable('pay_orders').addColumn(name, type).execute();
  await db.schema
    .alterTable('pay_orders')
    .addColumn('request_count', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('trades').addColumn('passback_params', 'text').execute();
  await db.schema.alterTable('trades').addColumn('expires_at', 'bigint').execute();
  await db.schema
    .alterTable('merchants')
    .addColumn('non_refundable_products', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .alterTable('apps')
    .addColumn('notify_wait_buyer_pay', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
