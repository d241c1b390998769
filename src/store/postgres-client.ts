/**
 * The PostgreSQL client the pool hands out: node-postgres's own, with two differences that save a refund half
 * of its round trips.
 *
 * - The SQL of prepared queries (prepared-query.ts) and SQL statements (sql-statement.ts) goes out as a named
 *   statement: the server parses and plans each once per connection instead of on every run.
 * - A transaction's `begin` and `commit` travel with its first and its last statement (the client runs in
 *   node-postgres's pipeline mode: what it is given is written at once, each its own Sync). `begin` is held
 *   until the transaction's first statement and written just before it, and that statement is answered only
 *   once `begin` has been (a `begin` fails only with its connection, and then so does everything after it).
 *   A statement registered as one that *ends its transaction* (`endsTransaction`) is written with a `commit`
 *   behind it; if the statement fails, the server turns that `commit` into a rollback (PostgreSQL's answer to
 *   committing a failed transaction), so the statement is committed exactly when it succeeds. Such a
 *   statement must fail, not answer, when what it found means its transaction must not commit. The caller's
 *   own `commit` or `rollback` after it is then answered here, and any other statement is refused.
 *
 * Kysely's transactions keep working as they are: `begin`, the statements, `commit` or `rollback` — only
 * fewer of them wait for the server.
 */
import pg from 'pg';
import { statementName } from './prepared-query.js';

type Callback = (error: Error, result: pg.QueryResult) => void;
type LooseQuery = (config: unknown, values?: unknown, callback?: Callback) => unknown;

/** SQL texts whose statement ends its transaction (see the module's comment). */
const endingStatements = new Set<string>();

/**
 * Registers `sql` as a statement that ends its transaction: in a transaction it is committed with it, and it
 * must fail when the transaction must not commit.
 */
export function endsTransaction(sql: string): void {
  endingStatements.add(sql);
}

/** Where the client's current transaction stands, as far as the server has been told. */
type TransactionState =
  /** No transaction. */
  | 'none'
  /** `begin` was asked for and answered here; the server has not been sent it yet. */
  | 'begin-held'
  /** The server is in the transaction. */
  | 'open'
  /** The transaction's last statement has been sent with its `commit`: only `commit` or `rollback` may follow. */
  | 'ended';

function answered(command: string): pg.QueryResult {
  return { command, rowCount: null, oid: 0, rows: [], fields: [] };
}

export class StatementNamingClient extends pg.Client {
  #state: TransactionState = 'none';

  constructor(config?: string | pg.ClientConfig) {
    super(typeof config === 'string' ? { connectionString: config, pipeline: true } : { ...config, pipeline: true });
    const query = super.query.bind(this) as LooseQuery;
    const send = (config: unknown, values?: unknown): Promise<pg.QueryResult> => {
      const name = typeof config === 'string' ? statementName(config) : undefined;
      return (name === undefined ? query(config, values) : query({ name, text: config, values })) as Promise<pg.QueryResult>;
    };
    const named: LooseQuery = (config, values, callback) => {
      if (callback !== undefined || typeof values === 'function' || typeof config !== 'string') {
        // Not a statement of Kysely's (a callback, a query object): a held `begin` goes first, in order.
        if (this.#state === 'begin-held') {
          this.#state = 'open';
          send('begin').catch(() => {});
        }
        return query(config, values, callback);
      }
      return this.#transacting(config, values, send);
    };
    this.query = named as pg.Client['query'];
  }

  #transacting(sql: string, values: unknown, send: (sql: string, values?: unknown) => Promise<pg.QueryResult>): Promise<pg.QueryResult> {
    const state = this.#state;
    if (sql === 'begin' && state === 'none') {
      this.#state = 'begin-held';
      return Promise.resolve(answered('BEGIN'));
    }
    if (sql === 'commit' || sql === 'rollback') {
      // A transaction that ran nothing, or whose last statement carried its commit: the server is not in one.
      if (state === 'begin-held' || state === 'ended') {
        this.#state = 'none';
        return Promise.resolve(answered(sql.toUpperCase()));
      }
      this.#state = 'none';
      return send(sql);
    }
    if (state === 'ended') return Promise.reject(new Error(`a statement after the one that ended its transaction: ${sql.slice(0, 60)}`));
    if (state === 'none') return send(sql, values);

    const ends = endingStatements.has(sql);
    this.#state = ends ? 'ended' : 'open';
    // Written together (one write to the socket): one round trip for the lot.
    const stream = (this as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
    stream.cork();
    let begun: Promise<pg.QueryResult> | null;
    let result: Promise<pg.QueryResult>;
    let committed: Promise<pg.QueryResult> | null;
    try {
      begun = state === 'begin-held' ? send('begin') : null;
      result = send(sql, values);
      committed = ends ? send('commit') : null;
    } finally {
      stream.uncork();
    }
    // Every promise is awaited (none is left to reject unheard); the statement's own error comes first.
    return Promise.allSettled([begun, result, committed]).then(([begin, statement, commit]) => {
      if (statement.status === 'rejected') throw statement.reason;
      if (begin.status === 'rejected') throw begin.reason;
      if (commit.status === 'rejected') throw commit.reason;
      if (commit.value && commit.value.command !== 'COMMIT') throw new Error(`the transaction was not committed: ${commit.value.command}`);
      return statement.value as pg.QueryResult;
    });
  }
}
