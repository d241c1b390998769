/**
 * alipay.trade.refund, the synchronous refund, through the official alipay-sdk (every reply's signature
 * verified): it succeeds now or fails and changes nothing. fund_change is Y the first time and N on an
 * identical repeat; refund_fee is the trade's cumulative refunded amount; business errors still carry
 * refund_fee and send_back_fee. Every ACQ code it answers, each with its exact sub_msg, and each rule of
 * the refund core (identity, strict amounts, remainder, 99 refunds, ledger, fund bill, fees, trade status).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, newMerchant, newTrade } from '../support/harness.js';
import { advanceClock, assertBusinessError, assertSuccess, clockNow, getTrade, ledgerOf, refund, refundOf, refundQuery, refundsOf, setBalance, type Reply } from '../support/refund-calls.js';

const CHINA_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** A list of fund lines in channel order, for comparing which channels got what regardless of order. */
const byChannel = (items: Reply[]) => [...items].sort((a, b) => String(a.fund_channel).localeCompare(String(b.fund_channel)));

describeEachEngine('alipay.trade.refund', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual' });
  let seq = 0;
  const requestNo = () => `RF${++seq}`;

  /** Asserts a failed refund changed nothing: no refund row, nothing refunded, no ledger entry. */
  async function assertNothingChanged(tradeNo: string, pid: string, entriesBefore: number): Promise<void> {
    assert.deepEqual(await refundsOf(harness, tradeNo), []);
    const trade = await getTrade(harness, tradeNo);
    assert.equal(trade.refunded_amount, '0.00');
    assert.equal(trade.pending_refund_amount, '0.00');
    assert.equal(trade.refund_count, 0);
    const ledger = await ledgerOf(harness, pid);
    assert.equal(ledger.entries.length, entriesBefore);
    assert.equal(ledger.balance, ledger.entries_sum);
  }

  describe('a refund succeeds at once, in a signed reply', () => {
    it('answers 10000 with the trade, the buyer, fund_change=Y, the cumulative refund_fee and gmt_refund_pay', async () => {
      const trade = await newTrade(harness, kit, { total_amount: '88.88' });
      const reply = await refund(kit, { trade_no: trade.trade_no, refund_amount: '8.88', out_request_no: requestNo(), refund_reason: '正常退款' });
      assertSuccess(reply);
      assert.equal(reply.trade_no, trade.trade_no);
      assert.equal(reply.out_trade_no, trade.out_trade_no);
      assert.equal(reply.buyer_logon_id, trade.buyer_logon_id);
      assert.equal(reply.buyer_user_id, trade.buyer_user_id);
      assert.equal(reply.fund_change, 'Y');
      assert.equal(reply.refund_fee, '8.88');
      assert.match(reply.gmt_refund_pay, CHINA_TIME);
      assert.equal(reply.refund_detail_item_list, undefined, 'details only when query_options asks');
      assert.equal(reply.send_back_fee, undefined, 'send_back_fee only with refund_detail_item_list');
      assert.equal(reply.refund_charge_info_list, undefined, 'no fee, no fee refund');
    });

    it('refunds by out_trade_no alone', async () => {
      const trade = await newTrade(harness, kit);
      const reply = await refund(kit, { out_trade_no: trade.out_trade_no, refund_amount: '1.00', out_request_no: requestNo() });
      assertSuccess(reply);
      assert.equal(reply.trade_no, trade.trade_no);
    });

    it('takes trade_no over out_trade_no when both are given', async () => {
      const first = await newTrade(harness, kit);
      const second = await newTrade(harness, kit);
      const reply = await refund(kit, { trade_no: first.trade_no, out_trade_no: second.out_trade_no, refund_amount: '1.00', out_request_no: requestNo() });
      assertSuccess(reply);
      assert.equal(reply.trade_no, first.trade_no);
      assert.equal((await getTrade(harness, second.trade_no)).refunded_amount, '0.00');
      const wrongTradeNo = await refund(kit, { trade_no: '2026010122001999999999999999', out_trade_no: second.out_trade_no, refund_amount: '1.00', out_request_no: requestNo() });
      assertBusinessError(wrongTradeNo, 'ACQ.TRADE_NOT_EXIST', '交易不存在');
    });
  });

  describe('fund_change is Y the first time and N on an identical repeat', () => {
    it('moves the money once: a repeat answers the original refund again with fund_change=N', async () => {
      const trade = await newTrade(harness, kit);
      const no = requestNo();
      const first = await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: no });
      assert.equal(first.fund_change, 'Y');
      const entries = (await ledgerOf(harness, kit.pid)).entries.length;
      await advanceClock(harness, 5);
      const repeat = await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: no });
      assertSuccess(repeat);
      assert.equal(repeat.fund_change, 'N');
      assert.equal(repeat.refund_fee, '10.00');
      assert.equal(repeat.gmt_refund_pay, first.gmt_refund_pay, 'the original refund’s time');
      assert.equal((await getTrade(harness, trade.trade_no)).refunded_amount, '10.00');
      assert.equal((await refundsOf(harness, trade.trade_no)).length, 1);
      assert.equal((await ledgerOf(harness, kit.pid)).entries.length, entries, 'no ledger entry for a repeat');
    });

    it('accepts the repeat with the amount written another way (10 as a JSON number for "10.00")', async () => {
      const trade = await newTrade(harness, kit);
      const no = requestNo();
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: no })).fund_change, 'Y');
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: 10, out_request_no: no })).fund_change, 'N');
    });
  });

  describe('refund_fee is the trade’s cumulative refunded amount', () => {
    it('adds up over the trade’s refunds, in the reply of each and of a repeat', async () => {
      const trade = await newTrade(harness, kit);
      const r1 = requestNo();
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: r1 })).refund_fee, '10.00');
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '20.00', out_request_no: requestNo() })).refund_fee, '30.00');
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '0.01', out_request_no: requestNo() })).refund_fee, '30.01');
      const repeat = await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: r1 });
      assert.equal(repeat.fund_change, 'N');
      assert.equal(repeat.refund_fee, '30.01');
    });
  });

  describe('a refund is identified by (trade, out_request_no)', () => {
    it('keeps one out_request_no on two trades as two refunds', async () => {
      const first = await newTrade(harness, kit);
      const second = await newTrade(harness, kit);
      assert.equal((await refund(kit, { trade_no: first.trade_no, refund_amount: '5.00', out_request_no: 'SAME' })).fund_change, 'Y');
      assert.equal((await refund(kit, { trade_no: second.trade_no, refund_amount: '6.00', out_request_no: 'SAME' })).fund_change, 'Y');
      assert.equal((await refundOf(harness, first.trade_no, 'SAME')).refund_amount, '5.00');
      assert.equal((await refundOf(harness, second.trade_no, 'SAME')).refund_amount, '6.00');
    });

    it('without out_request_no, is keyed by the merchant order number', async () => {
      const trade = await newTrade(harness, kit, { total_amount: '50.00' });
      const full = await refund(kit, { out_trade_no: trade.out_trade_no, refund_amount: '50.00' });
      assert.equal(full.fund_change, 'Y');
      assert.equal((await refundOf(harness, trade.trade_no, trade.out_trade_no)).refund_amount, '50.00');
      assert.equal((await refund(kit, { out_trade_no: trade.out_trade_no, refund_amount: '50.00' })).fund_change, 'N');
      const named = await refund(kit, { trade_no: trade.trade_no, refund_amount: '50.00', out_request_no: trade.out_trade_no });
      assert.equal(named.fund_change, 'N', 'out_request_no = out_trade_no names the same refund');
      const query = await refundQuery(kit, { trade_no: trade.trade_no, out_request_no: trade.out_trade_no });
      assert.equal(query.refund_status, 'REFUND_SUCCESS');
    });
  });

  describe('refund_amount is parsed strictly: a JSON number or a string, at most two decimals, more than zero', () => {
    it('accepts a JSON number, as in the seed’s Java example', async () => {
      const trade = await newTrade(harness, kit);
      const reply = await refund(kit, { trade_no: trade.trade_no, refund_amount: 12.34, out_request_no: requestNo() });
      assert.equal(reply.refund_fee, '12.34');
    });

    it('accepts a string with one decimal or none', async () => {
      const trade = await newTrade(harness, kit);
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '12.3', out_request_no: requestNo() })).refund_fee, '12.30');
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '7', out_request_no: requestNo() })).refund_fee, '19.30');
    });

    it('answers ACQ.REASON_TRADE_REFUND_FEE_ERR (退款金额无效) to zero, a negative, three decimals or a malformed amount', async () => {
      const trade = await newTrade(harness, kit);
      const entries = (await ledgerOf(harness, kit.pid)).entries.length;
      for (const amount of ['0', '0.00', 0, '-1.00', -1, '1.234', 1.234, '1e2', ' 1.00', '1,00', 'abc', '']) {
        const reply = await refund(kit, { trade_no: trade.trade_no, refund_amount: amount, out_request_no: requestNo() });
        assertBusinessError(reply, 'ACQ.REASON_TRADE_REFUND_FEE_ERR', '退款金额无效');
      }
      await assertNothingChanged(trade.trade_no, kit.pid, entries);
    });
  });

  describe('business errors still carry refund_fee and send_back_fee', () => {
    it('carries the trade’s cumulative refund_fee, send_back_fee 0.00 and the trade’s numbers', async () => {
      const trade = await newTrade(harness, kit);
      const no = requestNo();
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: no });
      const reply = await refund(kit, { trade_no: trade.trade_no, refund_amount: '11.00', out_request_no: no });
      assertBusinessError(reply, 'ACQ.DISCORDANT_REPEAT_REQUEST', '不一致的请求');
      assert.equal(reply.refund_fee, '10.00');
      assert.equal(reply.send_back_fee, '0.00');
      assert.equal(reply.trade_no, trade.trade_no);
      assert.equal(reply.out_trade_no, trade.out_trade_no);
    });

    it('carries refund_fee 0.00 when there is no trade to speak of', async () => {
      const reply = await refund(kit, { out_trade_no: 'NO-SUCH-ORDER', refund_amount: '1.00' });
      assertBusinessError(reply, 'ACQ.TRADE_NOT_EXIST', '交易不存在');
      assert.equal(reply.refund_fee, '0.00');
      assert.equal(reply.send_back_fee, '0.00');
      assert.equal(reply.out_trade_no, 'NO-SUCH-ORDER');
    });
  });

  describe('ACQ.TRADE_NOT_EXIST (交易不存在): no such trade for this seller', () => {
    it('answers an unknown trade_no, an unknown out_trade_no, and another merchant’s trade', async () => {
      const other = await newMerchant(harness);
      const theirs = await newTrade(harness, other);
      for (const ids of [{ trade_no: '2026010122001000000000000000' }, { out_trade_no: 'UNKNOWN-ORDER' }, { trade_no: theirs.trade_no }, { out_trade_no: theirs.out_trade_no }]) {
        const reply = await refund(kit, { ...ids, refund_amount: '1.00', out_request_no: requestNo() });
        assertBusinessError(reply, 'ACQ.TRADE_NOT_EXIST', '交易不存在');
      }
      assert.equal((await getTrade(harness, theirs.trade_no)).refunded_amount, '0.00');
    });
  });

  describe('ACQ.INVALID_PARAMETER (参数无效): biz_content that does not fit the method', () => {
    it('answers a request with neither trade_no nor out_trade_no, without refund_amount, or with a field out of bounds', async () => {
      const trade = await newTrade(harness, kit);
      const entries = (await ledgerOf(harness, kit.pid)).entries.length;
      const cases: Array<Record<string, unknown>> = [
        { refund_amount: '1.00', out_request_no: 'X' },
        { trade_no: trade.trade_no, out_request_no: 'X' },
        { trade_no: trade.trade_no, refund_amount: true, out_request_no: 'X' },
        { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'X'.repeat(65) },
        { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'X', refund_currency: 'USD' },
        { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'X', refund_reason: '理'.repeat(257) },
        { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 42 },
      ];
      for (const biz of cases) {
        const reply = await refund(kit, biz);
        assertBusinessError(reply, 'ACQ.INVALID_PARAMETER', '参数无效');
        assert.equal(reply.refund_fee, '0.00');
        assert.equal(reply.send_back_fee, '0.00');
      }
      await assertNothingChanged(trade.trade_no, kit.pid, entries);
    });
  });

  describe('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL (退款金额超限): the refundable remainder is enforced', () => {
    it('refuses a refund larger than the trade total', async () => {
      const trade = await newTrade(harness, kit);
      assertBusinessError(await refund(kit, { trade_no: trade.trade_no, refund_amount: '100.01', out_request_no: requestNo() }), 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
    });

    it('refuses one fen more than what earlier refunds left, and takes exactly what is left', async () => {
      const trade = await newTrade(harness, kit);
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '60.00', out_request_no: requestNo() });
      const over = await refund(kit, { trade_no: trade.trade_no, refund_amount: '40.01', out_request_no: requestNo() });
      assertBusinessError(over, 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
      assert.equal(over.refund_fee, '60.00');
      const rest = await refund(kit, { trade_no: trade.trade_no, refund_amount: '40.00', out_request_no: requestNo() });
      assert.equal(rest.fund_change, 'Y');
      assert.equal(rest.refund_fee, '100.00');
    });

    it('refuses a partial refund without out_request_no', async () => {
      const trade = await newTrade(harness, kit);
      assertBusinessError(await refund(kit, { trade_no: trade.trade_no, refund_amount: '99.99' }), 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
      assert.deepEqual(await refundsOf(harness, trade.trade_no), []);
    });

    it('refuses any further refund of a fully refunded trade', async () => {
      const trade = await newTrade(harness, kit, { total_amount: '10.00' });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: requestNo() });
      const reply = await refund(kit, { trade_no: trade.trade_no, refund_amount: '0.01', out_request_no: requestNo() });
      assertBusinessError(reply, 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
      assert.equal(reply.refund_fee, '10.00');
    });
  });

  describe('ACQ.DISCORDANT_REPEAT_REQUEST (不一致的请求): an out_request_no used with another amount', () => {
    it('refuses it and leaves the original refund as it was', async () => {
      const trade = await newTrade(harness, kit);
      const no = requestNo();
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: no });
      assertBusinessError(await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.01', out_request_no: no }), 'ACQ.DISCORDANT_REPEAT_REQUEST', '不一致的请求');
      assert.equal((await refundOf(harness, trade.trade_no, no)).refund_amount, '10.00');
      assert.equal((await getTrade(harness, trade.trade_no)).refunded_amount, '10.00');
    });
  });

  describe('ACQ.TRADE_STATUS_ERROR (交易状态非法): the buyer has not paid', () => {
    it('refuses a trade waiting for payment and a trade closed unpaid', async () => {
      for (const status of ['WAIT_BUYER_PAY', 'TRADE_CLOSED']) {
        const trade = await newTrade(harness, kit, { status });
        assertBusinessError(await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: requestNo() }), 'ACQ.TRADE_STATUS_ERROR', '交易状态非法');
      }
    });
  });

  describe('ACQ.TRADE_HAS_FINISHED (交易已完结): TRADE_FINISHED, or past the merchant’s refund window', () => {
    it('refuses a TRADE_FINISHED trade', async () => {
      const trade = await newTrade(harness, kit, { status: 'TRADE_FINISHED' });
      assertBusinessError(await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: requestNo() }), 'ACQ.TRADE_HAS_FINISHED', '交易已完结');
    });

    it('refuses a trade once the refund window has passed since payment, and the trade reads TRADE_FINISHED', async () => {
      const seller = await newMerchant(harness);
      const trade = await newTrade(harness, seller);
      const partial = await refund(seller, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'IN-WINDOW' });
      assert.equal(partial.fund_change, 'Y', 'refundable inside the window');
      await harness.adminOk('PATCH', `/merchants/${seller.pid}`, { refund_window_days: 0 });
      await advanceClock(harness, 1);
      assert.equal((await getTrade(harness, trade.trade_no)).trade_status, 'TRADE_FINISHED');
      const late = await refund(seller, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'TOO-LATE' });
      assertBusinessError(late, 'ACQ.TRADE_HAS_FINISHED', '交易已完结');
      assert.equal(late.refund_fee, '1.00');
      const repeat = await refund(seller, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'IN-WINDOW' });
      assert.equal(repeat.fund_change, 'N', 'a refund made in the window is still answered as made');
    });
  });

  describe('ACQ.TRADE_NOT_ALLOW_REFUND (当前交易不允许退款): the trade does not allow refunds', () => {
    it('refuses a trade whose product does not allow refunds, until it does', async () => {
      const trade = await newTrade(harness, kit);
      await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { refund_allowed: false });
      assertBusinessError(await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'NA' }), 'ACQ.TRADE_NOT_ALLOW_REFUND', '当前交易不允许退款');
      await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { refund_allowed: true });
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'NA' })).fund_change, 'Y');
    });
  });

  describe('at most 99 refunds per trade', () => {
    it('takes 99 refunds and refuses the 100th with ACQ.TRADE_NOT_ALLOW_REFUND, though money is left', async () => {
      const trade = await newTrade(harness, kit, { total_amount: '1.00' });
      for (let i = 1; i <= 99; i++) {
        const reply = await refund(kit, { trade_no: trade.trade_no, refund_amount: '0.01', out_request_no: `N${i}` });
        assert.equal(reply.fund_change, 'Y', `refund ${i}`);
      }
      const hundredth = await refund(kit, { trade_no: trade.trade_no, refund_amount: '0.01', out_request_no: 'N100' });
      assertBusinessError(hundredth, 'ACQ.TRADE_NOT_ALLOW_REFUND', '当前交易不允许退款');
      assert.equal(hundredth.refund_fee, '0.99');
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '0.01', out_request_no: 'N99' })).fund_change, 'N', 'repeats still answer');
      const after = await getTrade(harness, trade.trade_no);
      assert.equal(after.refund_count, 99);
      assert.equal(after.refunded_amount, '0.99');
    });
  });

  describe('ACQ.REASON_TRADE_BEEN_FREEZEN (请求退款的交易被冻结): a frozen trade', () => {
    it('refuses a frozen trade and refunds it once it is unfrozen', async () => {
      const trade = await newTrade(harness, kit);
      await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { frozen: true });
      const entries = (await ledgerOf(harness, kit.pid)).entries.length;
      assertBusinessError(await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'FZ' }), 'ACQ.REASON_TRADE_BEEN_FREEZEN', '请求退款的交易被冻结');
      await assertNothingChanged(trade.trade_no, kit.pid, entries);
      await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { frozen: false });
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'FZ' })).fund_change, 'Y');
    });
  });

  describe('ACQ.SELLER_BALANCE_NOT_ENOUGH (卖家余额不足): the merchant’s available balance is drawn through ledger entries', () => {
    it('refuses a refund the balance cannot cover, changing nothing, and takes it once the balance is topped up', async () => {
      const seller = await newMerchant(harness);
      const trade = await newTrade(harness, seller, { total_amount: '50.00' });
      await setBalance(harness, seller.pid, '49.99');
      const entries = (await ledgerOf(harness, seller.pid)).entries.length;
      const short = await refund(seller, { trade_no: trade.trade_no, refund_amount: '50.00', out_request_no: 'BAL' });
      assertBusinessError(short, 'ACQ.SELLER_BALANCE_NOT_ENOUGH', '卖家余额不足');
      assert.equal(short.refund_fee, '0.00');
      assert.equal(short.send_back_fee, '0.00');
      assert.equal(short.trade_no, trade.trade_no);
      await assertNothingChanged(trade.trade_no, seller.pid, entries);
      assert.equal((await ledgerOf(harness, seller.pid)).balance, '49.99');

      await harness.adminOk('POST', `/merchants/${seller.pid}/balance`, { delta: '+0.01' });
      const paid = await refund(seller, { trade_no: trade.trade_no, refund_amount: '50.00', out_request_no: 'BAL' });
      assert.equal(paid.fund_change, 'Y');
      const ledger = await ledgerOf(harness, seller.pid);
      assert.equal(ledger.balance, '0.00');
      assert.equal(ledger.entries_sum, '0.00');
      assert.deepEqual(
        ledger.entries.slice(-1).map((e: Reply) => [e.kind, e.amount, e.trade_no]),
        [['refund', '-50.00', trade.trade_no]],
      );
    });

    it('draws only what the merchant returns (send_back_fee), not the merchant discounts it reverses', async () => {
      const seller = await newMerchant(harness);
      const trade = await newTrade(harness, seller, {
        fund_bill_list: [
          { fund_channel: 'ALIPAYACCOUNT', amount: '80.00' },
          { fund_channel: 'MDISCOUNT', amount: '20.00' },
        ],
        voucher_detail_list: [{ id: 'V-M-20', name: '商户券', amount: '20.00', merchant_contribute: '20.00', other_contribute: '0.00' }],
      });
      assert.equal(trade.receipt_amount, '80.00');
      await setBalance(harness, seller.pid, '80.00');
      const reply = await refund(seller, { trade_no: trade.trade_no, refund_amount: '100.00', out_request_no: 'ALL', query_options: ['refund_detail_item_list'] });
      assert.equal(reply.fund_change, 'Y');
      assert.equal(reply.send_back_fee, '80.00');
      const ledger = await ledgerOf(harness, seller.pid);
      assert.equal(ledger.balance, '0.00');
      assert.equal(ledger.entries_sum, ledger.balance);
    });

    it('counts the fee it gives back: a merchant holding just what a charged trade left it can refund it in full, one fen less cannot', async () => {
      const seller = await newMerchant(harness, { balance: '0.00', settings: { fee_rate: '0.006' } });
      const trade = await newTrade(harness, seller);
      assert.equal((await ledgerOf(harness, seller.pid)).balance, '99.40', 'received 100.00, charged 0.60');
      const full = await refund(seller, { trade_no: trade.trade_no, refund_amount: '100.00', out_request_no: 'NET' });
      assert.equal(full.fund_change, 'Y');
      assert.equal(full.refund_charge_info_list[0].refund_charge_fee, '0.60');
      const ledger = await ledgerOf(harness, seller.pid);
      assert.equal(ledger.balance, '0.00');
      assert.equal(ledger.entries_sum, '0.00');

      const poorer = await newMerchant(harness, { balance: '0.00', settings: { fee_rate: '0.006' } });
      const other = await newTrade(harness, poorer);
      await setBalance(harness, poorer.pid, '99.39');
      const entries = (await ledgerOf(harness, poorer.pid)).entries.length;
      const short = await refund(poorer, { trade_no: other.trade_no, refund_amount: '100.00', out_request_no: 'NET' });
      assertBusinessError(short, 'ACQ.SELLER_BALANCE_NOT_ENOUGH', '卖家余额不足');
      await assertNothingChanged(other.trade_no, poorer.pid, entries);
      assert.equal((await ledgerOf(harness, poorer.pid)).balance, '99.39', 'the fee credit was rolled back with the refund');
    });

    it('keeps the balance equal to the sum of its ledger entries', async () => {
      const ledger = await ledgerOf(harness, kit.pid);
      assert.equal(ledger.balance, ledger.entries_sum);
      const kinds = new Set(ledger.entries.map((e: Reply) => e.kind));
      for (const kind of ['opening', 'payment', 'refund']) assert.ok(kinds.has(kind), kind);
    });
  });

  describe('ACQ.SYSTEM_ERROR (系统繁忙): retry with the same out_request_no', () => {
    it('changes nothing when the failure comes before the refund runs', async () => {
      const trade = await newTrade(harness, kit);
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.refund', sub_code: 'ACQ.SYSTEM_ERROR' });
      const failed = await refund(kit, { trade_no: trade.trade_no, refund_amount: '5.00', out_request_no: 'SYS1' });
      assertBusinessError(failed, 'ACQ.SYSTEM_ERROR', '系统繁忙');
      assert.equal(failed.refund_fee, '0.00', 'a provoked failure carries refund_fee like any refund error');
      assert.equal(failed.send_back_fee, '0.00');
      assert.equal(failed.trade_no, trade.trade_no);
      assert.deepEqual(await refundsOf(harness, trade.trade_no), []);
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '5.00', out_request_no: 'SYS1' })).fund_change, 'Y');
    });

    it('refunds once when the failure comes after the refund ran: the retry answers fund_change=N', async () => {
      const trade = await newTrade(harness, kit);
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.refund', sub_code: 'ACQ.SYSTEM_ERROR', phase: 'after' });
      assertBusinessError(await refund(kit, { trade_no: trade.trade_no, refund_amount: '5.00', out_request_no: 'SYS2' }), 'ACQ.SYSTEM_ERROR', '系统繁忙');
      const retry = await refund(kit, { trade_no: trade.trade_no, refund_amount: '5.00', out_request_no: 'SYS2' });
      assert.equal(retry.fund_change, 'N');
      assert.equal(retry.refund_fee, '5.00');
      assert.equal((await refundsOf(harness, trade.trade_no)).length, 1);
    });

    it('a provoked failure on a trade with refunds carries its real cumulative refund_fee, before and after', async () => {
      const trade = await newTrade(harness, kit, { total_amount: '100.00' });
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'SYS3-A' })).refund_fee, '10.00');

      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.refund', sub_code: 'ACQ.SYSTEM_ERROR' });
      const before = await refund(kit, { out_trade_no: trade.out_trade_no, refund_amount: '5.00', out_request_no: 'SYS3-B' });
      assertBusinessError(before, 'ACQ.SYSTEM_ERROR', '系统繁忙');
      assert.equal(before.refund_fee, '10.00', 'nothing more was refunded, but 10.00 had been');
      assert.equal(before.send_back_fee, '0.00');
      assert.equal(before.trade_no, trade.trade_no, 'the trade named by out_trade_no alone');
      assert.equal(before.out_trade_no, trade.out_trade_no);

      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.refund', sub_code: 'ACQ.SYSTEM_ERROR', phase: 'after' });
      const afterwards = await refund(kit, { trade_no: trade.trade_no, refund_amount: '5.00', out_request_no: 'SYS3-C' });
      assertBusinessError(afterwards, 'ACQ.SYSTEM_ERROR', '系统繁忙');
      assert.equal(afterwards.refund_fee, '15.00', 'the refund the caller was told failed went through, and counts');
      assert.equal((await getTrade(harness, trade.trade_no)).refunded_amount, '15.00');

      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.refund', sub_code: 'ACQ.SYSTEM_ERROR' });
      const stranger = await newMerchant(harness);
      const notTheirs = await refund(stranger, { trade_no: trade.trade_no, refund_amount: '5.00', out_request_no: 'SYS3-D' });
      assertBusinessError(notTheirs, 'ACQ.SYSTEM_ERROR', '系统繁忙');
      assert.equal(notTheirs.refund_fee, '0.00', 'another merchant’s trade is not shown');
      assert.equal(notTheirs.trade_no, trade.trade_no, 'only what the request said is echoed');
    });
  });

  describe('ACQ.REASON_TRADE_REFUND_FEE_ERR (退款金额无效): a refund that would return part of a red packet', () => {
    it('refuses a refund that reaches into a red packet without returning it whole', async () => {
      const trade = await newTrade(harness, kit, {
        fund_bill_list: [
          { fund_channel: 'ALIPAYACCOUNT', amount: '90.00' },
          { fund_channel: 'COUPON', amount: '10.00' },
        ],
        voucher_detail_list: [{ id: 'V-RED', name: '红包', amount: '10.00', merchant_contribute: '0.00', other_contribute: '10.00' }],
      });
      assertBusinessError(await refund(kit, { trade_no: trade.trade_no, refund_amount: '95.00', out_request_no: 'RED1' }), 'ACQ.REASON_TRADE_REFUND_FEE_ERR', '退款金额无效');
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '90.00', out_request_no: 'RED2' })).fund_change, 'Y');
      assertBusinessError(await refund(kit, { trade_no: trade.trade_no, refund_amount: '5.00', out_request_no: 'RED3' }), 'ACQ.REASON_TRADE_REFUND_FEE_ERR', '退款金额无效');
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'RED4' })).fund_change, 'Y');
    });

    it('lets a refund reach into the red packet when an accepted refund.apply will return the rest of it', async () => {
      const trade = await newTrade(harness, kit, {
        fund_bill_list: [
          { fund_channel: 'ALIPAYACCOUNT', amount: '90.00' },
          { fund_channel: 'COUPON', amount: '10.00' },
        ],
      });
      // The worker waits, so the refund.apply is still accepted when the synchronous refund runs.
      await harness.tuikuan.worker.stop();
      try {
        const apply = await kit.sdk.exec('alipay.trade.refund.apply', { bizContent: { trade_no: trade.trade_no, refund_amount: '5.00', out_request_no: 'REDA' } }, { validateSign: true });
        assert.equal(apply.code, '10000');
        assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '95.00', out_request_no: 'REDB' })).fund_change, 'Y');
      } finally {
        harness.tuikuan.worker.start();
      }
      await advanceClock(harness, 0);
      const after = await getTrade(harness, trade.trade_no);
      assert.equal(after.refunded_amount, '100.00');
      assert.deepEqual(after.fund_bill_list.map((b: Reply) => [b.fund_channel, b.refunded_amount]), [['ALIPAYACCOUNT', '90.00'], ['COUPON', '10.00']]);
    });
  });

  describe('each refund is allocated across the trade’s fund bill', () => {
    it('returns the buyer’s own funds first, never more to a channel than it paid, then the vouchers', async () => {
      const trade = await newTrade(harness, kit, {
        fund_bill_list: [
          { fund_channel: 'MDISCOUNT', amount: '20.00' },
          { fund_channel: 'ALIPAYACCOUNT', amount: '50.00' },
          { fund_channel: 'BANKCARD', amount: '30.00', fund_type: 'CREDIT_CARD', bank_code: 'CMB' },
        ],
        voucher_detail_list: [{ id: 'V-M', name: '商户满减券', amount: '20.00', merchant_contribute: '20.00', other_contribute: '0.00' }],
      });
      const options = ['refund_detail_item_list', 'deposit_back_info', 'refund_voucher_detail_list'];
      const first = await refund(kit, { trade_no: trade.trade_no, refund_amount: '60.00', out_request_no: 'FB1', query_options: options });
      assert.deepEqual(first.refund_detail_item_list, [
        { fund_channel: 'ALIPAYACCOUNT', amount: '50.00', real_amount: '50.00' },
        { fund_channel: 'BANKCARD', amount: '10.00', real_amount: '10.00', fund_type: 'CREDIT_CARD', bank_code: 'CMB' },
      ]);
      assert.equal(first.send_back_fee, '60.00');
      assert.equal(first.has_deposit_back, 'true');
      assert.deepEqual(first.refund_voucher_detail_list, [
        { id: 'V-M', name: '商户满减券', type: 'ALIPAY_FIX_VOUCHER', amount: '20.00', merchant_contribute: '20.00', other_contribute: '0.00' },
      ]);

      const second = await refund(kit, { trade_no: trade.trade_no, refund_amount: '40.00', out_request_no: 'FB2', query_options: options });
      assert.deepEqual(byChannel(second.refund_detail_item_list), [
        { fund_channel: 'BANKCARD', amount: '20.00', real_amount: '20.00', fund_type: 'CREDIT_CARD', bank_code: 'CMB' },
        { fund_channel: 'MDISCOUNT', amount: '20.00', real_amount: '20.00' },
      ]);
      assert.equal(second.send_back_fee, '20.00', 'the merchant voucher is not the merchant’s to return');

      const after = await getTrade(harness, trade.trade_no);
      assert.deepEqual(
        after.fund_bill_list.map((b: Reply) => [b.fund_channel, b.refunded_amount]),
        [
          ['MDISCOUNT', '20.00'],
          ['ALIPAYACCOUNT', '50.00'],
          ['BANKCARD', '30.00'],
        ],
      );
      assert.equal(after.refunded_send_back_fee, '80.00');
      for (const r of await refundsOf(harness, trade.trade_no)) {
        const sum = r.fund_allocations.reduce((s: number, a: Reply) => s + Math.round(Number(a.amount) * 100), 0);
        assert.equal(sum, Math.round(Number(r.refund_amount) * 100), 'channel amounts add up to the refund');
      }
    });

    it('answers has_deposit_back=false when no bank card takes part', async () => {
      const trade = await newTrade(harness, kit);
      const reply = await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: requestNo(), query_options: ['deposit_back_info'] });
      assert.equal(reply.has_deposit_back, 'false');
    });
  });

  describe('merchant fees come back pro rata (refund_charge_info_list)', () => {
    it('gives back fee × returned ÷ received on each refund, and the whole fee over a full refund', async () => {
      const seller = await newMerchant(harness, { settings: { fee_rate: '0.006' } });
      const start = (await ledgerOf(harness, seller.pid)).balance;
      const trade = await newTrade(harness, seller);
      assert.equal(trade.charge_amount, '0.60');
      const fees: string[] = [];
      for (const [no, amount] of [
        ['FEE1', '33.33'],
        ['FEE2', '33.33'],
        ['FEE3', '33.34'],
      ] as const) {
        const reply = await refund(seller, { trade_no: trade.trade_no, refund_amount: amount, out_request_no: no });
        assert.equal(reply.refund_charge_info_list.length, 1);
        const [info] = reply.refund_charge_info_list;
        assert.equal(info.switch_fee_rate, '0.006');
        assert.equal(info.charge_type, 'trade');
        fees.push(info.refund_charge_fee);
      }
      assert.deepEqual(fees, ['0.20', '0.20', '0.20']);
      assert.equal((await getTrade(harness, trade.trade_no)).refunded_charge_fee, '0.60');
      const ledger = await ledgerOf(harness, seller.pid);
      assert.deepEqual(
        ledger.entries.filter((e: Reply) => e.kind === 'fee_refund').map((e: Reply) => e.amount),
        ['0.20', '0.20', '0.20'],
      );
      assert.equal(ledger.balance, start, 'paid, charged, refunded and given the fee back: where it started');
      assert.equal(ledger.entries_sum, ledger.balance);
    });
  });

  describe('the trade’s status follows its refunds', () => {
    it('stays TRADE_SUCCESS after a partial refund and becomes TRADE_CLOSED when fully refunded', async () => {
      const trade = await newTrade(harness, kit, { total_amount: '30.00' });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'ST1' });
      let now = await getTrade(harness, trade.trade_no);
      assert.equal(now.trade_status, 'TRADE_SUCCESS');
      assert.equal(now.gmt_close, null);
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '20.00', out_request_no: 'ST2' });
      now = await getTrade(harness, trade.trade_no);
      assert.equal(now.trade_status, 'TRADE_CLOSED');
      assert.match(now.gmt_close, CHINA_TIME);
      const query = (await kit.sdk.exec('alipay.trade.query', { bizContent: { trade_no: trade.trade_no } }, { validateSign: true })) as Reply;
      assert.equal(query.trade_status, 'TRADE_CLOSED');
    });

    it('writes gmt_refund_pay as the clock’s time of the refund', async () => {
      const trade = await newTrade(harness, kit);
      await advanceClock(harness, 61);
      const now = await clockNow(harness);
      const reply = await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: requestNo() });
      const expected = new Date(now + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
      assert.equal(reply.gmt_refund_pay, expected);
    });
  });
});
