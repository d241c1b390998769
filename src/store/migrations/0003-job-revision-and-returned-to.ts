/**
 * Migration 0003: a job's revision, bumped each time the job is scheduled again, so that a worker finishing
 * a run cannot delete a job re-armed while it ran; and where a bank-card refund's money finally went.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('jobs')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('fund_allocations').addColumn('returned_to', 'text').execute();
}
