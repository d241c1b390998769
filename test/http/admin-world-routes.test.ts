/**
 * The whole world at once, on both engines: a snapshot brings back every row and the virtual clock — refunds,
 * ledger entries, notifications, jobs and id sequences, armed faults, apps the gateway had cached — a reset
 * empties the world back to its seed (the demo) with the clock where it stood at start; a restore while refunds
 * are in flight leaves a world whose money adds up; and `POST /clock {to_next_job}` runs the next job and says so.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoWorld } from '../../src/cli/demo.js';
import { DEMO_MERCHANT } from '../../src/cli/demo-world.js';
import { describeEachEngine } from '../support/engines.js';
import { assertAdminError, newMerchant, newTrade, useHarness } from '../support/harness.js';
import { advanceClock, clockNow, ledgerOf, refund, refundApply, refundsOf, type Reply } from '../support/refund-calls.js';

describeEachEngine('reset and snapshots of the whole world', (engine) => {
  const { harness, kit, receiver } = useHarness(engine, { clock: 'virtual', receiver: 'success', tuikuan: { seeds: [demoWorld()] } });

  describe('a snapshot, restored', () => {
    it('brings back the rows and the clock: refunds, ledger, notifications and jobs made after it are gone, and ids go on as they did', async () => {
      const trade = await newTrade(harness, kit, { notify_url: receiver.url });
      const before = await ledgerOf(harness, kit.pid);
      const snapshot = await harness.adminOk('POST', '/snapshots');
      assert.match(snapshot.snapshot_id, /^snap_[0-9a-f]{12}$/);
      assert.equal(snapshot.clock_at_ms, await clockNow(harness));
      assert.ok(snapshot.rows.trades >= 1, JSON.stringify(snapshot.rows));

      const first = await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'R1' });
      assert.equal(first.fund_change, 'Y');
      const [made] = await refundsOf(harness, trade.trade_no);
      await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '5.00', out_request_no: 'R2' });
      await advanceClock(harness, 3600);
      assert.equal((await refundsOf(harness, trade.trade_no)).length, 2);
      assert.ok((await harness.adminOk('GET', `/notifications?trade_no=${trade.trade_no}`)).notifications.length >= 2);

      const restored = await harness.adminOk('POST', `/snapshots/${snapshot.snapshot_id}/restore`);
      assert.equal(restored.snapshot_id, snapshot.snapshot_id);
      assert.equal(restored.now_ms, snapshot.clock_at_ms);
      assert.equal(await clockNow(harness), snapshot.clock_at_ms, 'the clock is back');
      assert.deepEqual(await refundsOf(harness, trade.trade_no), []);
      const afterRestore = await harness.adminOk('GET', `/trades/${trade.trade_no}`);
      assert.equal(afterRestore.refunded_amount, '0.00');
      assert.deepEqual(await ledgerOf(harness, kit.pid), before, 'the ledger and balance are back');
      assert.deepEqual((await harness.adminOk('GET', `/notifications?trade_no=${trade.trade_no}`)).notifications, []);
      assert.deepEqual((await harness.adminOk('GET', '/jobs')).jobs, []);

      // The same request again is a new refund, and gets the id the first one had: the sequences went back too.
      const again = await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'R1' });
      assert.equal(again.fund_change, 'Y', 'not a repeat of a refund that no longer exists');
      const [remade] = await refundsOf(harness, trade.trade_no);
      assert.equal(remade?.id, made?.id);
      assert.ok(made);

      // A snapshot stays: restored twice, it brings back the same world twice.
      await harness.adminOk('POST', `/snapshots/${snapshot.snapshot_id}/restore`);
      assert.deepEqual(await refundsOf(harness, trade.trade_no), []);
      const listed = await harness.adminOk('GET', '/snapshots');
      assert.ok(listed.snapshots.some((s: Reply) => s.snapshot_id === snapshot.snapshot_id));
    });

    it('brings back armed faults, and the gateway answers with them at once', async () => {
      const trade = await newTrade(harness, kit);
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.refund', sub_code: 'ACQ.SYSTEM_ERROR', times: 5 });
      const snapshot = await harness.adminOk('POST', '/snapshots');
      await harness.adminOk('DELETE', '/faults');
      const clear = await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'F1' });
      assert.equal(clear.code, '10000');
      await harness.adminOk('POST', `/snapshots/${snapshot.snapshot_id}/restore`);
      const provoked = await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'F2' });
      assert.equal(provoked.sub_code, 'ACQ.SYSTEM_ERROR');
      await harness.adminOk('DELETE', '/faults');
    });

    it('forgets the apps the gateway had read: an app made after the snapshot is unknown at once', async () => {
      const snapshot = await harness.adminOk('POST', '/snapshots');
      const later = await newMerchant(harness);
      const laterTrade = await newTrade(harness, later);
      const query = await later.sdk.exec('alipay.trade.query', { bizContent: { trade_no: laterTrade.trade_no } });
      assert.equal(query.code, '10000', 'the gateway has read (and cached) the new app');
      await harness.adminOk('POST', `/snapshots/${snapshot.snapshot_id}/restore`);
      const gone = await later.sdk.exec('alipay.trade.query', { bizContent: { trade_no: laterTrade.trade_no } });
      assert.equal(gone.sub_code, 'isv.invalid-app-id');
    });

    it('answers 404 snapshot_not_found for a snapshot it does not have, and drops one on DELETE', async () => {
      assertAdminError(await harness.admin('POST', '/snapshots/snap_000000000000/restore'), 404, 'snapshot_not_found');
      const snapshot = await harness.adminOk('POST', '/snapshots');
      assert.equal((await harness.admin('DELETE', `/snapshots/${snapshot.snapshot_id}`)).status, 204);
      assertAdminError(await harness.admin('POST', `/snapshots/${snapshot.snapshot_id}/restore`), 404, 'snapshot_not_found');
      assertAdminError(await harness.admin('DELETE', `/snapshots/${snapshot.snapshot_id}`), 404, 'snapshot_not_found');
    });

    it('restored while refunds are in flight, leaves a world whose money adds up', async () => {
      const trade = await newTrade(harness, kit, { total_amount: '500.00' });
      const snapshot = await harness.adminOk('POST', '/snapshots');
      const calls = Array.from({ length: 24 }, (_, i) => refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: `C${i}` }));
      const restore = harness.adminOk('POST', `/snapshots/${snapshot.snapshot_id}/restore`);
      const replies = await Promise.all(calls);
      await restore;
      for (const reply of replies) assert.equal(reply.code, '10000', JSON.stringify(reply));
      const refunds = await refundsOf(harness, trade.trade_no);
      const succeeded = refunds.filter((r) => r.status === 'succeeded').length;
      const now = await harness.adminOk('GET', `/trades/${trade.trade_no}`);
      assert.equal(now.refunded_amount, `${succeeded}.00`, 'the trade counts the refunds there are');
      const ledger = await ledgerOf(harness, kit.pid);
      assert.equal(ledger.balance, ledger.entries_sum, 'the balance is its entries');
      assert.equal(ledger.entries.filter((e: Reply) => e.trade_no === trade.trade_no && e.refund_id !== null).length, succeeded);
    });
  });

  describe('POST /clock {to_next_job: true}', () => {
    it('moves the clock to the next job, runs it, and answers what ran; with no job waiting it moves nothing', async () => {
      // Whatever earlier tests left waiting runs first.
      let idle = await harness.adminOk('POST', '/clock', { to_next_job: true });
      for (let i = 0; i < 30 && idle.ran.length > 0; i++) idle = await harness.adminOk('POST', '/clock', { to_next_job: true });
      assert.deepEqual(idle.ran, []);
      const idleAgain = await harness.adminOk('POST', '/clock', { to_next_job: true });
      assert.equal(idleAgain.now_ms, idle.now_ms, 'no job waiting: the clock stays');

      const trade = await newTrade(harness, kit, { notify_url: receiver.url });
      receiver.setScript('fail');
      const start = await clockNow(harness);
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'N1' });
      // The first attempt runs at once and fails; the next is due a few minutes later.
      const first = await harness.adminOk('POST', '/clock', { to_next_job: true });
      const [pending] = (await harness.adminOk('GET', `/notifications?trade_no=${trade.trade_no}`)).notifications;
      assert.ok(pending.attempts >= 1, JSON.stringify(first));
      const due = await harness.adminOk('GET', '/jobs');
      const [notifyJob] = due.jobs.filter((job: Reply) => job.kind === 'notify');
      assert.ok(notifyJob, 'a notification attempt is waiting');
      receiver.setScript('success');
      const next = await harness.adminOk('POST', '/clock', { to_next_job: true });
      assert.ok(next.now_ms > start, 'the clock moved to the next attempt');
      assert.equal(next.now, notifyJob.run_at);
      assert.deepEqual(
        next.ran.map((run: Reply) => [run.kind, run.outcome]),
        [['notify', 'done']],
      );
      assert.equal(next.ran[0].at, next.now);
      const [delivered] = (await harness.adminOk('GET', `/notifications?trade_no=${trade.trade_no}`)).notifications;
      assert.equal(delivered.status, 'delivered');
    });

    it('still takes {advance_seconds}, and says what ran on the way', async () => {
      const moved = await harness.adminOk('POST', '/clock', { advance_seconds: 60 });
      assert.ok(Array.isArray(moved.ran));
      assertAdminError(await harness.admin('POST', '/clock', { to_next_job: false }), 400, 'invalid_request');
    });
  });

  // Last: a reset takes the suite's merchant with it.
  describe('reset', () => {
    it('empties the world back to its seed, the clock back to its start — and again, the same world', async () => {
      const startedAt = (await harness.adminOk('POST', '/reset')).now_ms;
      const seeded = await harness.adminOk('GET', `/merchants/${DEMO_MERCHANT.pid}`);
      const demoTrade = '2026010122001000000000000001';
      const extra = await newMerchant(harness);
      await harness.adminOk('POST', `/merchants/${DEMO_MERCHANT.pid}/balance`, { delta: '+1.00' });
      await advanceClock(harness, 86400);
      const reset = await harness.adminOk('POST', '/reset');
      assert.equal(reset.now_ms, startedAt, 'the clock is where it stood at start');
      assert.equal(await clockNow(harness), startedAt);
      assert.equal(reset.rows.merchants, 1, 'only the demo merchant');
      assertAdminError(await harness.admin('GET', `/merchants/${extra.pid}`), 404, 'merchant_not_found');
      assert.deepEqual(await harness.adminOk('GET', `/merchants/${DEMO_MERCHANT.pid}`), seeded);
      assert.equal((await harness.adminOk('GET', `/trades/${demoTrade}`)).refunded_amount, '0.00');
      assert.deepEqual((await harness.adminOk('GET', '/jobs')).jobs, []);
    });
  });
});
