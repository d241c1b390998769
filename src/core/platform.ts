/**
 * The platform's identity — Alipay's, from the merchants' point of view: its RSA-2048 key pair, and for
 * certificate mode the certificate authority tuikuan is (its key, the root file `alipayRootCert.crt`) and the
 * platform key's certificate (`alipayCertPublicKey_RSA2.crt`). Made on first start, or taken from a declared
 * world, and kept in the database, so that every process and machine signs and certifies alike.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { getPlatformCertificates, getPlatformKeys, savePlatformCertificates, savePlatformKeys, type StoredCertificates } from '../store/sql/platform.js';
import {
  createCertificateAuthority,
  issuePlatformCertificate,
  rootCertificateFile,
  type CertificateAuthority,
  type Validity,
} from './certificate-authority.js';
import type { CoreDeps } from './deps.js';
import { generateRsaKeyPair } from './key-pairs.js';
import { x509 } from './peculiar-x509.js';

export interface PlatformKey {
  privateKey: KeyObject;
  /** SPKI PEM: what merchants configure as `alipayPublicKey`. */
  publicKeyPem: string;
  /** The certificates of certificate mode. */
  certificates: PlatformCertificates;
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

/** What a declared world says of the platform; what it leaves out is made on first start. */
export interface DeclaredPlatform {
  /** The platform's private key (PEM): merchants' `alipayPublicKey` stays the same across fresh data dirs. */
  privateKeyPem?: string;
  /** The certificate authority's key (PEM): the same certificates across fresh data dirs. */
  caPrivateKeyPem?: string;
  /** Validity of every certificate of a declared authority, so they come out byte for byte the same. */
  certificateValidity?: Validity;
}

/** A declared value that contradicts the store: the start fails with it, saying what differs. */
export class PlatformConflict extends Error {
  override readonly name = 'PlatformConflict';
}

const sameKey = (a: string, b: string) =>
  createPublicKey(a)
    .export({ type: 'spki', format: 'der' })
    .equals(createPublicKey(b).export({ type: 'spki', format: 'der' }));

export async function loadPlatformKey(deps: CoreDeps, declared: DeclaredPlatform = {}): Promise<PlatformKey> {
  let keys = await getPlatformKeys(deps.store.db);
  if (!keys) {
    const pair = declared.privateKeyPem ? keyPairOf(declared.privateKeyPem) : await generateRsaKeyPair();
    keys = await savePlatformKeys(deps.store.db, pair, deps.clock.now());
  }
  if (declared.privateKeyPem && !sameKey(declared.privateKeyPem, keys.privateKeyPem)) {
    throw new PlatformConflict('the declared platform private key is not the one this store has: start on a fresh data dir, or declare the key the store has');
  }
  const certificates = await loadCertificates(deps, keys.publicKeyPem, declared);
  return { privateKey: createPrivateKey(keys.privateKeyPem), publicKeyPem: keys.publicKeyPem, certificates };
}

function keyPairOf(privateKeyPem: string): { privateKeyPem: string; publicKeyPem: string } {
  const privateKey = createPrivateKey(privateKeyPem);
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
  };
}

async function loadCertificates(deps: CoreDeps, platformPublicKeyPem: string, declared: DeclaredPlatform): Promise<PlatformCertificates> {
  let stored = await getPlatformCertificates(deps.store.db);
  if (!stored) {
    const now = deps.clock.now();
    const ca = await createCertificateAuthority({
      now,
      ...(declared.caPrivateKeyPem && { privateKeyPem: declared.caPrivateKeyPem }),
      ...(declared.certificateValidity && { validity: declared.certificateValidity }),
    });
    const root = rootCertificateFile(ca);
    const issuedAt = declared.certificateValidity?.notBefore ?? now;
    const platform = await issuePlatformCertificate(ca, {
      now: issuedAt,
      publicKeyPem: platformPublicKeyPem,
      ...(declared.certificateValidity && { validity: declared.certificateValidity }),
    });
    stored = await savePlatformCertificates(deps.store.db, {
      caKeyPem: ca.privateKeyPem,
      rootCertPem: root.pem,
      rootCertSn: root.sn,
      appIssuerCertPem: ca.appCertificateIssuer.toString('pem'),
      platformCertPem: platform.pem,
      platformCertSn: platform.sn,
    });
  }
  if (declared.caPrivateKeyPem && !sameKey(declared.caPrivateKeyPem, stored.caKeyPem)) {
    throw new PlatformConflict(
      'the declared certificate authority key is not the one this store has: start on a fresh data dir, or declare the key the store has',
    );
  }
  return { rootCertPem: stored.rootCertPem, rootCertSn: stored.rootCertSn, platformCertPem: stored.platformCertPem, platformCertSn: stored.platformCertSn };
}

const authorities = new Map<string, Promise<CertificateAuthority>>();

/**
 * The platform's certificate authority, as the store keeps it: re-made from its key and its root's validity
 * (making is deterministic, so it is the same authority that issued the stored files), once per process.
 */
export async function platformAuthority(deps: CoreDeps): Promise<CertificateAuthority> {
  const stored = await getPlatformCertificates(deps.store.db);
  if (!stored) throw new Error('the platform certificates are made at start');
  let authority = authorities.get(stored.caKeyPem);
  if (!authority) {
    authority = remake(stored);
    authorities.set(stored.caKeyPem, authority);
  }
  return authority;
}

async function remake(stored: StoredCertificates): Promise<CertificateAuthority> {
  const root = new x509.X509Certificate(stored.rootCertPem);
  const validity = { notBefore: root.notBefore.getTime(), notAfter: root.notAfter.getTime() };
  const ca = await createCertificateAuthority({ now: validity.notBefore, privateKeyPem: stored.caKeyPem, validity });
  if (rootCertificateFile(ca).pem !== stored.rootCertPem) throw new Error('the stored root certificate was not made by the stored authority key');
  return ca;
}
