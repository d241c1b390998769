/** Merchants: creating them (with credentials and an opening balance), settings, balance adjustments. */
import { randomInt } from 'node:crypto';
import { applyLedgerEntry } from '../store/sql/apply-ledger-entry.js';
import { normalisePublicKey } from './apps.js';
import { findMerchant, findMerchantByEmail, insertMerchant, lockMerchant, updateMerchantSettings, type MerchantSettings } from '../store/sql/merchants.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './domain-error.js';
import { DEFAULT_FUND_MIX } from './fund-bill.js';
import { newMd5Key, newPid } from './identifiers.js';
import type { Merchant } from '../interfaces.js';
import type { Fen } from './money.js';
import { hashPassword } from './password.js';

export interface NewMerchant {
  /** A pid of its own, as a declared world names it. (Default: a new one) */
  pid?: string;
  name?: string;
  email?: string;
  balance?: Fen;
  md5Key?: string;
  loginPassword?: string;
  paymentPassword?: string;
}

export interface CreatedMerchant {
  merchant: Merchant;
  /** Returned once: only scrypt hashes are stored. */
  loginPassword: string;
  paymentPassword: string;
}

export async function createMerchant(deps: CoreDeps, input: NewMerchant): Promise<CreatedMerchant> {
  const now = deps.clock.now();
  const pid = input.pid ?? newPid();
  const email = input.email ?? `seller${pid.slice(-8)}@alitest.com`;
  const loginPassword = input.loginPassword ?? `pass${randomInt(100000, 1000000)}`;
  // Alipay payment passwords are six digits.
  const paymentPassword = input.paymentPassword ?? String(randomInt(0, 1000000)).padStart(6, '0');
  const [loginPasswordHash, paymentPasswordHash] = await Promise.all([hashPassword(loginPassword), hashPassword(paymentPassword)]);
  const duplicate = () => new DomainError('duplicate', `a merchant with email ${email} exists`);
  try {
    await deps.store.transaction(async (trx) => {
      if (await findMerchantByEmail(trx, email)) throw duplicate();
      await insertMerchant(trx, {
        pid,
        name: input.name ?? `测试商户${pid.slice(-4)}`,
        email,
        md5Key: input.md5Key ?? newMd5Key(),
        loginPasswordHash,
        paymentPasswordHash,
        feeRatePpm: 0,
        refundWindowDays: 365,
        pwdRefundEnabled: true,
        defaultFundMix: DEFAULT_FUND_MIX,
        dbackDelaySeconds: 3600,
        dbackOutcome: 'S',
        accountStatus: 'normal',
        nonRefundableProducts: [],
        mapiRsaPublicKey: null,
        mapiDsaPublicKey: null,
        createdAt: now,
      });
      if (input.balance) await applyLedgerEntry(trx, { pid, amount: input.balance, kind: 'opening', createdAt: now });
    });
  } catch (error) {
    // Two creations of one email at once: on PostgreSQL both reads find none, and the unique index refuses the second.
    if (isUniqueViolation(error)) throw duplicate();
    throw error;
  }
  return { merchant: await requireMerchant(deps, pid), loginPassword, paymentPassword };
}

/** The merchant with this PID, if any. */
export function merchantByPid(deps: CoreDeps, pid: string): Promise<Merchant | undefined> {
  return findMerchant(deps.store.db, pid);
}

/** The merchant whose Alipay account is this email (seller_email), if any. */
export function merchantByEmail(deps: CoreDeps, email: string): Promise<Merchant | undefined> {
  return findMerchantByEmail(deps.store.db, email);
}

export async function requireMerchant(deps: CoreDeps, pid: string): Promise<Merchant> {
  const merchant = await findMerchant(deps.store.db, pid);
  if (!merchant) throw new DomainError('merchant_not_found', `no merchant ${pid}`);
  return merchant;
}

export interface SettingsChange extends Omit<MerchantSettings, 'loginPasswordHash' | 'paymentPasswordHash'> {
  loginPassword?: string;
  paymentPassword?: string;
}

export async function changeMerchantSettings(deps: CoreDeps, pid: string, change: SettingsChange): Promise<Merchant> {
  await requireMerchant(deps, pid);
  const { loginPassword, paymentPassword, ...settings } = change;
  // A MAPI key is checked as an app's key is: junk refused now, not as ILLEGAL_SIGN at the partner's next request.
  if (settings.mapiRsaPublicKey) settings.mapiRsaPublicKey = normalisePublicKey(settings.mapiRsaPublicKey, 'mapi_rsa_public_key');
  if (settings.mapiDsaPublicKey) settings.mapiDsaPublicKey = normalisePublicKey(settings.mapiDsaPublicKey, 'mapi_dsa_public_key');
  const hashes: Partial<MerchantSettings> = {};
  if (loginPassword !== undefined) hashes.loginPasswordHash = await hashPassword(loginPassword);
  if (paymentPassword !== undefined) hashes.paymentPasswordHash = await hashPassword(paymentPassword);
  await updateMerchantSettings(deps.store.db, pid, { ...settings, ...hashes });
  return requireMerchant(deps, pid);
}

export type BalanceChange = { delta: Fen } | { set: Fen };

/** Adjusts a balance by a delta or to a value, as one ledger entry; never below zero. */
export async function adjustBalance(deps: CoreDeps, pid: string, change: BalanceChange): Promise<Merchant> {
  await deps.store.transaction(async (trx) => {
    const merchant = await lockMerchant(trx, pid);
    if (!merchant) throw new DomainError('merchant_not_found', `no merchant ${pid}`);
    const delta = 'delta' in change ? change.delta : change.set - merchant.balance;
    const balance = await applyLedgerEntry(trx, { pid, amount: delta, kind: 'adjustment', createdAt: deps.clock.now() });
    if (balance === null) throw new DomainError('balance_not_enough', 'the balance cannot go below zero');
  });
  return requireMerchant(deps, pid);
}
