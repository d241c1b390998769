/**
 * A merchant's side of MAPI, written independently of src/: builds and signs request URLs the way
 * Alipay's official demo does (sort, drop sign/sign_type/empty, `k=v&…`, MD5 with the key appended or
 * SHA1withRSA/SHA1withDSA), percent-encodes the bytes in `_input_charset` (percent-encoding.ts), and verifies notifications.
 */
import { createHash, createSign, createVerify, type KeyObject } from 'node:crypto';
import iconv from 'iconv-lite';
import { charsetBytes as bytes, formOf } from './percent-encoding.js';

export type MapiCharset = 'GBK' | 'UTF-8' | 'GB2312';

export type MapiSigner = { type: 'MD5'; key: string } | { type: 'RSA'; privateKey: KeyObject | string } | { type: 'DSA'; privateKey: KeyObject | string };

/** The MAPI sign content: sorted, without sign, sign_type and empty values. */
export function mapiSignContent(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((key) => key !== 'sign' && key !== 'sign_type' && params[key] !== '' && params[key] !== undefined)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

export function mapiSign(params: Record<string, string>, charset: MapiCharset, signer: MapiSigner): string {
  const content = bytes(mapiSignContent(params), charset);
  if (signer.type === 'MD5') return createHash('md5').update(Buffer.concat([content, bytes(signer.key, charset)])).digest('hex');
  return createSign(signer.type === 'RSA' ? 'RSA-SHA1' : 'SHA1').update(content).sign(signer.privateKey, 'base64');
}

/** A signed request's query string (the params must include `_input_charset` when not GBK). */
export function signedQuery(params: Record<string, string>, signer: MapiSigner, charset: MapiCharset = 'GBK'): string {
  const signed = { ...params, sign_type: params.sign_type ?? signer.type, sign: mapiSign(params, charset, signer) };
  return formOf(Object.entries(signed), charset);
}

/** Parses a notification's form body, decoding the bytes in its charset. */
export function parseNotifyBody(body: Buffer | string, charset: MapiCharset): Record<string, string> {
  const text = typeof body === 'string' ? body : body.toString('latin1');
  const out: Record<string, string> = {};
  for (const part of text.split('&')) {
    if (!part) continue;
    const [key = '', value = ''] = part.split('=');
    const latin1 = (s: string) => s.replace(/\+/g, ' ').replace(/%([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    const decode = (s: string) => iconv.decode(Buffer.from(latin1(s), 'latin1'), charset === 'UTF-8' ? 'utf8' : charset.toLowerCase());
    out[decode(key)] = decode(value);
  }
  return out;
}

/** Verifies a notification's MD5 signature with the partner's key. */
export function verifyMd5Notify(params: Record<string, string>, key: string, charset: MapiCharset): boolean {
  const expected = createHash('md5').update(bytes(mapiSignContent(params) + key, charset)).digest('hex');
  return expected === params.sign?.toLowerCase();
}

/** Verifies a notification's RSA (SHA1withRSA) signature with the platform's public key. */
export function verifyRsaNotify(params: Record<string, string>, publicKey: string, charset: MapiCharset): boolean {
  return createVerify('RSA-SHA1')
    .update(bytes(mapiSignContent(params), charset))
    .verify(publicKey, params.sign ?? '', 'base64');
}
