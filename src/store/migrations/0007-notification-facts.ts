/**
 * Migration 0007: an owed notification keeps the facts it reports (`facts`, JSON), which the worker encodes
 * when it sends, instead of the encoded form. Rows owed before keep their encoded `params` and sign type and
 * are delivered as they are, so that no owed notification is lost by the change; new rows leave both empty.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('facts', 'text').execute();
}
