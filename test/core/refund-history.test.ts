/** A refund's status history, read from what the refund records: in order, each move once, a bank's answer at its time. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refundHistory } from '../../src/core/refund-history.js';
import type { Refund, RefundRecord } from '../../src/interfaces.js';

const record: RefundRecord = {
  id: 1,
  tradeNo: '2026010122001000000000000001',
  outRequestNo: 'R1',
  refundAmount: 3000,
  refundReason: null,
  source: 'refund.apply',
  batchNo: null,
  operatorId: null,
  storeId: null,
  terminalId: null,
  sendBackFee: 0,
  refundChargeFee: 0,
  attempts: 0,
  lastError: null,
  acceptedAt: 1000,
  createdAt: 1000,
  updatedAt: 1000,
  allocations: [],
};

describe('a refund’s status history', () => {
  it('of one waiting for funds: asked for, accepted, waiting (why, how often, the next try)', () => {
    const refund: Refund = {
      ...record,
      status: 'waiting_for_funds',
      attempts: 2,
      lastError: 'balance_not_enough',
      updatedAt: 5000,
      nextAttemptAt: 9000,
      gmtRefundPay: null,
      acceptedAt: 1000,
    };
    assert.deepEqual(refundHistory(refund), [
      { kind: 'requested', at: 1000, source: 'refund.apply' },
      { kind: 'accepted', at: 1000 },
      { kind: 'waiting_for_funds', at: 5000, attempts: 2, reason: 'balance_not_enough', nextAttemptAt: 9000 },
    ]);
  });

  it('of one carried out after waiting, whose bank card part the bank refused later', () => {
    const refund: Refund = {
      ...record,
      status: 'succeeded',
      attempts: 1,
      lastError: 'balance_not_enough',
      nextAttemptAt: null,
      gmtRefundPay: 7000,
      allocations: [
        {
          position: 0,
          fundChannel: 'BANKCARD',
          fundType: 'DEBIT_CARD',
          bankCode: 'ICBC',
          amount: 3000,
          realAmount: 3000,
          dbackStatus: 'F',
          bankAckTime: 8000,
          estBankReceiptTime: null,
          returnedTo: 'ALIPAYACCOUNT',
        },
      ],
    };
    assert.deepEqual(
      refundHistory(refund).map((event) => [event.kind, event.at]),
      [
        ['requested', 1000],
        ['accepted', 1000],
        ['tried', 7000],
        ['succeeded', 7000],
        ['bank_answered', 8000],
      ],
    );
  });

  it('of a synchronous one that failed: no acceptance, the reason', () => {
    const refund: Refund = {
      ...record,
      source: 'refund',
      acceptedAt: null,
      status: 'failed',
      lastError: 'trade_frozen',
      updatedAt: 2000,
      nextAttemptAt: null,
      gmtRefundPay: null,
    };
    assert.deepEqual(refundHistory(refund), [
      { kind: 'requested', at: 1000, source: 'refund' },
      { kind: 'failed', at: 2000, reason: 'trade_frozen' },
    ]);
  });
});
