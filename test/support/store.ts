/**
 * A migrated store of its own for a store-level test: a SQLite file in a fresh directory, or a fresh
 * PostgreSQL database; closing it removes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest } from '../../src/store/migrate.js';
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
