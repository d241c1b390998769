/**
 * The schedules of background retries.
 *
 * Notifications (trade_status_sync, batch_refund_notify) follow Alipay's published schedule: the first
 * attempt at once, then after 4m, 10m, 10m, 1h, 2h, 6h and 15h — 8 attempts within 25 hours — until the
 * merchant answers exactly `success`. Messages to an app's gateway (the message service's
 * alipay.trade.refund.depositback.completed) follow the message service's: the same, but the first retry
 * after 2m (protocol-notes §13.1).
 *
 * An accepted asynchronous refund that the merchant's balance cannot cover waits and is retried: after 1m,
 * then doubling (2m, 4m, …) up to one attempt an hour, and is given up 3 days after it was accepted; then it
 * fails and its reservation is released.
 */
import type { NotificationKind } from '../store/sql/notifications.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const NOTIFY_INTERVALS_MS: readonly number[] = [4 * MINUTE, 10 * MINUTE, 10 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, 15 * HOUR];

export const MESSAGE_INTERVALS_MS: readonly number[] = [2 * MINUTE, 10 * MINUTE, 10 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, 15 * HOUR];

/** The intervals between attempts at a notification of this kind. */
export function notifyIntervals(kind: NotificationKind): readonly number[] {
  return kind === 'alipay.trade.refund.depositback.completed' ? MESSAGE_INTERVALS_MS : NOTIFY_INTERVALS_MS;
}

/**
 * When the next automatic attempt falls due after `attemptsMade` attempts, the last at `lastAt`; null when none
 * is left. (Default kind: trade_status_sync)
 */
export function nextNotifyAttempt(attemptsMade: number, lastAt: number, kind: NotificationKind = 'trade_status_sync'): number | null {
  const interval = notifyIntervals(kind)[attemptsMade - 1];
  return interval === undefined ? null : lastAt + interval;
}

export const REFUND_RETRY = {
  firstDelayMs: MINUTE,
  maxDelayMs: HOUR,
  giveUpAfterMs: 3 * 24 * HOUR,
} as const;

/** When a waiting refund is tried next after `attempts` failed attempts; null when it is given up. */
export function nextRefundAttempt(acceptedAt: number, attempts: number, now: number): number | null {
  const delay = Math.min(REFUND_RETRY.firstDelayMs * 2 ** Math.max(0, attempts - 1), REFUND_RETRY.maxDelayMs);
  const next = now + delay;
  return next > acceptedAt + REFUND_RETRY.giveUpAfterMs ? null : next;
}

/** Back-off for a job that failed unexpectedly (an exception, not a business outcome): 10s doubling to 1h. */
export function nextJobRetry(attempts: number, now: number): number {
  return now + Math.min(10_000 * 2 ** Math.max(0, attempts), HOUR);
}
