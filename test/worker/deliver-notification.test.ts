/**
 * Refund notifications (trade_status_sync) to the trade's notify_url: owed when a refund succeeds,
 * RSA2-signed by the platform key (the official SDK's checkNotifySign accepts them and rejects an altered
 * one), and retried under the virtual clock until the body is exactly `success` — at 0, 4m, 14m, 24m, 84m,
 * 204m, 564m and 1464m, 8 attempts in all, with one notify_id. Every attempt is visible through the admin
 * API, and a notification can be re-sent by hand — also while a scheduled attempt is in flight, without
 * either undoing the other. An attempt taken over by another worker (the first holder's lease ran out
 * mid-POST) is written to the attempt log once.
 */
import assert from 'node:assert/strict';
import { createVerify } from 'node:crypto';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { testWorkers } from '../support/test-workers.js';
import { useHarness, newTrade } from '../support/harness.js';
import { startNotifyReceiver, type NotifyReceiver, type ReceiverScript } from '../support/notify-receiver.js';
import { advanceClock, chinaTimeMs, notificationsOf, refund, runDueJobs, type Reply } from '../support/refund-calls.js';

const MINUTE = 60;
const SCHEDULE_SECONDS = [0, 4, 14, 24, 84, 204, 564, 1464].map((m) => m * MINUTE);

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describeEachEngine('trade_status_sync notifications of refunds', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual' });
  const receivers: NotifyReceiver[] = [];
  after(() => Promise.all(receivers.map((r) => r.close())));

  async function receiver(script: ReceiverScript): Promise<NotifyReceiver> {
    const started = await startNotifyReceiver(script);
    receivers.push(started);
    return started;
  }

  /** A trade with a notify_url, refunded once; the first attempt has been made when this returns. */
  async function refundedTrade(script: ReceiverScript, biz: Record<string, unknown> = { refund_amount: '10.00', out_request_no: 'RN1' }) {
    const to = await receiver(script);
    const trade = await newTrade(harness, kit, { notify_url: to.url });
    const reply = await refund(kit, { trade_no: trade.trade_no, ...biz });
    assert.equal(reply.fund_change, 'Y');
    await runDueJobs(harness);
    return { to, trade, reply };
  }

  /** Seconds from the first attempt to each attempt, by the notify_time each carried. */
  function offsets(to: NotifyReceiver): number[] {
    const times = to.received.map((r) => chinaTimeMs(r.fields.notify_time as string));
    return times.map((t) => (t - (times[0] as number)) / 1000);
  }

  describe('what a refund notification says', () => {
    it('posts trade_status_sync with refund_fee, gmt_refund, out_biz_no and TRADE_SUCCESS after a partial refund', async () => {
      const { to, trade, reply } = await refundedTrade('success');
      assert.equal(to.received.length, 1);
      const [post] = to.received;
      assert.ok(post);
      assert.equal(post.method, 'POST');
      assert.match(String(post.headers['content-type']), /^application\/x-www-form-urlencoded/);
      const f = post.fields;
      assert.equal(f.notify_type, 'trade_status_sync');
      assert.match(f.notify_id as string, /^[0-9a-f]{32}$/);
      assert.equal(f.app_id, kit.appId);
      assert.equal(f.auth_app_id, kit.appId);
      assert.equal(f.charset, 'utf-8');
      assert.equal(f.version, '1.0');
      assert.equal(f.sign_type, 'RSA2');
      assert.equal(f.trade_no, trade.trade_no);
      assert.equal(f.out_trade_no, trade.out_trade_no);
      assert.equal(f.seller_id, kit.pid);
      assert.equal(f.trade_status, 'TRADE_SUCCESS');
      assert.equal(f.total_amount, '100.00');
      assert.equal(f.refund_fee, '10.00');
      assert.equal(f.out_biz_no, 'RN1');
      assert.match(f.gmt_refund as string, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
      assert.equal((f.gmt_refund as string).slice(0, 19), reply.gmt_refund_pay);
      assert.equal(f.gmt_close, undefined);
      assert.deepEqual(JSON.parse(f.fund_bill_list as string), [{ amount: '100.00', fundChannel: 'ALIPAYACCOUNT' }]);
      for (const [key, value] of Object.entries(f)) assert.notEqual(value, '', `${key} is never sent empty`);
    });

    it('says TRADE_CLOSED, with gmt_close, after a full refund; out_biz_no is the trade_no when no out_request_no was given', async () => {
      const to = await receiver('success');
      const trade = await newTrade(harness, kit, { notify_url: to.url, total_amount: '20.00' });
      await refund(kit, { out_trade_no: trade.out_trade_no, refund_amount: '20.00' });
      await runDueJobs(harness);
      const f = to.received[0]?.fields ?? {};
      assert.equal(f.trade_status, 'TRADE_CLOSED');
      assert.equal(f.refund_fee, '20.00');
      assert.equal(f.out_biz_no, trade.trade_no, 'protocol-notes §4: the trade_no when the refund had no out_request_no');
      assert.equal(f.out_trade_no, trade.out_trade_no);
      assert.match(f.gmt_close as string, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    });

    it('owes one notification per refund, each with its own notify_id and the cumulative refund_fee', async () => {
      const to = await receiver('success');
      const trade = await newTrade(harness, kit, { notify_url: to.url, total_amount: '30.00' });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'A' });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '20.00', out_request_no: 'B' });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'A' }); // a repeat owes nothing
      await runDueJobs(harness);
      assert.deepEqual(
        to.received.map((r) => [r.fields.out_biz_no, r.fields.refund_fee, r.fields.trade_status]),
        [
          ['A', '10.00', 'TRADE_SUCCESS'],
          ['B', '30.00', 'TRADE_CLOSED'],
        ],
      );
      assert.notEqual(to.received[0]?.fields.notify_id, to.received[1]?.fields.notify_id);
      assert.equal((await notificationsOf(harness, trade.trade_no)).length, 2);
    });

    it('owes nothing when the trade has no notify_url', async () => {
      const trade = await newTrade(harness, kit);
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'SILENT' });
      await runDueJobs(harness);
      assert.deepEqual(await notificationsOf(harness, trade.trade_no), []);
    });
  });

  describe('notifications are RSA2-signed by the platform key', () => {
    it('passes the official SDK’s checkNotifySign on the parsed form body', async () => {
      const { to } = await refundedTrade('success');
      const fields = to.received[0]?.fields ?? {};
      assert.equal(kit.sdk.checkNotifySign(fields), true);
    });

    it('fails checkNotifySign once any field is altered or the sign removed', async () => {
      const { to } = await refundedTrade('success');
      const fields = to.received[0]?.fields ?? {};
      assert.equal(kit.sdk.checkNotifySign({ ...fields, refund_fee: '100.00' }), false);
      assert.equal(kit.sdk.checkNotifySign({ ...fields, out_biz_no: 'OTHER' }), false);
      assert.equal(kit.sdk.checkNotifySign({ ...fields, trade_status: 'TRADE_CLOSED' }), false);
      const { sign: _sign, ...unsigned } = fields;
      assert.equal(kit.sdk.checkNotifySign(unsigned), false);
    });

    it('signs every parameter but sign and sign_type, sorted, with SHA256withRSA (GET /admin/v1/platform is the key)', async () => {
      const { to } = await refundedTrade('success');
      const { sign, sign_type: _signType, ...rest } = to.received[0]?.fields ?? {};
      const content = Object.keys(rest)
        .sort()
        .map((key) => `${key}=${rest[key]}`)
        .join('&');
      const platform = await harness.adminOk('GET', '/platform');
      assert.equal(createVerify('RSA-SHA256').update(content, 'utf8').verify(platform.public_key, sign as string, 'base64'), true);
    });
  });

  describe('retried until the body is exactly `success`, on 4m, 10m, 10m, 1h, 2h, 6h, 15h', () => {
    it('makes exactly 8 attempts, at the documented offsets, all with one notify_id, to a receiver that always answers fail', async () => {
      const { to, trade } = await refundedTrade('fail');
      await advanceClock(harness, 25 * 3600);
      assert.equal(to.received.length, 8);
      assert.deepEqual(offsets(to), SCHEDULE_SECONDS);
      assert.equal(new Set(to.received.map((r) => r.fields.notify_id)).size, 1);
      await advanceClock(harness, 48 * 3600);
      assert.equal(to.received.length, 8, 'nothing after the 8th attempt');

      const [notification] = await notificationsOf(harness, trade.trade_no);
      assert.ok(notification);
      assert.equal(notification.status, 'given_up');
      assert.equal(notification.attempts, 8);
      assert.equal(notification.next_attempt_at, null);
      assert.equal(notification.notify_id, to.received[0]?.fields.notify_id);
      const log: Reply[] = notification.attempt_log;
      assert.deepEqual(
        log.map((a) => [a.attempt, a.manual, a.http_status, a.response_body, a.delivered]),
        [1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, false, 200, 'fail', false]),
      );
      assert.deepEqual(
        log.map((a) => (chinaTimeMs(a.at) - chinaTimeMs(log[0]?.at)) / 1000),
        SCHEDULE_SECONDS,
      );
      assert.deepEqual(
        log.map((a) => a.next_attempt_at),
        [...log.slice(1).map((a) => a.at), null],
        'each attempt names the next',
      );
      assert.deepEqual(
        log.map((a) => a.request_body),
        to.received.map((r) => r.raw),
        'the admin API shows each body exactly as sent',
      );
      assert.equal(log.every((a) => a.url === to.url), true);
    });

    it('stops after 3 attempts when the receiver answers success on its 3rd', async () => {
      const { to, trade } = await refundedTrade({ successOnAttempt: 3 });
      await advanceClock(harness, 25 * 3600);
      assert.equal(to.received.length, 3);
      assert.deepEqual(offsets(to), SCHEDULE_SECONDS.slice(0, 3));
      const [notification] = await notificationsOf(harness, trade.trade_no);
      assert.equal(notification?.status, 'delivered');
      assert.equal(notification?.attempts, 3);
      assert.equal(notification?.acknowledged_at, notification?.attempt_log[2].at);
    });

    it('counts only a 200 whose body is exactly `success` as delivered', async () => {
      const answers = ['SUCCESS', 'success\n', ' success', { status: 500, body: 'success' }, 'success'] as const;
      const { to, trade } = await refundedTrade((attempt) => answers[attempt - 1] ?? 'success');
      await advanceClock(harness, 25 * 3600);
      assert.equal(to.received.length, 5);
      const [notification] = await notificationsOf(harness, trade.trade_no);
      assert.equal(notification?.status, 'delivered');
      assert.deepEqual(
        notification?.attempt_log.map((a: Reply) => [a.http_status, a.delivered]),
        [
          [200, false],
          [200, false],
          [200, false],
          [500, false],
          [200, true],
        ],
      );
    });

    it('retries a notify_url that cannot be reached, recording the error', async () => {
      const port = await closedPort();
      const trade = await newTrade(harness, kit, { notify_url: `http://127.0.0.1:${port}/notify` });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'DOWN' });
      await runDueJobs(harness);
      await advanceClock(harness, 4 * MINUTE);
      const [notification] = await notificationsOf(harness, trade.trade_no);
      assert.equal(notification?.status, 'pending');
      assert.equal(notification?.attempts, 2);
      for (const attempt of notification?.attempt_log ?? []) {
        assert.equal(attempt.http_status, null);
        assert.equal(attempt.delivered, false);
        assert.ok(attempt.error, 'the error is recorded');
      }
    });
  });

  describe('POST /admin/v1/notifications/:notify_id/resend re-sends by hand', () => {
    it('re-sends a given-up notification with the same notify_id, and settles it when answered success', async () => {
      const { to, trade } = await refundedTrade('fail');
      await advanceClock(harness, 25 * 3600);
      assert.equal(to.received.length, 8);
      const notifyId = to.received[0]?.fields.notify_id as string;
      to.setScript('success');
      const view = await harness.adminOk('POST', `/notifications/${notifyId}/resend`);
      assert.equal(to.received.length, 9);
      assert.equal(to.received[8]?.fields.notify_id, notifyId);
      assert.equal(kit.sdk.checkNotifySign(to.received[8]?.fields ?? {}), true);
      assert.equal(view.status, 'delivered');
      assert.equal(view.attempt_log.length, 9);
      const last = view.attempt_log[8];
      assert.equal(last.manual, true);
      assert.equal(last.delivered, true);
      assert.equal((await notificationsOf(harness, trade.trade_no))[0]?.status, 'delivered');
    });

    it('leaves the schedule as it was when the re-send is not answered success', async () => {
      const { to, trade } = await refundedTrade('fail');
      const notifyId = to.received[0]?.fields.notify_id as string;
      const view = await harness.adminOk('POST', `/notifications/${notifyId}/resend`);
      assert.equal(to.received.length, 2);
      assert.equal(view.status, 'pending');
      assert.equal(view.attempts, 1, 'a re-send by hand does not count towards the schedule');
      await advanceClock(harness, 4 * MINUTE);
      assert.equal(to.received.length, 3, 'the 2nd scheduled attempt still comes 4 minutes after the 1st');
      const [notification] = await notificationsOf(harness, trade.trade_no);
      assert.equal(notification?.attempts, 2);
      assert.deepEqual(
        notification?.attempt_log.map((a: Reply) => a.manual),
        [false, true, false],
      );
    });

    /** A receiver script that holds attempt `held` open until the test answers it, and answers the others `others`. */
    function holding(held: number, others: string) {
      let arrive!: () => void;
      let answer!: (body: string) => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const answered = new Promise<string>((resolve) => (answer = resolve));
      const script = (attempt: number): string | Promise<string> => {
        if (attempt !== held) return others;
        arrive();
        return answered;
      };
      return { script, arrived, answer };
    }

    it('a re-send answered success while a scheduled attempt is in flight stays delivered when that attempt then fails', async () => {
      const hold = holding(1, 'success');
      const to = await receiver(hold.script);
      const trade = await newTrade(harness, kit, { notify_url: to.url });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'RACE1' });
      const scheduled = runDueJobs(harness);
      await hold.arrived;
      const notifyId = to.received[0]?.fields.notify_id as string;
      const view = await harness.adminOk('POST', `/notifications/${notifyId}/resend`);
      assert.equal(view.status, 'delivered');
      hold.answer('fail');
      await scheduled;

      const [notification] = await notificationsOf(harness, trade.trade_no);
      assert.equal(notification?.status, 'delivered', 'the scheduled attempt’s failure does not reopen it');
      assert.equal(notification?.attempts, 1, 'the scheduled attempt is counted');
      assert.equal(notification?.next_attempt_at, null);
      assert.equal(notification?.acknowledged_at, view.acknowledged_at);
      assert.deepEqual(
        notification?.attempt_log.map((a: Reply) => [a.manual, a.delivered]),
        [
          [true, true],
          [false, false],
        ],
        'the re-send was recorded first, the scheduled attempt when it ended',
      );
      await advanceClock(harness, 25 * 3600);
      assert.equal(to.received.length, 2, 'nothing is sent again');
    });

    it('a re-send in flight while a scheduled attempt is made does not write back the schedule it read', async () => {
      const hold = holding(2, 'fail');
      const { to, trade } = await refundedTrade(hold.script, { refund_amount: '1.00', out_request_no: 'RACE2' });
      const notifyId = to.received[0]?.fields.notify_id as string;
      const resend = harness.adminOk('POST', `/notifications/${notifyId}/resend`);
      await hold.arrived;
      await advanceClock(harness, 4 * MINUTE);
      assert.equal(to.received.length, 3, 'the 2nd scheduled attempt was made while the re-send waited');
      hold.answer('fail');
      const view = await resend;
      assert.equal(view.status, 'pending');
      assert.equal(view.attempts, 2, 'the re-send read 1 attempt; the count stays 2');
      const third = view.attempt_log.find((a: Reply) => !a.manual && a.attempt === 2);
      assert.equal(view.next_attempt_at, third?.next_attempt_at, 'the next attempt is the one the 2nd scheduled attempt set');
      assert.equal((chinaTimeMs(view.next_attempt_at) - chinaTimeMs(third?.at)) / 1000, 10 * MINUTE);
      await advanceClock(harness, 10 * MINUTE);
      assert.deepEqual(offsets(to).filter((_, i) => i !== 1), SCHEDULE_SECONDS.slice(0, 3), 'the schedule goes on as if no re-send had been made');
    });

    it('answers 404 notification_not_found for an unknown notify_id', async () => {
      const response = await harness.admin('POST', '/notifications/0123456789abcdef0123456789abcdef/resend');
      assert.equal(response.status, 404);
      assert.equal(response.body.error.code, 'notification_not_found');
    });
  });

  describe('a scheduled attempt taken over by another worker', () => {
    it('is written once to the attempt log, by the run that counted it', async () => {
      // Leases on a clock of their own let the first holder's lease run out mid-POST; it is paused meanwhile.
      const workers = await testWorkers(harness.tuikuan.services);
      const { leaseClock, leaseMs: LEASE_MS } = workers;
      const paused = workers.pausedWorker();
      const other = workers.worker();

      let arrive!: () => void;
      let answer!: (body: string) => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const answered = new Promise<string>((resolve) => (answer = resolve));
      const to = await receiver((attempt) => {
        if (attempt !== 1) return 'fail';
        arrive();
        return answered;
      });
      await harness.tuikuan.worker.stop();
      try {
        const trade = await newTrade(harness, kit, { notify_url: to.url });
        await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'TAKEN' });
        const first = paused.drain();
        await arrived;
        leaseClock.set(leaseClock.now() + LEASE_MS + 1);
        await other.drain();
        assert.equal(to.received.length, 2, 'the other worker made the attempt again');
        answer('success');
        await first;

        const [notification] = await notificationsOf(harness, trade.trade_no);
        assert.equal(notification?.attempts, 1, 'one attempt counted');
        assert.deepEqual(
          notification?.attempt_log.map((a: Reply) => [a.attempt, a.response_body]),
          [[1, 'fail']],
          'one row for attempt 1: the late return of the first holder wrote none',
        );
        assert.equal(notification?.status, 'delivered', 'the late success still settles it, as one by hand would');
      } finally {
        answer('success');
        harness.tuikuan.worker.start();
      }
    });

    for (const second of ['fail', 'success'] as const) {
      it(`keeps its job when the first holder’s answer is counted first and the new holder’s (${second}) comes after`, async () => {
        const workers = await testWorkers(harness.tuikuan.services);
        const { leaseClock, leaseMs: LEASE_MS } = workers;
        const paused = workers.pausedWorker();
        const other = workers.worker();
        const held = [0, 1].map(() => {
          let arrive!: () => void;
          let answer!: (body: string) => void;
          return { arrived: new Promise<void>((resolve) => (arrive = resolve)), answered: new Promise<string>((resolve) => (answer = resolve)), arrive: () => arrive(), answer: (body: string) => answer(body) };
        });
        const to = await receiver((attempt) => {
          const hold = held[attempt - 1];
          if (!hold) return 'success';
          hold.arrive();
          return hold.answered;
        });
        await harness.tuikuan.worker.stop();
        try {
          const trade = await newTrade(harness, kit, { notify_url: to.url });
          await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: `ORDER-${second}` });
          const first = paused.drain();
          await held[0]!.arrived;
          leaseClock.set(leaseClock.now() + LEASE_MS + 1);
          const taken = other.drain();
          await held[1]!.arrived;
          held[0]!.answer('fail');
          await first;
          held[1]!.answer(second);
          await taken;

          const [notification] = await notificationsOf(harness, trade.trade_no);
          assert.equal(notification?.attempt_log.length, 1, 'the attempt written once');
          if (second === 'success') {
            assert.equal(notification?.status, 'delivered', 'a success to the uncounted attempt still settles it');
          } else {
            assert.equal(notification?.status, 'pending');
            await advanceClock(harness, 4 * MINUTE);
            assert.equal((await notificationsOf(harness, trade.trade_no))[0]?.attempts, 2, 'its job was kept: the next attempt is made');
          }
        } finally {
          for (const hold of held) hold.answer('success');
          harness.tuikuan.worker.start();
        }
      });
    }
  });
});
