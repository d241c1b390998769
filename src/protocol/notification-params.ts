/**
 * A notification owed, encoded: the facts the core recorded become the parameters and sign type of the form
 * the worker posts (trade_status_sync for OpenAPI, batch_refund_notify for MAPI). Each attempt adds its
 * notify_time, sign_type and sign.
 */
import { batchRefundNotifyParams, batchRefundNotifySignType, type BatchRefundFacts } from './mapi/batch-refund-notify.js';
import { tradeStatusSyncParams, tradeStatusSyncSignType, type TradeStatusFacts } from './openapi/trade-status-sync.js';

export type NotificationFacts = TradeStatusFacts | BatchRefundFacts;

export interface EncodedNotification {
  params: Record<string, string>;
  signType: 'RSA2' | 'RSA' | 'MD5';
}

export function encodeNotification(facts: NotificationFacts, notifyId: string): EncodedNotification {
  switch (facts.kind) {
    case 'trade_status_sync':
      return { params: tradeStatusSyncParams(facts, notifyId), signType: tradeStatusSyncSignType(facts) };
    case 'batch_refund_notify':
      return { params: batchRefundNotifyParams(facts, notifyId), signType: batchRefundNotifySignType(facts) };
  }
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
  return { params: owed.legacy?.params ?? {}, signType: signType === 'MD5' || signType === 'RSA' ? signType : 'RSA2' };
}
