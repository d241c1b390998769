import type { CreateTableBuilder } from 'kysely';
import type { Engine } from '../engine.js';

/** What a migration may need to know about the engine it runs on; everything else is shared. */
export interface MigrationContext {
  engine: Engine;
  /** Adds an auto-increment primary key `id`: `integer … autoincrement` on SQLite, `bigserial` on PostgreSQL. */
  idColumn<T extends string>(table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'>;
}

export function migrationContext(engine: Engine): MigrationContext {
  return {
    engine,
    idColumn: (table) =>
      engine === 'postgres'
        ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
  };
}
