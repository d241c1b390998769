/**
 * "Resend now": a notification not yet delivered — due later, given up after its last scheduled attempt, or
 * whose job died — is made due now, and the worker delivers it as it delivers every scheduled attempt (signed
 * afresh, counted, recorded in the journal). Unlike the admin API's re-send by hand (`/resend`), the caller
 * does not wait for the merchant's answer: the attempt shows up in the journal when it is made.
 */
import { addJob } from '../store/sql/jobs.js';
import { reopenNotification } from '../store/sql/notifications.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './domain-error.js';
import { requireNotification, type Notification } from './notification-journal.js';

/** Makes the notification due now; `notification_not_found`, or `notification_delivered` when there is nothing to resend. */
export async function resendNotificationNow(deps: CoreDeps, notifyId: string): Promise<Notification> {
  const notification = await requireNotification(deps, notifyId);
  const now = deps.clock.now();
  const reopened = await deps.store.transaction(async (trx) => {
    if (!(await reopenNotification(trx, notification.id, now))) return false;
    // One job per notification: this moves a pending one's to now, and brings a dead one back to life.
    await addJob(trx, { kind: 'notify', subject: String(notification.id), runAt: now, now });
    return true;
  });
  if (!reopened) throw new DomainError('notification_delivered', `notification ${notifyId} has been delivered: the merchant answered success`);
  return requireNotification(deps, notifyId);
}
