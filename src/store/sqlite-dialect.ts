/**
 * Kysely's SQLite dialect with a driver of our own, because the money depends on it:
 *
 * - Transactions begin with `BEGIN IMMEDIATE`: a transaction holds SQLite's write lock from its first
 *   statement — the lock under which refund limits are checked, also across processes sharing a data dir.
 * - Waiting for that lock never blocks the event loop: with `busy_timeout = 0` SQLite answers SQLITE_BUSY at
 *   once and the driver retries asynchronously, so a process waiting for another's write keeps signing replies.
 * - Group commit: commits do not fsync one by one (`synchronous = NORMAL`). Instead `durable()` syncs the
 *   write-ahead log once for every commit made since the last sync, on a thread of its own (see
 *   sqlite-group-commit.ts), and nothing is answered before it resolves — as durable as `synchronous = FULL`,
 *   at a fraction of the syncs. That thread also checkpoints the log.
 * - Prepared statements are cached: the gateway runs the same few queries all day.
 * - Prepared queries (prepared-query.ts) run straight on the connection (`directSqlite`), without Kysely's
 *   executor and plugins, which cost more per statement than SQLite takes to run one.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { GroupCommit } from './sqlite-group-commit.js';
import {
  CamelCasePlugin,
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type SelectModifierNode,
} from 'kysely';

export type SqliteDatabase = BetterSqlite3.Database;

/** Opens (creating if needed) a SQLite file with the settings a money store needs. */
export function openSqliteFile(path: string): SqliteDatabase {
  const db = new BetterSqlite3(path, { timeout: 0 });
  db.pragma('busy_timeout = 0');
  db.pragma('journal_mode = WAL');
  // Commits are made durable by the group fsync of `durable()`, not one by one.
  db.pragma('synchronous = NORMAL');
  // The durability thread checkpoints the log as commits go on. Under steady writes its checkpoints never
  // quite catch up with the last commit, and only a checkpoint that does lets the log start over; so this
  // connection still checkpoints once the log passes 4,000 pages (16 MiB) — by then it has little left to copy.
  db.pragma('wal_autocheckpoint = 4000');
  // Reads of a large store come from memory without a read() per page: the database file is mapped (it
  // is in the OS's page cache anyway) and SQLite keeps more pages of its own than its 2 MiB default.
  db.pragma('mmap_size = 1073741824');
  db.pragma('cache_size = -65536');
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Runs compiled SQL straight on a store's one connection: rows come back with camelCase keys, as the
 * CamelCasePlugin would give them. `inTransaction` says the caller is inside one of this store's
 * transactions, which holds the connection (and SQLite's write lock) already; otherwise the statement waits
 * its turn for the connection like any other.
 */
export interface DirectSqlite {
  run<R>(sql: string, parameters: readonly unknown[], inTransaction: boolean): Promise<QueryResult<R>>;
}

/** Each store's direct runner, by the adapter its Kysely instance and transactions share. */
const directRunners = new WeakMap<DialectAdapter, DirectSqlite>();

/** The direct runner of the SQLite store whose adapter this is; undefined for any other dialect. */
export function directSqlite(adapter: DialectAdapter): DirectSqlite | undefined {
  return directRunners.get(adapter);
}

export class SqliteStoreDialect implements Dialect {
  readonly #driver: SqliteStoreDriver;

  constructor(db: SqliteDatabase, groupCommit: GroupCommit) {
    this.#driver = new SqliteStoreDriver(db, groupCommit);
  }

  createAdapter(): DialectAdapter {
    const adapter = new SqliteAdapter();
    directRunners.set(adapter, this.#driver);
    return adapter;
  }

  createDriver(): Driver {
    return this.#driver;
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteStoreQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/**
 * Queries are written once with PostgreSQL's row locks (`for update`, `skip locked`). SQLite has no
 * row locks and needs none: `begin immediate` already gives the transaction the whole database.
 */
class SqliteStoreQueryCompiler extends SqliteQueryCompiler {
  protected override visitSelectModifier(node: SelectModifierNode): void {
    if (node.modifier && ROW_LOCK_MODIFIERS.has(node.modifier)) return;
    super.visitSelectModifier(node);
  }
}

/** The same snake_case to camelCase mapping as the store's CamelCasePlugin. */
class ColumnNames extends CamelCasePlugin {
  key(column: string): string {
    return this.camelCase(column);
  }
}
const columnNames = new ColumnNames();

const ROW_LOCK_MODIFIERS = new Set(['ForUpdate', 'ForShare', 'ForKeyShare', 'ForNoKeyUpdate', 'SkipLocked', 'NoWait']);

class SqliteStoreDriver implements Driver, DirectSqlite {
  readonly #connection: SqliteStoreConnection;
  readonly #db: SqliteDatabase;
  #queue: Promise<void> = Promise.resolve();

  constructor(db: SqliteDatabase, groupCommit: GroupCommit) {
    this.#db = db;
    this.#connection = new SqliteStoreConnection(db, groupCommit);
  }

  async init(): Promise<void> {}

  /** One connection per process, handed out in turn: a transaction has it to itself. */
  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void;
    const previous = this.#queue;
    this.#queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.#connection.release = release;
    return this.#connection;
  }

  async run<R>(sql: string, parameters: readonly unknown[], inTransaction: boolean): Promise<QueryResult<R>> {
    // Inside a transaction the connection is the caller's (waiting for it would wait for ourselves), and
    // `begin immediate` holds the write lock.
    if (inTransaction) return this.#connection.runDirect<R>(sql, parameters);
    await this.acquireConnection();
    try {
      return await this.#connection.retryWhileBusy(sql, () => this.#connection.runDirect<R>(sql, parameters));
    } finally {
      await this.releaseConnection();
    }
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#db.inTransaction) await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.#connection.release;
    this.#connection.release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    this.#db.close();
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

/** Waits a little without blocking the event loop: the next turn at first, then up to 5 ms. */
function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => (attempt < 3 ? setImmediate(resolve) : setTimeout(resolve, Math.min(5, attempt - 2))));
}

/** How long to keep retrying a busy database before giving up. */
const BUSY_GIVE_UP_MS = 30_000;

class SqliteStoreConnection implements DatabaseConnection {
  readonly #db: SqliteDatabase;
  readonly #groupCommit: GroupCommit;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  /** Prepared queries' statements, in raw mode: a bounded set, one per query and shape. */
  readonly #direct = new Map<string, { statement: BetterSqlite3.Statement; keys: string[] }>();
  release: (() => void) | undefined;

  constructor(db: SqliteDatabase, groupCommit: GroupCommit) {
    this.#db = db;
    this.#groupCommit = groupCommit;
  }

  #prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      // Bounded: queries are built from a fixed set of shapes, but `in (?, ?, …)` lists vary.
      if (this.#statements.size > 500) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #run<R>(compiledQuery: CompiledQuery): QueryResult<R> {
    const statement = this.#prepare(compiledQuery.sql);
    const parameters = compiledQuery.parameters as unknown[];
    return this.#execute(statement, parameters, () => statement.all(parameters) as R[]);
  }

  /**
   * Runs a statement (`readRows` runs a reader) and counts what it committed: a commit, or a write outside any
   * transaction (autocommit, `insert … returning` too), must reach the disk before it is answered.
   */
  #execute<R>(statement: BetterSqlite3.Statement, parameters: unknown[], readRows: () => R[]): QueryResult<R> {
    const wasInTransaction = this.#db.inTransaction;
    let result: QueryResult<R>;
    if (statement.reader) {
      result = { rows: readRows() };
    } else {
      const { changes, lastInsertRowid } = statement.run(parameters);
      result = { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
    }
    if (!this.#db.inTransaction && (wasInTransaction || !statement.readonly)) this.#groupCommit.committed();
    return result;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.retryWhileBusy(compiledQuery.sql, () => this.#run<R>(compiledQuery));
  }

  /**
   * Runs `run` until it is not refused as busy. Inside a transaction that holds the write lock there is no one
   * to wait for; outside one (its `begin immediate`, or a lone statement) another process holds the lock:
   * wait for it, asynchronously.
   */
  async retryWhileBusy<T>(sql: string, run: () => T): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return run();
      } catch (error) {
        const retryable = isBusy(error) && (!this.#db.inTransaction || sql === 'commit');
        if (!retryable || Date.now() - started > BUSY_GIVE_UP_MS) throw error;
        await pause(attempt);
      }
    }
  }

  /** A prepared query's statement, its rows keyed in camelCase without the plugin's pass over every row. */
  runDirect<R>(sql: string, parameters: readonly unknown[]): QueryResult<R> {
    let direct = this.#direct.get(sql);
    if (!direct) {
      const statement = this.#db.prepare(sql);
      const keys = statement.reader ? statement.columns().map((column) => columnNames.key(column.name)) : [];
      if (statement.reader) statement.raw(true);
      direct = { statement, keys };
      this.#direct.set(sql, direct);
    }
    const { statement, keys } = direct;
    const values = parameters as unknown[];
    return this.#execute(statement, values, () =>
      (statement.all(values) as unknown[][]).map((row) => {
        const object: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) object[keys[i] as string] = row[i];
        return object as R;
      }),
    );
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used by tuikuan');
  }
}
