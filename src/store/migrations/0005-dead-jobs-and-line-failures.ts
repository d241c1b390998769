/**
 * Migration 0005: jobs that keep failing stop. A job whose run has thrown too many times is dead
 * (`dead_at`): no worker claims it until it is run again by hand. A batch line that throws is counted on
 * the line (`attempts`, `last_error`), so that one line's failures neither stop the batch's other lines nor
 * keep the batch processing for ever.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('dead_at', 'bigint').execute();
  await db.schema
    .alterTable('batch_lines')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('batch_lines').addColumn('last_error', 'text').execute();
}
