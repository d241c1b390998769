/**
 * One test suite, two engines: integration suites run against SQLite and against PostgreSQL.
 * PostgreSQL is at TUIKUAN_TEST_PG (default postgres://postgres@127.0.0.1:5432/test); each harness gets a
 * fresh database of its own, dropped afterwards, so runs never collide. Where PostgreSQL cannot be reached
 * the PostgreSQL suites fail when TUIKUAN_REQUIRE_PG=1 (as CI sets it) and are skipped, loudly, otherwise.
 */
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import pg from 'pg';

export type TestEngine = 'sqlite' | 'postgres';

export const PG_ADMIN_URL = process.env.TUIKUAN_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

const pgProblem = await reachable(PG_ADMIN_URL);
const pgRequired = process.env.TUIKUAN_REQUIRE_PG === '1';
let warned = false;

export const ENGINES: readonly TestEngine[] = (process.env.TUIKUAN_TEST_ENGINES?.split(',') as TestEngine[] | undefined) ?? ['sqlite', 'postgres'];

/** Declares `body` once per engine: `describe('<title> [sqlite]')`, `describe('<title> [postgres]')`. */
export function describeEachEngine(title: string, body: (engine: TestEngine) => void): void {
  for (const engine of ENGINES) {
    if (engine === 'postgres' && pgProblem && !pgRequired) {
      if (!warned) {
        warned = true;
        console.warn(`\n*** PostgreSQL at ${PG_ADMIN_URL} is unreachable (${pgProblem}): the PostgreSQL suites are SKIPPED. ***\n`);
      }
      describe(`${title} [postgres]`, { skip: `PostgreSQL unreachable: ${pgProblem}` }, () => {});
      continue;
    }
    describe(`${title} [${engine}]`, () => body(engine));
  }
}

/** Declares `body` for PostgreSQL alone (what only its client does): `describe('<title> [postgres]')`. */
export function describePostgres(title: string, body: () => void): void {
  if (!ENGINES.includes('postgres')) return;
  if (pgProblem && !pgRequired) {
    describe(`${title} [postgres]`, { skip: `PostgreSQL unreachable: ${pgProblem}` }, () => {});
    return;
  }
  describe(`${title} [postgres]`, body);
}

export interface TestDatabase {
  location: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database for one harness. */
export async function createPgDatabase(): Promise<TestDatabase> {
  if (pgProblem) throw new Error(`PostgreSQL at ${PG_ADMIN_URL} is unreachable: ${pgProblem}`);
  const name = `tuikuan_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    location: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
