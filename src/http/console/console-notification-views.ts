/** A notification as the console shows it: its state, where it goes, and every attempt with what was sent and answered. */
import type { Notification, NotificationAttempt } from '../../core/notification-journal.js';
import type { NotificationWithAttempts } from '../../core/trade-dossier.js';
import { fill, type Strings } from './console-strings.js';
import { DASH, NOTIFICATION_TONES, time, tone } from './console-format.js';
import { label } from './console-page.js';

export function attemptOutcome(t: Strings, attempt: Pick<NotificationAttempt, 'delivered' | 'httpStatus' | 'error'>): string {
  const status = attempt.httpStatus === null ? (attempt.error ?? '') : `HTTP ${attempt.httpStatus}`;
  return fill(attempt.delivered ? t.delivered_answer : t.failed_answer, { status }).trim();
}

export function notificationCard(t: Strings, { notification, attempts }: NotificationWithAttempts) {
  const n: Notification = notification;
  return {
    notifyId: n.notifyId,
    status: n.status,
    statusLabel: label(t, 'notification', n.status),
    statusTone: tone(NOTIFICATION_TONES, n.status),
    kindLabel: label(t, 'kind', n.kind),
    url: n.url,
    pid: n.pid,
    merchantHref: `/console/merchants/${encodeURIComponent(n.pid)}`,
    tradeNo: n.tradeNo,
    tradeHref: n.tradeNo ? `/console/trades/${encodeURIComponent(n.tradeNo)}` : null,
    batchNo: n.batchNo,
    attemptCount: n.attempts,
    nextAttemptAt: n.status === 'pending' ? time(n.nextAttemptAt) : DASH,
    acknowledgedAt: n.acknowledgedAt === null ? null : time(n.acknowledgedAt),
    resendable: n.status !== 'delivered',
    resendAction: `/console/notifications/${encodeURIComponent(n.notifyId)}/resend`,
    // Newest attempt first: the one a reader looks for.
    attempts: attempts
      .map((a) => ({
        number: a.attempt,
        manual: a.manual,
        at: time(a.startedAt),
        url: a.url,
        requestBody: a.requestBody,
        delivered: a.delivered,
        outcome: attemptOutcome(t, a),
        response: a.responseBody ?? a.error ?? t.no_response,
        nextAttemptAt: a.nextAttemptAt === null ? null : time(a.nextAttemptAt),
      }))
      .reverse(),
  };
}
