/**
 * The store: one Kysely instance over SQLite (better-sqlite3, the embedded default) or PostgreSQL (pg),
 * and the one way to run a transaction. Every query in `store/sql/` is written once for both engines.
 */
import { dirname } from 'node:path';
import pg from 'pg';
import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema.js';
import { makePrivateDir, makePrivateFile, tightenPrivateFiles } from '../private-files.js';
import { engineOf, type Engine } from './engine.js';
import { StatementNamingClient } from './postgres-client.js';
import { openSqliteFile, SqliteStoreDialect } from './sqlite-dialect.js';
import { GroupCommit } from './sqlite-group-commit.js';

import type { Db, Trx } from './db.js';

export type { Db, Trx };

export interface Store {
  readonly engine: Engine;
  readonly db: Db;
  /**
   * Runs `work` in one transaction: all of its writes commit together or not at all, and are on disk
   * when the promise resolves.
   */
  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T>;
  /**
   * Resolves once every commit made so far is on disk. Nothing is answered before it: a reply may show
   * what another request has just committed. (On PostgreSQL a commit is durable when it returns.)
   */
  durable(): Promise<void>;
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
    // Idle connections are kept (no idle timeout): the pool is small, and a timer set on every release and
    // cleared on every acquire was a measurable part of a refund's CPU.
    const pool = new pg.Pool({ connectionString: options.location, max: options.poolSize ?? 10, idleTimeoutMillis: 0, Client: StatementNamingClient });
    // An idle client that loses its connection must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
    return makeStore(
      engine,
      db,
      async () => {},
      async () => {},
    );
  }
  if (options.location !== ':memory:') {
    makePrivateDir(dirname(options.location));
    // SQLite makes the -wal and -shm files with the database file's mode: made owner-only first, all three are.
    makePrivateFile(options.location);
    tightenPrivateFiles([`${options.location}-wal`, `${options.location}-shm`]);
  }
  const groupCommit = new GroupCommit(options.location);
  const sqlite = openSqliteFile(options.location);
  if (options.location !== ':memory:') {
    // Other processes on the same file: what they commit and this process shows is synced before it is shown.
    const dataVersion = sqlite.prepare('pragma data_version').pluck();
    // Once closed (the last durable() of close() comes after it) nothing more can be shown.
    groupCommit.watchOtherWriters(() => (sqlite.open ? Number(dataVersion.get()) : null));
  }
  const db = new Kysely<Database>({ dialect: new SqliteStoreDialect(sqlite, groupCommit), plugins });
  return makeStore(
    engine,
    db,
    () => groupCommit.durable(),
    () => groupCommit.close(),
  );
}

function makeStore(engine: Engine, db: Db, durable: () => Promise<void>, closeDurability: () => Promise<void>): Store {
  return {
    engine,
    db,
    async transaction(work) {
      const result = await db.transaction().execute(work);
      await durable();
      return result;
    },
    durable,
    async close() {
      await durable();
      await db.destroy();
      await closeDurability();
    },
  };
}
