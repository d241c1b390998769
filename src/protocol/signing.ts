/**
 * Alipay's signature algorithms, all through node:crypto:
 * - RSA2: SHA256withRSA (PKCS#1 v1.5), base64 — OpenAPI requests, responses and notifications;
 * - RSA: SHA1withRSA — older OpenAPI apps and MAPI;
 * - DSA: SHA1withDSA — legacy MAPI;
 * - MD5: lowercase hex md5 of the sign content with the partner's key appended — MAPI.
 * Keys are parsed once into KeyObjects: parsing a PEM costs more than the signature itself.
 */
import { createHash, createPrivateKey, createPublicKey, createSign, createVerify, sign, timingSafeEqual, type KeyObject } from 'node:crypto';

export type RsaSignType = 'RSA2' | 'RSA';

const RSA_ALGORITHM: Record<RsaSignType, string> = { RSA2: 'RSA-SHA256', RSA: 'RSA-SHA1' };

export function rsaSign(content: Buffer, privateKey: KeyObject, signType: RsaSignType): string {
  return createSign(RSA_ALGORITHM[signType]).update(content).sign(privateKey, 'base64');
}

/**
 * The same signature made on libuv's thread pool: the event loop goes on parsing and storing other
 * requests meanwhile, and one process signs on every core.
 */
export function rsaSignOffThread(content: Buffer, privateKey: KeyObject, signType: RsaSignType): Promise<string> {
  return new Promise((resolve, reject) =>
    sign(RSA_ALGORITHM[signType], content, privateKey, (error, signature) => (error ? reject(error) : resolve(signature.toString('base64')))),
  );
}

/**
 * Where a process signs its replies:
 * - `thread-pool`: on libuv's threads, so a process alone on a machine signs on every core;
 * - `event-loop`: in line, as the reference server does. When a cluster already runs a process per core, pool
 *   threads only take turns with the event loops for the same cores, and every hand-over costs a context
 *   switch (measured: refunds 39% faster in line with two processes on two cores).
 */
export type ReplySigning = 'thread-pool' | 'event-loop';

/** Signs RSA replies with the platform key, where `signing` says. */
export function replySigner(privateKey: KeyObject, signing: ReplySigning): (content: Buffer, signType: RsaSignType) => Promise<string> {
  return signing === 'thread-pool'
    ? (content, signType) => rsaSignOffThread(content, privateKey, signType)
    : async (content, signType) => rsaSign(content, privateKey, signType);
}

export function rsaVerify(content: Buffer, signature: string, publicKey: KeyObject, signType: RsaSignType): boolean {
  return verifyWith(RSA_ALGORITHM[signType], content, signature, publicKey);
}

export function dsaVerify(content: Buffer, signature: string, publicKey: KeyObject): boolean {
  return verifyWith('SHA1', content, signature, publicKey);
}

function verifyWith(algorithm: string, content: Buffer, signature: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/=\s]+$/.test(signature)) return false;
  try {
    return createVerify(algorithm).update(content).verify(publicKey, signature, 'base64');
  } catch {
    return false; // a key of the wrong type, a truncated signature: not genuine either way
  }
}

/** MAPI MD5: `md5(content + key)` over the bytes in the request's charset, lowercase hex. */
export function md5Sign(content: Buffer, key: Buffer): string {
  return createHash('md5').update(content).update(key).digest('hex');
}

/** Compares an MD5 signature case-insensitively and in constant time. */
export function md5Verify(content: Buffer, key: Buffer, signature: string): boolean {
  const expected = Buffer.from(md5Sign(content, key), 'latin1');
  const given = Buffer.from(signature.toLowerCase(), 'latin1');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const keyCache = new Map<string, KeyObject | null>();

function cached(text: string, parse: (text: string) => KeyObject | null): KeyObject | null {
  let key = keyCache.get(text);
  if (key === undefined) {
    key = parse(text);
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(text, key);
  }
  return key;
}

function bareBase64(text: string): Buffer | null {
  const compact = text.replace(/\s+/g, '');
  return /^[A-Za-z0-9+/]+=*$/.test(compact) ? Buffer.from(compact, 'base64') : null;
}

/**
 * A public key as merchants paste it: PEM (`PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`) or the bare base64
 * the Alipay console shows. Null when it is not a key. Cached, so a hot app key is parsed once.
 */
export function parsePublicKey(text: string): KeyObject | null {
  return cached(`public:${text}`, () => {
    try {
      if (text.includes('-----BEGIN')) return createPublicKey(text);
      const der = bareBase64(text);
      if (!der) return null;
      try {
        return createPublicKey({ key: der, format: 'der', type: 'spki' });
      } catch {
        return createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
      }
    } catch {
      return null;
    }
  });
}

/** A private key: PEM (PKCS#1 or PKCS#8) or bare base64 of either. Null when it is not a key. */
export function parsePrivateKey(text: string): KeyObject | null {
  return cached(`private:${text}`, () => {
    try {
      if (text.includes('-----BEGIN')) return createPrivateKey(text);
      const der = bareBase64(text);
      if (!der) return null;
      try {
        return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      } catch {
        return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
      }
    } catch {
      return null;
    }
  });
}
