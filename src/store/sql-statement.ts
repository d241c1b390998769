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
import { nameStatement } from './prepared-query.js';
import { directSqlite } from './sqlite-dialect.js';

export type SqlStatement<P, O> = (db: Db, params: P) => Promise<O[]>;

/** Either one text for both engines, or each engine's own. */
export type StatementText = string | { postgres: string; sqlite: string };

const PARAMETER = /(?<![:\w]):([a-zA-Z]\w*)/g;

export function sqlStatement<P extends object, O>(text: StatementText): SqlStatement<P, O> {
  const postgresNames: string[] = [];
  const postgres = (typeof text === 'string' ? text : text.postgres).replace(PARAMETER, (_, name: string) => {
    if (!postgresNames.includes(name)) postgresNames.push(name);
    return `$${postgresNames.indexOf(name) + 1}`;
  });
  nameStatement(postgres);
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
