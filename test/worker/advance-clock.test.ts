/**
 * Virtual time: with `--clock virtual`, POST /admin/v1/clock {advance_seconds} moves the clock and runs
 * every job that falls due on the way — notifications, retries, bank settlements — in order, each at its
 * own time, before it answers; {advance_seconds: 0} runs the jobs already due.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, newTrade } from '../support/harness.js';
import { startNotifyReceiver } from '../support/notify-receiver.js';
import { advanceClock, chinaTimeMs, clockNow, refund, refundQuery, runDueJobs } from '../support/refund-calls.js';

const MINUTE = 60_000;

describeEachEngine('the virtual clock', (engine) => {
  const { harness, kit, receiver } = useHarness(engine, { clock: 'virtual', receiver: 'fail' });

  describe('POST /admin/v1/clock {advance_seconds}', () => {
    it('moves the clock by exactly that many seconds and answers its new reading', async () => {
      const start = await clockNow(harness);
      const answer = await advanceClock(harness, 90);
      assert.equal(answer.kind, 'virtual');
      assert.equal(answer.now_ms, start + 90_000);
      assert.equal(chinaTimeMs(answer.now), Math.floor((start + 90_000) / 1000) * 1000);
      assert.equal(await clockNow(harness), start + 90_000);
    });

    it('with 0, runs the jobs already due without moving the clock', async () => {
      const to = await startNotifyReceiver('success');
      try {
        const trade = await newTrade(harness, kit, { notify_url: to.url });
        const start = await clockNow(harness);
        await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'NOW' });
        const answer = await runDueJobs(harness);
        assert.equal(answer.now_ms, start);
        assert.equal(to.received.length, 1, 'the notification due now has been sent when the call answers');
      } finally {
        await to.close();
      }
    });

    it('runs every job that falls due on the way, in order, each at its own time, before answering', async () => {
      const t0 = await clockNow(harness);
      const first = await newTrade(harness, kit, { notify_url: receiver.url });
      await refund(kit, { trade_no: first.trade_no, refund_amount: '1.00', out_request_no: 'FIRST' });
      await advanceClock(harness, 300);
      const second = await newTrade(harness, kit, { notify_url: receiver.url });
      await refund(kit, { trade_no: second.trade_no, refund_amount: '1.00', out_request_no: 'SECOND' });
      const bank = await newTrade(harness, kit, { fund_bill_list: [{ fund_channel: 'BANKCARD', amount: '100.00' }] });
      await refund(kit, { trade_no: bank.trade_no, refund_amount: '1.00', out_request_no: 'BANK' });

      await advanceClock(harness, 2 * 3600);

      const sent = receiver.received.map((r) => [r.fields.out_biz_no, (chinaTimeMs(r.fields.notify_time as string) - Math.floor(t0 / 1000) * 1000) / MINUTE]);
      assert.deepEqual(sent, [
        ['FIRST', 0],
        ['SECOND', 5],
        ['FIRST', 4],
        ['SECOND', 9],
        ['FIRST', 14],
        ['SECOND', 19],
        ['FIRST', 24],
        ['SECOND', 29],
        ['FIRST', 84],
        ['SECOND', 89],
      ].sort((a, b) => (a[1] as number) - (b[1] as number)));
      const settled = await refundQuery(kit, { trade_no: bank.trade_no, out_request_no: 'BANK', query_options: ['deposit_back_info'] });
      assert.equal(settled.deposit_back_info.dback_status, 'S');
      assert.equal(settled.deposit_back_info.bank_ack_time, settled.deposit_back_info.est_bank_receipt_time, 'the bank answered at its own time, not at the end');
    });

    it('refuses a negative or missing advance_seconds with 400 invalid_request', async () => {
      for (const body of [{ advance_seconds: -1 }, { advance_seconds: '60' }, {}]) {
        const response = await harness.admin('POST', '/clock', body);
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.equal(response.body.error.code, 'invalid_request');
      }
    });
  });
});

describeEachEngine('the real clock', (engine) => {
  const { harness } = useHarness(engine, { clock: 'real', merchant: false });

  it('cannot be advanced: 409 clock_not_virtual', async () => {
    const response = await harness.admin('POST', '/clock', { advance_seconds: 60 });
    assert.equal(response.status, 409);
    assert.equal(response.body.error.code, 'clock_not_virtual');
    assert.equal((await harness.adminOk('GET', '/clock')).kind, 'real');
  });
});
