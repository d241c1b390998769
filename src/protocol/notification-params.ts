/**
 * A notification owed, encoded: the facts the core recorded become the parameters and sign type of the form
 * the worker posts (trade_status_sync for OpenAPI, batch_refund_notify for MAPI, a message-service message to
 * the app's gateway). Each attempt adds when it was sent — notify_time, or the message service's
 * utc_timestamp —, sign_type and sign.
 */
import { formatChinaTime } from './china-time.js';
import { batchRefundNotifyParams, batchRefundNotifySignType, type BatchRefundFacts } from './mapi/batch-refund-notify.js';
import { utcTimestamp } from './openapi/message-service.js';
import { depositBackCompletedParams, depositBackCompletedSignType, type DepositBackFacts } from './openapi/refund-depositback-completed.js';
import { tradeStatusSyncParams, tradeStatusSyncSignType, type TradeStatusFacts } from './openapi/trade-status-sync.js';

export type NotificationFacts = TradeStatusFacts | BatchRefundFacts | DepositBackFacts;

export interface EncodedNotification {
  params: Record<string, string>;
  signType: 'RSA2' | 'RSA' | 'MD5';
  /** How an attempt says when it was sent: `notify_time` (China time) or, for a message, `utc_timestamp` (ms). */
  sentAt: 'notify_time' | 'utc_timestamp';
}

export function encodeNotification(facts: NotificationFacts, notifyId: string): EncodedNotification {
  switch (facts.kind) {
    case 'trade_status_sync':
      return { params: tradeStatusSyncParams(facts, notifyId), signType: tradeStatusSyncSignType(facts), sentAt: 'notify_time' };
    case 'batch_refund_notify':
      return { params: batchRefundNotifyParams(facts, notifyId), signType: batchRefundNotifySignType(facts), sentAt: 'notify_time' };
    case 'alipay.trade.refund.depositback.completed':
      return { params: depositBackCompletedParams(facts, notifyId), signType: depositBackCompletedSignType(facts), sentAt: 'utc_timestamp' };
  }
}

/** The parameters of one attempt made at `now`, all but `sign`: the encoded ones, the time of sending and sign_type. */
export function attemptParams(encoded: EncodedNotification, now: number): Record<string, string> {
  const params: Record<string, string> = { ...encoded.params };
  if (encoded.sentAt === 'utc_timestamp') params.utc_timestamp = utcTimestamp(now);
  else params.notify_time = formatChinaTime(now);
  params.sign_type = encoded.signType;
  return params;
}

/** A notification as the store keeps it: facts to encode, or — owed before facts were kept — its encoded form. */
export interface OwedNotification {
  notifyId: string;
  facts: NotificationFacts | null;
  legacy: { params: Record<string, string>; signType: string } | null;
}

/** The parameters and sign type of an owed notification, whichever way it was kept. */
export function encodeOwedNotification(owed: OwedNotification): EncodedNotification {
  if (owed.facts) return encodeNotification(owed.facts, owed.notifyId);
  const signType = owed.legacy?.signType;
  return { params: owed.legacy?.params ?? {}, signType: signType === 'MD5' || signType === 'RSA' ? signType : 'RSA2', sentAt: 'notify_time' };
}
