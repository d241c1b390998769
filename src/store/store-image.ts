/**
 * An image of the whole store: every row of every table and where every id sequence stands, read at one
 * moment and written back in one transaction. Snapshots, restores and resets (core/world-snapshots.ts) are
 * made of it.
 *
 * Why rows and not the database file: it is the same code on both engines (a SQLite file copy would need the
 * connection, the group commit and its durability thread reopened under the running server; PostgreSQL has no
 * file to copy), it is one transaction (a failed restore leaves the store as it was), and a test-sized world
 * is a few hundred rows — read and written back in milliseconds. The tables are found in the database, not
 * listed here, so a new migration's table is in every image without a change to this file.
 *
 * Left out: the migrations' own tables (an image is of one schema), and the platform row, which holds the
 * platform's keys and certificates — the same for the life of a data dir, and what every merchant configured —
 * and the virtual clock, which the caller sets in the same transaction.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db, Trx } from './db.js';
import type { Store } from './store.js';

export type StoreRow = Readonly<Record<string, unknown>>;

export interface StoreImage {
  /** Parents before children (the order rows can be inserted in), each with its rows. */
  readonly tables: ReadonlyArray<{ readonly name: string; readonly rows: readonly StoreRow[] }>;
  /** Every id sequence: the last id handed out, or null for none yet. */
  readonly sequences: ReadonlyArray<{ readonly name: string; readonly lastValue: number | null }>;
}

/** Tables no image holds (see above). */
const OUTSIDE_THE_IMAGE = new Set(['schema_migrations', 'schema_migrations_lock', 'platform']);

/** Binds per INSERT statement at most: below SQLite's and PostgreSQL's limits on parameters. */
const MAX_PARAMETERS = 8000;

/** The tables of the image, parents before children (by their foreign keys). */
async function tablesInOrder(db: Db, engine: Store['engine']): Promise<string[]> {
  const raw = db.withoutPlugins();
  const names =
    engine === 'postgres'
      ? (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema()`.execute(raw)).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(raw)).rows;
  const links =
    engine === 'postgres'
      ? (
          await sql<{ child: string; parent: string }>`select conrelid::regclass::text as child, confrelid::regclass::text as parent
            from pg_constraint where contype = 'f' and connamespace = current_schema()::regnamespace`.execute(raw)
        ).rows
      : (
          await sql<{ child: string; parent: string }>`select m.name as child, f."table" as parent
            from sqlite_master m join pragma_foreign_key_list(m.name) f where m.type = 'table'`.execute(raw)
        ).rows;
  const tables = names.map((row) => row.name.replace(/^"|"$/g, '')).filter((name) => !OUTSIDE_THE_IMAGE.has(name));
  const parents = new Map<string, Set<string>>(tables.map((name) => [name, new Set<string>()]));
  for (const { child, parent } of links) {
    const bare = (name: string) => name.replace(/^"|"$/g, '');
    if (bare(child) !== bare(parent)) parents.get(bare(child))?.add(bare(parent));
  }
  const ordered: string[] = [];
  const placed = new Set<string>();
  const place = (name: string, path: Set<string>) => {
    if (placed.has(name) || !parents.has(name)) return;
    if (path.has(name)) throw new Error(`the tables' foreign keys run in a circle through ${name}`);
    path.add(name);
    for (const parent of parents.get(name) ?? []) place(parent, path);
    path.delete(name);
    placed.add(name);
    ordered.push(name);
  };
  for (const name of [...tables].sort()) place(name, new Set());
  return ordered;
}

async function readSequences(db: Db, engine: Store['engine']): Promise<StoreImage['sequences']> {
  const raw = db.withoutPlugins();
  if (engine === 'postgres') {
    const { rows } = await sql<{ name: string; last_value: number | string | null }>`select sequencename as name, last_value
      from pg_sequences where schemaname = current_schema()`.execute(raw);
    return rows.map((row) => ({ name: row.name, lastValue: row.last_value === null ? null : Number(row.last_value) }));
  }
  const { rows } = await sql<{ name: string; seq: number }>`select name, seq from sqlite_sequence`.execute(raw);
  return rows.map((row) => ({ name: row.name, lastValue: Number(row.seq) }));
}

/**
 * Reads the image, every table at the same moment: on PostgreSQL in one repeatable-read transaction; on SQLite
 * in one transaction, which holds the write lock.
 */
export async function readStoreImage(store: Store): Promise<StoreImage> {
  const read = async (trx: Trx): Promise<StoreImage> => {
    const raw = trx.withoutPlugins();
    const tables = [];
    for (const name of await tablesInOrder(trx, store.engine)) {
      const { rows } = await sql<StoreRow>`select * from ${sql.table(name)}`.execute(raw);
      tables.push({ name, rows });
    }
    return { tables, sequences: await readSequences(trx, store.engine) };
  };
  if (store.engine === 'postgres') return store.db.transaction().setIsolationLevel('repeatable read').execute(read);
  return store.transaction(read);
}

function insertRows(table: string, rows: readonly StoreRow[]): RawBuilder<unknown>[] {
  const [first] = rows;
  if (!first) return [];
  const columns = Object.keys(first);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, columns.length)));
  const statements: RawBuilder<unknown>[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const values = rows.slice(start, start + perStatement).map((row) => sql`(${sql.join(columns.map((column) => row[column] ?? null))})`);
    statements.push(sql`insert into ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))}) values ${sql.join(values)}`);
  }
  return statements;
}

/**
 * Replaces every table's rows with the image's, and sets every id sequence where the image has it, inside the
 * caller's transaction. A table the image does not know (made by a later migration) is emptied.
 */
export async function replaceWithImage(trx: Trx, engine: Store['engine'], image: StoreImage): Promise<void> {
  const raw = trx.withoutPlugins();
  const tables = await tablesInOrder(trx, engine);
  if (engine === 'postgres') {
    if (tables.length) await sql`truncate table ${sql.join(tables.map((name) => sql.table(name)))}`.execute(raw);
  } else {
    // Children before parents: SQLite checks foreign keys statement by statement.
    for (const name of [...tables].reverse()) await sql`delete from ${sql.table(name)}`.execute(raw);
  }
  const known = new Set(tables);
  for (const table of image.tables) {
    if (!known.has(table.name)) throw new Error(`the image has a table the store does not: ${table.name}`);
    for (const statement of insertRows(table.name, table.rows)) await statement.execute(raw);
  }
  if (engine === 'postgres') {
    // A sequence the image does not have starts over, as in a fresh database.
    const kept = new Map(image.sequences.map((sequence) => [sequence.name, sequence.lastValue]));
    for (const { name } of await readSequences(trx, engine)) {
      const lastValue = kept.get(name) ?? null;
      await sql`select setval(cast(${name} as regclass), ${lastValue ?? 1}, ${lastValue !== null})`.execute(raw);
    }
    return;
  }
  await sql`delete from sqlite_sequence`.execute(raw);
  for (const { name, lastValue } of image.sequences) await sql`insert into sqlite_sequence (name, seq) values (${name}, ${lastValue})`.execute(raw);
}

/** The image of an empty store: every table empty, every sequence as in a fresh database. */
export const EMPTY_IMAGE: StoreImage = { tables: [], sequences: [] };

/** How many rows an image holds, by table (what a snapshot's summary shows). */
export function imageRowCounts(image: StoreImage): Record<string, number> {
  return Object.fromEntries(image.tables.map((table) => [table.name, table.rows.length]));
}
