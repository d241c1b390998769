/**
 * An app's AES key for content encryption (接口内容加密): what Alipay's console issues — base64 of 16 random
 * bytes — or any base64 of 16, 24 or 32 bytes a merchant brings (the SDKs decode it and use AES-128/192/256).
 */
import { randomBytes } from 'node:crypto';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function isAesKey(text: string): boolean {
  const compact = text.trim();
  if (!BASE64.test(compact) || compact.length % 4 !== 0) return false;
  const length = Buffer.from(compact, 'base64').length;
  return length === 16 || length === 24 || length === 32;
}

export function newAesKey(): string {
  return randomBytes(16).toString('base64');
}
