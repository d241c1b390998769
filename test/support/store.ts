/**
 * A migrated store of its own for a store-level test: a SQLite file in a fresh directory, or a fresh
 * PostgreSQL database; closing it removes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createPgDatabase, type TestEngine } from './engines.js';

export interface TestStore {
  store: Store;
  /** Where it is: the SQLite file, or the PostgreSQL URL. */
  location: string;
  close(): Promise<void>;
}

export async function openTestStore(engine: TestEngine): Promise<TestStore> {
  if (engine === 'postgres') {
    const database = await createPgDatabase();
    const store = openStore({ location: database.location });
    await migrateToLatest(store);
    return {
      store,
      location: database.location,
      async close() {
        await store.close();
        await database.drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'tuikuan-store-'));
  const location = join(dir, 'tuikuan.db');
  const store = openStore({ location });
  await migrateToLatest(store);
  return {
    store,
    location,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For a suite: a test store opened before its tests and removed after them, with `table` emptied before each
 * test so that every test starts from nothing. Returns the store (once the suite has started).
 */
export function useTestStore(engine: TestEngine, table: keyof Database): () => Store {
  let opened: TestStore | undefined;
  before(async () => {
    opened = await openTestStore(engine);
  });
  after(() => opened?.close());
  beforeEach(async () => {
    await opened?.store.db.deleteFrom(table).execute();
  });
  return () => {
    if (!opened) throw new Error('the test store is opened when the suite starts');
    return opened.store;
  };
}
