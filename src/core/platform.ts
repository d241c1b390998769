/**
 * The platform's own RSA-2048 key pair — Alipay's key, from the merchants' point of view. Generated on
 * first start, kept in the database (so every process and machine signs with the same key), parsed once.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { getPlatformKeys, savePlatformKeys } from '../store/sql/platform.js';
import type { CoreDeps } from './deps.js';
import { generateRsaKeyPair } from './key-pairs.js';

export interface PlatformKey {
  privateKey: KeyObject;
  /** SPKI PEM: what merchants configure as `alipayPublicKey`. */
  publicKeyPem: string;
}

export async function loadPlatformKey(deps: CoreDeps): Promise<PlatformKey> {
  let keys = await getPlatformKeys(deps.store.db);
  if (!keys) keys = await savePlatformKeys(deps.store.db, await generateRsaKeyPair(), deps.clock.now());
  return { privateKey: createPrivateKey(keys.privateKeyPem), publicKeyPem: keys.publicKeyPem };
}
