/**
 * alipay.trade.query (notes §5.2), through the official alipay-sdk with validateSign: a trade's status,
 * amounts and fund bill; `refund_fee`, the cumulative refunded amount, once refunds exist and only then.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, type MerchantKit, newMerchant, newTrade } from '../support/harness.js';
import { advanceClock, assertBusinessError, assertSuccess, refund, refundApply, runDueJobs, type Biz, type Reply } from '../support/refund-calls.js';

let counter = 0;
const outTradeNo = () => `Q${Date.now()}${++counter}`;

function query(kit: MerchantKit, biz: Biz): Promise<Reply> {
  return kit.sdk.exec('alipay.trade.query', { bizContent: biz }, { validateSign: true }) as Promise<Reply>;
}

const MIXED_BILL = [
  { fund_channel: 'ALIPAYACCOUNT', amount: '60.00' },
  { fund_channel: 'BANKCARD', amount: '30.00', fund_type: 'CREDIT_CARD', bank_code: 'ICBC' },
  { fund_channel: 'MDISCOUNT', amount: '10.00' },
];
const MIXED_VOUCHERS = [{ id: 'V-Q', amount: '10.00', merchant_contribute: '10.00' }];
const MIXED_BILL_REPLY = [
  { fund_channel: 'ALIPAYACCOUNT', amount: '60.00', real_amount: '60.00' },
  { fund_channel: 'BANKCARD', amount: '30.00', real_amount: '30.00', fund_type: 'CREDIT_CARD', bank_code: 'ICBC' },
  { fund_channel: 'MDISCOUNT', amount: '10.00', real_amount: '10.00' },
];

describeEachEngine('alipay.trade.query', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual' });

  describe('a paid trade', () => {
    it('status, amounts, buyer and fund_bill_list; no refund_fee before any refund', async () => {
      const no = outTradeNo();
      const trade = await newTrade(harness, kit, { out_trade_no: no, total_amount: '100.00', fund_bill_list: MIXED_BILL, voucher_detail_list: MIXED_VOUCHERS });
      const reply = await query(kit, { out_trade_no: no });
      assertSuccess(reply);
      assert.equal(reply.trade_no, trade.trade_no);
      assert.equal(reply.out_trade_no, no);
      assert.equal(reply.trade_status, 'TRADE_SUCCESS');
      assert.equal(reply.total_amount, '100.00');
      assert.equal(reply.receipt_amount, '90.00');
      assert.equal(reply.buyer_pay_amount, '90.00');
      assert.equal(reply.invoice_amount, '90.00');
      assert.equal(reply.point_amount, '0.00');
      assert.equal(reply.mdiscount_amount, '10.00');
      assert.equal(reply.buyer_logon_id, trade.buyer_logon_id);
      assert.equal(reply.buyer_user_id, trade.buyer_user_id);
      assert.equal(reply.buyer_user_type, 'PRIVATE');
      assert.equal(reply.send_pay_date, trade.gmt_payment);
      assert.deepEqual(reply.fund_bill_list, MIXED_BILL_REPLY);
      assert.equal('refund_fee' in reply, false, 'no refund total before a refund');
      assert.equal(reply.voucher_detail_list, undefined, 'vouchers only when query_options asks');
      const withVouchers = await query(kit, { out_trade_no: no, query_options: ['voucher_detail_list'] });
      assert.equal(withVouchers.voucher_detail_list[0].id, 'V-Q');
    });

    it('refund_fee is the cumulative refunded amount: after a partial refund, then after the full amount (TRADE_CLOSED)', async () => {
      const trade = await newTrade(harness, kit, { out_trade_no: outTradeNo(), total_amount: '100.00', fund_bill_list: MIXED_BILL, voucher_detail_list: MIXED_VOUCHERS });
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '30.00', out_request_no: 'R1' })).fund_change, 'Y');
      const partly = await query(kit, { trade_no: trade.trade_no });
      assertSuccess(partly);
      assert.equal(partly.trade_status, 'TRADE_SUCCESS', 'a partial refund leaves the trade paid');
      assert.equal(partly.refund_fee, '30.00');
      assert.equal(partly.total_amount, '100.00', 'the payment’s amounts do not change');
      assert.equal(partly.receipt_amount, '90.00');
      assert.deepEqual(partly.fund_bill_list, MIXED_BILL_REPLY, 'the fund bill is the payment’s');

      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '25.50', out_request_no: 'R2' })).fund_change, 'Y');
      assert.equal((await query(kit, { trade_no: trade.trade_no })).refund_fee, '55.50');

      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '44.50', out_request_no: 'R3' })).fund_change, 'Y');
      const full = await query(kit, { trade_no: trade.trade_no });
      assertSuccess(full);
      assert.equal(full.trade_status, 'TRADE_CLOSED', 'fully refunded');
      assert.equal(full.refund_fee, '100.00');
      assert.deepEqual(full.fund_bill_list, MIXED_BILL_REPLY);
    });

    it('an accepted refund that has not been carried out is not counted', async () => {
      const poor = await newMerchant(harness, { balance: '0.00' });
      const trade = await newTrade(harness, poor, { total_amount: '100.00' });
      await harness.adminOk('POST', `/merchants/${poor.pid}/balance`, { set: '0.00' });
      assertSuccess(await refundApply(poor, { trade_no: trade.trade_no, refund_amount: '40.00', out_request_no: 'WAIT' }));
      await runDueJobs(harness);
      assert.equal((await harness.adminOk('GET', `/trades/${trade.trade_no}`)).pending_refund_amount, '40.00');
      assert.equal('refund_fee' in (await query(poor, { trade_no: trade.trade_no })), false, 'waiting for funds: nothing refunded yet');
      await harness.adminOk('POST', `/merchants/${poor.pid}/balance`, { set: '100.00' });
      await advanceClock(harness, 3600);
      assert.equal((await query(poor, { trade_no: trade.trade_no })).refund_fee, '40.00');
    });

    it('TRADE_FINISHED once the refund window has passed', async () => {
      const finishing = await newMerchant(harness, { settings: { refund_window_days: 1 } });
      const trade = await newTrade(harness, finishing, { total_amount: '10.00' });
      assert.equal((await query(finishing, { trade_no: trade.trade_no })).trade_status, 'TRADE_SUCCESS');
      await advanceClock(harness, 86400 + 1);
      assert.equal((await query(finishing, { trade_no: trade.trade_no })).trade_status, 'TRADE_FINISHED');
    });
  });

  describe('other trades', () => {
    it('a trade waiting for payment: zero amounts, no fund_bill_list, no send_pay_date', async () => {
      const no = outTradeNo();
      await newTrade(harness, kit, { out_trade_no: no, total_amount: '12.00', status: 'WAIT_BUYER_PAY' });
      const reply = await query(kit, { out_trade_no: no });
      assertSuccess(reply);
      assert.equal(reply.trade_status, 'WAIT_BUYER_PAY');
      assert.equal(reply.total_amount, '12.00');
      for (const field of ['buyer_pay_amount', 'point_amount', 'invoice_amount', 'receipt_amount']) assert.equal(reply[field], '0.00', field);
      for (const field of ['fund_bill_list', 'send_pay_date', 'refund_fee']) assert.equal(reply[field], undefined, field);
    });

    it('trade_no wins over out_trade_no', async () => {
      const first = await newTrade(harness, kit, { out_trade_no: outTradeNo(), total_amount: '1.00' });
      const second = await newTrade(harness, kit, { out_trade_no: outTradeNo(), total_amount: '2.00' });
      const reply = await query(kit, { trade_no: second.trade_no, out_trade_no: first.out_trade_no });
      assert.equal(reply.trade_no, second.trade_no);
      assert.equal(reply.total_amount, '2.00');
    });
  });

  describe('business errors', () => {
    it('ACQ.TRADE_NOT_EXIST (交易不存在): unknown, or another merchant’s trade', async () => {
      const unknown = await query(kit, { out_trade_no: 'NO-SUCH-TRADE' });
      assertBusinessError(unknown, 'ACQ.TRADE_NOT_EXIST', '交易不存在');
      assert.equal(unknown.out_trade_no, 'NO-SUCH-TRADE');
      const stranger = await newMerchant(harness);
      const theirs = await newTrade(harness, stranger, { total_amount: '1.00' });
      assertBusinessError(await query(kit, { trade_no: theirs.trade_no }), 'ACQ.TRADE_NOT_EXIST', '交易不存在');
      assertBusinessError(await query(kit, { out_trade_no: theirs.out_trade_no }), 'ACQ.TRADE_NOT_EXIST', '交易不存在');
    });

    it('ACQ.INVALID_PARAMETER (参数无效): neither trade_no nor out_trade_no, or one too long', async () => {
      assertBusinessError(await query(kit, {}), 'ACQ.INVALID_PARAMETER', '参数无效');
      assertBusinessError(await query(kit, { out_trade_no: 'X'.repeat(65) }), 'ACQ.INVALID_PARAMETER', '参数无效');
    });
  });
});
