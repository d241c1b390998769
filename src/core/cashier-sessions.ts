/**
 * The seller's session on the cashier pages of one batch: whether the seller has logged in, and the
 * CSRF token its forms must carry. Sessions last 30 minutes. Wrong passwords are counted on the batch
 * (batches.ts), not here, so that a new session gains no tries.
 */
import { timingSafeEqual } from 'node:crypto';
import { findCashierSession, insertCashierSession, renewCashierSessionAtLogin, type CashierSession } from '../store/sql/batches.js';
import type { CoreDeps } from './deps.js';
import { newSecret } from './identifiers.js';
import type { Batch } from '../interfaces.js';

const SESSION_MS = 30 * 60 * 1000;

export type { CashierSession };

export async function openCashierSession(deps: CoreDeps, batch: Batch): Promise<CashierSession> {
  const now = deps.clock.now();
  const session: CashierSession = {
    id: newSecret(24),
    batchId: batch.id,
    csrfToken: newSecret(16),
    loggedIn: false,
    createdAt: now,
    expiresAt: now + SESSION_MS,
  };
  await insertCashierSession(deps.store.db, session);
  return session;
}

/** The session with this id for this batch, unless it has expired. */
export async function findCashierSessionFor(deps: CoreDeps, id: string | undefined, batch: Batch): Promise<CashierSession | null> {
  if (!id) return null;
  const session = await findCashierSession(deps.store.db, id);
  if (!session || session.batchId !== batch.id || session.expiresAt < deps.clock.now()) return null;
  return session;
}

export function csrfValid(session: CashierSession, token: string | undefined): boolean {
  if (!token) return false;
  const given = Buffer.from(token);
  const expected = Buffer.from(session.csrfToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The seller has logged in: the session goes on under a new id and CSRF token (against session fixation).
 * Null when the session is gone meanwhile (a second login with the same cookie renewed it first).
 */
export async function markLoggedIn(deps: CoreDeps, session: CashierSession): Promise<CashierSession | null> {
  const renewed = { ...session, id: newSecret(24), csrfToken: newSecret(16), loggedIn: true };
  return (await renewCashierSessionAtLogin(deps.store.db, session.id, renewed)) ? renewed : null;
}
