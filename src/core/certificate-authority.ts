/**
 * tuikuan as its own certificate authority, for Alipay's public-key certificate mode (公钥证书,
 * protocol-notes §10.6). It mirrors Ant's layout: a root, a "Class 1" intermediate that issues app
 * certificates and a "Class 2" intermediate that issues the platform certificate.
 *
 * Everything here is deterministic — no clock, no randomness once the key is given: the caller passes
 * `now` (tuikuan's time goes through its Clock), serials are derived from the certificate's content, and
 * RSA PKCS#1 v1.5 signatures have no random part. So the same inputs give byte-identical files on every
 * machine, which the demo relies on.
 */
import { createHash, createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import type { Extension, Name, X509Certificate } from '@peculiar/x509';
import { certificateSn, rootCertificateSn } from './certificate-sn.js';
import { chinaDate } from './china-date.js';
import { generateRsaKeyPair } from './key-pairs.js';
import { x509 } from './peculiar-x509.js';

/** A certificate's validity period, epoch milliseconds (X.509 keeps whole seconds). */
export interface Validity {
  notBefore: number;
  notAfter: number;
}

/** A certificate file as merchants save it, and the SN their SDKs compute from it. */
export interface CertificateFile {
  /** PEM blocks, LF line endings, a blank line between blocks. */
  pem: string;
  /** `app_cert_sn`, `alipay_cert_sn` or `alipay_root_cert_sn`, depending on the file. */
  sn: string;
}

/**
 * The authority: one RSA key signs the root and both intermediates. Separate keys would buy nothing
 * here — nobody can revoke an emulator's intermediate — and one key is one secret to keep.
 */
export interface CertificateAuthority {
  /** PKCS#8 PEM of the signing key; keep it to re-create the same authority. */
  readonly privateKeyPem: string;
  /** Self-signed `CN=Tuikuan Emulator Root CA R1`: the content of `alipayRootCert.crt`. */
  readonly root: X509Certificate;
  /** `CN=Tuikuan Emulator Class 1 R1`, signed by the root: issues app certificates. */
  readonly appCertificateIssuer: X509Certificate;
  /** `CN=Tuikuan Emulator Class 2 R1`, signed by the root: issues the platform certificate. */
  readonly platformCertificateIssuer: X509Certificate;
  /** The same key, imported once and non-extractable: what signs. */
  readonly signingKey: webcrypto.CryptoKey;
}

export interface CertificateAuthorityOptions {
  /** Epoch ms the default validity is measured from. */
  now: number;
  /** The RSA signing key, PKCS#8 or PKCS#1 PEM. (Default: a new RSA-2048 key — give one to get the same certificates again) */
  privateKeyPem?: string;
  /** Validity of the three CA certificates. (Default: `now` − 5 minutes to 20 years later) */
  validity?: Validity;
}

/** What every leaf certificate request has in common. */
interface LeafOptions {
  /** Epoch ms of issue: the date in the serial, and where the default validity starts. */
  now: number;
  /** The subject's RSA public key, SPKI PEM. */
  publicKeyPem: string;
  /** (Default: `now` − 5 minutes to 2 years later) */
  validity?: Validity;
  /** Hex, 1–16 bytes, first byte 01–7f, so the number stays positive and below 2^127. (Default: the issue date `YYYYMMDD` as hex digits, then 12 bytes derived from the subject, key and validity) */
  serialNumber?: string;
}

export interface AppCertificateRequest extends LeafOptions {
  /** The merchant's name, the subject's O. */
  merchantName: string;
  /** The merchant's pid: the subject's CN is `<pid>-<appId>`. */
  pid: string;
  appId: string;
}

export interface PlatformCertificateRequest extends LeafOptions {
  /** The subject's O. Alipay writes the merchant's name there, as it issues each merchant its own platform certificate. (Default: `Tuikuan`) */
  organization?: string;
  /** The pid after `支付宝(中国)网络技术有限公司-` in the subject's CN. (Default: `2088000000000000`) */
  pid?: string;
}

const SIGNING_ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const MINUTE_MS = 60_000;

/**
 * Everything that is ever an issuer has exactly the four attributes Alipay's CAs have, in DER order
 * C, O, OU, CN, plain ASCII: that is the only shape every SDK family turns into the same SN (§10.1.4).
 */
const CA_ORGANIZATION = 'Tuikuan';
const CA_UNIT = 'Certification Authority';
const ROOT_CN = 'Tuikuan Emulator Root CA R1';
const APP_ISSUER_CN = 'Tuikuan Emulator Class 1 R1';
const PLATFORM_ISSUER_CN = 'Tuikuan Emulator Class 2 R1';

const LEAF_UNIT = 'Alipay';
const PLATFORM_CN_PREFIX = '支付宝(中国)网络技术有限公司-';
const DEFAULT_PLATFORM_ORGANIZATION = 'Tuikuan';
const DEFAULT_PLATFORM_PID = '2088000000000000';

const { KeyUsageFlags } = x509;
const CA_KEY_USAGE = KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign;
const APP_KEY_USAGE = KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation;
const PLATFORM_KEY_USAGE = APP_KEY_USAGE | KeyUsageFlags.keyEncipherment | KeyUsageFlags.dataEncipherment;

export async function createCertificateAuthority(options: CertificateAuthorityOptions): Promise<CertificateAuthority> {
  const privateKeyPem = options.privateKeyPem ?? (await generateRsaKeyPair()).privateKeyPem;
  const privateKey = rsaPrivateKey(privateKeyPem);
  const publicKey = spkiDer(createPublicKey(privateKey));
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8Der(privateKey), SIGNING_ALGORITHM, false, ['sign']);
  const validity = options.validity ?? defaultValidity(options.now, 20);
  const issueCa = (subject: Name, issuer: X509Certificate | null) =>
    signCertificate(signingKey, {
      subject,
      issuer,
      publicKey,
      validity,
      serialNumber: caSerial(subject, publicKey, validity),
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(CA_KEY_USAGE, true)],
    });
  const root = await issueCa(caName(ROOT_CN), null);
  return {
    privateKeyPem: pkcs8Pem(privateKey),
    root,
    appCertificateIssuer: await issueCa(caName(APP_ISSUER_CN), root),
    platformCertificateIssuer: await issueCa(caName(PLATFORM_ISSUER_CN), root),
    signingKey,
  };
}

/** `alipayRootCert.crt`: the root alone, and `alipay_root_cert_sn`. */
export function rootCertificateFile(ca: CertificateAuthority): CertificateFile {
  const pem = certificateFileText([ca.root]);
  return { pem, sn: rootCertificateSn(pem) };
}

/** `appCertPublicKey_<appId>.crt`: the app's certificate alone (as Alipay hands it out), and `app_cert_sn`. */
export async function issueAppCertificate(ca: CertificateAuthority, request: AppCertificateRequest): Promise<CertificateFile> {
  const leaf = await issueLeaf(ca, ca.appCertificateIssuer, request, leafName(request.merchantName, `${request.pid}-${request.appId}`), APP_KEY_USAGE);
  return leafFile([leaf]);
}

/**
 * `alipayCertPublicKey_RSA2.crt`: the platform key's certificate, then its issuer — JAVA's check of a
 * downloaded platform certificate needs the intermediate to reach the root file — and `alipay_cert_sn`.
 */
export async function issuePlatformCertificate(ca: CertificateAuthority, request: PlatformCertificateRequest): Promise<CertificateFile> {
  const subject = leafName(request.organization ?? DEFAULT_PLATFORM_ORGANIZATION, PLATFORM_CN_PREFIX + (request.pid ?? DEFAULT_PLATFORM_PID));
  const leaf = await issueLeaf(ca, ca.platformCertificateIssuer, request, subject, PLATFORM_KEY_USAGE);
  return leafFile([leaf, ca.platformCertificateIssuer]);
}

async function issueLeaf(ca: CertificateAuthority, issuer: X509Certificate, request: LeafOptions, subject: Name, keyUsage: number): Promise<X509Certificate> {
  const publicKey = rsaPublicKeyDer(request.publicKeyPem);
  const validity = request.validity ?? defaultValidity(request.now, 2);
  return signCertificate(ca.signingKey, {
    subject,
    issuer,
    publicKey,
    validity,
    serialNumber: request.serialNumber === undefined ? leafSerial(request.now, subject, publicKey, validity) : checkedSerial(request.serialNumber),
    extensions: [new x509.KeyUsagesExtension(keyUsage, true)],
  });
}

function leafFile(chain: X509Certificate[]): CertificateFile {
  const pem = certificateFileText(chain);
  return { pem, sn: certificateSn(pem) };
}

interface CertificateDraft {
  subject: Name;
  /** null for the self-signed root. */
  issuer: X509Certificate | null;
  /** SPKI DER. */
  publicKey: Buffer;
  validity: Validity;
  /** Hex. */
  serialNumber: string;
  /** Key identifiers are added to these. */
  extensions: Extension[];
}

async function signCertificate(signingKey: webcrypto.CryptoKey, draft: CertificateDraft): Promise<X509Certificate> {
  const subjectKey = new x509.PublicKey(draft.publicKey);
  const issuerKey = draft.issuer?.publicKey ?? subjectKey;
  return x509.X509CertificateGenerator.create({
    serialNumber: draft.serialNumber,
    subject: draft.subject,
    issuer: draft.issuer?.subjectName ?? draft.subject,
    notBefore: new Date(draft.validity.notBefore),
    notAfter: new Date(draft.validity.notAfter),
    publicKey: subjectKey,
    signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      ...draft.extensions,
      await x509.SubjectKeyIdentifierExtension.create(subjectKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuerKey),
    ],
  });
}

/** C is a PrintableString (as in Alipay's DNs); the rest UTF8String. */
function distinguishedName(organization: string, unit: string, commonName: string): Name {
  return new x509.Name([
    { C: [{ printableString: 'CN' }] },
    { O: [{ utf8String: organization }] },
    { OU: [{ utf8String: unit }] },
    { CN: [{ utf8String: commonName }] },
  ]);
}

function caName(commonName: string): Name {
  return distinguishedName(CA_ORGANIZATION, CA_UNIT, commonName);
}

/** Leaf subjects are never hashed into an SN, so they may carry the merchant's Chinese name. */
function leafName(organization: string, commonName: string): Name {
  return distinguishedName(organization, LEAF_UNIT, commonName);
}

/** Blocks separated by a blank line, no final newline: the layout of Alipay's own files. */
function certificateFileText(certificates: X509Certificate[]): string {
  return certificates.map((certificate) => certificate.toString('pem')).join('\n\n');
}

/** Starts a few minutes early, so a merchant whose clock runs behind ours does not see a not-yet-valid certificate. */
function defaultValidity(now: number, years: number): Validity {
  // Whole seconds, as X.509 keeps them: a validity read back from a certificate then re-makes the same one.
  const notBefore = Math.floor((now - 5 * MINUTE_MS) / 1000) * 1000;
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + years);
  return { notBefore, notAfter: notAfter.getTime() };
}

/**
 * Like Alipay's (`2020051862039D40…`): 16 bytes, the China date of issue as hex digits, then bytes
 * derived from the certificate's content, so that a different certificate gets a different serial and
 * the same one the same serial. The date keeps the top bit clear: below 2^127, which PHP's SDK needs.
 */
function leafSerial(now: number, subject: Name, publicKey: Buffer, validity: Validity): string {
  return chinaDate(now) + contentDigest(subject, publicKey, validity).subarray(0, 12).toString('hex');
}

/** 8 bytes derived from the content; top bit clear (positive), next bit set (always 8 bytes in DER). */
function caSerial(subject: Name, publicKey: Buffer, validity: Validity): string {
  const bytes = contentDigest(subject, publicKey, validity).subarray(0, 8);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function contentDigest(subject: Name, publicKey: Buffer, validity: Validity): Buffer {
  return createHash('sha256').update(Buffer.from(subject.toArrayBuffer())).update(publicKey).update(`${validity.notBefore}-${validity.notAfter}`).digest();
}

/** A given serial must already be a positive, minimally encoded DER integer below 2^127. */
function checkedSerial(hex: string): string {
  if (!/^(?:0[1-9a-f]|[1-7][0-9a-f])(?:[0-9a-f]{2}){0,15}$/i.test(hex)) {
    throw new RangeError(`serial number ${hex} is not 1–16 hex bytes with a first byte 01–7f`);
  }
  return hex;
}

function rsaPrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`the certificate authority needs an RSA key, not ${key.asymmetricKeyType}`);
  return key;
}

function rsaPublicKeyDer(pem: string): Buffer {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`Alipay certificates are for RSA keys, not ${key.asymmetricKeyType}`);
  return spkiDer(key);
}

function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

function pkcs8Der(key: KeyObject): Buffer {
  return key.export({ type: 'pkcs8', format: 'der' });
}

function pkcs8Pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}
