/**
 * What happened in a span of business time, and what a trade caused: the reads behind the console's clock
 * ("what ran on the way") and a trade's page (the ledger entries it caused). Read-only.
 */
import type { Db } from '../store.js';
import type { LedgerEntryKind, LedgerEntryRow } from './apply-ledger-entry.js';

/** An attempt with the notification it belongs to. */
export interface AttemptInSpan {
  notifyId: string;
  kind: string;
  attempt: number;
  startedAt: number;
  url: string;
  httpStatus: number | null;
  delivered: boolean;
  manual: boolean;
  error: string | null;
}

export async function attemptsBetween(db: Db, from: number, to: number, limit = 500): Promise<AttemptInSpan[]> {
  const rows = await db
    .selectFrom('notificationAttempts as a')
    .innerJoin('notifications as n', 'n.id', 'a.notificationId')
    .select(['n.notifyId', 'n.kind', 'a.attempt', 'a.startedAt', 'a.url', 'a.httpStatus', 'a.delivered', 'a.manual', 'a.error'])
    .where('a.startedAt', '>=', from)
    .where('a.startedAt', '<=', to)
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, startedAt: Number(row.startedAt), delivered: row.delivered === 1, manual: row.manual === 1 }));
}

/** The ids of refunds that changed in the span (made, tried, carried out or given up). */
export async function refundIdsTouchedBetween(db: Db, from: number, to: number, limit = 500): Promise<number[]> {
  const rows = await db.selectFrom('refunds').select('id').where('updatedAt', '>=', from).where('updatedAt', '<=', to).orderBy('id').limit(limit).execute();
  return rows.map((row) => row.id);
}

function toEntry(row: {
  id: number;
  pid: string;
  amount: number;
  kind: string;
  tradeNo: string | null;
  refundId: number | null;
  memo: string | null;
  createdAt: number;
}): LedgerEntryRow {
  return { ...row, kind: row.kind as LedgerEntryKind };
}

export async function ledgerEntriesBetween(db: Db, from: number, to: number, limit = 500): Promise<LedgerEntryRow[]> {
  const rows = await db
    .selectFrom('ledgerEntries')
    .selectAll()
    .where('createdAt', '>=', from)
    .where('createdAt', '<=', to)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toEntry);
}

export async function ledgerEntriesOfTrade(db: Db, tradeNo: string, limit = 1000): Promise<LedgerEntryRow[]> {
  const rows = await db.selectFrom('ledgerEntries').selectAll().where('tradeNo', '=', tradeNo).orderBy('id').limit(limit).execute();
  return rows.map(toEntry);
}

/**
 * A mark that moves whenever the notification journal gains a notification or an attempt: the newest of each.
 * Both are index reads, so every open journal page can poll it cheaply.
 */
export async function journalMark(db: Db): Promise<string> {
  const notifications = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.max('id').as('top'))
    .executeTakeFirst();
  const attempts = await db
    .selectFrom('notificationAttempts')
    .select((eb) => eb.fn.max('id').as('top'))
    .executeTakeFirst();
  return `${notifications?.top ?? 0}.${attempts?.top ?? 0}`;
}
