/**
 * What makes a notify_id genuine (MAPI `notify_verify`, protocol-notes §6): tuikuan sent it, to that partner,
 * and the partner has not yet acknowledged it with `success` — after which Alipay answers `false`, so that a
 * replayed notification is not taken twice.
 */
import { findMerchant } from '../store/sql/merchants.js';
import { findNotificationByNotifyId } from '../store/sql/notifications.js';
import type { CoreDeps } from './deps.js';

/** `unknown_partner` when no merchant has that PID (the caller's parameters are bad, not the id). */
export type NotifyIdVerdict = 'genuine' | 'not_genuine' | 'unknown_partner';

export async function judgeNotifyId(deps: CoreDeps, partnerPid: string, notifyId: string): Promise<NotifyIdVerdict> {
  if (!(await findMerchant(deps.store.db, partnerPid))) return 'unknown_partner';
  const notification = await findNotificationByNotifyId(deps.store.db, notifyId);
  const genuine = notification !== undefined && notification.pid === partnerPid && notification.acknowledgedAt === null;
  return genuine ? 'genuine' : 'not_genuine';
}
