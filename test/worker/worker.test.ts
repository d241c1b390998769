/**
 * The worker, end to end: a refund.apply that revives a refund in the instant between the worker giving it
 * up (the refund committed `failed`) and the worker completing its job must not lose the job — the revived
 * refund, its amount reserved again, is carried out once the balance allows. The test runs the real refund
 * job in a worker of its own and sends the refund.apply, through the official SDK, at exactly that instant.
 *
 * A job whose runs keep throwing stops after MAX_JOB_ATTEMPTS and is dead — shown with its last error by
 * GET /admin/v1/jobs, run again by POST /admin/v1/jobs/:id/retry. Jobs run in slots of their own: a
 * notify_url that holds its answer does not delay a notification that falls due meanwhile.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { pino } from 'pino';
import { SystemClock, VirtualClock } from '../../src/core/clock.js';
import { carryOutAcceptedRefund } from '../../src/core/carry-out-refund.js';
import { addJob, claimJobs, killJob, listJobs } from '../../src/store/sql/jobs.js';
import { MAX_JOB_ATTEMPTS } from '../../src/worker/worker.js';
import { startNotifyReceiver } from '../support/notify-receiver.js';
import { testWorkers } from '../support/test-workers.js';
import { writeVirtualNow } from '../../src/store/sql/platform.js';
import { Worker, type JobHandlers, type JobOutcome } from '../../src/worker/worker.js';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, newMerchant, newTrade, assertAdminError } from '../support/harness.js';
import {
  advanceClock,
  assertSuccess,
  refund,
  getTrade,
  ledgerOf,
  refundApply,
  refundOf,
  refundQuery,
  runDueJobs,
  setBalance,
} from '../support/refund-calls.js';

const HOUR = 3600;

describeEachEngine('the worker', (engine) => {
  const { harness } = useHarness(engine, { clock: 'virtual', merchant: false });
  before(async () => {
    // Only POST /admin/v1/clock (which drains this worker by hand) and the test's own worker run jobs.
    await harness.tuikuan.worker.stop();
  });

  describe('a refund revived by refund.apply between the worker giving it up and completing its job', () => {
    it('keeps its job, and is carried out once the balance allows', async () => {
      const { services } = harness.tuikuan;
      const clock = services.clock;
      assert.ok(clock instanceof VirtualClock);
      const seller = await newMerchant(harness);
      const trade = await newTrade(harness, seller);
      await setBalance(harness, seller.pid, '0.00');
      const biz = { trade_no: trade.trade_no, refund_amount: '40.00', out_request_no: 'REVIVED' };
      assertSuccess(await refundApply(seller, biz));
      await runDueJobs(harness);
      await advanceClock(harness, 71 * HOUR);
      const waiting = await refundOf(harness, trade.trade_no, 'REVIVED');
      assert.equal(waiting.status, 'waiting_for_funds');

      // The last retry, the one that gives the refund up, is due next: it runs in the test's worker.
      const job = (await listJobs(services.store.db)).find((j) => j.kind === 'refund' && j.subject === String(waiting.id));
      assert.ok(job);
      clock.set(job.runAt);
      await writeVirtualNow(services.store.db, job.runAt);

      const seen: string[] = [];
      const refundJob = async (subject: string): Promise<JobOutcome> => {
        const outcome = await carryOutAcceptedRefund(services, Number(subject));
        const refund = await refundOf(harness, trade.trade_no, 'REVIVED');
        seen.push(refund.status);
        if (seen.length === 1) {
          assert.equal(refund.status, 'failed', 'given up and committed');
          assert.equal(outcome.kind, 'done');
          // Between the give-up's commit and the worker completing the job: the merchant applies again.
          assertSuccess(await refundApply(seller, biz));
          assert.equal((await refundOf(harness, trade.trade_no, 'REVIVED')).status, 'accepted', 'revived, same refund');
        }
        return outcome;
      };
      const unexpected = async (subject: string): Promise<JobOutcome> => assert.fail(`no other job is due (${subject})`);
      const handlers: JobHandlers = { refund: refundJob, notify: unexpected, deposit_back: unexpected, batch: unexpected, trade_expiry: unexpected };
      const worker = new Worker({ store: services.store, clock, realClock: new SystemClock(), handlers, logger: pino({ level: 'silent' }) });
      await worker.drain();

      assert.deepEqual(seen, ['failed', 'waiting_for_funds'], 'the re-armed job ran again at once: the revived refund waits for funds');
      const revived = await refundOf(harness, trade.trade_no, 'REVIVED');
      assert.equal(revived.id, waiting.id);
      assert.equal(revived.status, 'waiting_for_funds');
      const jobs = (await listJobs(services.store.db)).filter((j) => j.kind === 'refund' && j.subject === String(waiting.id));
      assert.equal(jobs.length, 1, 'the revived refund still has its job');
      assert.equal(jobs[0]?.lockedBy, null);
      assert.equal((await getTrade(harness, trade.trade_no)).pending_refund_amount, '40.00', 'its amount is reserved again');

      await harness.adminOk('POST', `/merchants/${seller.pid}/balance`, { delta: '+100.00' });
      await advanceClock(harness, 60);
      assert.equal((await refundQuery(seller, { trade_no: trade.trade_no, out_request_no: 'REVIVED' })).refund_status, 'REFUND_SUCCESS');
      const done = await getTrade(harness, trade.trade_no);
      assert.equal(done.refunded_amount, '40.00');
      assert.equal(done.pending_refund_amount, '0.00');
      assert.equal(done.refund_count, 1);
      assert.equal((await ledgerOf(harness, seller.pid)).balance, '60.00');
      assert.deepEqual(await listJobs(services.store.db), [], 'nothing left to do');
    });
  });

  describe('a job whose runs keep throwing', () => {
    it(`is tried ${MAX_JOB_ATTEMPTS} times on a growing back-off, then dead, shown with its last error; a retry by hand runs it again`, async () => {
      const { services } = harness.tuikuan;
      const clock = services.clock;
      assert.ok(clock instanceof VirtualClock);
      await addJob(services.store.db, { kind: 'deposit_back', subject: 'broken', runAt: clock.now(), now: clock.now() });
      let runs = 0;
      let healed = false;
      const throwing = async (): Promise<JobOutcome> => {
        runs++;
        if (!healed) throw new Error(`provoked failure ${runs}`);
        return { kind: 'done' };
      };
      const unexpected = async (subject: string): Promise<JobOutcome> => assert.fail(`no other job is due (${subject})`);
      const worker = new Worker({
        store: services.store,
        clock,
        realClock: new SystemClock(),
        handlers: { refund: unexpected, notify: unexpected, deposit_back: throwing, batch: unexpected, trade_expiry: unexpected },
        logger: pino({ level: 'silent' }),
      });
      const brokenJob = async () => (await listJobs(services.store.db)).find((job) => job.subject === 'broken');
      const dueTimes: number[] = [];
      for (let run = 1; run <= MAX_JOB_ATTEMPTS; run++) {
        const job = await brokenJob();
        assert.ok(job);
        dueTimes.push(job.runAt);
        clock.set(Math.max(clock.now(), job.runAt));
        await worker.drain();
        assert.equal(runs, run);
      }
      const gaps = dueTimes.slice(1).map((at, i) => at - dueTimes[i]!);
      assert.ok(
        gaps.every((gap, i) => i === 0 || gap >= gaps[i - 1]!),
        `a back-off that never shrinks: ${gaps.join(', ')} ms`,
      );
      assert.ok(gaps.at(-1)! > gaps[0]!, 'and grows');
      const dead = await brokenJob();
      assert.ok(dead?.deadAt, 'dead after the last allowed run');
      assert.equal(dead.attempts, MAX_JOB_ATTEMPTS);
      clock.set(clock.now() + 30 * 86_400_000);
      await worker.drain();
      assert.equal(runs, MAX_JOB_ATTEMPTS, 'a dead job is not run again by itself');

      const shown = (await harness.adminOk('GET', '/jobs')).jobs.find((job: Record<string, unknown>) => job.subject === 'broken');
      assert.equal(shown.status, 'dead');
      assert.equal(shown.last_error, `provoked failure ${MAX_JOB_ATTEMPTS}`);
      assert.equal(shown.attempts, MAX_JOB_ATTEMPTS);
      assert.match(shown.dead_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

      assertAdminError(await harness.admin('POST', '/jobs/999999999/retry'), 404, 'job_not_found');
      healed = true;
      const retried = await harness.adminOk('POST', `/jobs/${shown.id}/retry`);
      assert.equal(retried.status, 'waiting');
      assert.equal(retried.attempts, 0);
      assert.equal((await harness.admin('POST', `/jobs/${shown.id}/retry`)).body.error.code, 'job_not_dead', 'a live job is not retried (409)');
      await worker.drain();
      assert.equal(runs, MAX_JOB_ATTEMPTS + 1);
      assert.equal(await brokenJob(), undefined, 'done and gone');
    });

    it('is shown as dead whatever its kind, and a retry runs it to completion', async () => {
      const { services } = harness.tuikuan;
      const clock = services.clock;
      await addJob(services.store.db, { kind: 'notify', subject: '424242', runAt: clock.now(), now: clock.now() });
      const [claimed] = await claimJobs(services.store.db, { workerId: 'gone', now: clock.now(), realNow: Date.now(), leaseMs: 60_000, limit: 1 });
      assert.ok(claimed);
      await killJob(services.store.db, claimed, 'gone', { now: clock.now(), error: 'ECONNRESET' });
      const shown = (await harness.adminOk('GET', '/jobs')).jobs.find((job: Record<string, unknown>) => job.subject === '424242');
      assert.equal(shown.status, 'dead');
      await harness.adminOk('POST', `/jobs/${shown.id}/retry`);
      await runDueJobs(harness);
      assert.equal(
        (await harness.adminOk('GET', '/jobs')).jobs.find((job: Record<string, unknown>) => job.subject === '424242'),
        undefined,
      );
    });
  });

  describe('jobs run in slots of their own', () => {
    it('a notify_url that holds its answer does not delay a notification that falls due meanwhile', async () => {
      const worker = (await testWorkers(harness.tuikuan.services)).worker();
      let release!: () => void;
      const held = new Promise<string>((resolve) => (release = () => resolve('success')));
      const slow = await startNotifyReceiver(() => held);
      const fast = await startNotifyReceiver('success');
      const until = async (what: string, probe: () => boolean) => {
        for (const end = Date.now() + 15_000; !probe(); ) {
          if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      try {
        const seller = await newMerchant(harness);
        const slowTrade = await newTrade(harness, seller, { notify_url: slow.url });
        const fastTrade = await newTrade(harness, seller, { notify_url: fast.url });
        assertSuccess(await refund(seller, { trade_no: slowTrade.trade_no, refund_amount: '1.00', out_request_no: 'SLOW' }));
        const draining = worker.drain();
        await until('the slow receiver holds its attempt', () => slow.received.length === 1);
        assertSuccess(await refund(seller, { trade_no: fastTrade.trade_no, refund_amount: '1.00', out_request_no: 'FAST' }));
        worker.wake();
        await until('the fast receiver has its notification', () => fast.received.length === 1);
        assert.equal(slow.received.length, 1, 'while the slow one is still held');
        release();
        await draining;
      } finally {
        release();
        await slow.close();
        await fast.close();
      }
    });
  });
});
