/**
 * Queries built once and run many times. Kysely builds a query's tree, passes it through the camel-case
 * plugin and compiles it to SQL on every call; on the refund path that cost more than SQLite took to run the
 * statements. A prepared query is built and compiled once per dialect and per shape (which parameters are
 * given), with a placeholder for every parameter; each run puts the values in the placeholders' slots and
 * hands the SQL straight to the driver (whose prepared-statement cache then skips SQLite's own parsing).
 *
 * On SQLite a prepared query runs straight on the connection (see `directSqlite`), past Kysely's executor and
 * its plugins.
 *
 * On PostgreSQL the SQL of every prepared query is also a named statement (see `statementName`): each
 * connection has the server parse and plan it once, not on every run.
 *
 * The shape of a query may depend on which parameters are present (an update setting some columns), never
 * on their values: anything that changes the SQL for a value (`for update` or not, `is null`) is a separate
 * prepared query.
 */
import type { CompiledQuery, Compilable, DialectAdapter, QueryResult } from 'kysely';
import { directSqlite } from './sqlite-dialect.js';
import type { Db } from './db.js';

/** The SQL of every prepared query, and the name it has as a statement. */
const statementNames = new Map<string, string>();

/** The statement name of a prepared query's SQL; undefined for any other SQL. */
export function statementName(sql: string): string | undefined {
  return statementNames.get(sql);
}

/** Gives `sql` a statement name, once: PostgreSQL then parses and plans it once per connection. */
export function nameStatement(sql: string): void {
  if (!statementNames.has(sql)) statementNames.set(sql, `tuikuan_${statementNames.size + 1}`);
}

/** Stands for a parameter while the query is compiled; never reaches the database. */
const MARK = '\u0000tuikuan-placeholder:';

interface Compiled {
  query: CompiledQuery;
  /** For each compiled parameter: the name of the run's parameter it takes, or the constant compiled into it. */
  slots: Array<{ param: string } | { constant: unknown }>;
}

export type PreparedQuery<P, O> = (db: Db, params: P) => Promise<QueryResult<O>>;

/**
 * Prepares the query `build` makes from its parameters. `build` receives placeholders, not values: it may
 * place them anywhere Kysely takes a value, but must not look at them.
 */
export function prepareQuery<P extends object, O>(build: (db: Db, params: P) => Compilable<O>): PreparedQuery<P, O> {
  const byDialect = new WeakMap<DialectAdapter, Map<string, Compiled>>();
  return async (db, params) => {
    // Kysely leaves out what is undefined (an update's unset column), so the shape is what is defined.
    const names = Object.keys(params).filter((name) => params[name as keyof P] !== undefined);
    const shape = names.join(',');
    const adapter = db.getExecutor().adapter;
    let shapes = byDialect.get(adapter);
    if (!shapes) {
      shapes = new Map();
      byDialect.set(adapter, shapes);
    }
    let compiled = shapes.get(shape);
    if (!compiled) {
      compiled = compile(db, names, build);
      shapes.set(shape, compiled);
    }
    const values = params as Record<string, unknown>;
    const parameters = compiled.slots.map((slot) => ('param' in slot ? values[slot.param] : slot.constant));
    const direct = directSqlite(adapter);
    if (direct) return direct.run<O>(compiled.query.sql, parameters, db.isTransaction);
    return db.executeQuery<O>({ ...compiled.query, parameters } as CompiledQuery<O>);
  };
}

function compile<P extends object, O>(db: Db, names: string[], build: (db: Db, params: P) => Compilable<O>): Compiled {
  const placeholders = Object.fromEntries(names.map((name) => [name, `${MARK}${name}`])) as P;
  const query = build(db, placeholders).compile();
  const slots = query.parameters.map((value) =>
    typeof value === 'string' && value.startsWith(MARK) ? { param: value.slice(MARK.length) } : { constant: value },
  );
  for (const name of names) {
    if (!slots.some((slot) => 'param' in slot && slot.param === name)) throw new Error(`prepared query does not use its parameter ${name}`);
  }
  nameStatement(query.sql);
  return { query, slots };
}

/** The first row of a prepared query's result. */
export async function firstRow<P, O>(query: PreparedQuery<P, O>, db: Db, params: P): Promise<O | undefined> {
  return (await query(db, params)).rows[0];
}

/** Every row of a prepared query's result. */
export async function allRows<P, O>(query: PreparedQuery<P, O>, db: Db, params: P): Promise<O[]> {
  return (await query(db, params)).rows;
}
