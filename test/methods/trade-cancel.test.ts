/**
 * alipay.trade.cancel (notes §12.10), through the official alipay-sdk over v1 and v3: an unpaid trade closes
 * (`action=close`), a paid one is refunded in full through the refund core (`action=refund`) — one refund,
 * however often the cancel is repeated or raced with alipay.trade.refund; an unknown trade is nothing to cancel;
 * the time limit and the refund rules answer Alipay's codes with `retry_flag=N`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { type MerchantKit, newTrade, useHarness } from '../support/harness.js';
import { v3Sdk } from '../support/openapi-v3-client.js';
import {
  advanceClock,
  assertBusinessError,
  assertSuccess,
  getTrade,
  ledgerOf,
  refund,
  refundsOf,
  setBalance,
  type Biz,
  type Reply,
} from '../support/refund-calls.js';

let counter = 0;
const outTradeNo = () => `CA${Date.now()}${++counter}`;

function cancel(kit: MerchantKit, biz: Biz): Promise<Reply> {
  return kit.sdk.exec('alipay.trade.cancel', { bizContent: biz }, { validateSign: true }) as Promise<Reply>;
}

describeEachEngine('alipay.trade.cancel', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual' });

  describe('an unpaid trade is closed: action=close', () => {
    it('closes it, and a repeat answers the same', async () => {
      const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo(), status: 'WAIT_BUYER_PAY' });
      for (const attempt of [1, 2]) {
        const reply = await cancel(kit, { out_trade_no: trade.out_trade_no });
        assertSuccess(reply);
        assert.deepEqual([reply.action, reply.retry_flag, reply.trade_no, reply.out_trade_no], ['close', 'N', trade.trade_no, trade.out_trade_no], `attempt ${attempt}`);
      }
      assert.equal((await getTrade(harness, trade.trade_no)).trade_status, 'TRADE_CLOSED');
      assert.deepEqual(await refundsOf(harness, trade.trade_no), []);
    });
  });

  describe('a paid trade is refunded in full: action=refund', () => {
    it('one refund of the whole amount, visible to the refund query and the ledger; the trade closes', async () => {
      const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo(), total_amount: '88.00' });
      const before = await ledgerOf(harness, kit.pid);
      const reply = await cancel(kit, { trade_no: trade.trade_no });
      assertSuccess(reply);
      assert.deepEqual([reply.action, reply.retry_flag, reply.trade_no], ['refund', 'N', trade.trade_no]);
      const refunds = await refundsOf(harness, trade.trade_no);
      assert.equal(refunds.length, 1);
      assert.deepEqual([refunds[0]?.refund_amount, refunds[0]?.status, refunds[0]?.source], ['88.00', 'succeeded', 'cancel']);
      assert.equal((await getTrade(harness, trade.trade_no)).trade_status, 'TRADE_CLOSED');
      const query = (await kit.sdk.exec(
        'alipay.trade.fastpay.refund.query',
        { bizContent: { trade_no: trade.trade_no, out_request_no: trade.out_trade_no } },
        { validateSign: true },
      )) as Reply;
      assert.deepEqual([query.refund_amount, query.refund_status], ['88.00', 'REFUND_SUCCESS']);
      const added = (await ledgerOf(harness, kit.pid)).entries.slice(before.entries.length) as Reply[];
      assert.deepEqual(
        added.filter((entry) => entry.kind === 'refund').map((entry) => [entry.amount, entry.trade_no]),
        [['-88.00', trade.trade_no]],
      );
    });

    it('repeated (the retry_flag case) it is still one refund, answered alike', async () => {
      const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo() });
      for (let i = 0; i < 3; i++) {
        const reply = await cancel(kit, { out_trade_no: trade.out_trade_no });
        assertSuccess(reply);
        assert.equal(reply.action, 'refund');
      }
      assert.equal((await refundsOf(harness, trade.trade_no)).length, 1);
    });

    it('raced with alipay.trade.refund of the whole amount: one refund, never two', async () => {
      for (let round = 0; round < 4; round++) {
        const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo() });
        const [cancelled, refunded] = await Promise.all([
          cancel(kit, { trade_no: trade.trade_no }),
          refund(kit, { trade_no: trade.trade_no, refund_amount: '100.00' }),
        ]);
        const refunds = await refundsOf(harness, trade.trade_no);
        assert.equal(refunds.length, 1, `round ${round}: ${JSON.stringify([cancelled, refunded])}`);
        assert.equal(refunds[0]?.refund_amount, '100.00');
        const after = await getTrade(harness, trade.trade_no);
        assert.deepEqual([after.refunded_amount, after.refund_count, after.trade_status], ['100.00', 1, 'TRADE_CLOSED']);
        // Whichever came first moved the money; the other answered without moving any more.
        assert.ok(cancelled.code === '10000' || cancelled.sub_code === 'ACQ.REASON_TRADE_REFUND_FEE_ERR', JSON.stringify(cancelled));
      }
    });
  });

  describe('what cannot be cancelled answers Alipay’s code, retry_flag=N, and moves nothing', () => {
    it('a trade refunded in part already: ACQ.REASON_TRADE_REFUND_FEE_ERR', async () => {
      const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo() });
      assertSuccess(await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'P1' }));
      const reply = await cancel(kit, { trade_no: trade.trade_no });
      assertBusinessError(reply, 'ACQ.REASON_TRADE_REFUND_FEE_ERR', '退款金额无效');
      assert.equal(reply.retry_flag, 'N');
      assert.equal((await refundsOf(harness, trade.trade_no)).length, 1);
    });

    it('a paid trade past the cancel window (24 h): ACQ.TRADE_CANCEL_TIME_OUT', async () => {
      const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo() });
      await advanceClock(harness, 24 * 3600 + 1);
      const reply = await cancel(kit, { trade_no: trade.trade_no });
      assertBusinessError(reply, 'ACQ.TRADE_CANCEL_TIME_OUT', '超过撤销时间范围');
      assert.equal(reply.retry_flag, 'N');
      assert.deepEqual(await refundsOf(harness, trade.trade_no), []);
    });

    it('a frozen trade: ACQ.REASON_TRADE_BEEN_FREEZEN', async () => {
      const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo() });
      await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { frozen: true });
      assertBusinessError(await cancel(kit, { trade_no: trade.trade_no }), 'ACQ.REASON_TRADE_BEEN_FREEZEN', '当前交易被冻结，不允许进行撤销');
    });

    it('a trade whose product allows no refund: ACQ.CANCEL_NOT_ALLOWED', async () => {
      const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo() });
      await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { refund_allowed: false });
      assertBusinessError(await cancel(kit, { trade_no: trade.trade_no }), 'ACQ.CANCEL_NOT_ALLOWED', '交易不允许撤销');
    });

    it('a seller without the balance: ACQ.SELLER_BALANCE_NOT_ENOUGH, nothing refunded', async () => {
      const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo() });
      await setBalance(harness, kit.pid, '0.00');
      assertBusinessError(await cancel(kit, { trade_no: trade.trade_no }), 'ACQ.SELLER_BALANCE_NOT_ENOUGH', '商户的支付宝账户中无足够的资金进行撤销');
      assert.deepEqual(await refundsOf(harness, trade.trade_no), []);
      await setBalance(harness, kit.pid, '10000.00');
    });

    it('a trade that does not exist: success, no action, retry_flag=N', async () => {
      const reply = await cancel(kit, { out_trade_no: 'NO-SUCH-ORDER' });
      assertSuccess(reply);
      assert.deepEqual([reply.out_trade_no, reply.retry_flag, reply.action], ['NO-SUCH-ORDER', 'N', undefined]);
    });

    it('neither number: ACQ.INVALID_PARAMETER', async () => {
      assertBusinessError(await cancel(kit, {}), 'ACQ.INVALID_PARAMETER', '参数无效');
    });
  });

  describe('over OpenAPI v3', () => {
    it('POST /v3/alipay/trade/cancel closes an unpaid trade and refunds a paid one', async () => {
      const sdk = v3Sdk(harness, kit);
      const unpaid = await newTrade(harness, kit, { out_trade_no: outTradeNo(), status: 'WAIT_BUYER_PAY' });
      const closed = await sdk.curl('POST', '/v3/alipay/trade/cancel', { body: { out_trade_no: unpaid.out_trade_no } });
      assert.deepEqual([(closed.data as Reply).action, (closed.data as Reply).retry_flag], ['close', 'N']);
      const paid = await newTrade(harness, kit, { out_trade_no: outTradeNo() });
      const refunded = await sdk.curl('POST', '/v3/alipay/trade/cancel', { body: { trade_no: paid.trade_no } });
      assert.equal((refunded.data as Reply).action, 'refund');
      assert.equal((await refundsOf(harness, paid.trade_no)).length, 1);
    });
  });
});
