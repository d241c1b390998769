import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { dsaVerify, md5Sign, md5Verify, parsePrivateKey, parsePublicKey, replySigner, rsaSign, rsaVerify } from '../../src/protocol/signing.js';

describe('signatures', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const content = Buffer.from('a=1&b=2');

  it('RSA2 and RSA sign and verify; a changed content or a garbled signature does not verify', () => {
    for (const type of ['RSA2', 'RSA'] as const) {
      const signature = rsaSign(content, privateKey, type);
      assert.ok(rsaVerify(content, signature, publicKey, type));
      assert.ok(!rsaVerify(Buffer.from('a=1&b=3'), signature, publicKey, type));
      assert.ok(!rsaVerify(content, 'not base64 at all!', publicKey, type));
      assert.ok(!rsaVerify(content, signature, publicKey, type === 'RSA2' ? 'RSA' : 'RSA2'));
    }
  });

  it('replies are signed alike on the thread pool and on the event loop (PKCS#1 v1.5 is deterministic)', async () => {
    for (const type of ['RSA2', 'RSA'] as const) {
      const onPool = await replySigner(privateKey, 'thread-pool')(content, type);
      const inLine = await replySigner(privateKey, 'event-loop')(content, type);
      assert.equal(onPool, inLine);
      assert.equal(inLine, rsaSign(content, privateKey, type));
      assert.ok(rsaVerify(content, inLine, publicKey, type));
    }
  });

  it('MD5: the key appended, lowercase hex, compared case-insensitively', () => {
    const expected = createHash('md5').update('a=1&b=2key').digest('hex');
    assert.equal(md5Sign(content, Buffer.from('key')), expected);
    assert.ok(md5Verify(content, Buffer.from('key'), expected.toUpperCase()));
    assert.ok(!md5Verify(content, Buffer.from('other'), expected));
  });

  it('DSA verifies SHA1withDSA', async () => {
    const { createSign } = await import('node:crypto');
    const dsa = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
    const signature = createSign('SHA1').update(content).sign(dsa.privateKey, 'base64');
    assert.ok(dsaVerify(content, signature, dsa.publicKey));
    assert.ok(!dsaVerify(Buffer.from('x'), signature, dsa.publicKey));
  });

  it('reads keys as merchants paste them: SPKI and PKCS#1 PEM, bare base64; PKCS#1 and PKCS#8 private keys', () => {
    const spkiPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const pkcs1Pem = publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const bare = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    for (const text of [spkiPem, pkcs1Pem, bare]) assert.ok(parsePublicKey(text)?.equals(publicKey), text.slice(0, 30));
    assert.equal(parsePublicKey('not a key'), null);
    for (const type of ['pkcs1', 'pkcs8'] as const) {
      assert.ok(parsePrivateKey(privateKey.export({ type, format: 'pem' }).toString())?.equals(privateKey));
      assert.ok(parsePrivateKey(privateKey.export({ type, format: 'der' }).toString('base64'))?.equals(privateKey));
    }
  });
});
