/** The notifications owed, as they are read back: each with every attempt to deliver it. */
import {
  findNotificationByNotifyId,
  listAttempts,
  listNotifications,
  type Notification,
  type NotificationAttempt,
  type NotificationFilter,
  type NotificationKind,
} from '../store/sql/notifications.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './domain-error.js';

export type { Notification, NotificationAttempt, NotificationFilter, NotificationKind };

export const NOTIFICATION_KINDS: readonly NotificationKind[] = ['trade_status_sync', 'batch_refund_notify', 'alipay.trade.refund.depositback.completed'];

export function findNotifications(deps: CoreDeps, filter: NotificationFilter): Promise<Notification[]> {
  return listNotifications(deps.store.db, filter);
}

export async function requireNotification(deps: CoreDeps, notifyId: string): Promise<Notification> {
  const notification = await findNotificationByNotifyId(deps.store.db, notifyId);
  if (!notification) throw new DomainError('notification_not_found', `no notification ${notifyId}`);
  return notification;
}

export function notificationAttempts(deps: CoreDeps, notification: Notification): Promise<NotificationAttempt[]> {
  return listAttempts(deps.store.db, notification.id);
}
