/**
 * The jobs table: a run completes or reschedules only the revision of the job it claimed. A job scheduled
 * again while a worker runs it (addJob's upsert: a refund.apply reviving the refund that run has just given
 * up) survives the run's completion and is due again at once; a job nobody re-armed leaves the table.
 * A dead job stays, with its last error, unclaimed and not counted as due, until it is run again by hand or
 * scheduled again. A worker renews the lease of a job it still holds, and only such a job.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addJob,
  claimJobs,
  completeJob,
  countDueJobs,
  hasClaimableJob,
  killJob,
  listJobs,
  nextJobTime,
  renewLease,
  rescheduleJob,
  retryDeadJob,
  type Job,
} from '../../../src/store/sql/jobs.js';
import { describeEachEngine } from '../../support/engines.js';
import { useTestStore } from '../../support/store.js';

const T0 = 1_800_000_000_000;
const MINUTE = 60_000;
const LEASE = { realNow: 0, leaseMs: 60_000 };

describeEachEngine('the jobs table', (engine) => {
  let subjects = 0;
  /** A job of its own for each test: one job per (kind, subject). */
  const newSubject = () => String(++subjects);

  // Each test starts from an empty table, so that a claim takes only that test's job.
  const store = useTestStore(engine, 'jobs');
  const db = () => store().db;
  const claim = (workerId: string, now: number) => claimJobs(db(), { workerId, now, ...LEASE, limit: 100 });
  const jobOf = async (subject: string): Promise<Job | undefined> => (await listJobs(db())).find((job) => job.subject === subject);

  /** Adds a job due at T0 and claims it as worker A. */
  async function claimed(): Promise<{ subject: string; job: Job }> {
    const subject = newSubject();
    await addJob(db(), { kind: 'refund', subject, runAt: T0, now: T0 });
    const job = (await claim('A', T0)).find((j) => j.subject === subject);
    assert.ok(job, 'claimed');
    assert.equal(job.lockedBy, 'A');
    return { subject, job };
  }

  describe('a look before the claim (hasClaimableJob)', () => {
    it('sees a due job that no one holds, and nothing once it is claimed, until the lease runs out', async () => {
      assert.equal(await hasClaimableJob(db(), { now: T0, realNow: 0 }), false, 'an empty table');
      const subject = newSubject();
      await addJob(db(), { kind: 'notify', subject, runAt: T0, now: T0 });
      assert.equal(await hasClaimableJob(db(), { now: T0 - 1, realNow: 0 }), false, 'not yet due');
      assert.equal(await hasClaimableJob(db(), { now: T0, realNow: 0 }), true);
      await claim('A', T0);
      assert.equal(await hasClaimableJob(db(), { now: T0, realNow: 0 }), false, 'held by A');
      assert.equal(await hasClaimableJob(db(), { now: T0, realNow: LEASE.leaseMs + 1 }), true, 'A’s lease has run out');
    });
  });

  describe('a run that nobody interrupted', () => {
    it('completes the job: it leaves the table', async () => {
      const { subject, job } = await claimed();
      await completeJob(db(), job, 'A');
      assert.equal(await jobOf(subject), undefined);
    });

    it('reschedules the job at the time it asks, released, the failure counted', async () => {
      const { subject, job } = await claimed();
      await rescheduleJob(db(), job, 'A', T0 + 5 * MINUTE, 'balance_not_enough');
      const after = await jobOf(subject);
      assert.equal(after?.runAt, T0 + 5 * MINUTE);
      assert.equal(after?.lockedBy, null);
      assert.equal(after?.attempts, 1);
      assert.equal(after?.lastError, 'balance_not_enough');
    });

    it('is not the business of a worker whose lease another has taken over', async () => {
      const { subject, job } = await claimed();
      const [takenOver] = await claimJobs(db(), { workerId: 'B', now: T0, realNow: LEASE.leaseMs + 1, leaseMs: LEASE.leaseMs, limit: 100 });
      assert.equal(takenOver?.subject, subject);
      await completeJob(db(), job, 'A');
      await rescheduleJob(db(), job, 'A', T0 + MINUTE, null);
      const after = await jobOf(subject);
      assert.equal(after?.lockedBy, 'B');
      assert.equal(after?.runAt, T0);
    });
  });

  describe('a job scheduled again while it runs (claim → addJob → completeJob)', () => {
    it('survives its run’s completion, released and due again at once', async () => {
      const { subject, job } = await claimed();
      // The run gave up its refund and committed that; a refund.apply now revives the refund and re-arms its job.
      await addJob(db(), { kind: 'refund', subject, runAt: T0 + MINUTE, now: T0 + MINUTE });
      await completeJob(db(), job, 'A');
      const after = await jobOf(subject);
      assert.ok(after, 'the re-armed job is still there');
      assert.equal(after.lockedBy, null);
      assert.equal(after.lockedUntil, null);
      assert.equal(after.runAt, T0, 'the earlier of the two due times');
      assert.equal(after.revision, job.revision + 1);
      const [again] = await claim('B', T0 + MINUTE);
      assert.equal(again?.subject, subject, 'another worker (or the same) runs it again');
      await completeJob(db(), again as Job, 'B');
      assert.equal(await jobOf(subject), undefined, 'and that run, not interrupted, completes it');
    });

    it('keeps the earlier due time when the run asks to be rescheduled later', async () => {
      const { subject, job } = await claimed();
      await addJob(db(), { kind: 'refund', subject, runAt: T0 + MINUTE, now: T0 + MINUTE });
      await rescheduleJob(db(), job, 'A', T0 + 60 * MINUTE, 'balance_not_enough');
      const after = await jobOf(subject);
      assert.equal(after?.runAt, T0);
      assert.equal(after?.lockedBy, null);
    });

    it('takes the run’s time when the re-armed time is the later one', async () => {
      const subject = newSubject();
      await addJob(db(), { kind: 'notify', subject, runAt: T0, now: T0 });
      const [job] = await claim('A', T0);
      assert.ok(job);
      await addJob(db(), { kind: 'notify', subject, runAt: T0 + 60 * MINUTE, now: T0 });
      await rescheduleJob(db(), job, 'A', T0 - MINUTE, null);
      assert.equal((await jobOf(subject))?.runAt, T0 - MINUTE);
    });

    it('bumps the revision only on a job already there', async () => {
      const subject = newSubject();
      await addJob(db(), { kind: 'batch', subject, runAt: T0, now: T0 });
      assert.equal((await jobOf(subject))?.revision, 0);
      await addJob(db(), { kind: 'batch', subject, runAt: T0, now: T0 });
      await addJob(db(), { kind: 'batch', subject, runAt: T0, now: T0 });
      assert.equal((await jobOf(subject))?.revision, 2);
    });
  });

  describe('a dead job', () => {
    async function dead(): Promise<{ subject: string; job: Job }> {
      const { subject, job } = await claimed();
      await killJob(db(), job, 'A', { now: T0 + MINUTE, error: 'boom' });
      return { subject, job };
    }

    it('stays in the table with its last error, counted and released', async () => {
      const { subject, job } = await dead();
      const after = await jobOf(subject);
      assert.equal(after?.deadAt, T0 + MINUTE);
      assert.equal(after?.lastError, 'boom');
      assert.equal(after?.attempts, job.attempts + 1);
      assert.equal(after?.lockedBy, null);
    });

    it('is claimed by no one, and is neither due nor next', async () => {
      await dead();
      const later = T0 + 1000 * MINUTE;
      assert.equal(await hasClaimableJob(db(), { now: later, realNow: 0 }), false);
      assert.deepEqual(await claim('B', later), []);
      assert.equal(await countDueJobs(db(), later), 0);
      assert.equal(await nextJobTime(db()), null);
    });

    it('runs again, due now, its failures forgotten, once retried by hand', async () => {
      const { subject } = await dead();
      const id = (await jobOf(subject))!.id;
      assert.equal(await retryDeadJob(db(), id, T0 + 2 * MINUTE), true);
      const revived = await jobOf(subject);
      assert.equal(revived?.deadAt, null);
      assert.equal(revived?.attempts, 0);
      assert.equal(revived?.runAt, T0 + 2 * MINUTE);
      assert.equal(revived?.lastError, 'boom', 'the last error is kept for the record');
      assert.equal((await claim('B', T0 + 2 * MINUTE))[0]?.subject, subject);
      assert.equal(await retryDeadJob(db(), id, T0), false, 'a live job is not retried');
    });

    it('lives again when its work is scheduled again', async () => {
      const { subject } = await dead();
      await addJob(db(), { kind: 'refund', subject, runAt: T0 + 5 * MINUTE, now: T0 + 5 * MINUTE });
      const revived = await jobOf(subject);
      assert.equal(revived?.deadAt, null);
      assert.equal(revived?.attempts, 0);
      assert.equal(revived?.runAt, T0 + 5 * MINUTE, 'the new due time, not the dead one');
    });

    it('is not killed by a run whose job was re-armed meanwhile: the new work runs', async () => {
      const { subject, job } = await claimed();
      await addJob(db(), { kind: 'refund', subject, runAt: T0, now: T0 });
      await killJob(db(), job, 'A', { now: T0 + MINUTE, error: 'boom' });
      const after = await jobOf(subject);
      assert.equal(after?.deadAt, null);
      assert.equal(after?.lockedBy, null);
    });
  });

  describe('a lease renewed while the job runs', () => {
    it('moves the holder’s lease on, so another worker does not take the job over', async () => {
      const { subject, job } = await claimed();
      assert.equal(await renewLease(db(), job, 'A', 3 * LEASE.leaseMs), true);
      assert.equal((await jobOf(subject))?.lockedUntil, 3 * LEASE.leaseMs);
      const takeOver = await claimJobs(db(), { workerId: 'B', now: T0, realNow: 2 * LEASE.leaseMs, leaseMs: LEASE.leaseMs, limit: 100 });
      assert.deepEqual(takeOver, [], 'within the renewed lease');
    });

    it('is refused to a worker that no longer holds the job', async () => {
      const { subject, job } = await claimed();
      await claimJobs(db(), { workerId: 'B', now: T0, realNow: LEASE.leaseMs + 1, leaseMs: LEASE.leaseMs, limit: 100 });
      assert.equal(await renewLease(db(), job, 'A', 10 * LEASE.leaseMs), false);
      assert.equal((await jobOf(subject))?.lockedBy, 'B');
      assert.equal((await jobOf(subject))?.lockedUntil, 2 * LEASE.leaseMs + 1);
    });
  });
});
