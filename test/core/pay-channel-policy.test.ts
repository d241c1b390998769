/**
 * Which channels an order may be paid with (notes §12.11): enable_pay_channels the only ones, marketing ones
 * included; disable_pay_channels the ones refused; never both; Huabei never for virtual goods; and a draw that
 * reaches for a channel the order does not allow is refused before anything is taken.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANY_CHANNEL, allowsChannel, allowsCoupon, payChannelPolicy } from '../../src/core/pay-channel-policy.js';
import { drawPayment } from '../../src/core/payment-draw.js';
import type { BuyerFunds } from '../../src/interfaces.js';

const policy = (limits: Parameters<typeof payChannelPolicy>[0]) => {
  const made = payChannelPolicy(limits);
  assert.ok(made, 'readable limits');
  return made;
};
const allowed = (limits: Parameters<typeof payChannelPolicy>[0]) => [...policy(limits).allowed].sort();

describe('enable_pay_channels: only the instruments listed', () => {
  it('balance and Yu’E Bao only — no coupon unless listed', () => {
    assert.deepEqual(allowed({ enablePayChannels: 'balance,moneyFund' }), ['ALIPAYACCOUNT', 'FINANCEACCOUNT']);
    assert.equal(allowsCoupon(policy({ enablePayChannels: 'balance' }), 'COUPON'), false);
    assert.equal(allowsCoupon(policy({ enablePayChannels: 'balance,coupon' }), 'COUPON'), true);
  });

  it('credit_group: credit cards and Huabei; debitCardExpress: debit cards', () => {
    const credit = policy({ enablePayChannels: 'credit_group' });
    assert.equal(allowsChannel(credit, 'PCREDIT'), true);
    assert.equal(allowsChannel(credit, 'BANKCARD', { fundType: 'CREDIT_CARD' }), true);
    assert.equal(allowsChannel(credit, 'BANKCARD', { fundType: 'DEBIT_CARD' }), false);
    assert.equal(allowsChannel(credit, 'BANKCARD', { fundType: 'MIXED_CARD' }), true, 'a 借贷合一卡 is either');
    assert.equal(allowsChannel(policy({ enablePayChannels: 'debitCardExpress' }), 'BANKCARD', { fundType: 'DEBIT_CARD' }), true);
  });

  it('spaces around the codes are read, the codes themselves are case-sensitive', () => {
    assert.deepEqual(allowed({ enablePayChannels: ' balance , point ' }), ['ALIPAYACCOUNT', 'POINT']);
    assert.equal(payChannelPolicy({ enablePayChannels: 'Balance' }), null);
  });
});

describe('disable_pay_channels: everything but the instruments listed', () => {
  it('pcredit and promotion off', () => {
    const limits = policy({ disablePayChannels: 'pcredit,promotion' });
    assert.equal(allowsChannel(limits, 'PCREDIT'), false);
    assert.equal(allowsCoupon(limits, 'MDISCOUNT'), false);
    assert.equal(allowsCoupon(limits, 'MCOUPON'), false);
    assert.equal(allowsCoupon(limits, 'COUPON'), true);
    assert.equal(allowsChannel(limits, 'ALIPAYACCOUNT'), true);
  });

  it('codes for instruments no buyer here holds change nothing', () => {
    assert.deepEqual(allowed({ disablePayChannels: 'honeyPay,mcard,pcard' }), [...ANY_CHANNEL.allowed].sort());
  });
});

describe('what cannot be read: both lists, an unknown code, an empty list', () => {
  for (const limits of [
    { enablePayChannels: 'balance', disablePayChannels: 'pcredit' },
    { disablePayChannels: 'balance,rocket' },
    { enablePayChannels: ' , ' },
  ]) {
    it(JSON.stringify(limits), () => assert.equal(payChannelPolicy(limits), null));
  }
});

describe('goods_type=0 (virtual goods): never Huabei', () => {
  it('whatever the lists say', () => {
    assert.equal(allowsChannel(policy({ goodsType: '0' }), 'PCREDIT'), false);
    assert.equal(allowsChannel(policy({ goodsType: '0', enablePayChannels: 'pcredit,balance' }), 'PCREDIT'), false);
    assert.equal(allowsChannel(policy({ goodsType: '1' }), 'PCREDIT'), true);
  });
});

describe('a draw reaching for a channel the order does not allow', () => {
  const funds: BuyerFunds = {
    balance: 10_00,
    yuebao: 0,
    huabeiLimit: 100_00,
    huabeiUsed: 0,
    points: 0,
    bankCards: [{ position: 1, bankCode: 'CMB', fundType: 'DEBIT_CARD', cardTail: '6688', available: null }],
    coupons: [
      {
        voucherId: 'RP1',
        fundChannel: 'COUPON',
        name: '红包',
        merchantPid: null,
        amount: 2_00,
        remaining: 2_00,
        wholeOnly: false,
        expiresAt: null,
        createdAt: 0,
      },
    ],
  };
  const order = { sellerPid: '2088000000000001', total: 30_00, now: 0 };

  it('is refused, naming the channel; allowed, it draws', () => {
    const virtual = policy({ goodsType: '0' });
    assert.deepEqual(drawPayment(funds, { channels: ['ALIPAYACCOUNT', 'PCREDIT'] }, { ...order, policy: virtual }), {
      ok: false,
      refusal: { reason: 'channel_not_allowed', channel: 'PCREDIT' },
    });
    assert.equal(drawPayment(funds, { channels: ['ALIPAYACCOUNT', 'PCREDIT'] }, order).ok, true);
  });

  it('a card of a refused type, and a coupon of a refused kind', () => {
    const creditOnly = policy({ enablePayChannels: 'creditCardExpress,balance' });
    assert.deepEqual(drawPayment(funds, { channels: ['BANKCARD'] }, { ...order, policy: creditOnly }).ok, false);
    const noCoupon = policy({ disablePayChannels: 'coupon' });
    assert.deepEqual(drawPayment(funds, { channels: ['PCREDIT'], voucherIds: ['RP1'] }, { ...order, policy: noCoupon }), {
      ok: false,
      refusal: { reason: 'channel_not_allowed', channel: 'COUPON' },
    });
  });
});
