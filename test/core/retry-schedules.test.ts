/**
 * The two retry schedules: notifications on Alipay's published intervals (8 attempts within 25 hours),
 * and an accepted refund.apply waiting for the merchant's balance (1m doubling to hourly, given up 3 days
 * after it was accepted).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MESSAGE_INTERVALS_MS, nextNotifyAttempt, nextRefundAttempt, NOTIFY_INTERVALS_MS, REFUND_RETRY } from '../../src/core/retry-schedules.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('notifications are retried after 4m, 10m, 10m, 1h, 2h, 6h and 15h', () => {
  it('has those seven intervals', () => {
    assert.deepEqual(NOTIFY_INTERVALS_MS, [4 * MINUTE, 10 * MINUTE, 10 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, 15 * HOUR]);
  });

  it('makes 8 attempts in all, the last 24h24m after the first, then gives up', () => {
    const times = [0];
    for (let attempts = 1; ; attempts++) {
      const next = nextNotifyAttempt(attempts, times[times.length - 1] as number);
      if (next === null) break;
      times.push(next);
    }
    assert.deepEqual(
      times.map((t) => t / MINUTE),
      [0, 4, 14, 24, 84, 204, 564, 1464],
    );
  });
});

describe('messages to an app’s gateway are retried after 2m, 10m, 10m, 1h, 2h, 6h and 15h (the message service)', () => {
  it('has those seven intervals', () => {
    assert.deepEqual(MESSAGE_INTERVALS_MS, [2 * MINUTE, 10 * MINUTE, 10 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, 15 * HOUR]);
  });

  it('makes 8 attempts in all, the last 24h22m after the first, then gives up', () => {
    const times = [0];
    for (let attempts = 1; ; attempts++) {
      const next = nextNotifyAttempt(attempts, times[times.length - 1] as number, 'alipay.trade.refund.depositback.completed');
      if (next === null) break;
      times.push(next);
    }
    assert.deepEqual(
      times.map((t) => t / MINUTE),
      [0, 2, 12, 22, 82, 202, 562, 1462],
    );
  });

  it('leaves the trade notifications on theirs', () => {
    assert.equal(nextNotifyAttempt(1, 0, 'trade_status_sync'), 4 * MINUTE);
    assert.equal(nextNotifyAttempt(1, 0, 'batch_refund_notify'), 4 * MINUTE);
  });
});

describe('an accepted refund waiting for funds is retried, and given up after 3 days', () => {
  it('waits 1 minute after the first attempt, then doubles', () => {
    assert.equal(nextRefundAttempt(0, 1, 0), MINUTE);
    assert.equal(nextRefundAttempt(0, 2, MINUTE), 3 * MINUTE);
    assert.equal(nextRefundAttempt(0, 3, 3 * MINUTE), 7 * MINUTE);
  });

  it('waits at most an hour between attempts', () => {
    assert.equal(nextRefundAttempt(0, 8, 5 * HOUR), 6 * HOUR);
    assert.equal(nextRefundAttempt(0, 40, 50 * HOUR), 51 * HOUR);
  });

  it('gives up when the next attempt would fall more than 3 days after acceptance', () => {
    assert.equal(REFUND_RETRY.giveUpAfterMs, 72 * HOUR);
    assert.equal(nextRefundAttempt(0, 50, 71 * HOUR), 72 * HOUR);
    assert.equal(nextRefundAttempt(0, 51, 72 * HOUR), null);
    assert.equal(nextRefundAttempt(10 * HOUR, 51, 72 * HOUR), 73 * HOUR, 'counted from acceptance');
  });
});
