/**
 * Migration 0013 (PostgreSQL only): `tuikuan_refuse(reason)`, which fails the statement it is in with SQLSTATE
 * TKR01 and the reason as its message. A refund's one write calls it when its guard refuses (the balance, a
 * refund row changed since the read), so a refusal fails the statement — and with it the transaction — instead
 * of answering: the write can then carry its transaction's commit (store/postgres-client.ts), which the server
 * turns into a rollback when the statement failed. SQLite needs none: its writes are separate statements there.
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.js';

export async function up(db: Kysely<unknown>, { engine }: MigrationContext): Promise<void> {
  if (engine !== 'postgres') return;
  await sql`create function tuikuan_refuse(reason text) returns bigint language plpgsql volatile as $$
begin
  raise exception using errcode = 'TKR01', message = reason;
end
$$`.execute(db);
}
