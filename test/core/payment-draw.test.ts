/**
 * The payment draw, pure: every channel alone, combinations drawn in Alipay's order (the merchant's coupons,
 * Alipay's red packets, points, balance, Yu'E Bao, Huabei, the bank card), a merchant's coupon only on its own
 * merchant's trades, whole-only coupons, expired and used coupons, and every refusal. The fund bills the draw
 * makes satisfy fund-bill.ts: they add up to the total, their vouchers match their discount channels, and the
 * trade's amounts come out as Alipay's identities say.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fundBillProblem, tradeAmounts } from '../../src/core/fund-bill.js';
import type { BuyerCoupon, BuyerFunds } from '../../src/interfaces.js';
import { applicableCoupons, couponUsable, drawPayment, fundsAfterDraws, type PaymentChoice, type PaymentDraw } from '../../src/core/payment-draw.js';

const SELLER = '2088000000000001';
const OTHER_SELLER = '2088000000000002';
const NOW = Date.UTC(2026, 0, 1);

function coupon(voucherId: string, fields: Partial<BuyerCoupon> = {}): BuyerCoupon {
  const amount = fields.amount ?? 500;
  return {
    voucherId,
    fundChannel: 'COUPON',
    name: '红包',
    merchantPid: null,
    amount,
    remaining: amount,
    wholeOnly: false,
    expiresAt: null,
    createdAt: 0,
    ...fields,
  };
}

function funds(fields: Partial<BuyerFunds> = {}): BuyerFunds {
  return { balance: 0, yuebao: 0, huabeiLimit: 0, huabeiUsed: 0, points: 0, bankCards: [], coupons: [], ...fields };
}

function draw(f: BuyerFunds, choice: PaymentChoice, total: number, sellerPid = SELLER): PaymentDraw {
  const result = drawPayment(f, choice, { sellerPid, total, now: NOW });
  if (result.ok) {
    // Whatever was drawn must describe a trade: fund-bill.ts's own checks agree.
    assert.equal(fundBillProblem(total, result.fundBills, result.vouchers), null);
    assert.equal(
      result.draws.reduce((sum, d) => sum + d.amount, 0),
      total,
    );
  }
  return result;
}

function bills(result: PaymentDraw): Array<[string, number]> {
  assert.ok(result.ok, `expected a draw, got ${JSON.stringify(result)}`);
  return result.fundBills.map((bill) => [bill.fundChannel, bill.amount]);
}

const ICBC_DEBIT = { position: 1, bankCode: 'ICBC', fundType: 'DEBIT_CARD', cardTail: '6688', available: null };
const CMB_CREDIT = { position: 2, bankCode: 'CMB', fundType: 'CREDIT_CARD', cardTail: '1234', available: 3000 };

describe("drawing a payment on a buyer's funds", () => {
  describe('each channel alone', () => {
    it('the balance (ALIPAYACCOUNT)', () => {
      assert.deepEqual(bills(draw(funds({ balance: 10000 }), { channels: ['ALIPAYACCOUNT'] }, 8888)), [['ALIPAYACCOUNT', 8888]]);
    });

    it("Yu'E Bao (FINANCEACCOUNT)", () => {
      assert.deepEqual(bills(draw(funds({ yuebao: 10000 }), { channels: ['FINANCEACCOUNT'] }, 10000)), [['FINANCEACCOUNT', 10000]]);
    });

    it('Huabei (PCREDIT), up to the limit not yet used', () => {
      const f = funds({ huabeiLimit: 10000, huabeiUsed: 4000 });
      assert.deepEqual(bills(draw(f, { channels: ['PCREDIT'] }, 6000)), [['PCREDIT', 6000]]);
      assert.deepEqual(draw(f, { channels: ['PCREDIT'] }, 6001), { ok: false, refusal: { reason: 'insufficient_funds', shortBy: 1 } });
      assert.deepEqual(
        draw(funds({ huabeiLimit: 100, huabeiUsed: 500 }), { channels: ['PCREDIT'] }, 1),
        { ok: false, refusal: { reason: 'insufficient_funds', shortBy: 1 } },
        'a limit lowered below what is used leaves none',
      );
    });

    it('points (POINT), one fen each', () => {
      assert.deepEqual(bills(draw(funds({ points: 300 }), { channels: ['POINT'] }, 300)), [['POINT', 300]]);
    });

    it('a bank card (BANKCARD): the first card unless one is named, with its bank code and card type; the bank pays in full unless the card has a limit', () => {
      const f = funds({ bankCards: [ICBC_DEBIT, CMB_CREDIT] });
      const first = draw(f, { channels: ['BANKCARD'] }, 1_000_000);
      assert.ok(first.ok);
      assert.deepEqual(first.fundBills, [{ fundChannel: 'BANKCARD', amount: 1_000_000, realAmount: 1_000_000, fundType: 'DEBIT_CARD', bankCode: 'ICBC' }]);
      assert.deepEqual(first.draws, [{ fundChannel: 'BANKCARD', amount: 1_000_000, position: 1 }]);
      const second = draw(f, { channels: ['BANKCARD'], bankCardPosition: 2 }, 3000);
      assert.ok(second.ok);
      assert.deepEqual(second.fundBills, [{ fundChannel: 'BANKCARD', amount: 3000, realAmount: 3000, fundType: 'CREDIT_CARD', bankCode: 'CMB' }]);
      assert.deepEqual(draw(f, { channels: ['BANKCARD'], bankCardPosition: 2 }, 3001), { ok: false, refusal: { reason: 'insufficient_funds', shortBy: 1 } });
    });

    it("Alipay's red packet (COUPON), funded by others: a voucher with other_contribute", () => {
      const result = draw(funds({ coupons: [coupon('RP1', { amount: 1000 })] }), { voucherIds: ['RP1'] }, 1000);
      assert.ok(result.ok);
      assert.deepEqual(bills(result), [['COUPON', 1000]]);
      assert.deepEqual(result.vouchers, [{ id: 'RP1', name: '红包', type: 'ALIPAY_CASH_VOUCHER', amount: 1000, merchantContribute: 0, otherContribute: 1000 }]);
    });

    it("a merchant's red packet (MCOUPON) and coupon (MDISCOUNT): vouchers with merchant_contribute", () => {
      const f = funds({
        coupons: [
          coupon('MC1', { fundChannel: 'MCOUPON', merchantPid: SELLER, amount: 300 }),
          coupon('MD1', { fundChannel: 'MDISCOUNT', merchantPid: SELLER, amount: 700, wholeOnly: true, name: '满10减7' }),
        ],
      });
      const result = draw(f, { voucherIds: ['MC1', 'MD1'] }, 1000);
      assert.ok(result.ok);
      assert.deepEqual(
        bills(result),
        [
          ['MDISCOUNT', 700],
          ['MCOUPON', 300],
        ],
        'the coupon before the red packet',
      );
      assert.deepEqual(result.vouchers, [
        { id: 'MD1', name: '满10减7', type: 'ALIPAY_FIX_VOUCHER', amount: 700, merchantContribute: 700, otherContribute: 0 },
        { id: 'MC1', name: '红包', type: 'ALIPAY_CASH_VOUCHER', amount: 300, merchantContribute: 300, otherContribute: 0 },
      ]);
    });
  });

  describe('combinations, in the order Alipay draws them', () => {
    const rich = funds({
      balance: 2000,
      yuebao: 3000,
      huabeiLimit: 5000,
      points: 100,
      bankCards: [ICBC_DEBIT],
      coupons: [
        coupon('RP1', { amount: 500 }),
        coupon('MC1', { fundChannel: 'MCOUPON', merchantPid: SELLER, amount: 200 }),
        coupon('MD1', { fundChannel: 'MDISCOUNT', merchantPid: SELLER, amount: 1000, wholeOnly: true }),
      ],
    });

    it("discounts, points, balance, Yu'E Bao, Huabei, then the card — whatever order they are chosen in", () => {
      const result = draw(rich, { channels: ['BANKCARD', 'PCREDIT', 'FINANCEACCOUNT', 'ALIPAYACCOUNT', 'POINT'], voucherIds: ['RP1', 'MC1', 'MD1'] }, 20000);
      assert.deepEqual(bills(result), [
        ['MDISCOUNT', 1000],
        ['MCOUPON', 200],
        ['COUPON', 500],
        ['POINT', 100],
        ['ALIPAYACCOUNT', 2000],
        ['FINANCEACCOUNT', 3000],
        ['PCREDIT', 5000],
        ['BANKCARD', 8200],
      ]);
    });

    it('stops as soon as the total is covered: a later channel chosen takes nothing', () => {
      assert.deepEqual(bills(draw(rich, { channels: ['ALIPAYACCOUNT', 'BANKCARD'] }, 1500)), [['ALIPAYACCOUNT', 1500]]);
      assert.deepEqual(bills(draw(rich, { channels: ['ALIPAYACCOUNT', 'BANKCARD'] }, 2500)), [
        ['ALIPAYACCOUNT', 2000],
        ['BANKCARD', 500],
      ]);
      assert.deepEqual(
        bills(draw(funds({ balance: 0, yuebao: 100 }), { channels: ['ALIPAYACCOUNT', 'FINANCEACCOUNT'] }, 100)),
        [['FINANCEACCOUNT', 100]],
        'an empty channel makes no line',
      );
    });

    it('a red packet usable in part gives what the payment needs, and the rest stays on it', () => {
      const result = draw(rich, { voucherIds: ['RP1'], channels: ['ALIPAYACCOUNT'] }, 300);
      assert.deepEqual(bills(result), [['COUPON', 300]]);
      assert.ok(result.ok);
      const after = fundsAfterDraws(rich, result.draws);
      assert.equal(after.coupons.find((c) => c.voucherId === 'RP1')?.remaining, 200);
      assert.ok(couponUsable(after.coupons.find((c) => c.voucherId === 'RP1')!, NOW));
    });

    it("the trade's amounts: receipt less the merchant's discounts, buyer_pay only the buyer's money, point_amount the points", () => {
      const result = draw(rich, { channels: ['POINT', 'ALIPAYACCOUNT', 'BANKCARD'], voucherIds: ['RP1', 'MD1'] }, 10000);
      assert.ok(result.ok);
      const amounts = tradeAmounts(10000, result.fundBills, 0);
      assert.equal(amounts.mdiscountAmount, 1000);
      assert.equal(amounts.discountAmount, 500);
      assert.equal(amounts.pointAmount, 100);
      assert.equal(amounts.receiptAmount, 9000);
      assert.equal(amounts.buyerPayAmount, 8400);
    });

    it('the debit takes each draw from its channel: Huabei used grows, a limited card shrinks, an unlimited one stays unlimited', () => {
      const f = funds({ balance: 100, yuebao: 100, huabeiLimit: 100, points: 100, bankCards: [{ ...CMB_CREDIT, position: 1 }] });
      const result = draw(f, { channels: ['POINT', 'ALIPAYACCOUNT', 'FINANCEACCOUNT', 'PCREDIT', 'BANKCARD'] }, 450);
      assert.ok(result.ok);
      const after = fundsAfterDraws(f, result.draws);
      assert.deepEqual(
        [after.points, after.balance, after.yuebao, after.huabeiLimit, after.huabeiUsed, after.bankCards[0]?.available],
        [0, 0, 0, 100, 100, 2950],
      );
      assert.equal(f.balance, 100, 'the funds given are not changed');
      const unlimited = funds({ bankCards: [ICBC_DEBIT] });
      const card = draw(unlimited, { channels: ['BANKCARD'] }, 450);
      assert.ok(card.ok);
      assert.equal(fundsAfterDraws(unlimited, card.draws).bankCards[0]?.available, null);
    });
  });

  describe("a merchant's coupon applies to its own merchant's trades only", () => {
    const f = funds({
      balance: 10000,
      coupons: [
        coupon('MD1', { fundChannel: 'MDISCOUNT', merchantPid: SELLER, amount: 500, wholeOnly: true }),
        coupon('MC1', { fundChannel: 'MCOUPON', merchantPid: SELLER, amount: 100 }),
        coupon('RP1', { amount: 100 }),
      ],
    });

    it("is refused on another merchant's trade, as Alipay's red packet is not", () => {
      for (const voucherId of ['MD1', 'MC1']) {
        assert.deepEqual(draw(f, { channels: ['ALIPAYACCOUNT'], voucherIds: [voucherId] }, 1000, OTHER_SELLER), {
          ok: false,
          refusal: { reason: 'coupon_not_applicable', voucherId, problem: 'other_merchant' },
        });
      }
      assert.deepEqual(bills(draw(f, { channels: ['ALIPAYACCOUNT'], voucherIds: ['RP1'] }, 1000, OTHER_SELLER)), [
        ['COUPON', 100],
        ['ALIPAYACCOUNT', 900],
      ]);
    });

    it('applicableCoupons lists what applies to a merchant now, in the order drawn', () => {
      assert.deepEqual(
        applicableCoupons(f, SELLER, NOW).map((c) => c.voucherId),
        ['MD1', 'MC1', 'RP1'],
      );
      assert.deepEqual(
        applicableCoupons(f, OTHER_SELLER, NOW).map((c) => c.voucherId),
        ['RP1'],
      );
    });
  });

  describe('whole-only coupons', () => {
    const whole = coupon('MD1', { fundChannel: 'MDISCOUNT', merchantPid: SELLER, amount: 2000, wholeOnly: true });

    it('are used whole: never on a payment smaller than the coupon', () => {
      assert.deepEqual(bills(draw(funds({ balance: 1000, coupons: [whole] }), { channels: ['ALIPAYACCOUNT'], voucherIds: ['MD1'] }, 2500)), [
        ['MDISCOUNT', 2000],
        ['ALIPAYACCOUNT', 500],
      ]);
      assert.deepEqual(bills(draw(funds({ coupons: [whole] }), { voucherIds: ['MD1'] }, 2000)), [['MDISCOUNT', 2000]]);
      assert.deepEqual(draw(funds({ balance: 10000, coupons: [whole] }), { channels: ['ALIPAYACCOUNT'], voucherIds: ['MD1'] }, 1999), {
        ok: false,
        refusal: { reason: 'coupon_not_applicable', voucherId: 'MD1', problem: 'exceeds_amount' },
      });
    });

    it('a partly returned one is not usable until it is whole again', () => {
      const partly = { ...whole, remaining: 1500 };
      assert.equal(couponUsable(partly, NOW), false);
      assert.deepEqual(draw(funds({ balance: 10000, coupons: [partly] }), { voucherIds: ['MD1'] }, 5000), {
        ok: false,
        refusal: { reason: 'coupon_not_applicable', voucherId: 'MD1', problem: 'used' },
      });
    });

    it('a red packet that is whole-only behaves the same', () => {
      const packet = coupon('RP9', { amount: 800, wholeOnly: true });
      assert.deepEqual(draw(funds({ coupons: [packet] }), { voucherIds: ['RP9'] }, 700), {
        ok: false,
        refusal: { reason: 'coupon_not_applicable', voucherId: 'RP9', problem: 'exceeds_amount' },
      });
    });
  });

  describe('coupons that cannot be used', () => {
    it('expired ones, from the moment they expire', () => {
      const expiring = coupon('RP1', { expiresAt: NOW + 1 });
      assert.ok(draw(funds({ coupons: [expiring] }), { voucherIds: ['RP1'] }, 100).ok);
      const expired = coupon('RP1', { expiresAt: NOW });
      assert.deepEqual(draw(funds({ coupons: [expired] }), { voucherIds: ['RP1'] }, 100), {
        ok: false,
        refusal: { reason: 'coupon_not_applicable', voucherId: 'RP1', problem: 'expired' },
      });
    });

    it('used up ones', () => {
      assert.deepEqual(draw(funds({ coupons: [coupon('RP1', { remaining: 0 })] }), { voucherIds: ['RP1'] }, 100), {
        ok: false,
        refusal: { reason: 'coupon_not_applicable', voucherId: 'RP1', problem: 'used' },
      });
    });

    it('unknown ones, ones picked twice, and ones the coupons before them leave nothing to pay for', () => {
      const f = funds({ coupons: [coupon('RP1', { amount: 1000 }), coupon('RP2', { amount: 100 })] });
      assert.deepEqual(draw(f, { voucherIds: ['NOPE'] }, 100), { ok: false, refusal: { reason: 'coupon_not_found', voucherId: 'NOPE' } });
      assert.deepEqual(draw(f, { voucherIds: ['RP1', 'RP1'] }, 100), {
        ok: false,
        refusal: { reason: 'coupon_not_applicable', voucherId: 'RP1', problem: 'repeated' },
      });
      assert.deepEqual(draw(f, { voucherIds: ['RP1', 'RP2'] }, 500), {
        ok: false,
        refusal: { reason: 'coupon_not_applicable', voucherId: 'RP2', problem: 'nothing_left_to_pay' },
      });
    });
  });

  describe('refusals', () => {
    it('insufficient funds, by how much, over every channel chosen together', () => {
      const f = funds({ balance: 100, yuebao: 200, huabeiLimit: 300, points: 50, coupons: [coupon('RP1', { amount: 10 })] });
      assert.deepEqual(draw(f, { channels: ['ALIPAYACCOUNT', 'FINANCEACCOUNT', 'PCREDIT', 'POINT'], voucherIds: ['RP1'] }, 700), {
        ok: false,
        refusal: { reason: 'insufficient_funds', shortBy: 40 },
      });
      assert.ok(draw(f, { channels: ['ALIPAYACCOUNT', 'FINANCEACCOUNT', 'PCREDIT', 'POINT'], voucherIds: ['RP1'] }, 660).ok);
      assert.deepEqual(
        draw(f, { channels: ['ALIPAYACCOUNT'] }, 101),
        { ok: false, refusal: { reason: 'insufficient_funds', shortBy: 1 } },
        'only what was chosen counts',
      );
      assert.deepEqual(draw(f, {}, 1), { ok: false, refusal: { reason: 'insufficient_funds', shortBy: 1 } }, 'nothing chosen pays nothing');
    });

    it('a bank card the buyer does not have', () => {
      assert.deepEqual(draw(funds({ balance: 100 }), { channels: ['ALIPAYACCOUNT', 'BANKCARD'] }, 50), {
        ok: false,
        refusal: { reason: 'bank_card_not_found', position: null },
      });
      assert.deepEqual(draw(funds({ bankCards: [ICBC_DEBIT] }), { channels: ['BANKCARD'], bankCardPosition: 3 }, 50), {
        ok: false,
        refusal: { reason: 'bank_card_not_found', position: 3 },
      });
    });

    it('a total that is not a positive number of fen', () => {
      for (const total of [0, -1, 1.5, Number.NaN]) {
        assert.deepEqual(drawPayment(funds({ balance: 100 }), { channels: ['ALIPAYACCOUNT'] }, { sellerPid: SELLER, total, now: NOW }), {
          ok: false,
          refusal: { reason: 'invalid_total' },
        });
      }
    });
  });
});
