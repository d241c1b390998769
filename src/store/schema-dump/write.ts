/**
 * `npm run schema:dump`: migrates a fresh SQLite file and a fresh PostgreSQL database (created on
 * TUIKUAN_TEST_PG, default postgres://postgres@127.0.0.1:5432/test, and dropped afterwards), and writes
 *
 * - src/store/schema-dump/sqlite.sql and postgres.sql, the dump of each engine's schema (dump-schema.ts), and
 * - src/store/generated-tables.ts, the Kysely table types kysely-codegen generates (generate-tables.ts), after
 *   checking that both engines generate the same file.
 *
 * Run it after adding a migration and commit what it writes; test/store/schema.test.ts fails until then.
 * The npm script runs it even when tsc reports errors: the types it writes may be what mends them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrateToLatest } from '../migrate.js';
import { openStore } from '../store.js';
import { dumpSchema } from './dump-schema.js';
import { generateTables } from './generate-tables.js';

/** The repository's root, from dist/src/store/schema-dump/. */
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const SCHEMA_FILES = {
  sqlite: join(root, 'src/store/schema-dump/sqlite.sql'),
  postgres: join(root, 'src/store/schema-dump/postgres.sql'),
  generatedTables: join(root, 'src/store/generated-tables.ts'),
};

interface Read {
  dump: string;
  tables: string;
}

async function migrateAndRead(location: string): Promise<Read> {
  const store = openStore({ location });
  try {
    await migrateToLatest(store);
  } finally {
    await store.close();
  }
  return { dump: await dumpSchema(location), tables: await generateTables(location) };
}

async function readSqlite(): Promise<Read> {
  const dir = mkdtempSync(join(tmpdir(), 'tuikuan-schema-'));
  try {
    return await migrateAndRead(join(dir, 'tuikuan.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function readPostgres(adminUrl: string): Promise<Read> {
  const name = `tuikuan_schema_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return await migrateAndRead(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const sqlite = await readSqlite();
  const postgres = await readPostgres(process.env.TUIKUAN_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test');
  writeFileSync(SCHEMA_FILES.sqlite, sqlite.dump);
  writeFileSync(SCHEMA_FILES.postgres, postgres.dump);
  if (sqlite.tables !== postgres.tables) {
    const sqliteTables = join(tmpdir(), 'generated-tables.sqlite.ts');
    const postgresTables = join(tmpdir(), 'generated-tables.postgres.ts');
    writeFileSync(sqliteTables, sqlite.tables);
    writeFileSync(postgresTables, postgres.tables);
    throw new Error(
      `the engines' schemas generate different table types (diff ${sqliteTables} ${postgresTables}): ` +
        'the migrations make different columns on each engine, or generate-tables.ts reads one of them wrongly',
    );
  }
  writeFileSync(SCHEMA_FILES.generatedTables, postgres.tables);
  console.log(`wrote ${Object.values(SCHEMA_FILES).join(', ')}`);
}

await main();
