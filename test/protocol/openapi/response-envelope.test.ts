import assert from 'node:assert/strict';
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { encodeResponse, encodeUnsignedResponse, responseNodeName } from '../../../src/protocol/openapi/response-envelope.js';
import { rsaSign, rsaSignOffThread } from '../../../src/protocol/signing.js';

describe('the v1 reply: {"<method>_response":{…},"sign":"…"}, signed over the node’s exact bytes', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('names the node after the method', () => {
    assert.equal(responseNodeName('alipay.trade.fastpay.refund.query'), 'alipay_trade_fastpay_refund_query_response');
  });

  it('puts sign last, never escapes /, and signs exactly the node as sent (on and off the event loop)', async () => {
    const node = { code: '10000', msg: 'Success', url: 'http://a/b', reason: '协商退款' };
    for (const signer of [(c: Buffer) => rsaSign(c, privateKey, 'RSA2'), (c: Buffer) => rsaSignOffThread(c, privateKey, 'RSA2')]) {
      const body = (await encodeResponse('x_response', node, 'utf-8', signer)).toString('utf8');
      assert.ok(body.startsWith('{"x_response":{"code":"10000","msg":"Success","url":"http://a/b"'));
      const { sign } = JSON.parse(body) as { sign: string };
      assert.ok(body.endsWith(`,"sign":"${sign}"}`));
      const content = body.slice('{"x_response":'.length, body.lastIndexOf(',"sign":'));
      assert.ok(createVerify('RSA-SHA256').update(content).verify(publicKey, sign, 'base64'));
    }
  });

  it('in GBK, signs the GBK bytes', async () => {
    const body = await encodeResponse('x_response', { reason: '协商退款' }, 'gbk', (c) => rsaSign(c, privateKey, 'RSA'));
    const text = iconv.decode(body, 'gbk');
    const { sign } = JSON.parse(text) as { sign: string };
    const content = iconv.encode(text.slice('{"x_response":'.length, text.lastIndexOf(',"sign":')), 'gbk');
    assert.ok(createVerify('RSA-SHA1').update(content).verify(publicKey, sign, 'base64'));
  });

  it('unsigned, when there is no key to sign with', () => {
    assert.equal(encodeUnsignedResponse('error_response', { code: '40001' }, 'utf-8').toString(), '{"error_response":{"code":"40001"}}');
  });
});
