/**
 * alipay.trade.pay (notes §5.1), through the official alipay-sdk with validateSign: the buyer pays at once
 * with the merchant's fund mix or the fund bill given to the admin API, and a repeated out_trade_no answers
 * as Alipay does — never paying twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, type MerchantKit, newMerchant, newTrade } from '../support/harness.js';
import { assertBusinessError, assertSuccess, getTrade, ledgerOf, refund, type Biz, type Reply } from '../support/refund-calls.js';

const BAR_CODE = '286648395128379123';
let counter = 0;
const outTradeNo = () => `PAY${Date.now()}${++counter}`;

function pay(kit: MerchantKit, biz: Biz): Promise<Reply> {
  return kit.sdk.exec('alipay.trade.pay', { bizContent: { scene: 'bar_code', auth_code: BAR_CODE, subject: '测试商品', ...biz } }, { validateSign: true }) as Promise<Reply>;
}

/** What a failed payment still carries: zero amounts and the out_trade_no, and nothing else of a trade. */
function assertNothingPaid(reply: Reply, no: string): void {
  for (const field of ['buyer_pay_amount', 'invoice_amount', 'point_amount', 'receipt_amount']) assert.equal(reply[field], '0.00', field);
  assert.equal(reply.out_trade_no, no);
  for (const field of ['trade_no', 'buyer_logon_id', 'buyer_user_id', 'gmt_payment', 'fund_bill_list']) assert.equal(reply[field], undefined, field);
}

describeEachEngine('alipay.trade.pay', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual' });

  const clockText = async () => (await harness.adminOk('GET', '/clock')).now as string;

  describe('a payment', () => {
    it('pays at once by the default mix (all Alipay balance): every field the reply carries', async () => {
      const no = outTradeNo();
      const paid = await pay(kit, { out_trade_no: no, total_amount: '88.88' });
      assertSuccess(paid);
      assert.match(paid.trade_no, /^\d{8}22001\d{15}$/);
      assert.equal(paid.out_trade_no, no);
      assert.match(paid.buyer_logon_id, /^1\d{2}\*{4}\d{4}$/, 'a masked login such as 159****5620');
      assert.match(paid.buyer_user_id, /^2088\d{12}$/);
      assert.equal(paid.total_amount, '88.88');
      assert.equal(paid.receipt_amount, '88.88');
      assert.equal(paid.buyer_pay_amount, '88.88');
      assert.equal(paid.invoice_amount, '88.88');
      assert.equal(paid.point_amount, '0.00');
      assert.equal(paid.gmt_payment, await clockText(), 'paid now, by the clock');
      assert.deepEqual(paid.fund_bill_list, [{ fund_channel: 'ALIPAYACCOUNT', amount: '88.88', real_amount: '88.88' }]);

      const trade = await getTrade(harness, paid.trade_no);
      assert.equal(trade.trade_status, 'TRADE_SUCCESS');
      assert.equal(trade.buyer_logon_id, paid.buyer_logon_id);
      assert.equal(trade.buyer_user_id, paid.buyer_user_id);
      assert.equal(trade.gmt_payment, paid.gmt_payment);
      assert.equal(trade.subject, '测试商品');
    });

    it('pays by the merchant’s default_fund_mix (admin PATCH): the split, bank card type and code, points', async () => {
      const mixed = await newMerchant(harness, {
        settings: {
          default_fund_mix: [
            { fund_channel: 'ALIPAYACCOUNT', percent: 60 },
            { fund_channel: 'BANKCARD', percent: 30, fund_type: 'CREDIT_CARD', bank_code: 'ICBC' },
            { fund_channel: 'POINT', percent: 10 },
          ],
        },
      });
      const paid = await pay(mixed, { out_trade_no: outTradeNo(), total_amount: '10.01' });
      assertSuccess(paid);
      // 60% of 1001 fen is 600.6 → 600, 30% → 300, 10% → 100; the leftover fen goes to the first share.
      assert.deepEqual(paid.fund_bill_list, [
        { fund_channel: 'ALIPAYACCOUNT', amount: '6.01', real_amount: '6.01' },
        { fund_channel: 'BANKCARD', amount: '3.00', real_amount: '3.00', fund_type: 'CREDIT_CARD', bank_code: 'ICBC' },
        { fund_channel: 'POINT', amount: '1.00', real_amount: '1.00' },
      ]);
      assert.equal(paid.total_amount, '10.01');
      assert.equal(paid.receipt_amount, '10.01', 'points are not a merchant discount');
      assert.equal(paid.point_amount, '1.00');
      assert.equal(paid.buyer_pay_amount, '9.01', 'what the buyer paid from its own channels, points aside');
      assert.equal(paid.invoice_amount, '9.01');
      assert.match(paid.buyer_user_id, /^2088\d{12}$/);
      assert.match(paid.buyer_logon_id, /^1\d{2}\*{4}\d{4}$/);
      assert.equal(paid.gmt_payment, await clockText());
    });

    it('pays a trade the admin API created waiting for payment, with the fund_bill_list it was given', async () => {
      const no = outTradeNo();
      const balance = (await ledgerOf(harness, kit.pid)).balance as string;
      const waiting = await newTrade(harness, kit, {
        out_trade_no: no,
        total_amount: '50.00',
        status: 'WAIT_BUYER_PAY',
        fund_bill_list: [
          { fund_channel: 'PCREDIT', amount: '30.00' },
          { fund_channel: 'BANKCARD', amount: '15.00', fund_type: 'DEBIT_CARD', bank_code: 'CMB' },
          { fund_channel: 'MDISCOUNT', amount: '5.00' },
        ],
        voucher_detail_list: [{ id: 'V-PAY', amount: '5.00', merchant_contribute: '5.00' }],
      });
      assert.equal(waiting.trade_status, 'WAIT_BUYER_PAY');
      assert.equal(waiting.gmt_payment, null);
      assert.equal((await ledgerOf(harness, kit.pid)).balance, balance, 'nothing received before the buyer pays');

      await harness.adminOk('POST', '/clock', { advance_seconds: 60 });
      const paid = await pay(kit, { out_trade_no: no, total_amount: '50.00' });
      assertSuccess(paid);
      assert.equal(paid.trade_no, waiting.trade_no, 'the same trade, now paid');
      assert.equal(paid.buyer_logon_id, waiting.buyer_logon_id);
      assert.equal(paid.buyer_user_id, waiting.buyer_user_id);
      assert.deepEqual(paid.fund_bill_list, [
        { fund_channel: 'PCREDIT', amount: '30.00', real_amount: '30.00' },
        { fund_channel: 'BANKCARD', amount: '15.00', real_amount: '15.00', fund_type: 'DEBIT_CARD', bank_code: 'CMB' },
        { fund_channel: 'MDISCOUNT', amount: '5.00', real_amount: '5.00' },
      ]);
      assert.equal(paid.total_amount, '50.00');
      assert.equal(paid.receipt_amount, '45.00', 'the merchant’s own discount is not received');
      assert.equal(paid.buyer_pay_amount, '45.00');
      assert.equal(paid.mdiscount_amount, '5.00');
      assert.equal(paid.gmt_payment, await clockText(), 'paid when trade.pay came, not when the trade was created');
      assert.notEqual(paid.gmt_payment, waiting.gmt_create);

      const trade = await getTrade(harness, waiting.trade_no);
      assert.equal(trade.trade_status, 'TRADE_SUCCESS');
      assert.equal(trade.gmt_payment, paid.gmt_payment);
      const ledger = await ledgerOf(harness, kit.pid);
      assert.deepEqual(
        ledger.entries.filter((e: Reply) => e.trade_no === waiting.trade_no).map((e: Reply) => [e.kind, e.amount]),
        [['payment', '45.00']],
        'received once, when paid (no fee at the default rate of 0)',
      );
    });
  });

  describe('a repeated out_trade_no never pays twice', () => {
    it('ACQ.TRADE_HAS_SUCCESS (交易已被支付): the same payment again', async () => {
      const no = outTradeNo();
      const first = await pay(kit, { out_trade_no: no, total_amount: '20.00' });
      assertSuccess(first);
      const balance = (await ledgerOf(harness, kit.pid)).balance as string;
      const again = await pay(kit, { out_trade_no: no, total_amount: '20.00' });
      assertBusinessError(again, 'ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
      assertNothingPaid(again, no);
      assert.equal((await ledgerOf(harness, kit.pid)).balance, balance, 'nothing received twice');
    });

    it('ACQ.TRADE_HAS_SUCCESS for a trade the admin API created paid', async () => {
      const no = outTradeNo();
      await newTrade(harness, kit, { out_trade_no: no, total_amount: '20.00' });
      assertBusinessError(await pay(kit, { out_trade_no: no, total_amount: '20.00' }), 'ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
    });

    it('ACQ.CONTEXT_INCONSISTENT (交易信息被篡改): the out_trade_no again with another amount — paid or waiting', async () => {
      const paidNo = outTradeNo();
      assertSuccess(await pay(kit, { out_trade_no: paidNo, total_amount: '20.00' }));
      const changed = await pay(kit, { out_trade_no: paidNo, total_amount: '20.01' });
      assertBusinessError(changed, 'ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      assertNothingPaid(changed, paidNo);

      const waitingNo = outTradeNo();
      const waiting = await newTrade(harness, kit, { out_trade_no: waitingNo, total_amount: '20.00', status: 'WAIT_BUYER_PAY' });
      assertBusinessError(await pay(kit, { out_trade_no: waitingNo, total_amount: '19.99' }), 'ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      assert.equal((await getTrade(harness, waiting.trade_no)).trade_status, 'WAIT_BUYER_PAY', 'still waiting');
    });

    it('ACQ.TRADE_HAS_CLOSE (交易已经关闭): a trade closed unpaid, and one closed by a full refund', async () => {
      const closedNo = outTradeNo();
      const closed = await newTrade(harness, kit, { out_trade_no: closedNo, total_amount: '20.00', status: 'TRADE_CLOSED' });
      const reply = await pay(kit, { out_trade_no: closedNo, total_amount: '20.00' });
      assertBusinessError(reply, 'ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
      assertNothingPaid(reply, closedNo);
      assert.equal((await getTrade(harness, closed.trade_no)).trade_status, 'TRADE_CLOSED');

      const refundedNo = outTradeNo();
      const paid = await pay(kit, { out_trade_no: refundedNo, total_amount: '20.00' });
      assert.equal((await refund(kit, { trade_no: paid.trade_no, refund_amount: '20.00' })).fund_change, 'Y');
      assertBusinessError(await pay(kit, { out_trade_no: refundedNo, total_amount: '20.00' }), 'ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
    });
  });

  describe('refused before anything is paid', () => {
    it('ACQ.PAYMENT_AUTH_CODE_INVALID (支付授权码无效): not a payment code for the scene', async () => {
      for (const [scene, authCode] of [
        ['bar_code', '123456'],
        ['bar_code', '186648395128379123'],
        ['bar_code', '28664839512837912345678'.padEnd(25, '1')],
        ['bar_code', '2866483951283791x3'],
        ['security_code', BAR_CODE],
        ['security_code', `fp${'a'.repeat(34)}`],
      ] as const) {
        const no = outTradeNo();
        const reply = await pay(kit, { out_trade_no: no, total_amount: '1.00', scene, auth_code: authCode });
        assertBusinessError(reply, 'ACQ.PAYMENT_AUTH_CODE_INVALID', '支付授权码无效');
        assertNothingPaid(reply, no);
        assertBusinessError(await kit.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: no } }, { validateSign: true }) as Reply, 'ACQ.TRADE_NOT_EXIST', '交易不存在');
      }
      assertSuccess(await pay(kit, { out_trade_no: outTradeNo(), total_amount: '1.00', scene: 'security_code', auth_code: `fp${'a1'.repeat(17)}b` }));
      assertSuccess(await pay(kit, { out_trade_no: outTradeNo(), total_amount: '1.00', auth_code: '301234567890123456789012' }));
    });

    it('ACQ.TOTAL_FEE_EXCEED (订单总金额超过限额): more than 100,000,000.00; the limit itself pays', async () => {
      const no = outTradeNo();
      const reply = await pay(kit, { out_trade_no: no, total_amount: '100000000.01' });
      assertBusinessError(reply, 'ACQ.TOTAL_FEE_EXCEED', '订单总金额超过限额');
      assertNothingPaid(reply, no);
      assertBusinessError(await pay(kit, { out_trade_no: outTradeNo(), total_amount: 999999999999 }), 'ACQ.TOTAL_FEE_EXCEED', '订单总金额超过限额');
      const limit = await pay(kit, { out_trade_no: outTradeNo(), total_amount: '100000000.00' });
      assertSuccess(limit);
      assert.equal(limit.total_amount, '100000000.00');
    });

    it('ACQ.INVALID_PARAMETER (参数无效): a missing subject, a zero or three-decimal amount', async () => {
      for (const biz of [
        { out_trade_no: outTradeNo(), total_amount: '1.00', subject: '' },
        { out_trade_no: outTradeNo(), total_amount: '0.00' },
        { out_trade_no: outTradeNo(), total_amount: '1.001' },
      ]) {
        const reply = await pay(kit, biz);
        assertBusinessError(reply, 'ACQ.INVALID_PARAMETER', '参数无效');
        assertNothingPaid(reply, biz.out_trade_no);
      }
    });
  });
});
