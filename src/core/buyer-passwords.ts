/**
 * A buyer's passwords, checked: the login password (right or wrong), and the payment password, whose wrong
 * tries are counted — after five in a day it is locked, as Alipay locks it, until the count resets at the next
 * China midnight after the first of them; while locked even the right password is refused. A right one before
 * that clears the count. The count and its reset time are stored with the buyer; time is the Clock's.
 */
import { findBuyerCredentials, findBuyerRecord, updateBuyer } from '../store/sql/buyers.js';
import { nextChinaMidnight } from './china-date.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './domain-error.js';
import type { BuyerAccount } from '../interfaces.js';
import { verifyPassword } from './password.js';

/** Wrong payment passwords that lock it for the day. */
export const PAYMENT_PASSWORD_ATTEMPTS = 5;

export type PaymentPasswordCounter = Pick<BuyerAccount, 'paymentPasswordFailures' | 'paymentPasswordFailuresResetAt'>;

export type PaymentPasswordCheck =
  | { outcome: 'correct' }
  /** Wrong, with this many tries left today. */
  | { outcome: 'wrong'; attemptsLeft: number }
  /** Locked (by this try, or before it) until `lockedUntil`. */
  | { outcome: 'locked'; lockedUntil: number };

/** The wrong tries that count now: none once the count's reset time has come. */
export function failuresNow(counter: PaymentPasswordCounter, now: number): number {
  const resetAt = counter.paymentPasswordFailuresResetAt;
  return resetAt !== null && now < resetAt ? counter.paymentPasswordFailures : 0;
}

/** When the payment password stops being locked; null when it is not locked now. */
export function lockedUntil(counter: PaymentPasswordCounter, now: number): number | null {
  return failuresNow(counter, now) >= PAYMENT_PASSWORD_ATTEMPTS ? counter.paymentPasswordFailuresResetAt : null;
}

/** The counter after one more wrong try now: a fresh count runs until the next China midnight. */
export function counterAfterWrongTry(counter: PaymentPasswordCounter, now: number): PaymentPasswordCounter {
  const failures = failuresNow(counter, now);
  return {
    paymentPasswordFailures: failures + 1,
    paymentPasswordFailuresResetAt: failures === 0 ? nextChinaMidnight(now) : counter.paymentPasswordFailuresResetAt,
  };
}

/** What a try ends in, given the counter it leaves. */
function checkOf(counter: PaymentPasswordCounter, now: number): PaymentPasswordCheck {
  const until = lockedUntil(counter, now);
  if (until !== null) return { outcome: 'locked', lockedUntil: until };
  return { outcome: 'wrong', attemptsLeft: PAYMENT_PASSWORD_ATTEMPTS - failuresNow(counter, now) };
}

/** Whether this is the buyer's login password. */
export async function verifyBuyerLoginPassword(deps: CoreDeps, buyerUserId: string, password: string): Promise<boolean> {
  const credentials = await findBuyerCredentials(deps.store.db, buyerUserId);
  if (!credentials) throw new DomainError('buyer_not_found', `no buyer ${buyerUserId}`);
  return verifyPassword(password, credentials.loginPasswordHash);
}

/** Checks the buyer's payment password, counting a wrong one; a locked password is not even compared. */
export async function verifyBuyerPaymentPassword(deps: CoreDeps, buyerUserId: string, password: string): Promise<PaymentPasswordCheck> {
  const record = await findBuyerRecord(deps.store.db, buyerUserId);
  const credentials = await findBuyerCredentials(deps.store.db, buyerUserId);
  if (!record || !credentials) throw new DomainError('buyer_not_found', `no buyer ${buyerUserId}`);
  const until = lockedUntil(record, deps.clock.now());
  if (until !== null) return { outcome: 'locked', lockedUntil: until };
  // scrypt outside the transaction: the buyer's row is locked only for the count.
  const right = await verifyPassword(password, credentials.paymentPasswordHash);
  return deps.store.transaction(async (trx) => {
    const now = deps.clock.now();
    const current = await findBuyerRecord(trx, buyerUserId, true);
    if (!current) throw new DomainError('buyer_not_found', `no buyer ${buyerUserId}`);
    // Tries made meanwhile count: one of them may have locked it.
    const lockedMeanwhile = lockedUntil(current, now);
    if (lockedMeanwhile !== null) return { outcome: 'locked', lockedUntil: lockedMeanwhile };
    if (right) {
      if (current.paymentPasswordFailures !== 0) await updateBuyer(trx, buyerUserId, { paymentPasswordFailures: 0, paymentPasswordFailuresResetAt: null });
      return { outcome: 'correct' };
    }
    const counter = counterAfterWrongTry(current, now);
    await updateBuyer(trx, buyerUserId, counter);
    return checkOf(counter, now);
  });
}
