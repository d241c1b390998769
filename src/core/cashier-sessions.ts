/**
 * A session on the cashier pages: a seller's on one batch, or a buyer's on one pay order — whether someone has
 * logged in (and, for a pay order, which buyer), and the CSRF token its forms must carry. Sessions last 30
 * minutes. Wrong login passwords are counted on the batch or the order, not here, so that a new session gains
 * no tries.
 */
import { timingSafeEqual } from 'node:crypto';
import { findCashierSession, insertCashierSession, renewCashierSessionAtLogin, type CashierSession } from '../store/sql/cashier-sessions.js';
import type { CoreDeps } from './deps.js';
import { newSecret } from './identifiers.js';

const SESSION_MS = 30 * 60 * 1000;

export type { CashierSession };

/** What a session is on: a batch (the seller's pages) or a pay order (the buyer's). */
export type CashierSubject = { batchId: number } | { payOrderId: number };

function isOn(session: CashierSession, subject: CashierSubject): boolean {
  return 'batchId' in subject ? session.batchId === subject.batchId : session.payOrderId === subject.payOrderId;
}

export async function openCashierSession(deps: CoreDeps, subject: CashierSubject): Promise<CashierSession> {
  const now = deps.clock.now();
  const session: CashierSession = {
    id: newSecret(24),
    batchId: 'batchId' in subject ? subject.batchId : null,
    payOrderId: 'payOrderId' in subject ? subject.payOrderId : null,
    buyerUserId: null,
    csrfToken: newSecret(16),
    loggedIn: false,
    createdAt: now,
    expiresAt: now + SESSION_MS,
  };
  await insertCashierSession(deps.store.db, session);
  return session;
}

/** The session with this id on this batch or order, unless it has expired. */
export async function findCashierSessionFor(deps: CoreDeps, id: string | undefined, subject: CashierSubject): Promise<CashierSession | null> {
  if (!id) return null;
  const session = await findCashierSession(deps.store.db, id);
  if (!session || !isOn(session, subject) || session.expiresAt < deps.clock.now()) return null;
  return session;
}

export function csrfValid(session: CashierSession, token: string | undefined): boolean {
  if (!token) return false;
  const given = Buffer.from(token);
  const expected = Buffer.from(session.csrfToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Someone has logged in — the seller, or the buyer named: the session goes on under a new id and CSRF token
 * (against session fixation). Null when the session is gone meanwhile (a second login with the same cookie
 * renewed it first).
 */
export async function markLoggedIn(deps: CoreDeps, session: CashierSession, buyerUserId: string | null = null): Promise<CashierSession | null> {
  const renewed = { ...session, id: newSecret(24), csrfToken: newSecret(16), loggedIn: true, buyerUserId };
  return (await renewCashierSessionAtLogin(deps.store.db, session.id, renewed)) ? renewed : null;
}
