/**
 * Statements written as SQL text rather than built with Kysely: the refund's one locked read and one write,
 * whose JSON aggregates and data-modifying CTEs Kysely's builder would only obscure. Like a prepared query
 * (prepared-query.ts), each is a named statement on PostgreSQL (parsed and planned once per connection) and
 * runs straight on the connection on SQLite; rows come back with camelCase keys on both.
 *
 * Parameters are named in the text (`:tradeNo`, as often as needed) and given as an object. They become
 * PostgreSQL's `$1`, `$2`, … (one per name) and SQLite's `?` (one per use, the values put in order), once.
 * (`::` is PostgreSQL's cast, never a parameter.)
 */
import { CompiledQuery } from 'kysely';
import type { Db } from './db.js';
import { endsTransaction } from './postgres-client.js';
import { nameStatement } from './prepared-query.js';
import { directSqlite } from './sqlite-dialect.js';

export type SqlStatement<P, O> = (db: Db, params: P) => Promise<O[]>;

/** Either one text for both engines, or each engine's own. */
export type StatementText = string | { postgres: string; sqlite: string };

const PARAMETER = /(?<![:\w]):([a-zA-Z]\w*)/g;

export interface StatementOptions {
  /**
   * On PostgreSQL, in a transaction, the statement is written with the transaction's commit (postgres-client.ts):
   * nothing may run after it in that transaction, and it must fail when the transaction must not commit.
   * (Default: false)
   */
  endsTransaction?: boolean;
}

export function sqlStatement<P extends object, O>(text: StatementText, options: StatementOptions = {}): SqlStatement<P, O> {
  const postgresNames: string[] = [];
  const given = typeof text === 'string' ? text : text.postgres;
  // Marked in its text, so that the same statement may also run without ending its transaction.
  const postgres = `${given}${options.endsTransaction ? '\n-- ends its transaction' : ''}`.replace(PARAMETER, (_, name: string) => {
    if (!postgresNames.includes(name)) postgresNames.push(name);
    return `$${postgresNames.indexOf(name) + 1}`;
  });
  nameStatement(postgres);
  if (options.endsTransaction) endsTransaction(postgres);
  const sqliteNames: string[] = [];
  const sqlite = (typeof text === 'string' ? text : text.sqlite).replace(PARAMETER, (_, name: string) => {
    sqliteNames.push(name);
    return '?';
  });
  return async (db, params) => {
    const values = params as Record<string, unknown>;
    const direct = directSqlite(db.getExecutor().adapter);
    if (direct)
      return (
        await direct.run<O>(
          sqlite,
          sqliteNames.map((name) => sqliteValue(values[name], name)),
          db.isTransaction,
        )
      ).rows;
    const compiled = CompiledQuery.raw(
      postgres,
      postgresNames.map((name) => required(values[name], name)),
    ) as CompiledQuery<O>;
    return (await db.executeQuery(compiled)).rows;
  };
}

function required(value: unknown, name: string): unknown {
  if (value === undefined) throw new Error(`statement parameter ${name} is not given`);
  return value;
}

/** SQLite binds no booleans: 1 and 0, as its own comparisons give. */
function sqliteValue(value: unknown, name: string): unknown {
  const given = required(value, name);
  return typeof given === 'boolean' ? Number(given) : given;
}

/** Whether `db` is a SQLite store's (which runs several statements where PostgreSQL runs one). */
export function onSqlite(db: Db): boolean {
  return directSqlite(db.getExecutor().adapter) !== undefined;
}

/** A statement twice: `within` a transaction that goes on after it, and `ending` it (see StatementOptions). */
export function statementPair<P extends object, O>(text: StatementText): { within: SqlStatement<P, O>; ending: SqlStatement<P, O> } {
  return { within: sqlStatement(text), ending: sqlStatement(text, { endsTransaction: true }) };
}

/** The SQLSTATE of `tuikuan_refuse(reason)` (migration 0013). */
const REFUSED = 'TKR01';

/**
 * The rows of a statement that refuses by failing (`tuikuan_refuse`), or the reason it gave, one of `reasons`.
 * Its transaction can then only roll back (or, for a statement that ended it, has).
 */
export async function refusalOf<O, R extends string>(rows: Promise<O[]>, reasons: readonly R[]): Promise<{ rows: O[] } | { refused: R }> {
  try {
    return { rows: await rows };
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const reason = reasons.find((r) => r === message);
    if (code === REFUSED && reason !== undefined) return { refused: reason };
    throw error;
  }
}
