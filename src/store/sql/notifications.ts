/** Notifications owed to merchants (the outbox) and every attempt to deliver them. */
import type { NotificationAttemptRow, NotificationRow } from '../schema.js';
import type { Db } from '../store.js';

export type NotificationKind = 'trade_status_sync' | 'batch_refund_notify';
export type NotificationStatus = 'pending' | 'delivered' | 'given_up';

export interface Notification {
  id: number;
  notifyId: string;
  kind: NotificationKind;
  pid: string;
  appId: string | null;
  url: string;
  charset: string;
  signType: string;
  /** The notification's parameters except notify_time, sign_type and sign, which each attempt adds. */
  params: Record<string, string>;
  status: NotificationStatus;
  attempts: number;
  nextAttemptAt: number | null;
  acknowledgedAt: number | null;
  tradeNo: string | null;
  refundId: number | null;
  batchNo: string | null;
  createdAt: number;
}

export interface NotificationAttempt {
  attempt: number;
  startedAt: number;
  url: string;
  requestBody: string;
  httpStatus: number | null;
  responseBody: string | null;
  error: string | null;
  delivered: boolean;
  manual: boolean;
  nextAttemptAt: number | null;
}

export type NewNotification = Omit<Notification, 'id' | 'status' | 'attempts' | 'acknowledgedAt'>;

export async function insertNotification(db: Db, notification: NewNotification): Promise<number> {
  const row = await db
    .insertInto('notifications')
    .values({ ...notification, params: JSON.stringify(notification.params), status: 'pending', attempts: 0, acknowledgedAt: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findNotification(db: Db, id: number): Promise<Notification | undefined> {
  const row = await db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toNotification(row);
}

export async function findNotificationByNotifyId(db: Db, notifyId: string): Promise<Notification | undefined> {
  const row = await db.selectFrom('notifications').selectAll().where('notifyId', '=', notifyId).executeTakeFirst();
  return row && toNotification(row);
}

export interface NotificationFilter {
  tradeNo?: string | undefined;
  notifyId?: string | undefined;
  batchNo?: string | undefined;
  kind?: NotificationKind | undefined;
  pid?: string | undefined;
  limit?: number;
}

export async function listNotifications(db: Db, filter: NotificationFilter): Promise<Notification[]> {
  let query = db.selectFrom('notifications').selectAll().orderBy('id').limit(filter.limit ?? 1000);
  if (filter.tradeNo) query = query.where('tradeNo', '=', filter.tradeNo);
  if (filter.notifyId) query = query.where('notifyId', '=', filter.notifyId);
  if (filter.batchNo) query = query.where('batchNo', '=', filter.batchNo);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.pid) query = query.where('pid', '=', filter.pid);
  return (await query.execute()).map(toNotification);
}

/**
 * Records one attempt and the notification's state after it. `attempts` counts the scheduled attempts
 * only; an attempt by hand leaves the schedule as it was.
 */
export async function recordAttempt(
  db: Db,
  notificationId: number,
  attempt: NotificationAttempt,
  state: { status: NotificationStatus; attempts: number; nextAttemptAt: number | null; acknowledgedAt: number | null },
): Promise<void> {
  await db
    .insertInto('notificationAttempts')
    .values({ notificationId, ...attempt, delivered: attempt.delivered ? 1 : 0, manual: attempt.manual ? 1 : 0 })
    .execute();
  await db.updateTable('notifications').set(state).where('id', '=', notificationId).execute();
}

export async function listAttempts(db: Db, notificationId: number): Promise<NotificationAttempt[]> {
  const rows = await db
    .selectFrom('notificationAttempts')
    .selectAll()
    .where('notificationId', '=', notificationId)
    .orderBy('id')
    .execute();
  return rows.map(toAttempt);
}

function toNotification(row: NotificationRow): Notification {
  return {
    ...row,
    kind: row.kind as NotificationKind,
    status: row.status as NotificationStatus,
    params: JSON.parse(row.params) as Record<string, string>,
  };
}

function toAttempt(row: NotificationAttemptRow): NotificationAttempt {
  return {
    attempt: row.attempt,
    startedAt: row.startedAt,
    url: row.url,
    requestBody: row.requestBody,
    httpStatus: row.httpStatus,
    responseBody: row.responseBody,
    error: row.error,
    delivered: row.delivered === 1,
    manual: row.manual === 1,
    nextAttemptAt: row.nextAttemptAt,
  };
}
