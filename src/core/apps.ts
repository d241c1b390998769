/** Apps (with the merchant's public keys) and app auth tokens. */
import { createPublicKey } from 'node:crypto';
import { findApp, findAppAuthToken, insertApp, insertAppAuthToken, revokeAppAuthToken, updateApp, type AppChange } from '../store/sql/apps.js';
import { findMerchant } from '../store/sql/merchants.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './domain-error.js';
import { newAppAuthToken, newAppId } from './identifiers.js';
import { issueAppCertificate, type Validity } from './certificate-authority.js';
import type { App, KeyMode } from '../interfaces.js';
import { platformAuthority } from './platform.js';
import { generateRsaKeyPair } from './key-pairs.js';
import { isAesKey, newAesKey } from './aes-key.js';
import { isNotifyUrl } from './notify-url.js';

export interface NewApp {
  /** An app_id of its own, as a declared world names it. (Default: a new one) */
  appId?: string;
  pid: string;
  /** The merchant's RSA2 public key. */
  appPublicKey?: string;
  /** The merchant's RSA (SHA1) public key. */
  rsaPublicKey?: string;
  /** `cert`: the app's RSA2 key is certified by tuikuan's authority, and requests name the certificate. (Default: public_key) */
  keyMode?: KeyMode;
  /** The app certificate's validity, for certificates that must come out the same every time. (Default: from now, 2 years) */
  certificateValidity?: Validity;
}

export interface CreatedApp {
  app: App;
  /** Only when tuikuan generated the key pair: returned once, never stored. */
  appPrivateKey?: string;
}

/** Normalises a pasted public key (PEM or bare base64) to SPKI PEM; throws invalid_request if it is not one. */
export function normalisePublicKey(text: string, field: string): string {
  const compact = text.trim();
  const attempts: Array<() => ReturnType<typeof createPublicKey>> = [
    () => createPublicKey(compact),
    () => createPublicKey({ key: Buffer.from(compact.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' }),
    () => createPublicKey({ key: Buffer.from(compact.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'pkcs1' }),
  ];
  for (const attempt of attempts) {
    try {
      const key = attempt();
      if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'dsa') break;
      return key.export({ type: 'spki', format: 'pem' }).toString();
    } catch {
      // try the next form
    }
  }
  throw new DomainError('invalid_request', `${field} is not a public key`);
}

export async function createApp(deps: CoreDeps, input: NewApp): Promise<CreatedApp> {
  const merchant = await findMerchant(deps.store.db, input.pid);
  if (!merchant) throw new DomainError('merchant_not_found', `no merchant ${input.pid}`);
  const keyMode = input.keyMode ?? 'public_key';
  if (keyMode === 'cert' && input.rsaPublicKey && !input.appPublicKey) {
    throw new DomainError('invalid_request', 'key_mode cert certifies the RSA2 key: give app_public_key (or no key, to have a pair made)');
  }
  let appPublicKey = input.appPublicKey ? normalisePublicKey(input.appPublicKey, 'app_public_key') : null;
  const rsaPublicKey = input.rsaPublicKey ? normalisePublicKey(input.rsaPublicKey, 'rsa_public_key') : null;
  let appPrivateKey: string | undefined;
  if (!appPublicKey && !rsaPublicKey) {
    const pair = await generateRsaKeyPair();
    appPublicKey = pair.publicKeyPem;
    appPrivateKey = pair.privateKeyPem;
  }
  const appId = input.appId ?? newAppId();
  const now = deps.clock.now();
  const certificate =
    keyMode === 'cert' && appPublicKey
      ? await issueAppCertificate(await platformAuthority(deps), {
          now: input.certificateValidity?.notBefore ?? now,
          publicKeyPem: appPublicKey,
          merchantName: merchant.name,
          pid: merchant.pid,
          appId,
          ...(input.certificateValidity && { validity: input.certificateValidity }),
        })
      : null;
  const app: App = {
    appId,
    pid: input.pid,
    appPublicKey,
    rsaPublicKey,
    createdAt: now,
    keyMode,
    appCertPem: certificate?.pem ?? null,
    appCertSn: certificate?.sn ?? null,
    aesKey: null,
    messageUrl: null,
    notifyWaitBuyerPay: false,
  };
  await insertApp(deps.store.db, app);
  return appPrivateKey ? { app, appPrivateKey } : { app };
}

/** The app with this app_id, if any. */
export function appById(deps: CoreDeps, appId: string): Promise<App | undefined> {
  return findApp(deps.store.db, appId);
}

export async function requireApp(deps: CoreDeps, appId: string): Promise<App> {
  const app = await findApp(deps.store.db, appId);
  if (!app) throw new DomainError('app_not_found', `no app ${appId}`);
  return app;
}

export interface AppSettings {
  /** A base64 AES key (16, 24 or 32 bytes), `generate` for a new AES-128 key, or null for none. */
  aesKey?: string | null;
  /** The application gateway (应用网关) for message notifications, or null for none. */
  messageUrl?: string | null;
  /** Whether trades created unpaid notify WAIT_BUYER_PAY. */
  notifyWaitBuyerPay?: boolean;
}

/** Changes an app's AES key, message URL and WAIT_BUYER_PAY notification; the key is checked as the SDKs will read it. */
export async function changeAppSettings(deps: CoreDeps, appId: string, settings: AppSettings): Promise<App> {
  await requireApp(deps, appId);
  const change: AppChange = {};
  if (settings.notifyWaitBuyerPay !== undefined) change.notifyWaitBuyerPay = settings.notifyWaitBuyerPay;
  if (settings.aesKey !== undefined) {
    if (settings.aesKey === 'generate') change.aesKey = newAesKey();
    else if (settings.aesKey === null) change.aesKey = null;
    else if (isAesKey(settings.aesKey)) change.aesKey = settings.aesKey.trim();
    else throw new DomainError('invalid_request', 'aes_key: base64 of 16, 24 or 32 bytes, "generate", or null');
  }
  if (settings.messageUrl !== undefined) {
    if (settings.messageUrl !== null && !isNotifyUrl(settings.messageUrl))
      throw new DomainError('invalid_request', 'message_url: an absolute http(s) URL of at most 256 characters');
    change.messageUrl = settings.messageUrl;
  }
  await updateApp(deps.store.db, appId, change);
  return requireApp(deps, appId);
}

/** A merchant (`pid`) authorises an app — typically another merchant's — to call on its behalf. */
export async function issueAppAuthToken(deps: CoreDeps, appId: string, pid: string, given?: string): Promise<string> {
  await requireApp(deps, appId);
  if (!(await findMerchant(deps.store.db, pid))) throw new DomainError('merchant_not_found', `no merchant ${pid}`);
  const now = deps.clock.now();
  const token = given ?? newAppAuthToken(now);
  await insertAppAuthToken(deps.store.db, { token, appId, pid, createdAt: now, revokedAt: null });
  return token;
}

export async function revokeToken(deps: CoreDeps, token: string): Promise<void> {
  if (!(await revokeAppAuthToken(deps.store.db, token, deps.clock.now()))) {
    throw new DomainError('token_not_found', 'no such app_auth_token');
  }
}

/** The merchant an app acts for under a token, or null when the token is unknown, revoked or another app's. */
export async function merchantForToken(deps: CoreDeps, app: App, token: string): Promise<string | null> {
  const found = await findAppAuthToken(deps.store.db, token);
  if (!found || found.revokedAt !== null || found.appId !== app.appId) return null;
  return found.pid;
}
