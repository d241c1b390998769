/**
 * Migration 0006: public-key certificate mode and AES content encryption. The platform keeps the
 * certificate authority tuikuan is for its merchants (its key, the root file, the issuer of app
 * certificates) and the platform's own certificate, with their SNs; an app has a key mode (`public_key`, as
 * before, or `cert`), its certificate and SN when in certificate mode, an AES key, and the URL of its
 * application gateway for message notifications.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ['ca_key_pem', 'root_cert_pem', 'root_cert_sn', 'app_issuer_cert_pem', 'platform_cert_pem', 'platform_cert_sn']) {
    await db.schema.alterTable('platform').addColumn(column, 'text').execute();
  }
  await db.schema
    .alterTable('apps')
    .addColumn('key_mode', 'text', (c) => c.notNull().defaultTo('public_key'))
    .execute();
  for (const column of ['app_cert_pem', 'app_cert_sn', 'aes_key', 'message_url']) {
    await db.schema.alterTable('apps').addColumn(column, 'text').execute();
  }
}
