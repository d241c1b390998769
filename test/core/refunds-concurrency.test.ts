/**
 * Refund limits hold under concurrency, over HTTP through the official alipay-sdk: many refunds at once
 * on one trade never together exceed what was paid, and the limit refuses only requests that did not fit;
 * repeating them changes nothing; one out_request_no raced through refund and refund.apply is one refund; a
 * merchant's balance is never overdrawn by refunds racing on its trades. Afterwards the ledger adds up to
 * the balance and every refund's channel amounts add up to the refund.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, type MerchantKit, newMerchant, newTrade } from '../support/harness.js';
import { assertBusinessError, fen, getTrade, ledgerOf, refund, refundApply, refundsOf, runDueJobs, setBalance, yuan, type Reply } from '../support/refund-calls.js';

/** A small seeded generator, so a failing run can be told apart and reproduced by its seed. */
function generator(seed: number): (below: number) => number {
  let state = seed >>> 0 || 1;
  return (below) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % below;
  };
}

describeEachEngine('refunds under concurrency', (engine) => {
  const { harness } = useHarness(engine, { clock: 'virtual', merchant: false });

  /** Checks what must hold whatever happened: the ledger sums to the balance, each refund's channels sum to it, no channel is overdrawn. */
  async function assertConsistent(kit: MerchantKit, trade: Reply): Promise<void> {
    const ledger = await ledgerOf(harness, kit.pid);
    assert.equal(ledger.entries_sum, ledger.balance, 'the sum of ledger entries is the balance');
    assert.ok(fen(ledger.balance) >= 0, 'the balance never goes below zero');
    const refunds = await refundsOf(harness, trade.trade_no);
    const perChannel = new Map<string, number>();
    for (const r of refunds) {
      if (r.status !== 'succeeded') continue;
      const sum = r.fund_allocations.reduce((s: number, a: Reply) => s + fen(a.amount), 0);
      assert.equal(sum, fen(r.refund_amount), `refund ${r.out_request_no}: its channel amounts add up to it`);
      for (const a of r.fund_allocations) perChannel.set(a.fund_channel, (perChannel.get(a.fund_channel) ?? 0) + fen(a.amount));
    }
    const now = await getTrade(harness, trade.trade_no);
    for (const bill of now.fund_bill_list) {
      assert.equal(perChannel.get(bill.fund_channel) ?? 0, fen(bill.refunded_amount), `${bill.fund_channel}: the trade’s refunded amount is its refunds’`);
      assert.ok(fen(bill.refunded_amount) <= fen(bill.amount), `${bill.fund_channel}: never more back than it paid`);
    }
  }

  describe('50 concurrent refunds with random amounts and request numbers on one trade', () => {
    const seed = Date.now() % 1_000_000;
    const random = generator(seed);
    let kit: MerchantKit;
    let trade: Reply;
    let requests: Array<{ out_request_no: string; refund_amount: string }>;
    let replies: Reply[];

    before(async () => {
      kit = await newMerchant(harness);
      trade = await newTrade(harness, kit, {
        fund_bill_list: [
          { fund_channel: 'ALIPAYACCOUNT', amount: '40.00' },
          { fund_channel: 'BANKCARD', amount: '35.00' },
          { fund_channel: 'PCREDIT', amount: '15.00' },
          { fund_channel: 'MDISCOUNT', amount: '10.00' },
        ],
        voucher_detail_list: [{ amount: '10.00', merchant_contribute: '10.00', other_contribute: '0.00' }],
      });
      // Between 3.00 and 6.00 each: at least 150.00 asked of a 100.00 trade, so the limit must refuse some.
      requests = Array.from({ length: 50 }, (_, i) => ({
        out_request_no: `C${i}-${randomBytes(6).toString('hex')}`,
        refund_amount: yuan(300 + random(301)),
      }));
      replies = await Promise.all(requests.map((r) => refund(kit, { trade_no: trade.trade_no, ...r })));
    });

    it(`never together exceed the trade’s total, and refuse only what did not fit (seed ${seed})`, async () => {
      let refunded = 0;
      const refused: number[] = [];
      replies.forEach((reply, i) => {
        const amount = fen(requests[i]?.refund_amount as string);
        if (reply.code === '10000') {
          assert.equal(reply.fund_change, 'Y');
          refunded += amount;
        } else {
          assertBusinessError(reply, 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
          refused.push(amount);
        }
      });
      assert.ok(refunded > 0);
      assert.ok(refunded <= 100_00, `refunded ${yuan(refunded)} of 100.00`);
      assert.ok(refused.length > 0, 'at least 150.00 was asked of 100.00: the limit refused some');
      // What was left when a request was refused is at least what is left now, so each refusal must be of
      // more than is left now — a refusal of less would have refused money the trade still had.
      const left = 100_00 - refunded;
      for (const amount of refused) assert.ok(amount > left, `refused ${yuan(amount)} with ${yuan(left)} left at the end`);
      const now = await getTrade(harness, trade.trade_no);
      assert.equal(now.refunded_amount, yuan(refunded));
      assert.equal(now.refund_count, replies.filter((r) => r.code === '10000').length);
      assert.equal(now.pending_refund_amount, '0.00');
      assert.equal(now.trade_status, refunded === 100_00 ? 'TRADE_CLOSED' : 'TRADE_SUCCESS');
      // Each success's refund_fee is the cumulative amount at its moment: all different, the largest the total.
      const fees = replies.filter((r) => r.code === '10000').map((r) => fen(r.refund_fee));
      assert.equal(new Set(fees).size, fees.length);
      assert.equal(Math.max(...fees), refunded);
    });

    it('leaves a ledger that adds up to the balance, and refunds whose channel amounts add up to each', async () => {
      await assertConsistent(kit, trade);
      const ledger = await ledgerOf(harness, kit.pid);
      const refunds = (await refundsOf(harness, trade.trade_no)).filter((r) => r.status === 'succeeded');
      assert.equal(refunds.length, replies.filter((r) => r.code === '10000').length);
      const drawn = ledger.entries.filter((e: Reply) => e.kind === 'refund').reduce((s: number, e: Reply) => s - fen(e.amount), 0);
      assert.equal(drawn, refunds.reduce((s, r) => s + fen(r.send_back_fee), 0), 'the ledger drew each refund’s send_back_fee');
    });

    it('changes nothing when the same 50 requests are repeated, concurrently', async () => {
      const before = { trade: await getTrade(harness, trade.trade_no), ledger: await ledgerOf(harness, kit.pid), refunds: await refundsOf(harness, trade.trade_no) };
      const repeats = await Promise.all(requests.map((r) => refund(kit, { trade_no: trade.trade_no, ...r })));
      repeats.forEach((reply, i) => {
        if (replies[i]?.code === '10000') {
          assert.equal(reply.code, '10000');
          assert.equal(reply.fund_change, 'N');
          assert.equal(reply.refund_fee, before.trade.refunded_amount);
        } else {
          assertBusinessError(reply, 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
        }
      });
      assert.deepEqual(await getTrade(harness, trade.trade_no), before.trade);
      assert.deepEqual(await ledgerOf(harness, kit.pid), before.ledger);
      assert.deepEqual(await refundsOf(harness, trade.trade_no), before.refunds);
    });
  });

  describe('50 concurrent refunds and refund.apply requests on one trade', () => {
    it('never together reserve or refund more than the total, and every accepted apply is then carried out', async () => {
      const seed = (Date.now() + 7) % 1_000_000;
      const random = generator(seed);
      const kit = await newMerchant(harness);
      const trade = await newTrade(harness, kit, { total_amount: '100.00' });
      const requests = Array.from({ length: 50 }, (_, i) => ({
        apply: random(2) === 0,
        biz: { trade_no: trade.trade_no, out_request_no: `M${i}-${randomBytes(4).toString('hex')}`, refund_amount: yuan(1 + random(600)) },
      }));
      const replies = await Promise.all(requests.map((r) => (r.apply ? refundApply(kit, r.biz) : refund(kit, r.biz))));
      let taken = 0;
      replies.forEach((reply, i) => {
        if (reply.code === '10000') taken += fen(requests[i]?.biz.refund_amount as string);
        else assertBusinessError(reply, 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
      });
      assert.ok(taken <= 100_00, `took ${yuan(taken)} of 100.00 (seed ${seed})`);
      await runDueJobs(harness);
      const now = await getTrade(harness, trade.trade_no);
      assert.equal(now.refunded_amount, yuan(taken), `seed ${seed}`);
      assert.equal(now.pending_refund_amount, '0.00');
      const refunds = await refundsOf(harness, trade.trade_no);
      assert.equal(refunds.length, replies.filter((r) => r.code === '10000').length);
      assert.ok(refunds.every((r) => r.status === 'succeeded'));
      await assertConsistent(kit, trade);
    });
  });

  describe('one request sent many times at once', () => {
    it('refunds once: one fund_change=Y, the others N', async () => {
      const kit = await newMerchant(harness);
      const trade = await newTrade(harness, kit);
      const replies = await Promise.all(Array.from({ length: 20 }, () => refund(kit, { trade_no: trade.trade_no, refund_amount: '7.77', out_request_no: 'ONCE' })));
      assert.deepEqual(
        replies.map((r) => r.fund_change).sort(),
        [...Array<string>(19).fill('N'), 'Y'],
      );
      assert.equal((await getTrade(harness, trade.trade_no)).refunded_amount, '7.77');
      assert.equal((await refundsOf(harness, trade.trade_no)).length, 1);
      await assertConsistent(kit, trade);
    });

    it('is one refund when raced through alipay.trade.refund and alipay.trade.refund.apply', async () => {
      const kit = await newMerchant(harness);
      const trade = await newTrade(harness, kit);
      const numbers = Array.from({ length: 10 }, (_, i) => `MIX${i}`);
      const replies = await Promise.all(
        numbers.flatMap((no) => [
          refund(kit, { trade_no: trade.trade_no, refund_amount: '3.00', out_request_no: no }),
          refundApply(kit, { trade_no: trade.trade_no, refund_amount: '3.00', out_request_no: no }),
          refund(kit, { trade_no: trade.trade_no, refund_amount: '3.00', out_request_no: no }),
        ]),
      );
      for (const reply of replies) assert.equal(reply.code, '10000', JSON.stringify(reply));
      await runDueJobs(harness);
      const refunds = await refundsOf(harness, trade.trade_no);
      assert.deepEqual(refunds.map((r) => r.out_request_no).sort(), [...numbers].sort());
      assert.ok(refunds.every((r) => r.status === 'succeeded'));
      const now = await getTrade(harness, trade.trade_no);
      assert.equal(now.refunded_amount, '30.00');
      assert.equal(now.refund_count, 10);
      assert.equal(now.pending_refund_amount, '0.00');
      const ledger = await ledgerOf(harness, kit.pid);
      assert.equal(ledger.entries.filter((e: Reply) => e.kind === 'refund').length, 10);
      await assertConsistent(kit, trade);
    });
  });

  describe('refunds racing on many trades of one merchant', () => {
    it('never overdraw the merchant’s balance', async () => {
      const kit = await newMerchant(harness);
      const trades = await Promise.all(Array.from({ length: 10 }, () => newTrade(harness, kit, { total_amount: '10.00' })));
      await setBalance(harness, kit.pid, '45.00');
      const replies = await Promise.all(trades.map((t) => refund(kit, { trade_no: t.trade_no, refund_amount: '10.00', out_request_no: 'ALL' })));
      const ok = replies.filter((r) => r.code === '10000');
      assert.equal(ok.length, 4, 'four refunds of 10.00 fit in 45.00');
      for (const r of replies.filter((reply) => reply.code !== '10000')) assertBusinessError(r, 'ACQ.SELLER_BALANCE_NOT_ENOUGH', '卖家余额不足');
      const ledger = await ledgerOf(harness, kit.pid);
      assert.equal(ledger.balance, '5.00');
      assert.equal(ledger.entries_sum, '5.00');
      for (const t of trades) await assertConsistent(kit, t);
    });
  });
});
