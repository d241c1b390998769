// The kit from CommonJS (require): startTuikuan is async, and loads the kit's ES module on its first call.
const assert = require('node:assert/strict');
const { after, describe, it } = require('node:test');
const { AlipaySdk } = require('alipay-sdk');
const { startTuikuan } = require('tuikuan');

describe('the kit from CommonJS', () => {
  let kit;
  after(() => kit?.close());

  it('starts, answers the official SDK, snapshots and restores', async () => {
    kit = await startTuikuan({ seed: 'demo' });
    const alipay = new AlipaySdk({
      appId: kit.demo.app.app_id,
      privateKey: kit.demo.app.app_private_key,
      alipayPublicKey: kit.demo.platform_public_key,
      gateway: kit.gateway,
    });
    const [trade] = kit.demo.trades;
    const snapshot = await kit.snapshot();
    const refund = await alipay.exec(
      'alipay.trade.refund',
      { bizContent: { trade_no: trade.trade_no, refund_amount: '2.00', out_request_no: 'cjs-1' } },
      { validateSign: true },
    );
    assert.equal(refund.fundChange, 'Y');
    await kit.restore(snapshot.snapshot_id);
    const query = await alipay.exec('alipay.trade.query', { bizContent: { trade_no: trade.trade_no } });
    assert.equal(query.tradeStatus, 'TRADE_SUCCESS');
    assert.equal((await kit.admin.trades.get(trade.trade_no)).refunded_amount, '0.00');
  });
});
