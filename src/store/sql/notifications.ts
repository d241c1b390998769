/** Notifications owed to merchants (the outbox) and every attempt to deliver them. */
import { sql } from 'kysely';
import type { NotificationFacts } from '../../interfaces.js';
import type { NotificationAttemptRow, NotificationRow } from '../schema.js';
import { firstRow, prepareQuery } from '../prepared-query.js';
import type { Db } from '../store.js';

export type NotificationKind = 'trade_status_sync' | 'batch_refund_notify' | 'alipay.trade.refund.depositback.completed';
export type NotificationStatus = 'pending' | 'delivered' | 'given_up';

export interface Notification {
  id: number;
  notifyId: string;
  kind: NotificationKind;
  pid: string;
  appId: string | null;
  url: string;
  charset: string;
  /** What it reports, encoded when sent; null for a row owed before facts were kept (see `legacy`). */
  facts: NotificationFacts | null;
  /** A row owed before facts were kept: its encoded parameters (but notify_time, sign_type, sign) and sign type. */
  legacy: { params: Record<string, string>; signType: string } | null;
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

export type NewNotification = Omit<Notification, 'id' | 'status' | 'attempts' | 'acknowledgedAt' | 'facts' | 'legacy'> & { facts: NotificationFacts };

type NotificationInsert = Omit<NewNotification, 'facts'> & { facts: string };

const insertNotificationRow = prepareQuery((db, p: NotificationInsert) =>
  db
    .insertInto('notifications')
    .values({ ...p, signType: '', params: '', status: 'pending', attempts: 0, acknowledgedAt: null })
    .returning('id'),
);

export async function insertNotification(db: Db, notification: NewNotification): Promise<number> {
  const row = await firstRow(insertNotificationRow, db, { ...notification, facts: JSON.stringify(notification.facts) });
  if (!row) throw new Error('insert into notifications returned no id');
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
  /** Only notifications in these states. (Default: any) */
  statuses?: readonly NotificationStatus[] | undefined;
  /** Only pending ones that have had an attempt not answered `success`, and given-up ones. (Default: false) */
  failing?: boolean | undefined;
  /** Newest first, as a journal is read. (Default: oldest first) */
  newestFirst?: boolean | undefined;
  limit?: number;
}

export async function listNotifications(db: Db, filter: NotificationFilter): Promise<Notification[]> {
  let query = db
    .selectFrom('notifications')
    .selectAll()
    .orderBy('id', filter.newestFirst ? 'desc' : 'asc')
    .limit(filter.limit ?? 1000);
  if (filter.tradeNo) query = query.where('tradeNo', '=', filter.tradeNo);
  if (filter.statuses) query = query.where('status', 'in', [...filter.statuses]);
  if (filter.failing) query = query.where((eb) => eb.or([eb('status', '=', 'given_up'), eb.and([eb('status', '=', 'pending'), eb('attempts', '>', 0)])]));
  if (filter.notifyId) query = query.where('notifyId', '=', filter.notifyId);
  if (filter.batchNo) query = query.where('batchNo', '=', filter.batchNo);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.pid) query = query.where('pid', '=', filter.pid);
  return (await query.execute()).map(toNotification);
}

export interface NotificationState {
  status: NotificationStatus;
  attempts: number;
  nextAttemptAt: number | null;
  acknowledgedAt: number | null;
}

async function insertAttempt(db: Db, notificationId: number, attempt: NotificationAttempt): Promise<void> {
  await db
    .insertInto('notificationAttempts')
    .values({ notificationId, ...attempt, delivered: attempt.delivered ? 1 : 0, manual: attempt.manual ? 1 : 0 })
    .execute();
}

/**
 * Records a scheduled attempt and the notification's state after it. The attempt was made from a read taken
 * before the POST, and a re-send by hand may have settled the notification meanwhile, so the write is
 * conditional: it counts the attempt only if the count is still the one read (`attemptsRead`; else another
 * run of the same job has recorded it), and it sets status and next attempt only if the notification is
 * still pending; and it records the attempt only when it counted it. Returns the state after, or null when
 * another run had already counted this attempt.
 */
export async function recordScheduledAttempt(
  db: Db,
  notificationId: number,
  attempt: NotificationAttempt,
  attemptsRead: number,
  outcome: { status: NotificationStatus; nextAttemptAt: number | null; acknowledgedAt: number | null },
): Promise<NotificationState | null> {
  // In an update every expression reads the row as it was, so each `status = 'pending'` tests the old status.
  const row = await db
    .updateTable('notifications')
    .set({
      attempts: sql<number>`attempts + 1`,
      status: sql<string>`case when status = 'pending' then ${outcome.status} else status end`,
      nextAttemptAt: sql<number | null>`case when status = 'pending' then ${outcome.nextAttemptAt} else next_attempt_at end`,
      acknowledgedAt: sql<number | null>`case when status = 'pending' then ${outcome.acknowledgedAt} else acknowledged_at end`,
    })
    .where('id', '=', notificationId)
    .where('attempts', '=', attemptsRead)
    .returning(['status', 'attempts', 'nextAttemptAt', 'acknowledgedAt'])
    .executeTakeFirst();
  // A run that took over this attempt (the first holder's lease ran out mid-POST) has recorded it already:
  // the attempt is written once, by whichever run counts it.
  if (!row) return null;
  await insertAttempt(db, notificationId, attempt);
  return { ...row, status: row.status as NotificationStatus };
}

/**
 * Records an attempt made by hand. It leaves the schedule as it is (attempts, next attempt), whatever a
 * scheduled attempt wrote meanwhile; a `success` to it settles the notification, keeping the first
 * acknowledgement if there was one.
 */
export async function recordManualAttempt(db: Db, notificationId: number, attempt: NotificationAttempt, now: number): Promise<void> {
  await insertAttempt(db, notificationId, attempt);
  if (attempt.delivered) await settleNotification(db, notificationId, now);
}

/**
 * A notification not delivered made due at `now` (pending again if it had been given up); false when it was
 * delivered meanwhile. Its job is the caller's to schedule, in the same transaction.
 */
export async function reopenNotification(db: Db, notificationId: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('notifications')
    .set({ status: 'pending', nextAttemptAt: now })
    .where('id', '=', notificationId)
    .where('status', '<>', 'delivered')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The merchant answered `success`: delivered, keeping the first acknowledgement if there was one. */
export async function settleNotification(db: Db, notificationId: number, now: number): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ status: 'delivered', nextAttemptAt: null, acknowledgedAt: sql<number>`coalesce(acknowledged_at, ${now})` })
    .where('id', '=', notificationId)
    .execute();
}

export async function listAttempts(db: Db, notificationId: number): Promise<NotificationAttempt[]> {
  const rows = await db.selectFrom('notificationAttempts').selectAll().where('notificationId', '=', notificationId).orderBy('id').execute();
  return rows.map(toAttempt);
}

function toNotification(row: NotificationRow): Notification {
  const { facts, params, signType, ...rest } = row;
  return {
    ...rest,
    kind: row.kind as NotificationKind,
    status: row.status as NotificationStatus,
    facts: facts === null ? null : (JSON.parse(facts) as NotificationFacts),
    legacy: facts === null ? { params: JSON.parse(params) as Record<string, string>, signType } : null,
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
