/** A refund's state machine: the moves it has, what each new state records, and the moves it refuses. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RefundStatus } from '../../src/interfaces.js';
import { canMove, moveRefund, RefundMoveError } from '../../src/core/refund-state.js';
import { draftRefund } from '../../src/core/refund-transaction.js';
import { PAID_AT, refund, trade } from '../support/domain-records.js';

const NOW = PAID_AT + 60_000;
const draft = () => draftRefund(trade(), null, { sellerPid: trade().sellerPid, amount: 10_00, source: 'refund' }, 'R1', PAID_AT);

describe('a draft is born accepted (refund.apply) or succeeded (a synchronous refund)', () => {
  it('accepts it: due now, reserved from now', () => {
    const accepted = moveRefund(draft(), { to: 'accepted', at: NOW });
    assert.equal(accepted.status, 'accepted');
    assert.equal(accepted.acceptedAt, NOW);
    assert.equal(accepted.nextAttemptAt, NOW);
    assert.equal(accepted.gmtRefundPay, null);
  });

  it('carries it out: the money moved at that time, nothing more is due', () => {
    const done = moveRefund(draft(), { to: 'succeeded', sendBackFee: 10_00, refundChargeFee: 6, at: NOW });
    assert.equal(done.status, 'succeeded');
    assert.equal(done.gmtRefundPay, NOW);
    assert.equal(done.nextAttemptAt, null);
    assert.equal(done.sendBackFee, 10_00);
    assert.equal(done.refundChargeFee, 6);
  });
});

describe('a pending refund waits, is carried out, or fails', () => {
  it('waits for funds with its reason and the next attempt', () => {
    const waiting = moveRefund(refund({ status: 'accepted' }), {
      to: 'waiting_for_funds',
      reason: 'balance_not_enough',
      attempts: 1,
      nextAttemptAt: NOW + 60_000,
      at: NOW,
    });
    assert.equal(waiting.status, 'waiting_for_funds');
    assert.equal(waiting.lastError, 'balance_not_enough');
    assert.equal(waiting.attempts, 1);
    assert.equal(waiting.nextAttemptAt, NOW + 60_000);
  });

  it('fails: nothing more is due', () => {
    const failed = moveRefund(refund({ status: 'waiting_for_funds' }), { to: 'failed', reason: 'balance_not_enough', attempts: 9, at: NOW });
    assert.equal(failed.status, 'failed');
    assert.equal(failed.nextAttemptAt, null);
    assert.equal(failed.lastError, 'balance_not_enough');
  });
});

describe('succeeded is final, and no move skips the machine', () => {
  const statuses: RefundStatus[] = ['accepted', 'waiting_for_funds', 'succeeded', 'failed'];
  it('refuses every move out of succeeded', () => {
    for (const to of statuses) {
      assert.equal(canMove('succeeded', to), false);
      assert.throws(
        () => moveRefund(refund({ status: 'succeeded' }), to === 'accepted' ? { to, at: NOW } : { to: 'failed', reason: 'x', attempts: 1, at: NOW }),
        RefundMoveError,
      );
    }
  });

  it('never makes a draft wait or fail: it was never accepted', () => {
    assert.throws(() => moveRefund(draft(), { to: 'failed', reason: 'x', attempts: 1, at: NOW }), RefundMoveError);
    assert.throws(() => moveRefund(draft(), { to: 'waiting_for_funds', reason: 'x', attempts: 1, nextAttemptAt: NOW, at: NOW }), RefundMoveError);
  });

  it('lets a failed refund be tried again, but not waited on', () => {
    assert.equal(canMove('failed', 'accepted'), true);
    assert.equal(canMove('failed', 'succeeded'), true);
    assert.equal(canMove('failed', 'waiting_for_funds'), false);
  });
});
