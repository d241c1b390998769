/** Cashier sessions: a seller's on a batch's pages, or a buyer's on a pay order's. */
import type { Db } from '../store.js';

export interface CashierSession {
  id: string;
  /** The batch the seller's session is on, or null for a buyer's session. */
  batchId: number | null;
  /** The pay order the buyer's session is on, or null for a seller's session. */
  payOrderId: number | null;
  /** The buyer who logged in (pay orders only). */
  buyerUserId: string | null;
  csrfToken: string;
  loggedIn: boolean;
  createdAt: number;
  expiresAt: number;
}

export async function insertCashierSession(db: Db, session: CashierSession): Promise<void> {
  await db
    .insertInto('cashierSessions')
    .values({ ...session, loggedIn: session.loggedIn ? 1 : 0 })
    .execute();
}

export async function findCashierSession(db: Db, id: string): Promise<CashierSession | undefined> {
  const row = await db.selectFrom('cashierSessions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && { ...row, loggedIn: row.loggedIn === 1 };
}

/**
 * The session logs in under a new id and CSRF token, in one statement: the id a browser held before logging
 * in (which someone else may have planted or seen) is worth nothing after.
 */
export async function renewCashierSessionAtLogin(db: Db, id: string, renewed: { id: string; csrfToken: string; buyerUserId: string | null }): Promise<boolean> {
  const result = await db
    .updateTable('cashierSessions')
    .set({ id: renewed.id, csrfToken: renewed.csrfToken, buyerUserId: renewed.buyerUserId, loggedIn: 1 })
    .where('id', '=', id)
    .where('loggedIn', '=', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
