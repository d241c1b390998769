/** Stores for the suites of the declared world, which start tuikuan themselves (a seed is applied at start). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { pino } from 'pino';
import type { DeclaredWorld } from '../../src/seed-file.js';
import { startTuikuan, type Tuikuan } from '../../src/tuikuan.js';
import { createPgDatabase, type TestDatabase, type TestEngine } from './engines.js';

/** Fresh stores for one engine: each start gets a data dir (and a PostgreSQL database) of its own, or reuses one. */
export function stores(engine: TestEngine) {
  const made: Array<{ dataDir: string; database: TestDatabase | null }> = [];
  after(async () => {
    for (const { dataDir, database } of made) {
      rmSync(dataDir, { recursive: true, force: true });
      await database?.drop();
    }
  });
  return {
    async fresh() {
      const store = { dataDir: mkdtempSync(join(tmpdir(), 'tuikuan-seed-')), database: engine === 'postgres' ? await createPgDatabase() : null };
      made.push(store);
      return store;
    },
    start(store: { dataDir: string; database: TestDatabase | null }, seeds: DeclaredWorld[]): Promise<Tuikuan> {
      return startTuikuan({
        dataDir: store.dataDir,
        ...(store.database && { db: store.database.location }),
        port: 0,
        adminToken: 't',
        logger: pino({ level: 'silent' }),
        seeds,
      });
    },
  };
}
