import { Migrator, type Kysely, type Migration } from 'kysely';
import { migrationContext } from './migrations/migration-context.js';
import { migrations } from './migrations/index.js';
import type { Store } from './store.js';

/** Brings the schema to the latest migration; safe to run from several processes at once. */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const context = migrationContext(store.engine);
  const provided: Record<string, Migration> = {};
  for (const [name, migration] of Object.entries(migrations)) {
    provided[name] = { up: (db: Kysely<unknown>) => migration.up(db, context) };
  }
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => provided },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
