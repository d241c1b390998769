/**
 * What happened in a span of business time — the console's answer to "what ran on the way" when the virtual
 * clock moves: every notification attempt made, every refund that moved, every ledger entry written.
 */
import { attemptsBetween, ledgerEntriesBetween, refundIdsTouchedBetween, type AttemptInSpan } from '../store/sql/activity-between.js';
import type { LedgerEntryRow } from '../store/sql/apply-ledger-entry.js';
import { findRefundById } from '../store/sql/refunds.js';
import type { Refund } from '../interfaces.js';
import type { CoreDeps } from './deps.js';

export type { AttemptInSpan };

export interface Activity {
  from: number;
  to: number;
  attempts: AttemptInSpan[];
  refunds: Refund[];
  ledger: LedgerEntryRow[];
}

export async function activityBetween(deps: CoreDeps, from: number, to: number): Promise<Activity> {
  const db = deps.store.db;
  const refundIds = await refundIdsTouchedBetween(db, from, to);
  const refunds = (await Promise.all(refundIds.map((id) => findRefundById(db, id)))).filter((refund): refund is Refund => refund !== undefined);
  return { from, to, attempts: await attemptsBetween(db, from, to), refunds, ledger: await ledgerEntriesBetween(db, from, to) };
}
