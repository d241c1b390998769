/**
 * The store: one Kysely instance over SQLite (better-sqlite3, the embedded default) or PostgreSQL (pg),
 * and the one way to run a transaction. Every query in `store/sql/` is written once for both engines.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { CamelCasePlugin, Kysely, PostgresDialect, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { engineOf, type Engine } from './engine.js';
import { openSqliteFile, SqliteStoreDialect } from './sqlite-dialect.js';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;

export interface Store {
  readonly engine: Engine;
  readonly db: Db;
  /** Runs `work` in one transaction: all of its writes commit together or not at all. */
  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** A SQLite file path, or a postgres:// URL. */
  location: string;
  /** PostgreSQL pool size per process. (Default: 10) */
  poolSize?: number;
}

// PostgreSQL returns bigint (int8) as a string; our bigints are fen and epoch milliseconds, far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function openStore(options: StoreOptions): Store {
  const engine = engineOf(options.location);
  const plugins = [new CamelCasePlugin()];
  if (engine === 'postgres') {
    const pool = new pg.Pool({ connectionString: options.location, max: options.poolSize ?? 10 });
    // An idle client that loses its connection must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
    return makeStore(engine, db);
  }
  if (options.location !== ':memory:') mkdirSync(dirname(options.location), { recursive: true });
  const db = new Kysely<Database>({ dialect: new SqliteStoreDialect(openSqliteFile(options.location)), plugins });
  return makeStore(engine, db);
}

function makeStore(engine: Engine, db: Db): Store {
  return {
    engine,
    db,
    transaction: (work) => db.transaction().execute(work),
    close: () => db.destroy(),
  };
}
