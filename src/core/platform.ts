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
  /** The certificates of certificate mode; null until the certificate authority has made them. */
  certificates: PlatformCertificates | null;
}

/** The certificates of certificate mode (公钥证书): what merchants load, and the SNs requests and replies carry. */
export interface PlatformCertificates {
  /** `alipayRootCert.crt`: the root of tuikuan's certificate authority. */
  rootCertPem: string;
  /** `alipay_root_cert_sn`. */
  rootCertSn: string;
  /** `alipayCertPublicKey_RSA2.crt`: the platform key's certificate, then its issuer. */
  platformCertPem: string;
  /** `alipay_cert_sn` (v1 replies) and `alipay-sn` (v3 replies). */
  platformCertSn: string;
}

export async function loadPlatformKey(deps: CoreDeps): Promise<PlatformKey> {
  let keys = await getPlatformKeys(deps.store.db);
  if (!keys) keys = await savePlatformKeys(deps.store.db, await generateRsaKeyPair(), deps.clock.now());
  return { privateKey: createPrivateKey(keys.privateKeyPem), publicKeyPem: keys.publicKeyPem, certificates: null };
}
