/**
 * AES content encryption (接口内容加密, protocol-notes §11.1), as every official SDK does it: the key is the
 * base64 text of 16, 24 or 32 bytes (AES-128/192/256), AES/CBC with a zero IV and PKCS#7 padding, the
 * ciphertext sent as standard base64 with no IV prefix. v1 encrypts `biz_content` and the reply node in the
 * request's charset; v3 encrypts the whole body in UTF-8.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

const ZERO_IV = Buffer.alloc(16);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The raw key a base64 AES key stands for; null when it is not base64 of 16, 24 or 32 bytes. */
export function parseAesKey(text: string): Buffer | null {
  const compact = text.trim();
  if (!BASE64.test(compact) || compact.length % 4 !== 0) return null;
  const key = Buffer.from(compact, 'base64');
  return key.length === 16 || key.length === 24 || key.length === 32 ? key : null;
}

function algorithm(key: Buffer): string {
  return `aes-${key.length * 8}-cbc`;
}

/** Encrypts `plaintext` bytes; the base64 ciphertext. */
export function aesEncrypt(plaintext: Buffer, key: Buffer): string {
  const cipher = createCipheriv(algorithm(key), key, ZERO_IV);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
}

/** Decrypts base64 ciphertext; null when it is not base64, not whole blocks, or its padding is wrong. */
export function aesDecrypt(ciphertext: string, key: Buffer): Buffer | null {
  const compact = ciphertext.trim();
  if (compact === '' || !BASE64.test(compact)) return null;
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length === 0 || bytes.length % 16 !== 0) return null;
  try {
    const decipher = createDecipheriv(algorithm(key), key, ZERO_IV);
    return Buffer.concat([decipher.update(bytes), decipher.final()]);
  } catch {
    return null;
  }
}
