/**
 * How one refund is split across the trade's fund bill, and what the merchant gives back and gets back:
 * the buyer's own channels first, in the order they paid; then the discount channels; never more to a
 * channel than it paid less what earlier refunds returned; a red packet whole or not at all; send_back_fee
 * = the refund less the merchant-funded discounts it reverses; the fee back pro rata, to the fen.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocateRefund, refundChargeFee } from '../../src/core/fund-allocation.js';
import type { TradeFundBill } from '../../src/interfaces.js';

function bills(...lines: Array<[channel: string, amount: number, refunded?: number]>): TradeFundBill[] {
  return lines.map(([fundChannel, amount, refundedAmount = 0], position) => ({
    position,
    fundChannel,
    amount,
    realAmount: amount,
    fundType: fundChannel === 'BANKCARD' ? 'DEBIT_CARD' : null,
    bankCode: fundChannel === 'BANKCARD' ? 'CMB' : null,
    refundedAmount,
  }));
}

function allocated(bill: readonly TradeFundBill[], amount: number): Array<[string, number]> {
  const result = allocateRefund(bill, amount);
  assert.ok(result.ok, `allocates ${amount}`);
  return result.allocations.map((a) => [a.fundChannel, a.amount]);
}

function sendBackFee(bill: readonly TradeFundBill[], amount: number): number {
  const result = allocateRefund(bill, amount);
  assert.ok(result.ok);
  return result.sendBackFee;
}

describe("a refund goes back to the buyer's own funds first", () => {
  it('takes buyer channels before any discount channel, even one that paid first', () => {
    const bill = bills(['MDISCOUNT', 10_00], ['ALIPAYACCOUNT', 50_00], ['BANKCARD', 40_00]);
    assert.deepEqual(allocated(bill, 60_00), [
      ['ALIPAYACCOUNT', 50_00],
      ['BANKCARD', 10_00],
    ]);
  });

  it('takes buyer channels in the order they paid', () => {
    const bill = bills(['PCREDIT', 30_00], ['ALIPAYACCOUNT', 30_00], ['POINT', 40_00]);
    assert.deepEqual(allocated(bill, 45_00), [
      ['PCREDIT', 30_00],
      ['ALIPAYACCOUNT', 15_00],
    ]);
  });

  it('reaches the discount channels only when the buyer channels are used up, in the order they paid', () => {
    const bill = bills(['DISCOUNT', 5_00], ['ALIPAYACCOUNT', 80_00], ['MDISCOUNT', 15_00]);
    assert.deepEqual(allocated(bill, 90_00), [
      ['ALIPAYACCOUNT', 80_00],
      ['DISCOUNT', 5_00],
      ['MDISCOUNT', 5_00],
    ]);
  });

  it('carries each channel’s fund_type and bank_code, with real_amount equal to the amount returned', () => {
    const result = allocateRefund(bills(['BANKCARD', 10_00]), 3_00);
    assert.ok(result.ok);
    assert.deepEqual(result.allocations, [
      {
        position: 0,
        fundChannel: 'BANKCARD',
        fundType: 'DEBIT_CARD',
        bankCode: 'CMB',
        amount: 3_00,
        realAmount: 3_00,
        dbackStatus: null,
        bankAckTime: null,
        estBankReceiptTime: null,
        returnedTo: null,
      },
    ]);
  });
});

describe('no channel gets back more than it paid', () => {
  it('counts what earlier refunds already returned to each channel', () => {
    const bill = bills(['ALIPAYACCOUNT', 50_00, 45_00], ['BANKCARD', 50_00, 0]);
    assert.deepEqual(allocated(bill, 20_00), [
      ['ALIPAYACCOUNT', 5_00],
      ['BANKCARD', 15_00],
    ]);
  });

  it('skips a channel that is fully refunded', () => {
    const bill = bills(['ALIPAYACCOUNT', 50_00, 50_00], ['BANKCARD', 50_00, 10_00]);
    assert.deepEqual(allocated(bill, 40_00), [['BANKCARD', 40_00]]);
  });

  it('refuses a refund larger than what the fund bill has left', () => {
    assert.deepEqual(allocateRefund(bills(['ALIPAYACCOUNT', 50_00, 20_00], ['MDISCOUNT', 10_00]), 40_01), { ok: false, reason: 'exceeds_fund_bill' });
  });

  it('splits any sequence of refunds so that every refund adds up and no channel is overdrawn', () => {
    // A deterministic pseudo-random walk over many fund bills and refund sequences.
    let seed = 20260101;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const channels = ['ALIPAYACCOUNT', 'BANKCARD', 'PCREDIT', 'POINT', 'MDISCOUNT', 'DISCOUNT'];
    for (let round = 0; round < 200; round++) {
      let bill = bills(...channels.slice(0, 1 + random(channels.length)).map((c): [string, number] => [c, 1 + random(5000)]));
      let left = bill.reduce((sum, b) => sum + b.amount, 0);
      while (left > 0) {
        const amount = 1 + random(left);
        const result = allocateRefund(bill, amount);
        assert.ok(result.ok);
        assert.equal(
          result.allocations.reduce((sum, a) => sum + a.amount, 0),
          amount,
          'the channel amounts add up to the refund',
        );
        bill = bill.map((b) => ({ ...b, refundedAmount: b.refundedAmount + (result.allocations.find((a) => a.position === b.position)?.amount ?? 0) }));
        for (const b of bill) assert.ok(b.refundedAmount <= b.amount, `${b.fundChannel} never gets back more than it paid`);
        const buyerLeft = bill.filter((b) => !['MDISCOUNT', 'DISCOUNT'].includes(b.fundChannel)).some((b) => b.refundedAmount < b.amount);
        const discountTouched = bill.some((b) => ['MDISCOUNT', 'DISCOUNT'].includes(b.fundChannel) && b.refundedAmount > 0);
        assert.ok(!(buyerLeft && discountTouched), 'discounts are reached only after the buyer’s own funds');
        left -= amount;
      }
    }
  });
});

describe('a red packet is refunded whole or not at all', () => {
  const bill = bills(['ALIPAYACCOUNT', 90_00], ['COUPON', 10_00]);

  it('refuses a refund that would return part of an Alipay red packet (COUPON)', () => {
    assert.deepEqual(allocateRefund(bill, 95_00), { ok: false, reason: 'red_packet_partial' });
  });

  it('refuses a refund that would return part of a merchant red packet (MCOUPON)', () => {
    assert.deepEqual(allocateRefund(bills(['ALIPAYACCOUNT', 90_00], ['MCOUPON', 10_00]), 91_00), { ok: false, reason: 'red_packet_partial' });
  });

  it('returns a red packet whole', () => {
    assert.deepEqual(allocated(bill, 100_00), [
      ['ALIPAYACCOUNT', 90_00],
      ['COUPON', 10_00],
    ]);
  });

  it('does not touch the red packet while the buyer’s own funds cover the refund', () => {
    assert.deepEqual(allocated(bill, 90_00), [['ALIPAYACCOUNT', 90_00]]);
  });
});

describe('send_back_fee is what the merchant actually returns', () => {
  it('is the whole refund when only buyer channels are refunded', () => {
    assert.equal(sendBackFee(bills(['ALIPAYACCOUNT', 80_00], ['MDISCOUNT', 20_00]), 80_00), 80_00);
  });

  it('leaves out the merchant-funded discounts (MDISCOUNT, MCOUPON) it reverses: the merchant never received that money', () => {
    assert.equal(sendBackFee(bills(['ALIPAYACCOUNT', 80_00], ['MDISCOUNT', 20_00]), 95_00), 80_00);
    assert.equal(sendBackFee(bills(['ALIPAYACCOUNT', 80_00], ['MCOUPON', 20_00]), 100_00), 80_00);
  });

  it('includes discounts funded by Alipay or others (COUPON, DISCOUNT): the merchant received them', () => {
    assert.equal(sendBackFee(bills(['ALIPAYACCOUNT', 80_00], ['DISCOUNT', 20_00]), 100_00), 100_00);
    assert.equal(sendBackFee(bills(['ALIPAYACCOUNT', 80_00], ['COUPON', 20_00]), 100_00), 100_00);
  });
});

describe('the merchant’s fee comes back pro rata to what it returned', () => {
  // 100.00 received at 0.6%: a fee of 0.60.
  const fresh = { chargeAmount: 60, receiptAmount: 100_00, refundedSendBackFee: 0, refundedChargeFee: 0 };

  it('gives back fee × returned ÷ received, rounded half up', () => {
    assert.equal(refundChargeFee(fresh, 33_33), 20); // 0.19998 → 0.20
    assert.equal(refundChargeFee(fresh, 50_00), 30);
    assert.equal(refundChargeFee(fresh, 8_33), 5); // 0.04998 → 0.05
    assert.equal(refundChargeFee(fresh, 1), 0); // 0.00006 → 0.00
  });

  it('gives back the whole fee, to the fen, over any sequence of refunds that returns everything', () => {
    let trade = fresh;
    const returned: number[] = [];
    for (const part of [33_33, 33_33, 33_34]) {
      const fee = refundChargeFee(trade, part);
      returned.push(fee);
      trade = { ...trade, refundedSendBackFee: trade.refundedSendBackFee + part, refundedChargeFee: trade.refundedChargeFee + fee };
    }
    assert.deepEqual(returned, [20, 20, 20]);
    assert.equal(trade.refundedChargeFee, 60);

    let pennies = { ...fresh, chargeAmount: 7, receiptAmount: 10_00 };
    let total = 0;
    for (let i = 0; i < 1000; i++) {
      const fee = refundChargeFee(pennies, 1);
      assert.ok(fee >= 0);
      total += fee;
      pennies = { ...pennies, refundedSendBackFee: pennies.refundedSendBackFee + 1, refundedChargeFee: pennies.refundedChargeFee + fee };
    }
    assert.equal(total, 7, 'a thousand one-fen refunds give back exactly the 0.07 fee');
  });

  it('gives nothing back when the trade carried no fee', () => {
    assert.equal(refundChargeFee({ ...fresh, chargeAmount: 0 }, 100_00), 0);
  });
});

describe('a red packet split by a refund that accepted ones will complete', () => {
  it('lets a refund stop inside a red packet only when told others are pending', () => {
    const bills: TradeFundBill[] = [
      { position: 0, fundChannel: 'ALIPAYACCOUNT', fundType: null, bankCode: null, amount: 9000, realAmount: 9000, refundedAmount: 0 },
      { position: 1, fundChannel: 'COUPON', fundType: null, bankCode: null, amount: 1000, realAmount: 1000, refundedAmount: 0 },
    ];
    const strict = allocateRefund(bills, 9500);
    assert.equal(strict.ok, false);
    const relaxed = allocateRefund(bills, 9500, { redPacketWhole: false });
    assert.ok(relaxed.ok);
    assert.deepEqual(
      relaxed.allocations.map((a) => [a.fundChannel, a.amount]),
      [
        ['ALIPAYACCOUNT', 9000],
        ['COUPON', 500],
      ],
    );
  });
});
