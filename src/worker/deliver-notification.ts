/**
 * One attempt to deliver a notification: POST the form (in the notification's charset, with this
 * attempt's time of sending and signature) to notify_url — or, for a message, to the app's gateway —;
 * the merchant has it when it answers exactly
 * `success`. Every attempt is recorded — url, body, status, response, the next attempt's time — and the
 * next one is scheduled on Alipay's intervals until none is left. A destination the notify policy refuses
 * is recorded with the reason, and the notification gives up at once.
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { nextNotifyAttempt } from '../core/retry-schedules.js';
import { encodeForm, encodeText, parseCharset, type Charset } from '../protocol/charset.js';
import { attemptParams, encodeOwedNotification } from '../protocol/notification-params.js';
import { signContentWithoutSignType } from '../protocol/sign-content.js';
import { md5Sign, rsaSign } from '../protocol/signing.js';
import { findMerchant } from '../store/sql/merchants.js';
import { findNotification, recordManualAttempt, recordScheduledAttempt, settleNotification, type Notification } from '../store/sql/notifications.js';
import type { Store } from '../store/store.js';
import { parseNotifyAllow, type NotifyDestinationRules } from './notify-destination.js';
import { postNotification, systemResolver, type NotifyResolver } from './notify-transport.js';
import type { JobOutcome } from './worker.js';

export interface DeliveryOptions {
  store: Store;
  clock: Clock;
  platformKey: KeyObject;
  /** Where notifications may go. (Default: the `any` policy, no allow list) */
  destinations?: NotifyDestinationRules;
  /** Resolves notify_url host names. (Default: the system resolver) */
  resolver?: NotifyResolver;
  /** How long to wait for the merchant's answer. (Default: 10 s) */
  timeoutMs?: number;
}

const RESPONSE_KEPT = 2000;

const ANY_DESTINATION: NotifyDestinationRules = { policy: 'any', allow: parseNotifyAllow(''), ownPort: () => null };

/** The signed form of one attempt: the notification encoded, with this attempt's time of sending and signature. */
async function signedForm(options: DeliveryOptions, notification: Notification, charset: Charset, now: number): Promise<Array<[string, string]>> {
  const encoded = encodeOwedNotification(notification);
  const params = attemptParams(encoded, now);
  const content = encodeText(signContentWithoutSignType(params), charset);
  let sign: string;
  if (encoded.signType === 'MD5') {
    const merchant = await findMerchant(options.store.db, notification.pid);
    sign = md5Sign(content, encodeText(merchant?.md5Key ?? '', charset));
  } else {
    sign = rsaSign(content, options.platformKey, encoded.signType);
  }
  return [...Object.entries(params), ['sign', sign]];
}

/** What an attempt records of the POST, and whether it delivered or was refused its destination. */
async function post(options: DeliveryOptions, url: string, body: string, charset: Charset) {
  const outcome = await postNotification({
    url,
    body,
    contentType: `application/x-www-form-urlencoded; charset=${charset === 'utf-8' ? 'utf-8' : charset.toUpperCase()}`,
    timeoutMs: options.timeoutMs ?? 10_000,
    rules: options.destinations ?? ANY_DESTINATION,
    resolver: options.resolver ?? systemResolver,
    keepChars: RESPONSE_KEPT,
  });
  switch (outcome.kind) {
    case 'answered': {
      const delivered = outcome.httpStatus === 200 && outcome.responseBody === 'success';
      return { httpStatus: outcome.httpStatus, responseBody: outcome.responseBody, error: null, delivered, refused: false };
    }
    case 'failed':
      return { httpStatus: null, responseBody: null, error: outcome.error, delivered: false, refused: false };
    case 'refused':
      return { httpStatus: null, responseBody: null, error: `destination refused: ${outcome.reason}`, delivered: false, refused: true };
  }
}

/**
 * Makes one attempt. A scheduled attempt (`manual` false) counts towards the schedule; an attempt by
 * hand (the admin API's resend) does not change it, but a `success` to it settles the notification.
 * Either may run while the other is in flight: what each writes afterwards is conditional on the state
 * it read (store/sql/notifications.ts), so neither undoes the other's work from a stale read.
 */
export async function deliverNotification(options: DeliveryOptions, notificationId: number, manual = false): Promise<JobOutcome> {
  const notification = await findNotification(options.store.db, notificationId);
  if (!notification || (!manual && notification.status !== 'pending')) return { kind: 'done' };
  const charset = parseCharset(notification.charset) ?? 'utf-8';
  const now = options.clock.now();
  const body = encodeForm(await signedForm(options, notification, charset, now), charset);
  const { refused, ...result } = await post(options, notification.url, body, charset);
  const sent = { startedAt: now, url: notification.url, requestBody: body, ...result, manual };

  if (manual) {
    await options.store.transaction((trx) =>
      recordManualAttempt(trx, notification.id, { ...sent, attempt: notification.attempts, nextAttemptAt: notification.nextAttemptAt }, now),
    );
    return { kind: 'done' };
  }
  const attempts = notification.attempts + 1;
  // A destination the policy refuses stays refused: no schedule of retries against it.
  const nextAttemptAt = result.delivered || refused ? null : nextNotifyAttempt(attempts, now, notification.kind);
  const status = result.delivered ? 'delivered' : nextAttemptAt === null ? 'given_up' : 'pending';
  const after = await options.store.transaction((trx) =>
    recordScheduledAttempt(trx, notification.id, { ...sent, attempt: attempts, nextAttemptAt }, notification.attempts, {
      status,
      nextAttemptAt,
      acknowledgedAt: result.delivered ? now : null,
    }),
  );
  if (after === null) return afterUncountedAttempt(options, notification.id, result.delivered, now);
  // Settled by hand meanwhile: nothing more is this run's to schedule.
  return after.status === 'pending' && after.nextAttemptAt !== null ? { kind: 'retry', at: after.nextAttemptAt } : { kind: 'done' };
}

/**
 * Another run counted this attempt first — this run's lease ran out mid-POST and the job was taken over, or the
 * reverse. The attempt is not written twice, but a `success` to it still settles the notification, as one by
 * hand does; and the job goes on to the attempt the other run scheduled, since it may be this run that holds
 * the job now (completing it would leave the notification pending with no job to send it).
 */
async function afterUncountedAttempt(options: DeliveryOptions, notificationId: number, delivered: boolean, now: number): Promise<JobOutcome> {
  if (delivered) await options.store.transaction((trx) => settleNotification(trx, notificationId, now));
  const current = await findNotification(options.store.db, notificationId);
  return current?.status === 'pending' && current.nextAttemptAt !== null ? { kind: 'retry', at: current.nextAttemptAt } : { kind: 'done' };
}
