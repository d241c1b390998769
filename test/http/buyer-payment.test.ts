/**
 * A payment from a registered buyer's own funds (the admin API's `buyer_user_id` with the channels and coupons
 * chosen), and the refund that gives it back: the fund bill follows from the draw, the buyer's funds are debited
 * with the trade, and refunds over v1 and v3 return each channel's part to that channel — a bank card's part when
 * the bank answers, to the card on S and to the balance on F.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { newTrade, useHarness, type Harness } from '../support/harness.js';
import { v3Sdk } from '../support/openapi-v3-client.js';
import { advanceClock, assertSuccess, refund, type Reply } from '../support/refund-calls.js';

let counter = 0;
const outTradeNo = () => `BP${Date.now()}${++counter}`;

async function newBuyer(harness: Harness, sellerPid: string): Promise<Reply> {
  return harness.adminOk('POST', '/buyers', {
    funds: {
      balance: '50.00',
      yuebao: '30.00',
      huabei_limit: '500.00',
      points: '2.00',
      bank_cards: [{ bank_code: 'ICBC', fund_type: 'DEBIT_CARD', card_tail: '6688' }],
      coupons: [
        { voucher_id: `RP${Date.now()}${++counter}`, fund_channel: 'COUPON', amount: '5.00', whole_only: true },
        { voucher_id: `MD${Date.now()}${++counter}`, fund_channel: 'MDISCOUNT', merchant_pid: sellerPid, amount: '10.00' },
      ],
    },
  });
}

const funds = async (harness: Harness, buyerUserId: string) => (await harness.adminOk('GET', `/buyers/${buyerUserId}`)).funds as Reply;

describeEachEngine('a payment from a buyer’s own funds', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual', merchant: { settings: { dback_delay_seconds: 60 } } });

  describe('the draw makes the fund bill, and the funds pay', () => {
    it('coupons first, then points, balance, Yu’E Bao, Huabei and the card, each taking what it has', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const redPacket = (buyer.funds.coupons as Reply[]).find((c) => c.fund_channel === 'COUPON');
      const discount = (buyer.funds.coupons as Reply[]).find((c) => c.fund_channel === 'MDISCOUNT');
      const trade = await newTrade(harness, kit, {
        out_trade_no: outTradeNo(),
        total_amount: '150.00',
        buyer_user_id: buyer.buyer_user_id,
        pay_channels: ['BANKCARD', 'PCREDIT', 'ALIPAYACCOUNT', 'FINANCEACCOUNT', 'POINT'],
        voucher_ids: [redPacket?.voucher_id, discount?.voucher_id],
      });
      assert.equal(trade.buyer_user_id, buyer.buyer_user_id);
      const query = (await kit.sdk.exec('alipay.trade.query', { bizContent: { trade_no: trade.trade_no } }, { validateSign: true })) as Reply;
      assertSuccess(query);
      assert.deepEqual(
        (query.fund_bill_list as Reply[]).map((bill) => [bill.fund_channel, bill.amount]),
        [
          ['MDISCOUNT', '10.00'],
          ['COUPON', '5.00'],
          ['POINT', '2.00'],
          ['ALIPAYACCOUNT', '50.00'],
          ['FINANCEACCOUNT', '30.00'],
          ['PCREDIT', '53.00'],
        ],
      );
      assert.equal(query.mdiscount_amount, '10.00');
      assert.equal(query.receipt_amount, '140.00');
      const after = await funds(harness, buyer.buyer_user_id);
      assert.deepEqual(
        [after.balance, after.yuebao, after.points, after.huabei_used, (after.coupons as Reply[]).map((c) => c.remaining)],
        ['0.00', '0.00', '0.00', '53.00', ['0.00', '0.00']],
      );
    });

    it('a buyer who cannot pay makes no trade and loses nothing', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const refused = await harness.admin('POST', '/trades', {
        app_id: kit.appId,
        out_trade_no: outTradeNo(),
        total_amount: '100.00',
        buyer_user_id: buyer.buyer_user_id,
        pay_channels: ['ALIPAYACCOUNT'],
      });
      assert.equal(refused.status, 400);
      assert.equal((refused.body as Reply).error.code, 'invalid_request');
      assert.match((refused.body as Reply).error.message, /insufficient_funds/);
      assert.deepEqual(await funds(harness, buyer.buyer_user_id), buyer.funds);
    });
  });

  describe('refunds give each channel its part back', () => {
    it('a full refund over v1 returns every channel, the coupons whole again', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const redPacket = (buyer.funds.coupons as Reply[]).find((c) => c.fund_channel === 'COUPON');
      const discount = (buyer.funds.coupons as Reply[]).find((c) => c.fund_channel === 'MDISCOUNT');
      const trade = await newTrade(harness, kit, {
        out_trade_no: outTradeNo(),
        total_amount: '90.00',
        buyer_user_id: buyer.buyer_user_id,
        pay_channels: ['ALIPAYACCOUNT', 'FINANCEACCOUNT', 'POINT'],
        voucher_ids: [redPacket?.voucher_id, discount?.voucher_id],
      });
      assertSuccess(await refund(kit, { trade_no: trade.trade_no, refund_amount: '90.00' }));
      const after = await funds(harness, buyer.buyer_user_id);
      assert.deepEqual([after.balance, after.yuebao, after.points], ['50.00', '30.00', '2.00']);
      const coupons = new Map((after.coupons as Reply[]).map((c) => [c.voucher_id, [c.remaining, c.usable]]));
      assert.deepEqual(coupons.get(redPacket?.voucher_id), ['5.00', true]);
      assert.deepEqual(coupons.get(discount?.voucher_id), ['10.00', true]);
    });

    it('a partial refund over v3 gives back exactly what its allocations took from the buyer’s channels', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const trade = await newTrade(harness, kit, {
        out_trade_no: outTradeNo(),
        total_amount: '70.00',
        buyer_user_id: buyer.buyer_user_id,
        pay_channels: ['ALIPAYACCOUNT', 'PCREDIT'],
      });
      const paid = await funds(harness, buyer.buyer_user_id);
      assert.deepEqual([paid.balance, paid.huabei_used], ['0.00', '20.00']);
      const reply = await v3Sdk(harness, kit).curl('POST', '/v3/alipay/trade/refund', {
        body: { trade_no: trade.trade_no, refund_amount: '30.00', out_request_no: 'P1' },
      });
      assert.equal(reply.responseHttpStatus, 200);
      const [made] = (await harness.adminOk('GET', `/refunds?trade_no=${trade.trade_no}`)).refunds as Reply[];
      const taken = Object.fromEntries(((made?.fund_allocations as Reply[] | undefined) ?? []).map((a) => [a.fund_channel, Number(a.amount)]));
      const after = await funds(harness, buyer.buyer_user_id);
      assert.equal(Number(after.balance), taken.ALIPAYACCOUNT ?? 0);
      assert.equal(Number(after.huabei_used), 20 - (taken.PCREDIT ?? 0));
      assert.equal((taken.ALIPAYACCOUNT ?? 0) + (taken.PCREDIT ?? 0), 30);
    });

    for (const outcome of ['S', 'F'] as const) {
      it(`a bank card’s part waits for the bank: ${outcome === 'S' ? 'on S it is on the card, the buyer’s balance unchanged' : 'on F it goes to the buyer’s balance'}`, async () => {
        const buyer = await newBuyer(harness, kit.pid);
        const trade = await newTrade(harness, kit, {
          out_trade_no: outTradeNo(),
          total_amount: '40.00',
          buyer_user_id: buyer.buyer_user_id,
          pay_channels: ['BANKCARD'],
        });
        await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { dback_outcome: outcome });
        assertSuccess(await refund(kit, { trade_no: trade.trade_no, refund_amount: '40.00' }));
        assert.equal((await funds(harness, buyer.buyer_user_id)).balance, '50.00', 'nothing before the bank answers');
        await advanceClock(harness, 61);
        assert.equal((await funds(harness, buyer.buyer_user_id)).balance, outcome === 'S' ? '50.00' : '90.00');
      });
    }

    // Found by the chaos harness (buyer funds conserved): each refund spread its part of a coupon line from the
    // line's first coupon on, as if no earlier refund had given it anything back, so the first coupon (capped at
    // its face value) swallowed what was the second's, and the second was never returned.
    it('two refunds that each return part of a line of two coupons give both coupons back whole', async () => {
      const buyer = await harness.adminOk('POST', '/buyers', {
        funds: {
          balance: '100.00',
          coupons: [
            { voucher_id: `MA${Date.now()}${++counter}`, fund_channel: 'MDISCOUNT', merchant_pid: kit.pid, amount: '8.00' },
            { voucher_id: `MB${Date.now()}${++counter}`, fund_channel: 'MDISCOUNT', merchant_pid: kit.pid, amount: '13.00' },
          ],
        },
      });
      const coupons = buyer.funds.coupons as Reply[];
      const trade = await newTrade(harness, kit, {
        out_trade_no: outTradeNo(),
        total_amount: '50.00',
        buyer_user_id: buyer.buyer_user_id,
        pay_channels: ['ALIPAYACCOUNT'],
        voucher_ids: coupons.map((c) => c.voucher_id),
      });
      // The buyer's 29.00 of balance first, then 6.00 of the 21.00 line of coupons; the second refund the other 15.00.
      assertSuccess(await refund(kit, { trade_no: trade.trade_no, refund_amount: '35.00', out_request_no: 'C1' }));
      assertSuccess(await refund(kit, { trade_no: trade.trade_no, refund_amount: '15.00', out_request_no: 'C2' }));
      const after = await funds(harness, buyer.buyer_user_id);
      assert.equal(after.balance, '100.00');
      assert.deepEqual(
        (after.coupons as Reply[]).map((c) => [c.amount, c.remaining, c.usable]),
        [
          ['8.00', '8.00', true],
          ['13.00', '13.00', true],
        ],
      );
    });
  });
});
