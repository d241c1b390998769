/**
 * Where notifications may go. Every notify_url is an absolute http(s) URL of at most 256 characters (MAPI:
 * 200), refused where it enters with nothing created. Under the `public` notify policy no notification is
 * delivered to an internal address or to tuikuan itself — judged on the address connected to, whatever the
 * URL says and whatever the DNS answered before — except where the allow list says so; a refused
 * destination is in the attempt log and the notification gives up at once. Under `any` (the default) a
 * receiver on 127.0.0.1 gets its notification. Redirects are never followed.
 */
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { after, afterEach, describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, type Harness, type MerchantKit, newTrade, assertAdminError } from '../support/harness.js';
import { submitBatch } from '../support/batch-flow.js';
import { startNotifyReceiver, type NotifyReceiver, type ReceiverScript } from '../support/notify-receiver.js';
import { send, signedForm, handApp } from '../support/openapi-client.js';
import { advanceClock, ledgerOf, notificationsOf, refund, refundsOf, type Reply } from '../support/refund-calls.js';
import type { NotifyResolver } from '../../src/worker/notify-transport.js';
import { BAD_NOTIFY_URLS } from '../core/notify-url.test.js';

/** A resolver standing in for DNS: each name's answers in turn, the last one repeated; every call counted. */
function fakeDns(answers: Record<string, string[][]>): { resolver: NotifyResolver; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const resolver: NotifyResolver = async (hostname) => {
    const count = calls.get(hostname) ?? 0;
    calls.set(hostname, count + 1);
    const sequence = answers[hostname];
    const answer = sequence?.[Math.min(count, sequence.length - 1)];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 }));
  };
  return { resolver, calls };
}

/** Receivers on 127.0.0.1 and 127.0.0.2 on one port: a name resolving to either reaches a different one. */
async function receiverPair(script: ReceiverScript): Promise<{ victim: NotifyReceiver; allowed: NotifyReceiver }> {
  for (;;) {
    const allowed = await startNotifyReceiver(script, { host: '127.0.0.2' });
    try {
      return { victim: await startNotifyReceiver(script, { host: '127.0.0.1', port: allowed.port }), allowed };
    } catch {
      await allowed.close();
    }
  }
}

/** The one notification of a trade, once its due attempts have run. */
async function onlyNotification(harness: Harness, tradeNo: string): Promise<Reply> {
  const [notification, ...more] = await notificationsOf(harness, tradeNo);
  assert.equal(more.length, 0);
  assert.ok(notification, `a notification for ${tradeNo}`);
  return notification;
}

/** A trade whose notify_url is `url`, refunded: its trade_status_sync is owed. */
async function refundedTrade(harness: Harness, kit: MerchantKit, url: string): Promise<string> {
  const trade = await newTrade(harness, kit, { notify_url: url });
  const reply = await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'R1' });
  assert.equal(reply.code, '10000');
  return trade.trade_no as string;
}

function assertRefused(notification: Reply, reason: RegExp): void {
  assert.equal(notification.status, 'given_up', 'a refused destination is given up at once');
  assert.equal(notification.next_attempt_at, null);
  assert.equal(notification.attempt_log.length, 1);
  const [attempt] = notification.attempt_log;
  assert.equal(attempt.http_status, null);
  assert.equal(attempt.delivered, false);
  assert.match(attempt.error, /^destination refused: /);
  assert.match(attempt.error, reason);
}

describeEachEngine('where notifications may go', (engine) => {
  describe('a bad notify_url, at every entry', () => {
    const { harness, kit } = useHarness(engine, { clock: 'virtual' });

    it('alipay.trade.pay answers 40002 isv.invalid-parameter and creates no trade', async () => {
      const app = await handApp(harness);
      for (const [i, url] of BAD_NOTIFY_URLS.entries()) {
        const outTradeNo = `BADURL${i}`;
        const biz = { out_trade_no: outTradeNo, scene: 'bar_code', auth_code: '28763443825664394', subject: 'x', total_amount: '1.00' };
        const reply = await send(harness.tuikuan.gateway, signedForm(app, { method: 'alipay.trade.pay', biz, params: { notify_url: url } }).form, 'POST');
        assert.equal(reply.node.code, '40002', url);
        assert.equal(reply.node.sub_code, 'isv.invalid-parameter', url);
        const query = await send(harness.tuikuan.gateway, signedForm(app, { method: 'alipay.trade.query', biz: { out_trade_no: outTradeNo } }).form, 'POST');
        assert.equal(query.node.sub_code, 'ACQ.TRADE_NOT_EXIST', `no trade was created for ${url}`);
      }
      assert.equal((await ledgerOf(harness, app.pid)).entries.length, 1, 'only the opening balance: no payment was credited');
    });

    it('alipay.trade.refund answers 40002 and refunds nothing', async () => {
      const app = await handApp(harness);
      const trade = await harness.adminOk('POST', '/trades', { app_id: app.appId, total_amount: '10.00' });
      const reply = await send(
        harness.tuikuan.gateway,
        signedForm(app, { method: 'alipay.trade.refund', biz: { trade_no: trade.trade_no, refund_amount: '1.00' }, params: { notify_url: 'file:///etc/passwd' } }).form,
      );
      assert.equal(reply.node.sub_code, 'isv.invalid-parameter');
      assert.deepEqual(await refundsOf(harness, trade.trade_no), []);
    });

    it('the admin API answers 400 naming notify_url and creates no trade', async () => {
      const before = (await ledgerOf(harness, kit.pid)).entries.length;
      for (const url of BAD_NOTIFY_URLS) {
        const response = await harness.admin('POST', '/trades', { app_id: kit.appId, total_amount: '10.00', notify_url: url });
        assert.equal(response.status, 400, url);
        assert.equal(response.body.error.code, 'invalid_request');
        assert.match(response.body.error.message, /^notify_url: /);
      }
      assert.equal((await ledgerOf(harness, kit.pid)).entries.length, before, 'no payment was credited');
    });

    it('MAPI shows ILLEGAL_ARGUMENT and creates no batch, for notify_url and return_url', async () => {
      const trade = await newTrade(harness, kit);
      for (const [param, url] of [...BAD_NOTIFY_URLS.map((u) => ['notify_url', u] as const), ['return_url', 'javascript:alert(1)'] as const]) {
        const submitted = await submitBatch(harness, kit, { lines: [{ tradeNo: trade.trade_no, amount: '1.00' }], params: { [param]: url } });
        assert.equal(submitted.errorCode, 'ILLEGAL_ARGUMENT', `${param}=${url}`);
        assertAdminError(await harness.admin('GET', `/batches/${submitted.params.batch_no}`), 404, 'batch_not_found');
      }
    });
  });

  describe('under the public policy', () => {
    const closing: NotifyReceiver[] = [];
    const dns = fakeDns({
      'merchant.test': [['127.0.0.1']],
      'dual.test': [['::1']],
      // Answers an allowed address to whoever asks first, and loopback from then on.
      'rebind.test': [['127.0.0.2'], ['127.0.0.1']],
      'allowed.test': [['127.0.0.2']],
    });
    // 127.0.0.2 stands in for a public address: the allow list lets it through, as it would one.
    const { harness, kit } = useHarness(engine, { clock: 'virtual', tuikuan: { notifyPolicy: 'public', notifyAllow: '127.0.0.2', notifyResolver: dns.resolver } });
    after(() => Promise.all(closing.map((r) => r.close())));
    afterEach(() => advanceClock(harness, 0));

    async function pair() {
      const receivers = await receiverPair('success');
      closing.push(receivers.victim, receivers.allowed);
      return receivers;
    }

    it('never connects to loopback named by a host name, a decimal IP or [::1]', async () => {
      const { victim } = await pair();
      const six = await startNotifyReceiver('success', { host: '::1' });
      closing.push(six);
      const cases: Array<[string, RegExp]> = [
        [`http://merchant.test:${victim.port}/notify`, /merchant\.test resolves to 127\.0\.0\.1 is a loopback address/],
        [`http://2130706433:${victim.port}/notify`, /127\.0\.0\.1 is a loopback address/],
        [`http://0x7f000001:${victim.port}/notify`, /127\.0\.0\.1 is a loopback address/],
        [`http://[::1]:${six.port}/notify`, /::1 is a loopback address/],
        [`http://dual.test:${six.port}/notify`, /::1 is a loopback address/],
        [`http://[::ffff:127.0.0.1]:${victim.port}/notify`, /loopback address/],
      ];
      for (const [url, reason] of cases) {
        const tradeNo = await refundedTrade(harness, kit, url);
        await advanceClock(harness, 0);
        assertRefused(await onlyNotification(harness, tradeNo), reason);
      }
      assert.equal(victim.connections(), 0, 'the loopback receiver was never connected to');
      assert.equal(six.connections(), 0, 'nor the one on [::1]');
    });

    it('never connects to link-local, private or unspecified addresses (169.254.169.254, 10/8, 0.0.0.0)', async () => {
      for (const [url, reason] of [
        ['http://169.254.169.254/latest/meta-data/iam/', /169\.254\.169\.254 is a link-local address/],
        ['http://10.0.0.7:8080/notify', /10\.0\.0\.7 is a private address/],
        ['http://0.0.0.0:9/notify', /0\.0\.0\.0 is an unspecified address/],
        ['http://[fd00::1]/notify', /fd00::1 is a unique-local address/],
      ] as const) {
        const tradeNo = await refundedTrade(harness, kit, url);
        await advanceClock(harness, 0);
        assertRefused(await onlyNotification(harness, tradeNo), reason);
      }
    });

    it('judges the address connected to: a DNS answer that changes after a first look reaches nothing forbidden', async () => {
      const { victim, allowed } = await pair();
      const tradeNo = await refundedTrade(harness, kit, `http://rebind.test:${victim.port}/notify`);
      await advanceClock(harness, 0);
      const notification = await onlyNotification(harness, tradeNo);
      assert.equal(notification.status, 'delivered', 'delivered to the address the one lookup answered');
      assert.equal(allowed.received.length, 1);
      assert.equal(victim.connections(), 0, 'the later answer, 127.0.0.1, was never connected to');
      assert.equal(dns.calls.get('rebind.test'), 1, 'one lookup per attempt: the one the socket used');
    });

    it('records the refusal in the attempt log and makes no more attempts, however far the clock goes', async () => {
      const { victim } = await pair();
      const tradeNo = await refundedTrade(harness, kit, `http://merchant.test:${victim.port}/notify`);
      await advanceClock(harness, 26 * 3600);
      const notification = await onlyNotification(harness, tradeNo);
      assertRefused(notification, /loopback address \(notify policy public\)/);
      assert.equal(notification.attempts, 1);
      assert.equal(victim.connections(), 0);
    });

    it('delivers to an address the allow list names', async () => {
      const { victim, allowed } = await pair();
      const tradeNo = await refundedTrade(harness, kit, `http://allowed.test:${victim.port}/notify`);
      await advanceClock(harness, 0);
      assert.equal((await onlyNotification(harness, tradeNo)).status, 'delivered');
      assert.equal(allowed.received.length, 1);
    });

    it('a re-send by hand is refused the same way, and settles nothing', async () => {
      const { victim } = await pair();
      const tradeNo = await refundedTrade(harness, kit, `http://merchant.test:${victim.port}/notify`);
      await advanceClock(harness, 0);
      const notifyId = (await onlyNotification(harness, tradeNo)).notify_id as string;
      const resent = await harness.adminOk('POST', `/notifications/${notifyId}/resend`);
      assert.equal(resent.attempt_log.length, 2);
      assert.match(resent.attempt_log[1].error, /^destination refused: /);
      assert.equal(resent.status, 'given_up');
      assert.equal(victim.connections(), 0);
    });
  });

  describe('under the public policy, tuikuan itself', () => {
    // Loopback allowed: what refuses tuikuan's own address is the rule about tuikuan, not about loopback.
    const { harness, kit, receiver } = useHarness(engine, {
      clock: 'virtual',
      tuikuan: { notifyPolicy: 'public', notifyAllow: '127.0.0.0/8,localhost', notifyResolver: fakeDns({ localhost: [['127.0.0.1']] }).resolver },
      receiver: 'success',
    });

    it('is never connected to — not its admin API, not its gateway — even where loopback is allowed', async () => {
      const own = new URL(harness.tuikuan.url);
      const trades = [
        await refundedTrade(harness, kit, `${harness.tuikuan.adminUrl}/merchants`),
        await refundedTrade(harness, kit, `http://localhost:${own.port}/gateway.do`),
      ];
      const server = harness.tuikuan.server!.server;
      let connections = 0;
      const count = () => connections++;
      // The worker runs here, in this process, while nothing else talks to the server.
      await harness.tuikuan.worker.stop();
      server.on('connection', count);
      try {
        await harness.tuikuan.worker.drain();
      } finally {
        server.off('connection', count);
        harness.tuikuan.worker.start();
      }
      assert.equal(connections, 0, 'tuikuan received no connection from its own worker');
      for (const tradeNo of trades) assertRefused(await onlyNotification(harness, tradeNo), /port \d+ is tuikuan itself/);
    });

    it('while another loopback port the allow list names gets its notification', async () => {
      const tradeNo = await refundedTrade(harness, kit, receiver.url);
      await advanceClock(harness, 0);
      assert.equal((await onlyNotification(harness, tradeNo)).status, 'delivered');
      assert.equal(receiver.received.length, 1);
    });
  });

  describe('under the any policy (the default)', () => {
    const { harness, kit } = useHarness(engine, { clock: 'virtual' });
    const closing: NotifyReceiver[] = [];
    after(() => Promise.all(closing.map((r) => r.close())));

    it('a receiver on 127.0.0.1 gets its notification', async () => {
      const receiver = await startNotifyReceiver('success');
      closing.push(receiver);
      const tradeNo = await refundedTrade(harness, kit, receiver.url);
      await advanceClock(harness, 0);
      assert.equal((await onlyNotification(harness, tradeNo)).status, 'delivered');
      assert.equal(receiver.received.length, 1);
    });

    it('a redirect is not followed: the 3xx is an attempt that failed, retried on the schedule', async () => {
      const target = await startNotifyReceiver('success');
      const redirecting = await startNotifyReceiver(() => ({ status: 302, body: '', location: target.url }));
      closing.push(target, redirecting);
      const tradeNo = await refundedTrade(harness, kit, redirecting.url);
      await advanceClock(harness, 0);
      const notification = await onlyNotification(harness, tradeNo);
      assert.equal(notification.status, 'pending');
      assert.equal(notification.attempt_log[0].http_status, 302);
      assert.equal(notification.attempt_log[0].delivered, false);
      assert.notEqual(notification.next_attempt_at, null);
      assert.equal(target.connections(), 0, 'the Location was never followed');
    });
  });
});
