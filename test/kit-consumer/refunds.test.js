// A merchant's suite on the tuikuan kit: the app under test refunds through the official SDK, is notified, and
// the suite snapshots, refunds more and restores — the refunds and the clock are back — then resets and closes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { AdminApiError, startTuikuan } from 'tuikuan';
import { startNotifyReceiver } from './notify-receiver.js';

describe('refunds against the tuikuan kit', () => {
  let kit;
  let alipay;
  let receiver;

  before(async () => {
    kit = await startTuikuan(); // a free port, a temporary data dir, a virtual clock, the demo world
    receiver = await startNotifyReceiver();
    alipay = new AlipaySdk({
      appId: kit.demo.app.app_id,
      privateKey: kit.demo.app.app_private_key,
      alipayPublicKey: kit.demo.platform_public_key,
      gateway: kit.gateway,
    });
  });

  after(async () => {
    await kit.close();
    await receiver.close();
  });

  it('refunds, waits for the notification, snapshots, refunds more, restores, resets', async () => {
    const startedAt = kit.clock.now();
    assert.match(kit.gateway, /^http:\/\/127\.0\.0\.1:\d+\/gateway\.do$/);
    assert.equal(kit.consoleUrl, `${kit.endpoint}/console`);

    const trade = await kit.admin.trades.create({ app_id: kit.demo.app.app_id, total_amount: '88.00', notify_url: receiver.url });
    const refund = await alipay.exec(
      'alipay.trade.refund',
      { bizContent: { out_trade_no: trade.out_trade_no, refund_amount: '10.00', out_request_no: 'refund-1' } },
      { validateSign: true },
    );
    assert.equal(refund.code, '10000');
    assert.equal(refund.fundChange, 'Y');

    const notified = await kit.notifications.waitFor((n) => n.trade_no === trade.trade_no && n.status === 'delivered');
    assert.equal(notified.params.refund_fee, '10.00');
    assert.equal(receiver.received.length, 1);
    assert.equal(alipay.checkNotifySign(receiver.received[0]), true, 'the notification is signed by the platform key');

    const snapshot = await kit.snapshot();
    assert.equal(snapshot.clock_at_ms, startedAt.getTime());

    await alipay.exec('alipay.trade.refund.apply', { bizContent: { trade_no: trade.trade_no, refund_amount: '5.00', out_request_no: 'refund-2' } });
    await alipay.exec('alipay.trade.refund', { bizContent: { trade_no: trade.trade_no, refund_amount: '3.00', out_request_no: 'refund-3' } });
    const moved = await kit.clock.advance('2h');
    assert.equal(moved.now_ms, startedAt.getTime() + 2 * 3600 * 1000);
    assert.equal((await kit.admin.trades.get(trade.trade_no)).refunded_amount, '18.00');

    const restored = await kit.restore(snapshot);
    assert.equal(restored.now_ms, startedAt.getTime());
    assert.equal(kit.clock.now().getTime(), startedAt.getTime(), 'the clock is back');
    assert.equal((await kit.admin.trades.get(trade.trade_no)).refunded_amount, '10.00');
    assert.deepEqual(
      (await kit.admin.refunds.list({ trade_no: trade.trade_no })).map((r) => r.out_request_no),
      ['refund-1'],
    );
    const gone = await alipay.exec('alipay.trade.fastpay.refund.query', { bizContent: { trade_no: trade.trade_no, out_request_no: 'refund-3' } });
    assert.equal(gone.code, '10000');
    assert.equal(gone.refundStatus, undefined, 'a refund made after the snapshot is unknown again');
    assert.equal((await kit.notifications.list({ trade_no: trade.trade_no })).length, 1);

    await kit.reset();
    await assert.rejects(kit.admin.trades.get(trade.trade_no), (error) => error instanceof AdminApiError && error.code === 'trade_not_found');
    const demoTrade = await kit.admin.trades.get(kit.demo.trades[0].trade_no);
    assert.equal(demoTrade.refunded_amount, '0.00');
    assert.equal(kit.clock.now().getTime(), startedAt.getTime());
  });

  it('runs a notification schedule with toNextJob: a failing notify_url is tried again at each step', async () => {
    const trade = await kit.admin.trades.create({ app_id: kit.demo.app.app_id, total_amount: '20.00', notify_url: 'http://127.0.0.1:9/nobody-listens' });
    await alipay.exec('alipay.trade.refund', { bizContent: { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'retry-1' } });
    const first = await kit.notifications.waitFor((n) => n.trade_no === trade.trade_no && n.attempts >= 1);
    assert.equal(first.status, 'pending');
    const step = await kit.clock.toNextJob();
    assert.deepEqual(
      step.ran.map((run) => run.kind),
      ['notify'],
    );
    const [after] = await kit.notifications.list({ trade_no: trade.trade_no });
    assert.equal(after.attempts, 2);
  });
});
