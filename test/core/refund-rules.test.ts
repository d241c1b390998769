/**
 * The rules a refund request must pass, over the trade as it stands under its lock (planRefund), and the
 * trade's status as of a moment (the refund window turns a paid trade TRADE_FINISHED).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trade, TradeStatus } from '../../src/interfaces.js';
import { MAX_REFUNDS_PER_TRADE, planRefund, type RefundCheck } from '../../src/core/refund-rules.js';
import { tradeStatusAt } from '../../src/core/trade-status.js';
import { PAID_AT, refund, trade } from '../support/domain-records.js';

const DAY = 24 * 3600_000;

function plan(check: Partial<RefundCheck> & { trade?: Trade }) {
  const t = check.trade ?? trade();
  return planRefund({
    trade: t,
    status: check.status ?? t.status,
    existing: check.existing,
    amount: check.amount ?? 10_00,
    requestNoGiven: check.requestNoGiven ?? true,
  });
}

const rejected = (reason: string) => ({ kind: 'rejected', reason });

describe('a refund is identified by (trade, out_request_no)', () => {
  it('answers an identical repeat of a succeeded refund with that refund, moving nothing', () => {
    const existing = refund();
    assert.deepEqual(plan({ existing, amount: 10_00 }), { kind: 'repeat', refund: existing });
  });

  it('refuses the same out_request_no with another amount (DISCORDANT_REPEAT_REQUEST)', () => {
    assert.deepEqual(plan({ existing: refund(), amount: 10_01 }), rejected('discordant_repeat'));
    assert.deepEqual(plan({ existing: refund({ status: 'waiting_for_funds' }), amount: 9_99 }), rejected('discordant_repeat'));
  });

  it('treats the same out_request_no of an accepted, not yet carried out refund as that refund', () => {
    for (const status of ['accepted', 'waiting_for_funds'] as const) {
      const existing = refund({ status });
      assert.deepEqual(plan({ existing }), { kind: 'pending', refund: existing });
    }
  });

  it('tries a refund that failed before again, as the same refund', () => {
    const existing = refund({ status: 'failed' });
    assert.deepEqual(plan({ existing }), { kind: 'new', previous: existing });
  });

  it('answers a repeat even once the trade could no longer take a new refund', () => {
    const existing = refund({ refundAmount: 100_00 });
    const closed = trade({ status: 'TRADE_CLOSED', refundedAmount: 100_00, frozen: true });
    assert.deepEqual(plan({ trade: closed, existing, amount: 100_00 }), { kind: 'repeat', refund: existing });
  });
});

describe('only a paid trade in its refund window, not frozen and allowing refunds, is refundable', () => {
  it('refuses a trade the buyer has not paid (TRADE_STATUS_ERROR)', () => {
    assert.deepEqual(plan({ trade: trade({ status: 'WAIT_BUYER_PAY', gmtPayment: null }) }), rejected('trade_not_paid'));
    assert.deepEqual(plan({ trade: trade({ status: 'TRADE_CLOSED', gmtPayment: null }) }), rejected('trade_not_paid'));
  });

  it('refuses a trade closed by refunds as having nothing left (REFUND_AMT_NOT_EQUAL_TOTAL)', () => {
    assert.deepEqual(plan({ trade: trade({ status: 'TRADE_CLOSED', refundedAmount: 100_00 }) }), rejected('amount_exceeds_refundable'));
  });

  it('refuses a TRADE_FINISHED trade (TRADE_HAS_FINISHED)', () => {
    assert.deepEqual(plan({ trade: trade({ status: 'TRADE_FINISHED' }) }), rejected('trade_finished'));
    assert.deepEqual(plan({ trade: trade(), status: 'TRADE_FINISHED' }), rejected('trade_finished'));
  });

  it('refuses a frozen trade (REASON_TRADE_BEEN_FREEZEN)', () => {
    assert.deepEqual(plan({ trade: trade({ frozen: true }) }), rejected('trade_frozen'));
  });

  it('refuses a trade whose product does not allow refunds (TRADE_NOT_ALLOW_REFUND)', () => {
    assert.deepEqual(plan({ trade: trade({ refundAllowed: false }) }), rejected('refund_not_allowed'));
  });
});

describe('the refundable remainder is enforced', () => {
  it('refuses a refund larger than the trade total', () => {
    assert.deepEqual(plan({ amount: 100_01 }), rejected('amount_exceeds_total'));
  });

  it('refuses a refund larger than what is left after earlier refunds', () => {
    assert.deepEqual(plan({ trade: trade({ refundedAmount: 60_00 }), amount: 40_01 }), rejected('amount_exceeds_refundable'));
  });

  it('counts accepted refunds not yet carried out as taken', () => {
    assert.deepEqual(plan({ trade: trade({ refundedAmount: 30_00, pendingRefundAmount: 30_00 }), amount: 40_01 }), rejected('amount_exceeds_refundable'));
  });

  it('allows a refund of exactly what is left', () => {
    assert.deepEqual(plan({ trade: trade({ refundedAmount: 30_00, pendingRefundAmount: 30_00 }), amount: 40_00 }), { kind: 'new', previous: null });
  });
});

describe('without out_request_no a refund must be of the whole amount', () => {
  it('refuses a partial refund without out_request_no (REFUND_AMT_NOT_EQUAL_TOTAL)', () => {
    assert.deepEqual(plan({ requestNoGiven: false, amount: 99_99 }), rejected('partial_without_request_no'));
  });

  it('allows a full refund without out_request_no', () => {
    assert.deepEqual(plan({ requestNoGiven: false, amount: 100_00 }), { kind: 'new', previous: null });
  });
});

describe('at most 99 refunds per trade', () => {
  it('is 99', () => {
    assert.equal(MAX_REFUNDS_PER_TRADE, 99);
  });

  it('allows the 99th refund and refuses the 100th (TRADE_NOT_ALLOW_REFUND)', () => {
    assert.deepEqual(plan({ trade: trade({ refundCount: 98, refundedAmount: 98 }), amount: 1 }), { kind: 'new', previous: null });
    assert.deepEqual(plan({ trade: trade({ refundCount: 99, refundedAmount: 99 }), amount: 1 }), rejected('too_many_refunds'));
  });
});

describe('a paid trade is TRADE_FINISHED once the merchant’s refund window has passed', () => {
  const status = (t: Trade, windowDays: number, now: number): TradeStatus => tradeStatusAt(t, windowDays, now);

  it('is TRADE_SUCCESS up to and including the window’s last moment', () => {
    assert.equal(status(trade(), 365, PAID_AT + 365 * DAY), 'TRADE_SUCCESS');
  });

  it('is TRADE_FINISHED one moment after', () => {
    assert.equal(status(trade(), 365, PAID_AT + 365 * DAY + 1), 'TRADE_FINISHED');
    assert.equal(status(trade(), 0, PAID_AT + 1000), 'TRADE_FINISHED');
  });

  it('leaves every other status as it is', () => {
    for (const s of ['WAIT_BUYER_PAY', 'TRADE_CLOSED', 'TRADE_FINISHED'] as const) {
      assert.equal(status(trade({ status: s }), 0, PAID_AT + 10 * DAY), s);
    }
  });
});
