/**
 * AES content encryption as every official SDK does it: AES-CBC, zero IV, PKCS#7, base64 key and ciphertext —
 * checked against the worked vector of protocol-notes §11.1 and against alipay-sdk's own aesEncryptText.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aesDecrypt, aesEncrypt, parseAesKey } from '../../src/protocol/aes-content.js';
import { sdkAes } from '../support/alipay-sdk-internals.js';

const KEY = 'aYA0GP8JEW+D7/UFaskCWA==';
const PLAIN = '{"out_trade_no":"T1","refund_amount":"0.01"}';
const CIPHER = 'HJjZXDcVHUcOrByocVgEms/LL//VjR+6UE/1HDRPHDw0zQHJdHDUHv4lBYdDI7Xn';

describe('AES content encryption', () => {
  it('encrypts and decrypts the notes’ worked vector', () => {
    const key = parseAesKey(KEY);
    assert.ok(key);
    assert.equal(aesEncrypt(Buffer.from(PLAIN), key), CIPHER);
    assert.equal(aesDecrypt(CIPHER, key)?.toString(), PLAIN);
  });

  it('agrees with the official SDK’s aesEncryptText / aesDecryptText', async () => {
    const { aesEncryptText, aesDecryptText } = await sdkAes();
    const key = parseAesKey(KEY)!;
    const text = '{"subject":"测试商品 ✓","total_amount":"88.88"}';
    assert.equal(aesEncrypt(Buffer.from(text), key), aesEncryptText(text, KEY));
    assert.equal(aesDecrypt(aesEncryptText(text, KEY), key)?.toString(), text);
    assert.equal(aesDecryptText(aesEncrypt(Buffer.from(text), key), KEY), text);
  });

  it('takes keys of 16, 24 and 32 bytes in base64, nothing else', () => {
    for (const bytes of [16, 24, 32]) assert.ok(parseAesKey(Buffer.alloc(bytes, 7).toString('base64')), `${bytes} bytes`);
    for (const text of ['', 'not base64!', Buffer.alloc(15).toString('base64'), Buffer.alloc(64).toString('base64')])
      assert.equal(parseAesKey(text), null, text);
  });

  it('says null for ciphertext that is not base64, not whole blocks, or wrongly padded', () => {
    const key = parseAesKey(KEY)!;
    const otherKey = parseAesKey(Buffer.alloc(16, 1).toString('base64'))!;
    assert.equal(aesDecrypt('', key), null);
    assert.equal(aesDecrypt('!!!', key), null);
    assert.equal(aesDecrypt(Buffer.alloc(15).toString('base64'), key), null);
    const wrong = aesDecrypt(CIPHER, otherKey);
    assert.ok(wrong === null || wrong.toString() !== PLAIN, 'another key never yields the plaintext');
  });
});
