/**
 * Prepared queries: built and compiled once per dialect and shape, run with each call's own values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { allRows, firstRow, prepareQuery } from '../../src/store/prepared-query.js';
import type { JobTable } from '../../src/store/schema.js';
import { describeEachEngine } from '../support/engines.js';
import { useTestStore } from '../support/store.js';

type NewJob = Pick<JobTable, 'kind' | 'subject' | 'runAt' | 'createdAt'>;

const insertJob = prepareQuery((db, p: NewJob) =>
  db
    .insertInto('jobs')
    .values({ ...p, attempts: 0, lastError: null, lockedBy: null, lockedUntil: null, revision: 0 })
    .returning('id'),
);
const jobBySubject = prepareQuery((db, p: { subject: string }) => db.selectFrom('jobs').selectAll().where('subject', '=', p.subject));
const updateJob = prepareQuery((db, p: { subject: string; attempts?: number; lastError?: string | null }) => {
  const { subject, ...change } = p;
  return db.updateTable('jobs').set(change).where('subject', '=', subject);
});
/** Uses `at` twice, and a constant ('notify') that is part of the query, not a parameter of the call. */
const notifyJobsDueBoth = prepareQuery((db, p: { at: number }) =>
  db.selectFrom('jobs').select('subject').where('kind', '=', 'notify').where('runAt', '<=', p.at).where('createdAt', '<=', p.at).orderBy('subject'),
);

describeEachEngine('prepared queries', (engine) => {
  const store = useTestStore(engine, 'jobs');
  const db = () => store().db;

  describe('values', () => {
    it('each run takes its own values, not those of the run that compiled the query', async () => {
      await insertJob(db(), { kind: 'notify', subject: 'a', runAt: 1, createdAt: 1 });
      await insertJob(db(), { kind: 'refund', subject: 'b', runAt: 2, createdAt: 2 });
      assert.equal((await firstRow(jobBySubject, db(), { subject: 'a' }))?.kind, 'notify');
      assert.equal((await firstRow(jobBySubject, db(), { subject: 'b' }))?.kind, 'refund');
      assert.equal(await firstRow(jobBySubject, db(), { subject: 'c' }), undefined);
    });

    it('a parameter used twice takes its value in both places; a constant stays part of the query', async () => {
      await insertJob(db(), { kind: 'notify', subject: 'early', runAt: 10, createdAt: 10 });
      await insertJob(db(), { kind: 'notify', subject: 'ran-late', runAt: 10, createdAt: 30 });
      await insertJob(db(), { kind: 'notify', subject: 'due-late', runAt: 30, createdAt: 10 });
      await insertJob(db(), { kind: 'refund', subject: 'not-notify', runAt: 10, createdAt: 10 });
      assert.deepEqual(
        (await allRows(notifyJobsDueBoth, db(), { at: 20 })).map((r) => r.subject),
        ['early'],
      );
      assert.deepEqual(
        (await allRows(notifyJobsDueBoth, db(), { at: 30 })).map((r) => r.subject),
        ['due-late', 'early', 'ran-late'],
      );
    });

    it('runs inside a transaction, and its writes go with the transaction', async () => {
      await assert.rejects(
        store().transaction(async (trx) => {
          await insertJob(trx, { kind: 'notify', subject: 'rolled-back', runAt: 1, createdAt: 1 });
          assert.ok(await firstRow(jobBySubject, trx, { subject: 'rolled-back' }), 'seen inside');
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal(await firstRow(jobBySubject, db(), { subject: 'rolled-back' }), undefined);
    });
  });

  describe('shapes', () => {
    it('an update sets exactly the columns given a value; undefined leaves a column alone, null sets it null', async () => {
      await insertJob(db(), { kind: 'notify', subject: 's', runAt: 1, createdAt: 1 });
      await updateJob(db(), { subject: 's', attempts: 3, lastError: 'timeout' });
      await updateJob(db(), { subject: 's', attempts: 4 });
      let row = await firstRow(jobBySubject, db(), { subject: 's' });
      assert.deepEqual([row?.attempts, row?.lastError], [4, 'timeout']);
      await updateJob(db(), { subject: 's', attempts: undefined, lastError: null });
      row = await firstRow(jobBySubject, db(), { subject: 's' });
      assert.deepEqual([row?.attempts, row?.lastError], [4, null]);
    });

    it('refuses a query that leaves one of its parameters out', async () => {
      const forgetful = prepareQuery((db, p: { subject: string; kind: string }) => db.selectFrom('jobs').select('id').where('subject', '=', p.subject));
      await assert.rejects(forgetful(db(), { subject: 'x', kind: 'notify' }), /does not use its parameter kind/);
    });
  });

  describe('rows', () => {
    it('come back keyed in camelCase, the same as a query run through Kysely', async () => {
      await insertJob(db(), { kind: 'notify', subject: 'k', runAt: 5, createdAt: 6 });
      const prepared = await firstRow(jobBySubject, db(), { subject: 'k' });
      const built = await db().selectFrom('jobs').selectAll().where('subject', '=', 'k').executeTakeFirst();
      assert.deepEqual(prepared, built);
      assert.equal(prepared?.runAt, 5);
      const inTransaction = await store().transaction((trx) => firstRow(jobBySubject, trx, { subject: 'k' }));
      assert.deepEqual(inTransaction, built);
    });

    it('a read outside a transaction waits for one under way, and never sees its uncommitted writes', async () => {
      let inserted!: () => void;
      const insertedSignal = new Promise<void>((resolve) => (inserted = resolve));
      let finish!: () => void;
      const finishSignal = new Promise<void>((resolve) => (finish = resolve));
      const transaction = store().transaction(async (trx) => {
        await insertJob(trx, { kind: 'notify', subject: 'pending', runAt: 1, createdAt: 1 });
        inserted();
        await finishSignal;
        throw new Error('roll back');
      });
      await insertedSignal;
      const read = firstRow(jobBySubject, db(), { subject: 'pending' });
      finish();
      await assert.rejects(transaction, /roll back/);
      assert.equal(await read, undefined);
    });
  });

  if (engine === 'postgres') {
    it('on PostgreSQL runs as a named statement, prepared once on the connection', async () => {
      await store().transaction(async (trx) => {
        await firstRow(jobBySubject, trx, { subject: 'x' });
        await firstRow(jobBySubject, trx, { subject: 'y' });
        const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements where statement like '%"subject" = $1%'`.execute(trx);
        assert.equal(rows.length, 1);
        assert.match(rows[0]?.name ?? '', /^tuikuan_\d+$/);
      });
    });
  }
});
