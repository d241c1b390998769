/**
 * alipay.trade.close (notes §12.9), through the official alipay-sdk over v1 and v3: only a trade waiting for
 * the buyer closes — TRADE_CLOSED, its close time, a TRADE_CLOSED notification with 0.00 amounts; anything
 * else answers Alipay's code, and changes nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { type MerchantKit, newTrade, useHarness } from '../support/harness.js';
import { v3Error, v3Sdk } from '../support/openapi-v3-client.js';
import { assertBusinessError, assertSuccess, getTrade, notificationsOf, refund, runDueJobs, type Biz, type Reply } from '../support/refund-calls.js';

let counter = 0;
const outTradeNo = () => `CL${Date.now()}${++counter}`;

function close(kit: MerchantKit, biz: Biz, notifyUrl?: string): Promise<Reply> {
  return kit.sdk.exec('alipay.trade.close', { bizContent: biz, ...(notifyUrl && { notify_url: notifyUrl }) }, { validateSign: true }) as Promise<Reply>;
}

describeEachEngine('alipay.trade.close', (engine) => {
  const { harness, kit, receiver } = useHarness(engine, { clock: 'virtual', receiver: 'success' });

  describe('a trade waiting for the buyer closes', () => {
    it('by out_trade_no: TRADE_CLOSED with its close time, and the query says so', async () => {
      const no = outTradeNo();
      const trade = await newTrade(harness, kit, { out_trade_no: no, status: 'WAIT_BUYER_PAY' });
      const reply = await close(kit, { out_trade_no: no });
      assertSuccess(reply);
      assert.equal(reply.trade_no, trade.trade_no);
      assert.equal(reply.out_trade_no, no);
      const after = await getTrade(harness, trade.trade_no);
      assert.equal(after.trade_status, 'TRADE_CLOSED');
      assert.ok(after.gmt_close);
      const query = (await kit.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: no } }, { validateSign: true })) as Reply;
      assert.equal(query.trade_status, 'TRADE_CLOSED');
      assert.equal(query.receipt_amount, '0.00');
    });

    it('by trade_no, which wins over a wrong out_trade_no', async () => {
      const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo(), status: 'WAIT_BUYER_PAY' });
      assertSuccess(await close(kit, { trade_no: trade.trade_no, out_trade_no: 'NOT-THIS-ONE' }));
      assert.equal((await getTrade(harness, trade.trade_no)).trade_status, 'TRADE_CLOSED');
    });

    it('notifies TRADE_CLOSED to the close request’s notify_url, with 0.00 amounts and no fund bill, verified by the SDK', async () => {
      const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo(), status: 'WAIT_BUYER_PAY' });
      const before = receiver.received.length;
      assertSuccess(await close(kit, { trade_no: trade.trade_no }, receiver.url));
      await runDueJobs(harness);
      const sent = receiver.received.slice(before).map((n) => n.fields);
      assert.equal(sent.length, 1);
      const [fields] = sent;
      assert.ok(fields);
      assert.equal(fields.trade_status, 'TRADE_CLOSED');
      assert.equal(fields.trade_no, trade.trade_no);
      assert.equal(fields.receipt_amount, '0.00');
      assert.equal(fields.buyer_pay_amount, '0.00');
      assert.ok(fields.gmt_close);
      assert.equal('fund_bill_list' in fields, false);
      assert.equal('gmt_payment' in fields, false);
      assert.equal(kit.sdk.checkNotifySign(fields), true);
      assert.equal((await notificationsOf(harness, trade.trade_no)).length, 1);
    });
  });

  describe('only WAIT_BUYER_PAY may be closed', () => {
    it('a paid trade: ACQ.TRADE_STATUS_ERROR, still paid', async () => {
      const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo() });
      const reply = await close(kit, { trade_no: trade.trade_no });
      assertBusinessError(reply, 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
      assert.equal(reply.trade_no, trade.trade_no);
      assert.equal((await getTrade(harness, trade.trade_no)).trade_status, 'TRADE_SUCCESS');
    });

    it('a trade closed already, or refunded in full: ACQ.TRADE_STATUS_ERROR', async () => {
      const unpaid = await newTrade(harness, kit, { out_trade_no: outTradeNo(), status: 'WAIT_BUYER_PAY' });
      assertSuccess(await close(kit, { trade_no: unpaid.trade_no }));
      assertBusinessError(await close(kit, { trade_no: unpaid.trade_no }), 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
      const paid = await newTrade(harness, kit, { out_trade_no: outTradeNo() });
      assertSuccess(await refund(kit, { trade_no: paid.trade_no, refund_amount: '100.00' }));
      assertBusinessError(await close(kit, { trade_no: paid.trade_no }), 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    });

    it('a trade that does not exist: ACQ.TRADE_NOT_EXIST, echoing the number asked for', async () => {
      const reply = await close(kit, { out_trade_no: 'NO-SUCH-ORDER' });
      assertBusinessError(reply, 'ACQ.TRADE_NOT_EXIST', '交易不存在');
      assert.equal(reply.out_trade_no, 'NO-SUCH-ORDER');
    });

    it('neither trade_no nor out_trade_no: ACQ.INVALID_PARAMETER', async () => {
      assertBusinessError(await close(kit, {}), 'ACQ.INVALID_PARAMETER', '参数无效');
    });
  });

  describe('over OpenAPI v3', () => {
    it('POST /v3/alipay/trade/close closes, and a paid trade is 400 TRADE_STATUS_ERROR', async () => {
      const sdk = v3Sdk(harness, kit);
      const unpaid = await newTrade(harness, kit, { out_trade_no: outTradeNo(), status: 'WAIT_BUYER_PAY' });
      const closed = await sdk.curl('POST', '/v3/alipay/trade/close', { body: { out_trade_no: unpaid.out_trade_no } });
      assert.equal(closed.responseHttpStatus, 200);
      assert.equal((closed.data as Reply).trade_no, unpaid.trade_no);
      const paid = await newTrade(harness, kit, { out_trade_no: outTradeNo() });
      const error = await v3Error(sdk.curl('POST', '/v3/alipay/trade/close', { body: { trade_no: paid.trade_no } }));
      assert.equal(error.responseHttpStatus, 400);
      assert.equal(error.code, 'TRADE_STATUS_ERROR');
      assert.equal(error.message.split(' (')[0], '交易状态不合法');
    });
  });
});
