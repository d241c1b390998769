/**
 * alipay.trade.refund.apply (seed 000), the asynchronous refund: validated and its amount reserved at once,
 * answered 10000, carried out by a worker job. When the merchant's balance is short the refund waits and
 * is retried on its schedule (1m doubling to hourly); a top-up lets the next retry succeed; after 3 days
 * it is given up and its reservation released. The same out_request_no through alipay.trade.refund and
 * this method is one refund, never two. Every business error of seed 000, with its exact sub_msg.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, type MerchantKit } from '../support/harness.js';
import { newMerchant, newTrade } from '../support/harness.js';
import { ALL_QUERY_OPTIONS, advanceClock, assertBusinessError, assertSuccess, chinaTimeMs, getTrade, ledgerOf, notificationsOf, refund, refundApply, refundOf, refundQuery, refundsOf, runDueJobs, setBalance, type Reply } from '../support/refund-calls.js';

const HOUR = 3600;

describeEachEngine('alipay.trade.refund.apply', (engine) => {
  const { harness, kit, receiver } = useHarness(engine, { clock: 'virtual', receiver: 'success' });
  let seq = 0;
  const requestNo = () => `AP${++seq}`;

  /** A merchant whose balance is too short for any refund of its (fresh) trade. */
  async function shortMerchant(tradeBody: Record<string, unknown> = {}): Promise<{ seller: MerchantKit; trade: Reply }> {
    const seller = await newMerchant(harness);
    const trade = await newTrade(harness, seller, tradeBody);
    await setBalance(harness, seller.pid, '0.00');
    return { seller, trade };
  }

  describe('accepted at once, carried out by the worker', () => {
    it('answers a bare signed 10000, and the refund is done once the due jobs have run', async () => {
      const trade = await newTrade(harness, kit);
      const no = requestNo();
      const reply = await refundApply(kit, { trade_no: trade.trade_no, refund_amount: 20.01, out_request_no: no, refund_reason: '正常退款' });
      assert.deepEqual(reply, { code: '10000', msg: 'Success' });
      await runDueJobs(harness);
      const done = await refundOf(harness, trade.trade_no, no);
      assert.equal(done.status, 'succeeded');
      assert.equal(done.source, 'refund.apply');
      assert.equal(done.refund_amount, '20.01');
      const query = await refundQuery(kit, { trade_no: trade.trade_no, out_request_no: no, query_options: ALL_QUERY_OPTIONS });
      assert.equal(query.refund_status, 'REFUND_SUCCESS');
      assert.equal(query.refund_reason, '正常退款');
      const after = await getTrade(harness, trade.trade_no);
      assert.equal(after.refunded_amount, '20.01');
      assert.equal(after.pending_refund_amount, '0.00');
    });

    it('accepts the seed’s own example shape: out_trade_no, store, terminal and operator ids', async () => {
      const trade = await newTrade(harness, kit, { total_amount: '300.00' });
      const reply = await refundApply(kit, {
        out_trade_no: trade.out_trade_no,
        refund_amount: 200.12,
        refund_reason: '正常退款',
        out_request_no: 'HZ01RF001',
        operator_id: 'OP001',
        store_id: 'NJ_S_001',
        terminal_id: 'NJ_T_001',
      });
      assertSuccess(reply);
      await runDueJobs(harness);
      assert.equal((await refundOf(harness, trade.trade_no, 'HZ01RF001')).status, 'succeeded');
    });
  });

  describe('validated and reserved now', () => {
    it('reserves the amount on acceptance, so no other refund can take it while it waits', async () => {
      const { seller, trade } = await shortMerchant();
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '60.00', out_request_no: 'RES1' }));
      await runDueJobs(harness);
      const waiting = await getTrade(harness, trade.trade_no);
      assert.equal(waiting.pending_refund_amount, '60.00');
      assert.equal(waiting.refunded_amount, '0.00');
      assert.equal(waiting.refund_count, 1);
      assertBusinessError(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '40.01', out_request_no: 'RES2' }), 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
      assertBusinessError(await refund(seller, { trade_no: trade.trade_no, refund_amount: '40.01', out_request_no: 'RES3' }), 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '40.00', out_request_no: 'RES4' }));
      assert.equal((await getTrade(harness, trade.trade_no)).pending_refund_amount, '100.00');
    });
  });

  describe('at most 99 refunds per trade, accepted applies still waiting included', () => {
    it('refuses the 100th with ACQ.TRADE_NOT_ALLOW_REFUND when 49 are done and 50 accepted applies wait, though money is left', async () => {
      const seller = await newMerchant(harness);
      const trade = await newTrade(harness, seller, { total_amount: '1.00' });
      for (let i = 1; i <= 49; i++) {
        assert.equal((await refund(seller, { trade_no: trade.trade_no, refund_amount: '0.01', out_request_no: `CAP${i}` })).fund_change, 'Y', `refund ${i}`);
      }
      await setBalance(harness, seller.pid, '0.00');
      for (let i = 50; i <= 99; i++) {
        assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '0.01', out_request_no: `CAP${i}` }));
      }
      await runDueJobs(harness);
      const full = await getTrade(harness, trade.trade_no);
      assert.equal(full.refund_count, 99);
      assert.equal(full.refunded_amount, '0.49');
      assert.equal(full.pending_refund_amount, '0.50');

      await setBalance(harness, seller.pid, '100.00');
      assertBusinessError(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '0.01', out_request_no: 'CAP100' }), 'ACQ.TRADE_NOT_ALLOW_REFUND', '当前交易不允许退款');
      const sync = await refund(seller, { trade_no: trade.trade_no, refund_amount: '0.01', out_request_no: 'CAP100' });
      assertBusinessError(sync, 'ACQ.TRADE_NOT_ALLOW_REFUND', '当前交易不允许退款');
      assert.equal(sync.refund_fee, '0.49');
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '0.01', out_request_no: 'CAP99' }));
      assert.equal((await refund(seller, { trade_no: trade.trade_no, refund_amount: '0.01', out_request_no: 'CAP1' })).fund_change, 'N', 'repeats still answer');
      const after = await getTrade(harness, trade.trade_no);
      assert.equal(after.refund_count, 99);
      assert.equal(after.pending_refund_amount, '0.50');
      assert.equal((await refundsOf(harness, trade.trade_no)).length, 99);
    });
  });

  describe('seed 000’s business errors, each with its sub_msg', () => {
    it('ACQ.SYSTEM_ERROR (系统繁忙): provoked before the method runs, nothing is accepted', async () => {
      const trade = await newTrade(harness, kit);
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.refund.apply', sub_code: 'ACQ.SYSTEM_ERROR' });
      assertBusinessError(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'SYS' }), 'ACQ.SYSTEM_ERROR', '系统繁忙');
      await runDueJobs(harness);
      assert.deepEqual(await refundsOf(harness, trade.trade_no), []);
    });

    it('ACQ.SYSTEM_ERROR (系统繁忙): provoked after it ran, a retry with the same out_request_no refunds once', async () => {
      const trade = await newTrade(harness, kit);
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.refund.apply', sub_code: 'ACQ.SYSTEM_ERROR', phase: 'after' });
      assertBusinessError(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'SYS' }), 'ACQ.SYSTEM_ERROR', '系统繁忙');
      assertSuccess(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'SYS' }));
      await runDueJobs(harness);
      assert.equal((await refundsOf(harness, trade.trade_no)).length, 1);
      assert.equal((await getTrade(harness, trade.trade_no)).refunded_amount, '1.00');
    });

    it('ACQ.INVALID_PARAMETER (参数无效): no trade named, no refund_amount, a field out of bounds', async () => {
      const trade = await newTrade(harness, kit);
      for (const biz of [
        { refund_amount: '1.00', out_request_no: 'X' },
        { trade_no: trade.trade_no, out_request_no: 'X' },
        { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'X'.repeat(65) },
        { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'X', operator_id: 'O'.repeat(31) },
      ]) {
        assertBusinessError(await refundApply(kit, biz), 'ACQ.INVALID_PARAMETER', '参数无效');
      }
      assert.deepEqual(await refundsOf(harness, trade.trade_no), []);
    });

    it('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL (退款金额超限): more than the total, more than is left, or partial without out_request_no', async () => {
      const trade = await newTrade(harness, kit);
      assertBusinessError(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '100.01', out_request_no: requestNo() }), 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
      assertBusinessError(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '50.00' }), 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
      assertSuccess(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '70.00', out_request_no: requestNo() }));
      assertBusinessError(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '30.01', out_request_no: requestNo() }), 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
    });

    it('ACQ.TRADE_NOT_EXIST (交易不存在): no such trade for this seller', async () => {
      const other = await newTrade(harness, await newMerchant(harness));
      for (const ids of [{ trade_no: '2026010122001000000000000000' }, { out_trade_no: 'NO-SUCH-ORDER' }, { trade_no: other.trade_no }]) {
        assertBusinessError(await refundApply(kit, { ...ids, refund_amount: '1.00', out_request_no: requestNo() }), 'ACQ.TRADE_NOT_EXIST', '交易不存在');
      }
    });

    it('ACQ.TRADE_HAS_FINISHED (交易已完结): a TRADE_FINISHED trade', async () => {
      const trade = await newTrade(harness, kit, { status: 'TRADE_FINISHED' });
      assertBusinessError(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: requestNo() }), 'ACQ.TRADE_HAS_FINISHED', '交易已完结');
    });

    it('ACQ.TRADE_HAS_FINISHED (交易已完结): a trade past the merchant’s refund window, with nothing reserved', async () => {
      const seller = await newMerchant(harness);
      const trade = await newTrade(harness, seller);
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'IN-WINDOW' }));
      await runDueJobs(harness);
      await harness.adminOk('PATCH', `/merchants/${seller.pid}`, { refund_window_days: 0 });
      await advanceClock(harness, 1);
      assert.equal((await getTrade(harness, trade.trade_no)).trade_status, 'TRADE_FINISHED');
      assertBusinessError(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'TOO-LATE' }), 'ACQ.TRADE_HAS_FINISHED', '交易已完结');
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'IN-WINDOW' }));
      const after = await getTrade(harness, trade.trade_no);
      assert.equal(after.refunded_amount, '1.00');
      assert.equal(after.pending_refund_amount, '0.00');
      assert.deepEqual((await refundsOf(harness, trade.trade_no)).map((r) => r.out_request_no), ['IN-WINDOW']);
    });

    it('ACQ.TRADE_STATUS_ERROR (交易状态非法): a trade the buyer has not paid — waiting for payment, or closed unpaid', async () => {
      for (const status of ['WAIT_BUYER_PAY', 'TRADE_CLOSED']) {
        const trade = await newTrade(harness, kit, { status });
        assertBusinessError(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: requestNo() }), 'ACQ.TRADE_STATUS_ERROR', '交易状态非法');
        assert.deepEqual(await refundsOf(harness, trade.trade_no), [], status);
      }
    });

    it('ACQ.DISCORDANT_REPEAT_REQUEST (不一致的请求): an out_request_no, waiting or done, used with another amount', async () => {
      const { seller, trade } = await shortMerchant();
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'WAIT' }));
      assertBusinessError(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '10.01', out_request_no: 'WAIT' }), 'ACQ.DISCORDANT_REPEAT_REQUEST', '不一致的请求');
      const done = await newTrade(harness, kit);
      assertSuccess(await refundApply(kit, { trade_no: done.trade_no, refund_amount: '10.00', out_request_no: 'DONE' }));
      await runDueJobs(harness);
      assertBusinessError(await refundApply(kit, { trade_no: done.trade_no, refund_amount: '9.99', out_request_no: 'DONE' }), 'ACQ.DISCORDANT_REPEAT_REQUEST', '不一致的请求');
    });

    it('ACQ.REASON_TRADE_REFUND_FEE_ERR (退款金额无效): an amount that is not positive with at most two decimals', async () => {
      const trade = await newTrade(harness, kit);
      for (const amount of ['0.00', '-5.00', '1.001', 'ten']) {
        assertBusinessError(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: amount, out_request_no: requestNo() }), 'ACQ.REASON_TRADE_REFUND_FEE_ERR', '退款金额无效');
      }
      assert.deepEqual(await refundsOf(harness, trade.trade_no), []);
    });

    it('ACQ.TRADE_NOT_ALLOW_REFUND (当前交易不允许退款): a trade whose product does not allow refunds', async () => {
      const trade = await newTrade(harness, kit);
      await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { refund_allowed: false });
      assertBusinessError(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: requestNo() }), 'ACQ.TRADE_NOT_ALLOW_REFUND', '当前交易不允许退款');
    });

    it('ACQ.REASON_TRADE_BEEN_FREEZEN (请求退款的交易被冻结): a trade frozen when the refund is applied for', async () => {
      const trade = await newTrade(harness, kit);
      await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { frozen: true });
      assertBusinessError(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: requestNo() }), 'ACQ.REASON_TRADE_BEEN_FREEZEN', '请求退款的交易被冻结');
    });
  });

  describe('when the merchant’s balance is short, the refund waits and is retried', () => {
    it('answers 10000, shows no refund_status while it waits, and succeeds at the next retry after a top-up — with one notification', async () => {
      const seller = await newMerchant(harness);
      const trade = await newTrade(harness, seller, { notify_url: receiver.url });
      await setBalance(harness, seller.pid, '0.00');
      const before = receiver.received.length;
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '30.00', out_request_no: 'TOPUP' }));
      await runDueJobs(harness);

      const waiting = await refundQuery(seller, { trade_no: trade.trade_no, out_request_no: 'TOPUP', query_options: ALL_QUERY_OPTIONS });
      assertSuccess(waiting);
      assert.equal(waiting.refund_status, undefined, 'no refund_status while it waits');
      assert.equal(waiting.refund_amount, '30.00');
      assert.equal(waiting.gmt_refund_pay, undefined);
      assert.equal(waiting.refund_detail_item_list, undefined);
      const row = await refundOf(harness, trade.trade_no, 'TOPUP');
      assert.equal(row.status, 'waiting_for_funds');
      assert.equal(row.last_error, 'balance_not_enough');
      assert.equal(row.attempts, 1);
      assert.deepEqual(await notificationsOf(harness, trade.trade_no), []);

      await harness.adminOk('POST', `/merchants/${seller.pid}/balance`, { delta: '+100.00' });
      await runDueJobs(harness);
      assert.equal((await refundOf(harness, trade.trade_no, 'TOPUP')).status, 'waiting_for_funds', 'the top-up waits for the next retry');
      await advanceClock(harness, 60);

      const done = await refundQuery(seller, { trade_no: trade.trade_no, out_request_no: 'TOPUP' });
      assert.equal(done.refund_status, 'REFUND_SUCCESS');
      assert.equal((await ledgerOf(harness, seller.pid)).balance, '70.00');
      const notifications = await notificationsOf(harness, trade.trade_no);
      assert.equal(notifications.length, 1);
      assert.equal(notifications[0]?.status, 'delivered');
      const posts = receiver.received.slice(before).filter((r) => r.fields.trade_no === trade.trade_no);
      assert.equal(posts.length, 1);
      assert.equal(posts[0]?.fields.out_biz_no, 'TOPUP');
      assert.equal(posts[0]?.fields.refund_fee, '30.00');
    });

    it('retries after 1m, then 2m, 4m, … while the balance stays short', async () => {
      const { seller, trade } = await shortMerchant();
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '5.00', out_request_no: 'SCHED' }));
      await runDueJobs(harness);
      const seen: Array<[number, number]> = [];
      for (const step of [0, 60, 120, 240, 480]) {
        if (step) await advanceClock(harness, step);
        const row = await refundOf(harness, trade.trade_no, 'SCHED');
        assert.equal(row.status, 'waiting_for_funds');
        seen.push([row.attempts, chinaTimeMs(row.next_attempt_at) - chinaTimeMs(row.created_at)]);
      }
      assert.deepEqual(seen, [
        [1, 60_000],
        [2, 180_000],
        [3, 420_000],
        [4, 900_000],
        [5, 1_860_000],
      ]);
    });

    it('also waits while the trade is frozen, and succeeds at the retry after it is unfrozen', async () => {
      const seller = await newMerchant(harness);
      const trade = await newTrade(harness, seller);
      await setBalance(harness, seller.pid, '0.00');
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '5.00', out_request_no: 'FROZEN' }));
      await runDueJobs(harness);
      await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { frozen: true });
      await harness.adminOk('POST', `/merchants/${seller.pid}/balance`, { delta: '+100.00' });
      await advanceClock(harness, 60);
      const row = await refundOf(harness, trade.trade_no, 'FROZEN');
      assert.equal(row.status, 'waiting_for_funds');
      assert.equal(row.last_error, 'trade_frozen');
      await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { frozen: false });
      await advanceClock(harness, 120);
      assert.equal((await refundOf(harness, trade.trade_no, 'FROZEN')).status, 'succeeded');
    });
  });

  describe('one out_request_no through alipay.trade.refund and alipay.trade.refund.apply is one refund, never two', () => {
    it('a synchronous refund of a waiting apply carries that refund out now (fund_change=Y), and the worker then does nothing', async () => {
      const { seller, trade } = await shortMerchant();
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '25.00', out_request_no: 'BOTH1' }));
      await runDueJobs(harness);
      await harness.adminOk('POST', `/merchants/${seller.pid}/balance`, { delta: '+100.00' });
      const now = await refund(seller, { trade_no: trade.trade_no, refund_amount: '25.00', out_request_no: 'BOTH1' });
      assert.equal(now.fund_change, 'Y');
      assert.equal(now.refund_fee, '25.00');
      await advanceClock(harness, HOUR);
      const rows = await refundsOf(harness, trade.trade_no);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.status, 'succeeded');
      const after = await getTrade(harness, trade.trade_no);
      assert.equal(after.refunded_amount, '25.00');
      assert.equal(after.pending_refund_amount, '0.00');
      assert.equal(after.refund_count, 1);
      const refunds = (await ledgerOf(harness, seller.pid)).entries.filter((e: Reply) => e.kind === 'refund');
      assert.deepEqual(refunds.map((e: Reply) => e.amount), ['-25.00']);
      assert.equal((await refund(seller, { trade_no: trade.trade_no, refund_amount: '25.00', out_request_no: 'BOTH1' })).fund_change, 'N');
    });

    it('an apply repeating a synchronous refund answers 10000 and moves nothing', async () => {
      const trade = await newTrade(harness, kit);
      assert.equal((await refund(kit, { trade_no: trade.trade_no, refund_amount: '15.00', out_request_no: 'BOTH2' })).fund_change, 'Y');
      assertSuccess(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '15.00', out_request_no: 'BOTH2' }));
      await runDueJobs(harness);
      const rows = await refundsOf(harness, trade.trade_no);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.source, 'refund');
      assert.equal((await getTrade(harness, trade.trade_no)).refunded_amount, '15.00');
    });

    it('a synchronous refund repeating a done apply answers fund_change=N; another amount is DISCORDANT_REPEAT_REQUEST', async () => {
      const trade = await newTrade(harness, kit);
      assertSuccess(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '12.00', out_request_no: 'BOTH3' }));
      assertSuccess(await refundApply(kit, { trade_no: trade.trade_no, refund_amount: '12.00', out_request_no: 'BOTH3' }));
      await runDueJobs(harness);
      const repeat = await refund(kit, { trade_no: trade.trade_no, refund_amount: '12.00', out_request_no: 'BOTH3' });
      assert.equal(repeat.fund_change, 'N');
      assert.equal(repeat.refund_fee, '12.00');
      assertBusinessError(await refund(kit, { trade_no: trade.trade_no, refund_amount: '12.01', out_request_no: 'BOTH3' }), 'ACQ.DISCORDANT_REPEAT_REQUEST', '不一致的请求');
      assert.equal((await refundsOf(harness, trade.trade_no)).length, 1);
      assert.equal((await getTrade(harness, trade.trade_no)).refunded_amount, '12.00');
    });
  });

  describe('a refund that waits too long is given up', () => {
    // A server of its own, so that three days of retries are this refund's alone.
    const { harness: own } = useHarness(engine, { clock: 'virtual', merchant: false });

    it('is given up 3 days after acceptance: it fails, its reservation is released, and a top-up no longer revives it', async () => {
      const seller = await newMerchant(own);
      const trade = await newTrade(own, seller);
      await setBalance(own, seller.pid, '0.00');
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '40.00', out_request_no: 'GIVEUP' }));
      await runDueJobs(own);
      await advanceClock(own, 71 * HOUR);
      assert.equal((await refundOf(own, trade.trade_no, 'GIVEUP')).status, 'waiting_for_funds', 'still waiting within 3 days');
      assert.equal((await getTrade(own, trade.trade_no)).pending_refund_amount, '40.00');
      await advanceClock(own, 2 * HOUR);

      const failed = await refundOf(own, trade.trade_no, 'GIVEUP');
      assert.equal(failed.status, 'failed');
      assert.equal(failed.refund_status, null);
      assert.equal(failed.next_attempt_at, null);
      const released = await getTrade(own, trade.trade_no);
      assert.equal(released.pending_refund_amount, '0.00');
      assert.equal(released.refund_count, 0);
      assert.equal(released.refunded_amount, '0.00');
      const query = await refundQuery(seller, { trade_no: trade.trade_no, out_request_no: 'GIVEUP' });
      assertSuccess(query);
      assert.equal(query.refund_status, undefined, 'no refund_status after failure');

      await own.adminOk('POST', `/merchants/${seller.pid}/balance`, { delta: '+100.00' });
      await advanceClock(own, 24 * HOUR);
      assert.equal((await refundOf(own, trade.trade_no, 'GIVEUP')).status, 'failed');

      // The released amount is refundable again — including by the same out_request_no, as the same refund.
      assertSuccess(await refundApply(seller, { trade_no: trade.trade_no, refund_amount: '40.00', out_request_no: 'GIVEUP' }));
      await runDueJobs(own);
      assert.equal((await refundQuery(seller, { trade_no: trade.trade_no, out_request_no: 'GIVEUP' })).refund_status, 'REFUND_SUCCESS');
      assert.equal((await refundsOf(own, trade.trade_no)).length, 1);
      assert.equal((await getTrade(own, trade.trade_no)).refunded_amount, '40.00');
    });
  });
});
