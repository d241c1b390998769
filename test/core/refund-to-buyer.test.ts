/** What a refund's allocations give back to a registered buyer's channels (pure). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_FUNDS } from '../../src/core/buyer-funds.js';
import type { BuyerCoupon, BuyerFunds, Voucher } from '../../src/interfaces.js';
import { buyerCredits } from '../../src/core/refund-to-buyer.js';

function coupon(voucherId: string, fundChannel: BuyerCoupon['fundChannel'], amount: number): BuyerCoupon {
  return {
    voucherId,
    fundChannel,
    name: '',
    merchantPid: fundChannel === 'COUPON' ? null : '2088000000000001',
    amount,
    remaining: 0,
    wholeOnly: true,
    expiresAt: null,
    createdAt: 0,
  };
}
const voucher = (id: string, amount: number): Voucher => ({
  id,
  name: '',
  type: 'ALIPAY_CASH_VOUCHER',
  amount,
  merchantContribute: 0,
  otherContribute: amount,
});

const funds: BuyerFunds = { ...NO_FUNDS, coupons: [coupon('V1', 'COUPON', 5_00), coupon('V2', 'COUPON', 3_00), coupon('M1', 'MDISCOUNT', 10_00)] };
const trade = { vouchers: [voucher('V1', 5_00), voucher('M1', 10_00), voucher('V2', 3_00)], fundBills: [] };

describe('the buyer’s own channels get back what was allocated to them', () => {
  it('balance, Yu’E Bao, Huabei and points, one credit each', () => {
    const credits = buyerCredits(funds, trade, [
      { fundChannel: 'ALIPAYACCOUNT', amount: 10_00 },
      { fundChannel: 'FINANCEACCOUNT', amount: 2_00 },
      { fundChannel: 'PCREDIT', amount: 3_00 },
      { fundChannel: 'POINT', amount: 50 },
    ]);
    assert.deepEqual(credits, [
      { fundChannel: 'ALIPAYACCOUNT', amount: 10_00 },
      { fundChannel: 'FINANCEACCOUNT', amount: 2_00 },
      { fundChannel: 'PCREDIT', amount: 3_00 },
      { fundChannel: 'POINT', amount: 50 },
    ]);
  });

  it('nothing for an allocation of nothing', () => {
    assert.deepEqual(buyerCredits(funds, trade, [{ fundChannel: 'ALIPAYACCOUNT', amount: 0 }]), []);
  });
});

describe('a coupon line goes back to the trade’s coupons of that channel, in the trade’s order', () => {
  it('spreads the red-packet line over its two red packets, and the merchant’s discount back to its own', () => {
    const credits = buyerCredits(funds, trade, [
      { fundChannel: 'COUPON', amount: 8_00 },
      { fundChannel: 'MDISCOUNT', amount: 10_00 },
    ]);
    assert.deepEqual(credits, [
      { fundChannel: 'COUPON', amount: 5_00, voucherId: 'V1' },
      { fundChannel: 'COUPON', amount: 3_00, voucherId: 'V2' },
      { fundChannel: 'MDISCOUNT', amount: 10_00, voucherId: 'M1' },
    ]);
  });

  it('goes on from where earlier refunds of the line stopped: no coupon gets more than the trade took from it', () => {
    const bill = (fundChannel: string, amount: number, refundedAmount: number) => ({
      position: 0,
      fundChannel,
      amount,
      realAmount: amount,
      fundType: null,
      bankCode: null,
      refundedAmount,
    });
    // 6.00 of the 8.00 red-packet line went back before: all of it to V1 (5.00), 1.00 to V2.
    const credits = buyerCredits(funds, { ...trade, fundBills: [bill('COUPON', 8_00, 6_00)] }, [{ fundChannel: 'COUPON', amount: 2_00 }]);
    assert.deepEqual(credits, [{ fundChannel: 'COUPON', amount: 2_00, voucherId: 'V2' }]);
  });

  it('skips a voucher the buyer does not hold in that channel', () => {
    const credits = buyerCredits({ ...funds, coupons: [coupon('V2', 'COUPON', 3_00)] }, trade, [{ fundChannel: 'COUPON', amount: 3_00 }]);
    assert.deepEqual(credits, [{ fundChannel: 'COUPON', amount: 3_00, voucherId: 'V2' }]);
  });
});
