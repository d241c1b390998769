import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMerchantKit, startHarness, type Harness, type MerchantKit } from '../support/harness.js';

describe('alipay.trade.pay and alipay.trade.query through the official alipay-sdk', () => {
  let harness: Harness;
  let kit: MerchantKit;
  before(async () => {
    harness = await startHarness();
    kit = await createMerchantKit(harness);
  });
  after(() => harness.close());

  it('pays at once and answers a signed reply that the SDK verifies', async () => {
    const result = await kit.sdk.exec(
      'alipay.trade.pay',
      { bizContent: { out_trade_no: 'PAY-1', scene: 'bar_code', auth_code: '286648395128379123', subject: '测试商品', total_amount: '88.88' } },
      { validateSign: true },
    );
    assert.equal(result.code, '10000');
    assert.equal(result.total_amount, '88.88');
    assert.match(result.trade_no, /^\d{28}$/);
    const query = await kit.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'PAY-1' } }, { validateSign: true });
    assert.equal(query.code, '10000');
    assert.equal(query.trade_status, 'TRADE_SUCCESS');
    assert.equal(query.trade_no, result.trade_no);
  });
});
