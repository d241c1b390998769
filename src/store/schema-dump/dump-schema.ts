/**
 * A dump of a migrated database's schema, as text that is the same for the same schema: each table with its
 * columns (in their order, with type, nullability and default) and its constraints, then the indexes and (on
 * PostgreSQL) the functions; tables, constraints, indexes and functions sorted. Kysely's own migration tables
 * are left out. `npm run schema:dump` commits one dump per engine beside this file; test/store/schema.test.ts
 * checks that the migrations still produce it.
 *
 * It reads the catalog through the plain drivers, not the store: the store's CamelCasePlugin would rename the
 * catalog's columns.
 */
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { engineOf } from '../engine.js';

/** Kysely's Migrator keeps these; they are not tuikuan's schema. */
export const MIGRATION_TABLES: readonly string[] = ['schema_migrations', 'schema_migrations_lock'];

export function dumpHeader(engine: string): string {
  return [
    `-- The schema the migrations (src/store/migrations/) make on ${engine}. Generated: do not edit.`,
    '-- Regenerate with `npm run schema:dump` after adding a migration; test/store/schema.test.ts checks it.',
    '',
    '',
  ].join('\n');
}

/** The dump of the schema at `location` (a SQLite file or a postgres:// URL). */
export async function dumpSchema(location: string): Promise<string> {
  if (engineOf(location) === 'postgres') return dumpHeader('PostgreSQL') + (await postgresTables(location));
  return dumpHeader('SQLite') + sqliteTables(location);
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function sorted(lines: string[]): string[] {
  return [...lines].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

interface DumpedTable {
  name: string;
  columns: string[];
  constraints: string[];
}

function render(tables: DumpedTable[], indexes: string[], functions: string[] = []): string {
  const out: string[] = [];
  for (const table of [...tables].sort(byName)) {
    out.push(`table ${table.name}`);
    for (const column of table.columns) out.push(`  column ${column}`);
    for (const constraint of sorted(table.constraints)) out.push(`  ${constraint}`);
    out.push('');
  }
  for (const index of sorted(indexes)) out.push(index);
  if (functions.length > 0) out.push('');
  for (const definition of sorted(functions)) out.push(definition);
  return `${out.join('\n')}\n`;
}

// --- SQLite -----------------------------------------------------------------------------------------------

interface SqliteColumn {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

interface SqliteForeignKey {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string;
  on_update: string;
  on_delete: string;
}

/**
 * The parts of a CREATE TABLE statement's body, split at its top-level commas: column definitions and table
 * constraints. (SQLite keeps a table's statement as written, with later ALTERs applied to its text.)
 */
export function createTableParts(createSql: string): string[] {
  const body = createSql.slice(createSql.indexOf('(') + 1, createSql.lastIndexOf(')'));
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (const char of body) {
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === "'" || char === '"' || char === '`') {
      quote = char;
    } else if (char === '(') {
      depth += 1;
    } else if (char === ')') {
      depth -= 1;
    } else if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** SQLite has no catalog of CHECK constraints: they are read from the table's statement. */
function sqliteChecks(createSql: string): string[] {
  return createTableParts(createSql)
    .map((part) => /^constraint\s+("[^"]+"|\S+)\s+check\s*(\(.*\))$/is.exec(part) ?? /^()check\s*(\(.*\))$/is.exec(part))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, name, expression]) => `check ${name ? `${name.replace(/"/g, '')} ` : ''}${expression}`);
}

function sqliteTables(file: string): string {
  const db = new Sqlite(file, { readonly: true, fileMustExist: true });
  try {
    const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
    const tables = db.prepare("select name, sql from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'").all() as {
      name: string;
      sql: string;
    }[];
    const dumped: DumpedTable[] = [];
    const indexes: string[] = [];
    for (const { name, sql } of tables) {
      if (MIGRATION_TABLES.includes(name)) continue;
      const columns = db.prepare(`pragma table_info(${quoted(name)})`).all() as SqliteColumn[];
      const constraints: string[] = [];
      const primaryKey = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
      if (primaryKey.length > 0) {
        const autoincrement = createTableParts(sql).some((part) => /^("[^"]+"|\S+)\s.*\bautoincrement\b/is.test(part));
        constraints.push(`primary key (${primaryKey.map((c) => c.name).join(', ')})${autoincrement ? ' autoincrement' : ''}`);
      }
      const indexList = db.prepare(`pragma index_list(${quoted(name)})`).all() as { name: string; unique: number; origin: string; partial: number }[];
      for (const index of indexList) {
        const indexColumns = (db.prepare(`pragma index_info(${quoted(index.name)})`).all() as { name: string }[]).map((c) => c.name);
        if (index.origin === 'u') constraints.push(`unique (${indexColumns.join(', ')})`);
      }
      const foreignKeys = db.prepare(`pragma foreign_key_list(${quoted(name)})`).all() as SqliteForeignKey[];
      for (const id of [...new Set(foreignKeys.map((fk) => fk.id))]) {
        const parts = foreignKeys.filter((fk) => fk.id === id).sort((a, b) => a.seq - b.seq);
        const [first] = parts;
        if (!first) continue;
        const actions = `${first.on_update === 'NO ACTION' ? '' : ` on update ${first.on_update.toLowerCase()}`}${
          first.on_delete === 'NO ACTION' ? '' : ` on delete ${first.on_delete.toLowerCase()}`
        }`;
        constraints.push(`foreign key (${parts.map((p) => p.from).join(', ')}) references ${first.table} (${parts.map((p) => p.to).join(', ')})${actions}`);
      }
      constraints.push(...sqliteChecks(sql));
      dumped.push({
        name,
        columns: columns.map(
          (c) => `${c.name} ${c.type.toLowerCase()}${c.notnull ? ' not null' : ''}${c.dflt_value === null ? '' : ` default ${c.dflt_value}`}`,
        ),
        constraints,
      });
    }
    const created = db.prepare("select name, tbl_name, sql from sqlite_master where type = 'index' and sql is not null").all() as {
      name: string;
      tbl_name: string;
      sql: string;
    }[];
    for (const index of created) {
      if (!MIGRATION_TABLES.includes(index.tbl_name)) indexes.push(index.sql.replace(/\s+/g, ' '));
    }
    return render(dumped, indexes);
  } finally {
    db.close();
  }
}

// --- PostgreSQL -------------------------------------------------------------------------------------------

async function postgresTables(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string; oid: number }>(
      `select c.relname as name, c.oid::int as oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')`,
    );
    const dumped: DumpedTable[] = [];
    for (const { name, oid } of tables.rows) {
      if (MIGRATION_TABLES.includes(name)) continue;
      const columns = await client.query<{ name: string; type: string; notnull: boolean; dflt: string | null }>(
        `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as notnull,
                pg_get_expr(d.adbin, d.adrelid) as dflt
           from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
          where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped
          order by a.attnum`,
        [oid],
      );
      const constraints = await client.query<{ name: string; definition: string }>(
        `select conname as name, pg_get_constraintdef(oid, true) as definition from pg_constraint
          where conrelid = $1 and contype <> 'n'`,
        [oid],
      );
      dumped.push({
        name,
        columns: columns.rows.map((c) => `${c.name} ${c.type}${c.notnull ? ' not null' : ''}${c.dflt === null ? '' : ` default ${c.dflt}`}`),
        constraints: constraints.rows.map((c) => `constraint ${c.name} ${c.definition}`),
      });
    }
    // Indexes of their own: those behind a primary key or unique constraint are shown with the constraint.
    const indexes = await client.query<{ definition: string; table: string }>(
      `select pg_get_indexdef(i.indexrelid) as definition, t.relname as table
         from pg_index i join pg_class t on t.oid = i.indrelid join pg_namespace n on n.oid = t.relnamespace
        where n.nspname = 'public'
          and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = i.indrelid)`,
    );
    const functions = await client.query<{ definition: string }>(
      `select pg_get_functiondef(p.oid) as definition from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'`,
    );
    return render(
      dumped,
      indexes.rows.filter((i) => !MIGRATION_TABLES.includes(i.table)).map((i) => i.definition),
      functions.rows.map((f) => f.definition.trim()),
    );
  } finally {
    await client.end();
  }
}
