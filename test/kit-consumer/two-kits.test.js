// Two kits in one process are two worlds: their own ports, data, clocks and snapshots.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { AdminApiError, startTuikuan } from 'tuikuan';

describe('two kits in one process', () => {
  const kits = [];
  after(() => Promise.all(kits.map((kit) => kit.close())));

  it('do not interfere', async () => {
    const [a, b] = await Promise.all([startTuikuan(), startTuikuan()]);
    kits.push(a, b);
    assert.notEqual(a.gateway, b.gateway);
    assert.notEqual(a.dataDir, b.dataDir);
    const [aStarted, bStarted] = [a.clock.now().getTime(), b.clock.now().getTime()];
    const tradeNo = a.demo.trades[0].trade_no;
    assert.equal(b.demo.trades[0].trade_no, tradeNo, 'the demo world is the same in both');

    const sdkA = new AlipaySdk({
      appId: a.demo.app.app_id,
      privateKey: a.demo.app.app_private_key,
      alipayPublicKey: a.demo.platform_public_key,
      gateway: a.gateway,
    });
    const refund = await sdkA.exec('alipay.trade.refund', { bizContent: { trade_no: tradeNo, refund_amount: '7.00', out_request_no: 'a-1' } });
    assert.equal(refund.fundChange, 'Y');
    await a.clock.advance(3600);

    assert.equal((await a.admin.trades.get(tradeNo)).refunded_amount, '7.00');
    assert.equal((await b.admin.trades.get(tradeNo)).refunded_amount, '0.00');
    assert.equal(a.clock.now().getTime(), aStarted + 3600 * 1000, "a's clock moved an hour");
    assert.equal(b.clock.now().getTime(), bStarted, "b's did not");

    const snapshot = await a.snapshot();
    await assert.rejects(b.restore(snapshot), (error) => error instanceof AdminApiError && error.status === 404 && error.code === 'snapshot_not_found');
    await b.reset();
    assert.equal((await a.admin.trades.get(tradeNo)).refunded_amount, '7.00', "b's reset leaves a alone");
  });
});
