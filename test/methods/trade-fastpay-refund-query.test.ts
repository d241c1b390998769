/**
 * alipay.trade.fastpay.refund.query (seeds 001 and 003), through the official alipay-sdk: trade_no wins
 * over out_trade_no; refund_status=REFUND_SUCCESS only when the refund is done (absent while it waits and
 * after it failed); an unknown out_request_no on a known trade answers 10000 with no refund details. Every
 * query_options field, refund_charge_info_list where a fee applies, codes and values in capitals, and every
 * business error of seed 001 with its exact sub_msg.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, type MerchantKit, newMerchant, newTrade } from '../support/harness.js';
import { ALL_QUERY_OPTIONS, advanceClock, assertBusinessError, assertSuccess, chinaTimeMs, refund, refundApply, refundQuery, runDueJobs, setBalance, type Reply } from '../support/refund-calls.js';

describeEachEngine('alipay.trade.fastpay.refund.query', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual' });

  describe('every query_options field, through the SDK with validateSign', () => {
    let feeKit: MerchantKit;
    let trade: Reply;
    let refunded: Reply;

    before(async () => {
      feeKit = await newMerchant(harness, { settings: { fee_rate: '0.006' } });
      trade = await newTrade(harness, feeKit, {
        fund_bill_list: [
          { fund_channel: 'ALIPAYACCOUNT', amount: '40.00' },
          { fund_channel: 'BANKCARD', amount: '30.00', fund_type: 'DEBIT_CARD', bank_code: 'ICBC' },
          { fund_channel: 'MDISCOUNT', amount: '20.00' },
          { fund_channel: 'DISCOUNT', amount: '10.00' },
        ],
        voucher_detail_list: [
          { id: '2015102600073002039000002D5O', name: 'xx超市5折优惠', type: 'ALIPAY_FIX_VOUCHER', amount: '20.00', merchant_contribute: '20.00', other_contribute: '0.00' },
          { id: '2015102600073002039000002D5P', name: '平台红利券', type: 'ALIPAY_DISCOUNT_VOUCHER', amount: '10.00', merchant_contribute: '0.00', other_contribute: '10.00', memo: '学生专用优惠', template_id: '20171030000730015359000EMZP0' },
        ],
      });
      refunded = await refund(feeKit, { trade_no: trade.trade_no, refund_amount: '75.00', out_request_no: 'HZ01RF001', refund_reason: '正常退款' });
      assert.equal(refunded.fund_change, 'Y');
    });

    it('answers every field asked for: gmt_refund_pay, refund_detail_item_list with send_back_fee, deposit_back_info(_list), refund_voucher_detail_list, and the fee refund', async () => {
      const reply = await refundQuery(feeKit, { trade_no: trade.trade_no, out_request_no: 'HZ01RF001', query_options: ALL_QUERY_OPTIONS });
      const estimated = new Date(chinaTimeMs(refunded.gmt_refund_pay) + 3600_000 + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
      const bank = { has_deposit_back: 'true', dback_status: 'P', dback_amount: '30.00', est_bank_receipt_time: estimated };
      assert.deepEqual(reply, {
        code: '10000',
        msg: 'Success',
        trade_no: trade.trade_no,
        out_trade_no: trade.out_trade_no,
        out_request_no: 'HZ01RF001',
        refund_reason: '正常退款',
        total_amount: '100.00',
        refund_amount: '75.00',
        refund_status: 'REFUND_SUCCESS',
        gmt_refund_pay: refunded.gmt_refund_pay,
        // The buyer's own channels first; the merchant's voucher only for what they do not cover.
        refund_detail_item_list: [
          { fund_channel: 'ALIPAYACCOUNT', amount: '40.00', real_amount: '40.00' },
          { fund_channel: 'BANKCARD', amount: '30.00', real_amount: '30.00', fund_type: 'DEBIT_CARD', bank_code: 'ICBC' },
          { fund_channel: 'MDISCOUNT', amount: '5.00', real_amount: '5.00' },
        ],
        // 75.00 less the 5.00 of the merchant's own voucher.
        send_back_fee: '70.00',
        deposit_back_info: bank,
        deposit_back_info_list: [bank],
        refund_voucher_detail_list: [
          { id: '2015102600073002039000002D5O', name: 'xx超市5折优惠', type: 'ALIPAY_FIX_VOUCHER', amount: '20.00', merchant_contribute: '20.00', other_contribute: '0.00' },
          {
            id: '2015102600073002039000002D5P',
            name: '平台红利券',
            type: 'ALIPAY_DISCOUNT_VOUCHER',
            amount: '10.00',
            merchant_contribute: '0.00',
            other_contribute: '10.00',
            memo: '学生专用优惠',
            template_id: '20171030000730015359000EMZP0',
          },
        ],
        // The fee on the 80.00 received was 0.48; 70.00 of it went back: 0.42.
        refund_charge_info_list: [{ refund_charge_fee: '0.42', switch_fee_rate: '0.006', charge_type: 'trade' }],
      });
    });

    it('answers only the refund itself (and its fee refund) when no query_options are given', async () => {
      const reply = await refundQuery(feeKit, { out_trade_no: trade.out_trade_no, out_request_no: 'HZ01RF001' });
      assert.deepEqual(Object.keys(reply).sort(), [
        'code',
        'msg',
        'out_request_no',
        'out_trade_no',
        'refund_amount',
        'refund_charge_info_list',
        'refund_reason',
        'refund_status',
        'total_amount',
        'trade_no',
      ]);
    });

    it('answers each option on its own', async () => {
      const ask = (option: string) => refundQuery(feeKit, { trade_no: trade.trade_no, out_request_no: 'HZ01RF001', query_options: [option] });
      assert.equal((await ask('gmt_refund_pay')).gmt_refund_pay, refunded.gmt_refund_pay);
      const details = await ask('refund_detail_item_list');
      assert.equal(details.refund_detail_item_list.length, 3);
      assert.equal(details.send_back_fee, '70.00');
      assert.equal(details.deposit_back_info, undefined);
      assert.equal((await ask('deposit_back_info')).deposit_back_info.dback_status, 'P');
      assert.equal((await ask('deposit_back_info_list')).deposit_back_info_list.length, 1);
      const vouchers = await ask('refund_voucher_detail_list');
      assert.equal(vouchers.refund_voucher_detail_list.length, 2);
      assert.equal(vouchers.refund_detail_item_list, undefined);
    });
  });

  describe('refund_charge_info_list appears where a fee applies', () => {
    it('is absent for a merchant that pays no fee', async () => {
      const trade = await newTrade(harness, kit);
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'NOFEE' });
      const reply = await refundQuery(kit, { trade_no: trade.trade_no, out_request_no: 'NOFEE', query_options: ALL_QUERY_OPTIONS });
      assert.equal(reply.refund_charge_info_list, undefined);
    });
  });

  describe('deposit-back and vouchers when there are none', () => {
    it('answers has_deposit_back=false, and no deposit_back_info_list or refund_voucher_detail_list', async () => {
      const trade = await newTrade(harness, kit);
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'PLAIN' });
      const reply = await refundQuery(kit, { trade_no: trade.trade_no, out_request_no: 'PLAIN', query_options: ALL_QUERY_OPTIONS });
      assert.deepEqual(reply.deposit_back_info, { has_deposit_back: 'false' });
      assert.equal(reply.deposit_back_info_list, undefined);
      assert.equal(reply.refund_voucher_detail_list, undefined);
      assert.deepEqual(reply.refund_detail_item_list, [{ fund_channel: 'ALIPAYACCOUNT', amount: '10.00', real_amount: '10.00' }]);
      assert.equal(reply.send_back_fee, '10.00');
    });
  });

  describe('which trade: trade_no wins over out_trade_no', () => {
    it('answers for the trade_no’s trade when both name trades', async () => {
      const first = await newTrade(harness, kit);
      const second = await newTrade(harness, kit);
      await refund(kit, { trade_no: first.trade_no, refund_amount: '1.00', out_request_no: 'WHICH' });
      await refund(kit, { trade_no: second.trade_no, refund_amount: '2.00', out_request_no: 'WHICH' });
      const reply = await refundQuery(kit, { trade_no: first.trade_no, out_trade_no: second.out_trade_no, out_request_no: 'WHICH' });
      assert.equal(reply.trade_no, first.trade_no);
      assert.equal(reply.refund_amount, '1.00');
      const byOrder = await refundQuery(kit, { out_trade_no: second.out_trade_no, out_request_no: 'WHICH' });
      assert.equal(byOrder.trade_no, second.trade_no);
      assert.equal(byOrder.refund_amount, '2.00');
    });

    it('answers TRADE_NOT_EXIST for a wrong trade_no even when out_trade_no is right', async () => {
      const trade = await newTrade(harness, kit);
      const reply = await refundQuery(kit, { trade_no: '2026010122001000000000000000', out_trade_no: trade.out_trade_no, out_request_no: 'X' });
      assertBusinessError(reply, 'TRADE_NOT_EXIST', '查询退款的交易不存在');
    });

    it('finds a refund made without out_request_no under the merchant order number', async () => {
      const trade = await newTrade(harness, kit, { total_amount: '9.99' });
      await refund(kit, { out_trade_no: trade.out_trade_no, refund_amount: '9.99' });
      const reply = await refundQuery(kit, { out_trade_no: trade.out_trade_no, out_request_no: trade.out_trade_no });
      assert.equal(reply.refund_status, 'REFUND_SUCCESS');
      assert.equal(reply.out_request_no, trade.out_trade_no);
      assert.equal(reply.refund_amount, '9.99');
    });
  });

  describe('refund_status=REFUND_SUCCESS only when the refund is done', () => {
    it('answers an unknown out_request_no on a known trade with 10000 and no refund details', async () => {
      const trade = await newTrade(harness, kit);
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'KNOWN' });
      const reply = await refundQuery(kit, { trade_no: trade.trade_no, out_request_no: 'HZ01RF002', query_options: ALL_QUERY_OPTIONS });
      assert.deepEqual(reply, { code: '10000', msg: 'Success' });
    });

    it('writes REFUND_SUCCESS in capitals', async () => {
      const trade = await newTrade(harness, kit);
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'CAPS' });
      assert.equal((await refundQuery(kit, { trade_no: trade.trade_no, out_request_no: 'CAPS' })).refund_status, 'REFUND_SUCCESS');
    });

    it('has no refund_status (and none of the done refund’s details) while the refund waits, nor after it has failed', async () => {
      const seller = await newMerchant(harness);
      const trade = await newTrade(harness, seller);
      await setBalance(harness, seller.pid, '0.00');
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '20.00', out_request_no: 'PENDING' }));
      await runDueJobs(harness);
      const expected = {
        code: '10000',
        msg: 'Success',
        trade_no: trade.trade_no,
        out_trade_no: trade.out_trade_no,
        out_request_no: 'PENDING',
        total_amount: '100.00',
        refund_amount: '20.00',
      };
      assert.deepEqual(await refundQuery(seller, { trade_no: trade.trade_no, out_request_no: 'PENDING', query_options: ALL_QUERY_OPTIONS }), expected);
      await advanceClock(harness, 73 * 3600);
      assert.deepEqual(await refundQuery(seller, { trade_no: trade.trade_no, out_request_no: 'PENDING', query_options: ALL_QUERY_OPTIONS }), expected);
    });
  });

  describe('seed 001’s business errors, each with its sub_msg', () => {
    it('ACQ.ENTERPRISE_PAY_BIZ_ERROR (因公付业务异常): provoked', async () => {
      const trade = await newTrade(harness, kit);
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.fastpay.refund.query', sub_code: 'ACQ.ENTERPRISE_PAY_BIZ_ERROR' });
      assertBusinessError(await refundQuery(kit, { trade_no: trade.trade_no, out_request_no: 'X' }), 'ACQ.ENTERPRISE_PAY_BIZ_ERROR', '因公付业务异常');
      assertSuccess(await refundQuery(kit, { trade_no: trade.trade_no, out_request_no: 'X' }));
    });

    it('ACQ.INVALID_PARAMETER (参数无效): no out_request_no, no trade named, or a field out of bounds', async () => {
      const trade = await newTrade(harness, kit);
      for (const biz of [
        { trade_no: trade.trade_no },
        { trade_no: trade.trade_no, out_request_no: '' },
        { out_request_no: 'X' },
        { trade_no: trade.trade_no, out_request_no: 'X'.repeat(65) },
        { trade_no: trade.trade_no, out_request_no: 'X', query_options: 'gmt_refund_pay' },
      ]) {
        assertBusinessError(await refundQuery(kit, biz), 'ACQ.INVALID_PARAMETER', '参数无效');
      }
    });

    it('ACQ.SYSTEM_ERROR (系统错误): provoked, the given number of times', async () => {
      const trade = await newTrade(harness, kit);
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.fastpay.refund.query', sub_code: 'ACQ.SYSTEM_ERROR', times: 2 });
      assertBusinessError(await refundQuery(kit, { trade_no: trade.trade_no, out_request_no: 'X' }), 'ACQ.SYSTEM_ERROR', '系统错误');
      assertBusinessError(await refundQuery(kit, { trade_no: trade.trade_no, out_request_no: 'X' }), 'ACQ.SYSTEM_ERROR', '系统错误');
      assertSuccess(await refundQuery(kit, { trade_no: trade.trade_no, out_request_no: 'X' }));
    });

    it('ACQ.TRADE_NOT_EXIST (交易不存在): no trade with that out_trade_no for this seller', async () => {
      const theirs = await newTrade(harness, await newMerchant(harness));
      assertBusinessError(await refundQuery(kit, { out_trade_no: 'NO-SUCH-ORDER', out_request_no: 'X' }), 'ACQ.TRADE_NOT_EXIST', '交易不存在');
      assertBusinessError(await refundQuery(kit, { out_trade_no: theirs.out_trade_no, out_request_no: 'X' }), 'ACQ.TRADE_NOT_EXIST', '交易不存在');
    });

    it('TRADE_NOT_EXIST (查询退款的交易不存在): no trade with that trade_no for this seller', async () => {
      const theirs = await newTrade(harness, await newMerchant(harness));
      assertBusinessError(await refundQuery(kit, { trade_no: '2026010122001000000000000000', out_request_no: 'X' }), 'TRADE_NOT_EXIST', '查询退款的交易不存在');
      assertBusinessError(await refundQuery(kit, { trade_no: theirs.trade_no, out_request_no: 'X' }), 'TRADE_NOT_EXIST', '查询退款的交易不存在');
    });
  });
});
