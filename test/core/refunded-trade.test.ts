/** The trade after a refund, computed: its fund bills, totals, reservation and status. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FundAllocation } from '../../src/interfaces.js';
import { refundedTrade } from '../../src/core/refunded-trade.js';
import { PAID_AT, trade } from '../support/domain-records.js';

const NOW = PAID_AT + 3600_000;

function allocation(position: number, fundChannel: string, amount: number): FundAllocation {
  return {
    position,
    fundChannel,
    fundType: null,
    bankCode: null,
    amount,
    realAmount: amount,
    dbackStatus: null,
    bankAckTime: null,
    estBankReceiptTime: null,
    returnedTo: null,
  };
}

const mixed = trade({
  totalAmount: 100_00,
  fundBills: [
    { position: 0, fundChannel: 'ALIPAYACCOUNT', amount: 60_00, realAmount: 60_00, fundType: null, bankCode: null, refundedAmount: 0 },
    { position: 1, fundChannel: 'PCREDIT', amount: 40_00, realAmount: 40_00, fundType: null, bankCode: null, refundedAmount: 0 },
  ],
});

describe('each fund bill grows by what the refund took from it, and only those are changed', () => {
  it('counts the allocation against its own bill', () => {
    const { trade: after, changedBills } = refundedTrade({
      trade: mixed,
      allocations: [allocation(1, 'PCREDIT', 15_00)],
      amount: 15_00,
      sendBackFee: 15_00,
      chargeFee: 9,
      reserved: false,
      now: NOW,
    });
    assert.deepEqual(
      after.fundBills.map((bill) => bill.refundedAmount),
      [0, 15_00],
    );
    assert.deepEqual(
      changedBills.map((bill) => [bill.position, bill.refundedAmount]),
      [[1, 15_00]],
    );
  });
});

describe('the trade totals grow by the refund', () => {
  it('adds the amount, the send-back fee and the fee given back, and counts a new refund', () => {
    const { trade: after } = refundedTrade({
      trade: trade({ refundedAmount: 10_00, refundedSendBackFee: 10_00, refundedChargeFee: 6, refundCount: 1 }),
      allocations: [allocation(0, 'ALIPAYACCOUNT', 20_00)],
      amount: 20_00,
      sendBackFee: 20_00,
      chargeFee: 12,
      reserved: false,
      now: NOW,
    });
    assert.equal(after.refundedAmount, 30_00);
    assert.equal(after.refundedSendBackFee, 30_00);
    assert.equal(after.refundedChargeFee, 18);
    assert.equal(after.refundCount, 2);
    assert.equal(after.pendingRefundAmount, 0);
  });

  it('releases a reservation instead of counting again when the refund was accepted before', () => {
    const { trade: after } = refundedTrade({
      trade: trade({ pendingRefundAmount: 20_00, refundCount: 1 }),
      allocations: [allocation(0, 'ALIPAYACCOUNT', 20_00)],
      amount: 20_00,
      sendBackFee: 20_00,
      chargeFee: 0,
      reserved: true,
      now: NOW,
    });
    assert.equal(after.pendingRefundAmount, 0);
    assert.equal(after.refundCount, 1);
  });
});

describe('a trade refunded in full is closed', () => {
  it('closes it at the refund time', () => {
    const { trade: after } = refundedTrade({
      trade: mixed,
      allocations: [allocation(0, 'ALIPAYACCOUNT', 60_00), allocation(1, 'PCREDIT', 40_00)],
      amount: 100_00,
      sendBackFee: 100_00,
      chargeFee: 0,
      reserved: false,
      now: NOW,
    });
    assert.equal(after.status, 'TRADE_CLOSED');
    assert.equal(after.gmtClose, NOW);
  });

  it('leaves a partly refunded trade as it was', () => {
    const { trade: after } = refundedTrade({
      trade: mixed,
      allocations: [allocation(0, 'ALIPAYACCOUNT', 1)],
      amount: 1,
      sendBackFee: 1,
      chargeFee: 0,
      reserved: false,
      now: NOW,
    });
    assert.equal(after.status, 'TRADE_SUCCESS');
    assert.equal(after.gmtClose, null);
  });

  it('does not change the trade it was given', () => {
    const before = structuredClone(mixed);
    refundedTrade({
      trade: mixed,
      allocations: [allocation(0, 'ALIPAYACCOUNT', 60_00)],
      amount: 60_00,
      sendBackFee: 60_00,
      chargeFee: 0,
      reserved: false,
      now: NOW,
    });
    assert.deepEqual(mixed, before);
  });
});
