/**
 * The PostgreSQL client's transactions (store/postgres-client.ts): `begin` is written with the transaction's
 * first statement and `commit` with the statement that ends it, so a refund's transaction is two round trips;
 * a statement that ends its transaction is committed exactly when it succeeds, and nothing may follow it.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, beforeEach, it } from 'node:test';
import { sqlStatement } from '../../src/store/sql-statement.js';
import type { Store } from '../../src/store/store.js';
import { describePostgres } from '../support/engines.js';
import { openTestStore, type TestStore } from '../support/store.js';

const insertFault = sqlStatement<{ method: string }, { id: number }>(
  `insert into faults (method, sub_code, phase, remaining, created_at) values (:method, 'ACQ.SYSTEM_ERROR', 'before', 1, 0) returning id`,
);
const insertFaultEnding = sqlStatement<{ method: string }, { id: number }>(
  `insert into faults (method, sub_code, phase, remaining, created_at) values (:method, 'ACQ.SYSTEM_ERROR', 'before', 1, 0) returning id`,
  { endsTransaction: true },
);
/** Ends its transaction, and refuses (fails) when told to, as a refund's write does when its guard refuses. */
const insertFaultUnless = sqlStatement<{ method: string; refuse: boolean }, { id: number }>(
  `with fault as (insert into faults (method, sub_code, phase, remaining, created_at) select :method, 'ACQ.SYSTEM_ERROR', 'before', 1, 0
     where not :refuse::boolean returning id)
   select coalesce((select id from fault), tuikuan_refuse('refused')) as id`,
  { endsTransaction: true },
);

/** How many times the process writes to a PostgreSQL socket while `work` runs: each is one round trip begun. */
async function writesToServer<T>(work: () => Promise<T>): Promise<{ result: T; writes: number }> {
  let writes = 0;
  const originals = { _write: net.Socket.prototype._write, _writev: net.Socket.prototype._writev };
  const counting = <F extends (...args: never[]) => unknown>(original: F) =>
    function (this: net.Socket, ...args: Parameters<F>) {
      if (this.remotePort === 5432) writes++;
      return original.apply(this, args);
    };
  net.Socket.prototype._write = counting(originals._write);
  if (originals._writev) net.Socket.prototype._writev = counting(originals._writev);
  try {
    return { result: await work(), writes };
  } finally {
    Object.assign(net.Socket.prototype, originals);
  }
}

describePostgres('a transaction on the PostgreSQL client', () => {
  let opened: TestStore;
  const store = (): Store => opened.store;
  before(async () => {
    opened = await openTestStore('postgres');
  });
  after(() => opened.close());
  beforeEach(async () => {
    await store().db.deleteFrom('faults').execute();
  });
  const faults = async () => (await store().db.selectFrom('faults').select('method').orderBy('id').execute()).map((f) => f.method);

  it('writes begin with its first statement and commit with the statement that ends it: two round trips', async () => {
    await store().db.selectFrom('faults').selectAll().execute(); // the pool's connection is made outside the count
    const { writes } = await writesToServer(() =>
      store().transaction(async (trx) => {
        await insertFault(trx, { method: 'first' });
        await insertFaultEnding(trx, { method: 'last' });
      }),
    );
    assert.equal(writes, 2);
    assert.deepEqual(await faults(), ['first', 'last']);
  });

  it('writes nothing for a transaction that ran no statement', async () => {
    const { writes } = await writesToServer(() => store().transaction(async () => 'nothing'));
    assert.equal(writes, 0);
  });

  it('runs the first statement inside the transaction: a rollback takes it back', async () => {
    await assert.rejects(
      store().transaction(async (trx) => {
        await insertFault(trx, { method: 'undone' });
        throw new Error('changed its mind');
      }),
      /changed its mind/,
    );
    assert.deepEqual(await faults(), []);
  });

  it('commits with a statement that ends the transaction only when it succeeds: a refusal takes back what came before', async () => {
    await assert.rejects(
      store().transaction(async (trx) => {
        await insertFault(trx, { method: 'before the refusal' });
        await insertFaultUnless(trx, { method: 'refused', refuse: true });
      }),
      (error: { code?: string; message?: string }) => error.code === 'TKR01' && error.message === 'refused',
    );
    assert.deepEqual(await faults(), []);
    // The connection is as good as new: the next transaction on it commits.
    await store().transaction(async (trx) => {
      await insertFault(trx, { method: 'next' });
      await insertFaultUnless(trx, { method: 'not refused', refuse: false });
    });
    assert.deepEqual(await faults(), ['next', 'not refused']);
  });

  it('refuses a statement after the one that ended its transaction (which has committed)', async () => {
    await assert.rejects(
      store().transaction(async (trx) => {
        await insertFaultEnding(trx, { method: 'ended' });
        await insertFault(trx, { method: 'too late' });
      }),
      /a statement after the one that ended its transaction/,
    );
    assert.deepEqual(await faults(), ['ended']);
  });

  it('runs a statement that ends its transaction as any other outside one', async () => {
    const { writes } = await writesToServer(() => insertFaultEnding(store().db, { method: 'alone' }));
    assert.equal(writes, 1);
    assert.deepEqual(await faults(), ['alone']);
  });
});
