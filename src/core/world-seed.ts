/**
 * A declared world (`serve --seed <file>`, `--demo`): merchants, apps, app auth tokens, buyers and trades with ids of
 * their own, applied at every start. What exists is kept, what is missing is made, nothing is made twice —
 * so a merchant's test configuration (app id, keys, `alipayPublicKey`) works unchanged against a fresh data
 * dir. A declared value that contradicts the store — another key for an existing app, another email for an
 * existing pid — fails the start with a WorldConflict saying what differs; values that the running system
 * changes (balances, settings, names) are set only when the thing is made.
 */
import { createPublicKey } from 'node:crypto';
import { findApp, findAppAuthToken } from '../store/sql/apps.js';
import { findBuyerCredentials, findBuyerRecord, findBuyerRecordByLogonId } from '../store/sql/buyers.js';
import { findMerchant, findMerchantByEmail, findMerchantCredentials } from '../store/sql/merchants.js';
import { findTrade } from '../store/sql/trades.js';
import { changeAppSettings, createApp, issueAppAuthToken, normalisePublicKey } from './apps.js';
import { createBuyer, normaliseLogonId, type NewBuyer } from './buyers.js';
import type { Validity } from './certificate-authority.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './domain-error.js';
import type { KeyMode } from '../interfaces.js';
import { changeMerchantSettings, createMerchant, type NewMerchant, type SettingsChange } from './merchants.js';
import { verifyPassword } from './password.js';
import { createTrade, type TradeDraft } from './trades.js';

export interface SeedMerchant extends NewMerchant {
  pid: string;
  /** Settings applied when the merchant is made. (Default: none) */
  settings?: SettingsChange;
}

export interface SeedApp {
  appId: string;
  pid: string;
  appPublicKey?: string;
  rsaPublicKey?: string;
  keyMode?: KeyMode;
  aesKey?: string;
  messageUrl?: string;
}

export interface SeedAppAuthToken {
  token: string;
  appId: string;
  pid: string;
}

export interface SeedBuyer extends NewBuyer {
  buyerUserId: string;
}

export interface SeedTrade extends Omit<TradeDraft, 'app'> {
  appId: string;
}

export interface WorldSeed {
  merchants: SeedMerchant[];
  apps: SeedApp[];
  appAuthTokens: SeedAppAuthToken[];
  /** (Default: none) */
  buyers?: SeedBuyer[];
  trades: SeedTrade[];
  /** Validity of seeded apps' certificates, so that they come out the same on every machine. */
  certificateValidity?: Validity;
}

/** A declared value the store contradicts. */
export class WorldConflict extends Error {
  override readonly name = 'WorldConflict';
}

const spki = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });

export async function applyWorldSeed(deps: CoreDeps, seed: WorldSeed): Promise<void> {
  for (const merchant of seed.merchants) await seedMerchant(deps, merchant);
  for (const app of seed.apps) await seedApp(deps, app, seed.certificateValidity);
  for (const token of seed.appAuthTokens) await seedAppAuthToken(deps, token);
  for (const buyer of seed.buyers ?? []) await seedBuyer(deps, buyer);
  for (const trade of seed.trades) await seedTrade(deps, trade);
}

async function seedMerchant(deps: CoreDeps, declared: SeedMerchant): Promise<void> {
  const db = deps.store.db;
  const existing = await findMerchant(db, declared.pid);
  if (!existing) {
    if (declared.email && (await findMerchantByEmail(db, declared.email))) {
      throw new WorldConflict(`merchant ${declared.pid}: email ${declared.email} belongs to another merchant in this store`);
    }
    const { settings, ...identity } = declared;
    await createMerchant(deps, identity);
    if (settings) await changeMerchantSettings(deps, declared.pid, settings);
    return;
  }
  const differs = (what: string) => new WorldConflict(`merchant ${declared.pid}: the declared ${what} is not the one this store has`);
  if (declared.email !== undefined && declared.email !== existing.email) throw differs('email');
  if (declared.md5Key !== undefined && declared.md5Key !== existing.md5Key) throw differs('md5_key');
  const credentials = await findMerchantCredentials(db, declared.pid);
  if (declared.loginPassword !== undefined && !(await verifyPassword(declared.loginPassword, credentials?.loginPasswordHash ?? '')))
    throw differs('login_password');
  if (declared.paymentPassword !== undefined && !(await verifyPassword(declared.paymentPassword, credentials?.paymentPasswordHash ?? '')))
    throw differs('payment_password');
}

async function seedApp(deps: CoreDeps, declared: SeedApp, certificateValidity: Validity | undefined): Promise<void> {
  if (!declared.appPublicKey && !declared.rsaPublicKey) {
    throw new WorldConflict(`app ${declared.appId}: declare app_public_key or rsa_public_key (a key made here could not be given back)`);
  }
  const existing = await findApp(deps.store.db, declared.appId);
  if (!existing) {
    await createApp(deps, {
      appId: declared.appId,
      pid: declared.pid,
      ...(declared.appPublicKey && { appPublicKey: declared.appPublicKey }),
      ...(declared.rsaPublicKey && { rsaPublicKey: declared.rsaPublicKey }),
      ...(declared.keyMode && { keyMode: declared.keyMode }),
      ...(certificateValidity && { certificateValidity }),
    });
    if (declared.aesKey !== undefined || declared.messageUrl !== undefined) {
      await changeAppSettings(deps, declared.appId, {
        ...(declared.aesKey !== undefined && { aesKey: declared.aesKey }),
        ...(declared.messageUrl !== undefined && { messageUrl: declared.messageUrl }),
      });
    }
    return;
  }
  const differs = (what: string) => new WorldConflict(`app ${declared.appId}: the declared ${what} is not the one this store has`);
  if (existing.pid !== declared.pid) throw differs('pid');
  const sameKey = (given: string | undefined, stored: string | null, field: string) =>
    given === undefined || (stored !== null && spki(normalisePublicKey(given, field)).equals(spki(stored)));
  if (!sameKey(declared.appPublicKey, existing.appPublicKey, 'app_public_key')) throw differs('app_public_key');
  if (!sameKey(declared.rsaPublicKey, existing.rsaPublicKey, 'rsa_public_key')) throw differs('rsa_public_key');
  if ((declared.keyMode ?? 'public_key') !== existing.keyMode) throw differs('key_mode');
  if (declared.aesKey !== undefined && declared.aesKey !== existing.aesKey) throw differs('aes_key');
}

async function seedAppAuthToken(deps: CoreDeps, declared: SeedAppAuthToken): Promise<void> {
  const existing = await findAppAuthToken(deps.store.db, declared.token);
  if (!existing) {
    await issueAppAuthToken(deps, declared.appId, declared.pid, declared.token);
    return;
  }
  if (existing.appId !== declared.appId || existing.pid !== declared.pid) {
    throw new WorldConflict(`app auth token ${declared.token}: this store has it for app ${existing.appId} and merchant ${existing.pid}`);
  }
}

async function seedBuyer(deps: CoreDeps, declared: SeedBuyer): Promise<void> {
  const db = deps.store.db;
  const id = declared.buyerUserId;
  const logonId = declared.logonId === undefined ? undefined : normaliseLogonId(declared.logonId);
  const existing = await findBuyerRecord(db, id);
  if (!existing) {
    const holder = logonId === undefined ? undefined : await findBuyerRecordByLogonId(db, logonId);
    if (holder) throw new WorldConflict(`buyer ${id}: logon id ${logonId} belongs to another buyer in this store`);
    if (await findMerchant(db, id)) throw new WorldConflict(`buyer ${id}: this store has a merchant with that pid`);
    try {
      await createBuyer(deps, declared);
    } catch (error) {
      if (error instanceof DomainError) throw new WorldConflict(`buyer ${id}: ${error.message}`);
      throw error;
    }
    return;
  }
  const differs = (what: string) => new WorldConflict(`buyer ${id}: the declared ${what} is not the one this store has`);
  if (logonId !== undefined && logonId !== existing.logonId) throw differs('logon_id');
  const credentials = await findBuyerCredentials(db, id);
  const matches = async (given: string | undefined, hash: string | undefined) => given === undefined || verifyPassword(given, hash ?? '');
  if (!(await matches(declared.loginPassword, credentials?.loginPasswordHash))) throw differs('login_password');
  if (!(await matches(declared.paymentPassword, credentials?.paymentPasswordHash))) throw differs('payment_password');
}

async function seedTrade(deps: CoreDeps, declared: SeedTrade): Promise<void> {
  const app = await findApp(deps.store.db, declared.appId);
  if (!app) throw new WorldConflict(`trade ${declared.outTradeNo}: no app ${declared.appId}`);
  const sellerPid = declared.sellerPid || app.pid;
  const existing = await findTrade(deps.store.db, { sellerPid, outTradeNo: declared.outTradeNo });
  if (!existing) {
    const { appId: _appId, ...draft } = declared;
    await createTrade(deps, { ...draft, sellerPid, app });
    return;
  }
  const differs = (what: string) => new WorldConflict(`trade ${declared.outTradeNo}: the declared ${what} is not the one this store has`);
  if (declared.tradeNo !== undefined && declared.tradeNo !== existing.tradeNo) throw differs('trade_no');
  if (declared.totalAmount !== existing.totalAmount) throw differs('total_amount');
  if (existing.appId !== declared.appId) throw differs('app_id');
}
