/**
 * Buyers: creating them (with credentials and opening funds), reading them by buyer user id or logon id, and
 * changing them (funds set or topped up, account status, passwords). Passwords are checked in
 * buyer-passwords.ts; payments draw on the funds in buyer-debit.ts, refunds give back in buyer-credit.ts.
 */
import { randomInt } from 'node:crypto';
import { findBuyerRecord, findBuyerRecordByLogonId, insertBuyer, updateBuyer, type BuyerUpdate } from '../store/sql/buyers.js';
import { findMerchant } from '../store/sql/merchants.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import { fundsWithSet, fundsWithTopUp, loadBuyer, lockBuyer, NO_FUNDS, storeFunds, type FundsSet, type FundsTopUp } from './buyer-funds.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './domain-error.js';
import { newBuyerUserId } from './identifiers.js';
import type { AccountStatus, Buyer } from '../interfaces.js';
import { hashPassword } from './password.js';

export interface NewBuyer {
  /** A buyer user id of its own, as a declared world names it. (Default: a new one) */
  buyerUserId?: string;
  /** An email or an 11-digit mobile number. (Default: `buyer<last 8 digits of the id>@alitest.com`) */
  logonId?: string;
  /** (Default: 测试买家 and the id's last four digits) */
  name?: string;
  /** (Default: a new one, returned once) */
  loginPassword?: string;
  /** Six digits. (Default: a new one, returned once) */
  paymentPassword?: string;
  /** (Default: normal) */
  accountStatus?: AccountStatus;
  /** (Default: none) */
  funds?: FundsSet;
}

export interface CreatedBuyer {
  buyer: Buyer;
  /** Returned once: only scrypt hashes are stored. */
  loginPassword: string;
  paymentPassword: string;
}

export interface BuyerChange {
  name?: string;
  accountStatus?: AccountStatus;
  loginPassword?: string;
  /** A new payment password also ends a lockout and clears the count of wrong ones. */
  paymentPassword?: string;
  /** Parts of the funds declared anew. */
  funds?: FundsSet;
  /** Funds added, after `funds` is applied. */
  topUp?: FundsTopUp;
}

const BUYER_USER_ID = /^2088\d{12}$/;
const MOBILE = /^1\d{10}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

/** Whether a text can be a buyer's logon id: an email (at most 100 characters) or an 11-digit mobile number. */
export function isLogonId(text: string): boolean {
  return MOBILE.test(text) || (text.length <= 100 && EMAIL.test(text));
}

/** How a logon id is kept: emails in lower case (one account however it is typed), mobile numbers as they are. */
export function normaliseLogonId(text: string): string {
  return text.includes('@') ? text.toLowerCase() : text;
}

/**
 * The logon id as Alipay shows it to the merchant (`buyer_logon_id`): a mobile number's middle four digits
 * masked (`159****5620`), an email's name after its first three characters (`csq***@sandbox.com`).
 */
export function maskedLogonId(logonId: string): string {
  if (MOBILE.test(logonId)) return `${logonId.slice(0, 3)}****${logonId.slice(7)}`;
  const at = logonId.indexOf('@');
  if (at < 0) return logonId;
  return `${logonId.slice(0, Math.min(3, at))}***${logonId.slice(at)}`;
}

/** A buyer user id taken by no buyer and no merchant: buyers' ids and merchants' pids are one space. */
async function freeBuyerUserId(deps: CoreDeps): Promise<string> {
  for (;;) {
    const id = newBuyerUserId();
    if (!(await findBuyerRecord(deps.store.db, id)) && !(await findMerchant(deps.store.db, id))) return id;
  }
}

export async function createBuyer(deps: CoreDeps, input: NewBuyer): Promise<CreatedBuyer> {
  const now = deps.clock.now();
  if (input.buyerUserId !== undefined && !BUYER_USER_ID.test(input.buyerUserId)) throw new DomainError('invalid_request', 'buyer_user_id: 2088 and 12 digits');
  if (input.logonId !== undefined && !isLogonId(input.logonId)) throw new DomainError('invalid_request', 'logon_id: an email or an 11-digit mobile number');
  if (input.paymentPassword !== undefined && !/^\d{6}$/.test(input.paymentPassword)) throw new DomainError('invalid_request', 'payment_password: six digits');
  const buyerUserId = input.buyerUserId ?? (await freeBuyerUserId(deps));
  const logonId = normaliseLogonId(input.logonId ?? `buyer${buyerUserId.slice(-8)}@alitest.com`);
  const loginPassword = input.loginPassword ?? `pass${randomInt(100000, 1000000)}`;
  // Alipay payment passwords are six digits.
  const paymentPassword = input.paymentPassword ?? String(randomInt(0, 1000000)).padStart(6, '0');
  const funds = fundsWithSet(NO_FUNDS, input.funds ?? {}, now);
  const [loginPasswordHash, paymentPasswordHash] = await Promise.all([hashPassword(loginPassword), hashPassword(paymentPassword)]);
  const duplicate = () => new DomainError('duplicate', `a buyer with logon id ${logonId} exists`);
  try {
    await deps.store.transaction(async (trx) => {
      if (await findBuyerRecordByLogonId(trx, logonId)) throw duplicate();
      if (await findBuyerRecord(trx, buyerUserId)) throw new DomainError('duplicate', `a buyer ${buyerUserId} exists`);
      if (await findMerchant(trx, buyerUserId)) throw new DomainError('duplicate', `${buyerUserId} is a merchant's pid`);
      await insertBuyer(trx, {
        buyerUserId,
        logonId,
        name: input.name ?? `测试买家${buyerUserId.slice(-4)}`,
        loginPasswordHash,
        paymentPasswordHash,
        accountStatus: input.accountStatus ?? 'normal',
        paymentPasswordFailures: 0,
        paymentPasswordFailuresResetAt: null,
        createdAt: now,
        balance: 0,
        yuebao: 0,
        huabeiLimit: 0,
        huabeiUsed: 0,
        points: 0,
      });
      await storeFunds(trx, buyerUserId, NO_FUNDS, funds);
    });
  } catch (error) {
    // Two creations of one logon id at once: on PostgreSQL both reads find none, and the unique index refuses the second.
    if (isUniqueViolation(error)) throw duplicate();
    throw error;
  }
  return { buyer: await requireBuyer(deps, buyerUserId), loginPassword, paymentPassword };
}

/** The buyer with this buyer user id, if any. */
export function buyerByUserId(deps: CoreDeps, buyerUserId: string): Promise<Buyer | undefined> {
  return loadBuyer(deps.store.db, buyerUserId);
}

/** The buyer whose logon id this is (an email in any case), if any. */
export async function buyerByLogonId(deps: CoreDeps, logonId: string): Promise<Buyer | undefined> {
  const record = await findBuyerRecordByLogonId(deps.store.db, normaliseLogonId(logonId));
  return record && loadBuyer(deps.store.db, record.buyerUserId);
}

export async function requireBuyer(deps: CoreDeps, buyerUserId: string): Promise<Buyer> {
  const buyer = await buyerByUserId(deps, buyerUserId);
  if (!buyer) throw new DomainError('buyer_not_found', `no buyer ${buyerUserId}`);
  return buyer;
}

export async function changeBuyer(deps: CoreDeps, buyerUserId: string, change: BuyerChange): Promise<Buyer> {
  if (change.paymentPassword !== undefined && !/^\d{6}$/.test(change.paymentPassword)) throw new DomainError('invalid_request', 'payment_password: six digits');
  await requireBuyer(deps, buyerUserId);
  const update: BuyerUpdate = {
    ...(change.name !== undefined && { name: change.name }),
    ...(change.accountStatus !== undefined && { accountStatus: change.accountStatus }),
    ...(change.loginPassword !== undefined && { loginPasswordHash: await hashPassword(change.loginPassword) }),
    ...(change.paymentPassword !== undefined && {
      paymentPasswordHash: await hashPassword(change.paymentPassword),
      paymentPasswordFailures: 0,
      paymentPasswordFailuresResetAt: null,
    }),
  };
  const now = deps.clock.now();
  try {
    await deps.store.transaction(async (trx) => {
      const buyer = await lockBuyer(trx, buyerUserId);
      await updateBuyer(trx, buyerUserId, update);
      if (change.funds || change.topUp) {
        const funds = fundsWithTopUp(fundsWithSet(buyer.funds, change.funds ?? {}, now), change.topUp ?? {}, now);
        await storeFunds(trx, buyerUserId, buyer.funds, funds);
      }
    });
  } catch (error) {
    // A voucher id given at once to two buyers: the primary key refuses the second.
    if (isUniqueViolation(error)) throw new DomainError('duplicate', 'a coupon with that voucher_id exists');
    throw error;
  }
  return requireBuyer(deps, buyerUserId);
}
