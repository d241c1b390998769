/**
 * Bank-card deposit-back: the part of a refund that goes back to a BANKCARD channel is `P` until the
 * simulated bank answers, dback_delay_seconds after the refund (the merchant's setting, default 3600):
 * then `S`, or `F` when the trade or else the merchant says so — with bank_ack_time, and the
 * est_bank_receipt_time announced from the start. The admin API's allocation says where the money went:
 * `returned_to` the card on `S`, the buyer's Alipay balance (`ALIPAYACCOUNT`) on `F`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, type MerchantKit, newMerchant, newTrade } from '../support/harness.js';
import { advanceClock, assertSuccess, chinaTimeMs, refund, refundApply, refundOf, refundQuery, runDueJobs, type Reply } from '../support/refund-calls.js';

const BANK_OPTIONS = ['deposit_back_info', 'deposit_back_info_list', 'gmt_refund_pay'];

const BANKCARD_TRADE = {
  fund_bill_list: [
    { fund_channel: 'ALIPAYACCOUNT', amount: '50.00' },
    { fund_channel: 'BANKCARD', amount: '50.00', fund_type: 'DEBIT_CARD', bank_code: 'CMB' },
  ],
};

const seconds = (from: string, to: string) => (chinaTimeMs(to) - chinaTimeMs(from)) / 1000;

describeEachEngine('bank-card deposit-back', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual' });

  /** A bank-card refund of 70.00 (50.00 to the balance, 20.00 to the card) on a fresh trade of `seller`. */
  async function bankRefund(seller: MerchantKit, no = 'BANK'): Promise<{ trade: Reply; reply: Reply }> {
    const trade = await newTrade(harness, seller, BANKCARD_TRADE);
    const reply = await refund(seller, { trade_no: trade.trade_no, refund_amount: '70.00', out_request_no: no, query_options: ['deposit_back_info'] });
    assert.equal(reply.fund_change, 'Y');
    return { trade, reply };
  }

  function query(seller: MerchantKit, trade: Reply, no = 'BANK'): Promise<Reply> {
    return refundQuery(seller, { trade_no: trade.trade_no, out_request_no: no, query_options: BANK_OPTIONS });
  }

  describe('a refund to a bank card is P until the bank settles it', () => {
    it('is P, with est_bank_receipt_time an hour on and no bank_ack_time, then S with bank_ack_time after 3600 s', async () => {
      const { trade, reply } = await bankRefund(kit);
      assert.equal(reply.has_deposit_back, 'true');
      const pending = await query(kit, trade);
      assert.equal(pending.refund_status, 'REFUND_SUCCESS', 'the refund is done; only the bank is pending');
      assert.deepEqual(pending.deposit_back_info, {
        has_deposit_back: 'true',
        dback_status: 'P',
        dback_amount: '20.00',
        est_bank_receipt_time: pending.deposit_back_info.est_bank_receipt_time,
      });
      assert.equal(seconds(pending.gmt_refund_pay, pending.deposit_back_info.est_bank_receipt_time), 3600);
      assert.deepEqual(pending.deposit_back_info_list, [pending.deposit_back_info]);

      await advanceClock(harness, 3599);
      assert.equal((await query(kit, trade)).deposit_back_info.dback_status, 'P');
      await advanceClock(harness, 1);
      const settled = await query(kit, trade);
      assert.deepEqual(settled.deposit_back_info, {
        has_deposit_back: 'true',
        dback_status: 'S',
        dback_amount: '20.00',
        bank_ack_time: pending.deposit_back_info.est_bank_receipt_time,
        est_bank_receipt_time: pending.deposit_back_info.est_bank_receipt_time,
      });
      assert.deepEqual(settled.deposit_back_info_list, [settled.deposit_back_info]);
    });

    it('shows the status on the refund’s bank-card allocation in the admin API, and where the money went once settled', async () => {
      const { trade } = await bankRefund(kit, 'ADMIN');
      const row = await refundOf(harness, trade.trade_no, 'ADMIN');
      assert.deepEqual(
        row.fund_allocations.map((a: Reply) => [a.fund_channel, a.amount, a.dback_status, a.returned_to]),
        [
          ['ALIPAYACCOUNT', '50.00', null, null],
          ['BANKCARD', '20.00', 'P', null],
        ],
      );
      await advanceClock(harness, 3600);
      assert.deepEqual(
        (await refundOf(harness, trade.trade_no, 'ADMIN')).fund_allocations.map((a: Reply) => [a.fund_channel, a.dback_status, a.returned_to]),
        [
          ['ALIPAYACCOUNT', null, null],
          ['BANKCARD', 'S', 'BANKCARD'],
        ],
        'S: back on the card',
      );
    });

    it('has no deposit-back when the refund does not reach the card', async () => {
      const trade = await newTrade(harness, kit, BANKCARD_TRADE);
      const reply = await refund(kit, { trade_no: trade.trade_no, refund_amount: '50.00', out_request_no: 'NOCARD', query_options: ['deposit_back_info'] });
      assert.equal(reply.has_deposit_back, 'false');
      const answer = await query(kit, trade, 'NOCARD');
      assert.deepEqual(answer.deposit_back_info, { has_deposit_back: 'false' });
      assert.equal(answer.deposit_back_info_list, undefined);
    });

    it('settles each refund on its own, dback_delay_seconds after it', async () => {
      const trade = await newTrade(harness, kit, { fund_bill_list: [{ fund_channel: 'BANKCARD', amount: '100.00', fund_type: 'CREDIT_CARD' }] });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'EACH1' });
      await advanceClock(harness, 1800);
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '20.00', out_request_no: 'EACH2' });
      await advanceClock(harness, 1800);
      const first = await query(kit, trade, 'EACH1');
      const second = await query(kit, trade, 'EACH2');
      assert.equal(first.deposit_back_info.dback_status, 'S');
      assert.equal(first.deposit_back_info.dback_amount, '10.00');
      assert.equal(second.deposit_back_info.dback_status, 'P');
      assert.equal(second.deposit_back_info.dback_amount, '20.00');
      await advanceClock(harness, 1800);
      assert.equal((await query(kit, trade, 'EACH2')).deposit_back_info.dback_status, 'S');
    });

    it('applies to refunds carried out by refund.apply as well', async () => {
      const trade = await newTrade(harness, kit, BANKCARD_TRADE);
      assertSuccess(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '70.00', out_request_no: 'ASYNC' }));
      await runDueJobs(harness);
      assert.equal((await query(kit, trade, 'ASYNC')).deposit_back_info.dback_status, 'P');
      await advanceClock(harness, 3600);
      assert.equal((await query(kit, trade, 'ASYNC')).deposit_back_info.dback_status, 'S');
    });
  });

  describe('the merchant’s dback_delay_seconds sets when the bank answers', () => {
    it('settles after 60 s when the merchant says 60', async () => {
      const seller = await newMerchant(harness, { settings: { dback_delay_seconds: 60 } });
      const { trade } = await bankRefund(seller);
      const pending = await query(seller, trade);
      assert.equal(seconds(pending.gmt_refund_pay, pending.deposit_back_info.est_bank_receipt_time), 60);
      await advanceClock(harness, 59);
      assert.equal((await query(seller, trade)).deposit_back_info.dback_status, 'P');
      await advanceClock(harness, 1);
      assert.equal((await query(seller, trade)).deposit_back_info.dback_status, 'S');
    });
  });

  describe('F when the trade or the merchant says so', () => {
    it('fails with F, and a bank_ack_time, when PATCH /admin/v1/trades/:trade_no set dback_outcome F', async () => {
      const { trade } = await bankRefund(kit, 'TRADE-F');
      await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { dback_outcome: 'F' });
      await advanceClock(harness, 3600);
      const failed = await query(kit, trade, 'TRADE-F');
      assert.equal(failed.deposit_back_info.dback_status, 'F');
      assert.equal(failed.deposit_back_info.bank_ack_time, failed.deposit_back_info.est_bank_receipt_time);
      assert.equal(failed.deposit_back_info_list[0].dback_status, 'F');
      assert.equal(failed.refund_status, 'REFUND_SUCCESS', 'the refund itself stays done: the money goes to the buyer’s balance');
      const row = await refundOf(harness, trade.trade_no, 'TRADE-F');
      assert.deepEqual(
        row.fund_allocations.map((a: Reply) => [a.fund_channel, a.amount, a.dback_status, a.returned_to]),
        [
          ['ALIPAYACCOUNT', '50.00', null, null],
          ['BANKCARD', '20.00', 'F', 'ALIPAYACCOUNT'],
        ],
        'the card’s 20.00 went to the buyer’s Alipay balance instead, and the allocation says so',
      );
    });

    it('fails with F for every trade of a merchant whose dback_outcome is F, unless the trade says S', async () => {
      const seller = await newMerchant(harness, { settings: { dback_outcome: 'F' } });
      const { trade: plain } = await bankRefund(seller, 'M-F');
      const { trade: overridden } = await bankRefund(seller, 'T-S');
      await harness.adminOk('PATCH', `/trades/${overridden.trade_no}`, { dback_outcome: 'S' });
      await advanceClock(harness, 3600);
      assert.equal((await query(seller, plain, 'M-F')).deposit_back_info.dback_status, 'F');
      assert.equal((await query(seller, overridden, 'T-S')).deposit_back_info.dback_status, 'S');
      assert.equal((await refundOf(harness, plain.trade_no, 'M-F')).fund_allocations[1].returned_to, 'ALIPAYACCOUNT');
      assert.equal((await refundOf(harness, overridden.trade_no, 'T-S')).fund_allocations[1].returned_to, 'BANKCARD');
    });

    it('takes the merchant’s setting as it stands when the bank answers', async () => {
      const seller = await newMerchant(harness);
      const { trade } = await bankRefund(seller, 'LATE-F');
      await harness.adminOk('PATCH', `/merchants/${seller.pid}`, { dback_outcome: 'F' });
      await advanceClock(harness, 3600);
      assert.equal((await query(seller, trade, 'LATE-F')).deposit_back_info.dback_status, 'F');
    });
  });
});
