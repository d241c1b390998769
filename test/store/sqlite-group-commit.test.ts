/**
 * SQLite group commit: one fdatasync of the write-ahead log, on the durability thread, makes durable every
 * commit made before it; commits made while it runs wait for the next; the thread keeps the log short. And
 * what another process committed on the same file, which this one may show, is synced before it is shown.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openSqliteFile, type SqliteDatabase } from '../../src/store/sqlite-dialect.js';
import { GroupCommit } from '../../src/store/sqlite-group-commit.js';

// One engine: group commit is how SQLite syncs its write-ahead log; PostgreSQL does its own.
describe('SQLite group commit', () => {
  let dir: string;
  let path: string;
  let db: SqliteDatabase;
  let groupCommit: GroupCommit;

  function open(checkpointEvery?: number): void {
    db = openSqliteFile(path);
    db.exec('create table if not exists entries (id integer primary key, body text not null)');
    groupCommit = new GroupCommit(path, checkpointEvery === undefined ? {} : { checkpointEvery });
  }
  /** One committed transaction, counted as the store's driver counts it. */
  function commit(body = 'x'.repeat(200)): void {
    db.prepare('insert into entries (body) values (?)').run(body);
    groupCommit.committed();
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tuikuan-group-commit-'));
    path = join(dir, 'tuikuan.db');
    open();
  });
  afterEach(async () => {
    await groupCommit.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('durable() with nothing committed resolves without a sync', async () => {
    await groupCommit.durable();
    assert.equal(groupCommit.syncs, 0);
  });

  it('one sync makes every commit made before it durable, however many wait for it', async () => {
    for (let i = 0; i < 100; i++) commit();
    await Promise.all(Array.from({ length: 100 }, () => groupCommit.durable()));
    assert.equal(groupCommit.syncs, 1);
    await groupCommit.durable();
    assert.equal(groupCommit.syncs, 1, 'nothing new to sync');
  });

  it('a commit made while a sync runs waits for the next one', async () => {
    commit();
    const first = groupCommit.durable();
    commit();
    const second = groupCommit.durable();
    await Promise.all([first, second]);
    assert.equal(groupCommit.syncs, 2);
  });

  it('a failed sync fails that durable() and every one after it', async () => {
    const nowhere = new GroupCommit(join(dir, 'missing', 'tuikuan.db'));
    try {
      nowhere.committed();
      await assert.rejects(nowhere.durable(), /fdatasync of the write-ahead log failed/);
      await assert.rejects(nowhere.durable(), /fdatasync of the write-ahead log failed/, 'no later commit is answered as durable');
    } finally {
      await nowhere.close();
    }
  });

  it('what was made durable is there when the database is opened again', async () => {
    for (let i = 0; i < 10; i++) commit(`entry ${i}`);
    await groupCommit.durable();
    await groupCommit.close();
    db.close();
    open();
    assert.equal((db.prepare('select count(*) as n from entries').get() as { n: number }).n, 10);
  });

  describe('another process on the same database file', () => {
    let other: SqliteDatabase;
    beforeEach(() => {
      other = openSqliteFile(path);
      const dataVersion = db.prepare('pragma data_version').pluck();
      groupCommit.watchOtherWriters(() => Number(dataVersion.get()));
    });
    afterEach(() => other.close());

    it('a commit it made, and has not synced, is synced by this process’s next durable()', async () => {
      // Its own group commit has not synced yet: a reply from this process could show the row.
      other.prepare('insert into entries (body) values (?)').run('theirs');
      assert.equal((db.prepare('select count(*) as n from entries').get() as { n: number }).n, 1, 'visible here');
      await groupCommit.durable();
      assert.equal(groupCommit.syncs, 1);
      await groupCommit.durable();
      assert.equal(groupCommit.syncs, 1, 'nothing new since');
    });

    it('one sync covers its commits and this process’s own', async () => {
      other.prepare('insert into entries (body) values (?)').run('theirs');
      commit('ours');
      await groupCommit.durable();
      assert.equal(groupCommit.syncs, 1);
    });

    it('reads alone, with nobody committing, sync nothing', async () => {
      db.prepare('select count(*) from entries').get();
      other.prepare('select count(*) from entries').get();
      await groupCommit.durable();
      assert.equal(groupCommit.syncs, 0);
    });
  });

  it('the thread checkpoints the log into the database as commits go on', async () => {
    await groupCommit.close();
    db.close();
    open(16);
    const before = statSync(path).size;
    // 2,000 commits of a 4 KiB row: 8 MiB, fewer pages than make this connection checkpoint by itself.
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 20; i++) commit('y'.repeat(4096));
      await groupCommit.durable();
    }
    const grown = statSync(path).size - before;
    assert.ok(grown > 4 * 1024 * 1024, `the database file grew by ${grown} bytes`);
  });

  it('the log stops growing under steady commits', async () => {
    const rounds = async (n: number) => {
      for (let round = 0; round < n; round++) {
        for (let i = 0; i < 20; i++) commit('z'.repeat(4096));
        await groupCommit.durable();
      }
      return statSync(`${path}-wal`).size;
    };
    // 10,000 commits of a 4 KiB row, 40 MiB: the log is started over, not grown, after the first 16 MiB or so.
    const first = await rounds(250);
    const second = await rounds(250);
    assert.ok(first < 24 * 1024 * 1024 && second < 24 * 1024 * 1024, `log of ${first} then ${second} bytes`);
  });
});
