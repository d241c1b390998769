/**
 * Kysely's SQLite dialect with a driver of our own, for two reasons that are about money:
 * transactions begin with `BEGIN IMMEDIATE`, so a transaction holds SQLite's write lock from its first
 * statement (the lock under which refund limits are checked, also across processes sharing a data dir);
 * and prepared statements are cached, because the gateway runs the same few queries all day.
 */
import BetterSqlite3 from 'better-sqlite3';
import {
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
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before it is acknowledged. NORMAL could lose the last refunds on power loss.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Other processes on the same data dir wait for the write lock instead of failing at once.
  db.pragma('busy_timeout = 15000');
  return db;
}

export class SqliteStoreDialect implements Dialect {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createDriver(): Driver {
    return new SqliteStoreDriver(this.#db);
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

const ROW_LOCK_MODIFIERS = new Set(['ForUpdate', 'ForShare', 'ForKeyShare', 'ForNoKeyUpdate', 'SkipLocked', 'NoWait']);

class SqliteStoreDriver implements Driver {
  readonly #connection: SqliteStoreConnection;
  readonly #db: SqliteDatabase;
  #queue: Promise<void> = Promise.resolve();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#connection = new SqliteStoreConnection(db);
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

class SqliteStoreConnection implements DatabaseConnection {
  readonly #db: SqliteDatabase;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  release: (() => void) | undefined;

  constructor(db: SqliteDatabase) {
    this.#db = db;
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

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(compiledQuery.sql);
    const parameters = compiledQuery.parameters as unknown[];
    if (statement.reader) {
      return { rows: statement.all(parameters) as R[] };
    }
    const { changes, lastInsertRowid } = statement.run(parameters);
    return {
      rows: [],
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used by tuikuan');
  }
}
