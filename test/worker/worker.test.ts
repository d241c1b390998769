/**
 * The worker, end to end: a refund.apply that revives a refund in the instant between the worker giving it
 * up (the refund committed `failed`) and the worker completing its job must not lose the job — the revived
 * refund, its amount reserved again, is carried out once the balance allows. The test runs the real refund
 * job in a worker of its own and sends the refund.apply, through the official SDK, at exactly that instant.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { SystemClock, VirtualClock } from '../../src/core/clock.js';
import { carryOutAcceptedRefund } from '../../src/core/refunds.js';
import { listJobs } from '../../src/store/sql/jobs.js';
import { writeVirtualNow } from '../../src/store/sql/platform.js';
import { Worker, type JobHandlers, type JobOutcome } from '../../src/worker/worker.js';
import { describeEachEngine } from '../support/engines.js';
import { startHarness, type Harness } from '../support/harness.js';
import {
  advanceClock,
  assertSuccess,
  getTrade,
  ledgerOf,
  newMerchant,
  newTrade,
  refundApply,
  refundOf,
  refundQuery,
  runDueJobs,
  setBalance,
} from '../support/refund-calls.js';

const HOUR = 3600;

describeEachEngine('the worker', (engine) => {
  let harness: Harness;

  before(async () => {
    harness = await startHarness({ engine, clock: 'virtual' });
    // Only POST /admin/v1/clock (which drains this worker by hand) and the test's own worker run jobs.
    await harness.tuikuan.worker.stop();
  });
  after(() => harness.close());

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
      const handlers: JobHandlers = { refund: refundJob, notify: unexpected, deposit_back: unexpected, batch: unexpected };
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
});
