/**
 * Secrets at rest: the data dir is created owner-only (0700); the SQLite database and its -wal and -shm files
 * (the platform's private key, merchants' md5 keys), the admin token and demo.json are 0600 — also when they
 * were left more open by an earlier version, and whatever the umask.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { demoWorld, ensureDemo } from '../src/cli/demo.js';
import { startTuikuan } from '../src/tuikuan.js';

const mode = (path: string) => statSync(path).mode & 0o777;

// One engine: the files at rest are SQLite's (a PostgreSQL database keeps nothing in the data dir but the token and demo.json).
describe('secrets at rest', () => {
  let root: string;
  let previousUmask: number;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'tuikuan-modes-'));
    // A permissive umask: the modes must not depend on the one the operator happens to have.
    previousUmask = process.umask(0o002);
  });
  after(() => {
    process.umask(previousUmask);
    rmSync(root, { recursive: true, force: true });
  });

  it('a fresh data dir is 0700, and the database, its log, the admin token and demo.json are 0600', async () => {
    const dataDir = join(root, 'fresh', 'data');
    const tuikuan = await startTuikuan({ dataDir, port: 0, logger: pino({ level: 'silent' }), seeds: [demoWorld()] });
    try {
      await ensureDemo(tuikuan);
      assert.equal(mode(dataDir).toString(8), '700');
      for (const file of ['tuikuan.db', 'tuikuan.db-wal', 'tuikuan.db-shm', 'admin-token', 'demo.json']) {
        assert.equal(mode(join(dataDir, file)).toString(8), '600', file);
      }
    } finally {
      await tuikuan.close();
    }
  });

  it('files an earlier version left 0644 are tightened at the next start', async () => {
    const dataDir = join(root, 'old');
    const first = await startTuikuan({ dataDir, port: 0, logger: pino({ level: 'silent' }) });
    await first.close();
    for (const file of ['tuikuan.db', 'admin-token']) chmodSync(join(dataDir, file), 0o644);
    writeFileSync(join(dataDir, 'tuikuan.db-wal'), '', { flag: 'a' });
    chmodSync(join(dataDir, 'tuikuan.db-wal'), 0o644);
    const again = await startTuikuan({ dataDir, port: 0, logger: pino({ level: 'silent' }) });
    try {
      for (const file of ['tuikuan.db', 'tuikuan.db-wal', 'admin-token']) assert.equal(mode(join(dataDir, file)).toString(8), '600', file);
    } finally {
      await again.close();
    }
  });
});
