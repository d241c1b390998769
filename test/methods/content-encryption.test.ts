/**
 * AES content encryption (接口内容加密) of an app with an AES key (`PATCH /admin/v1/apps/:app_id`):
 * - v1: `encrypt_type=AES` with `biz_content` encrypted, the reply node a JSON string of its ciphertext, signed
 *   over that string with its quotes (as the Java and Python SDKs verify it); the Node SDK's exec decrypts it;
 * - v3: `needEncrypt` bodies, the 2xx body the ciphertext, verified and decrypted by the SDK;
 * - a wrong key, broken ciphertext or no key configured get Alipay's error, in clear and signed.
 */
import assert from 'node:assert/strict';
import { createVerify } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { parseAesKey, aesEncrypt, aesDecrypt } from '../../src/protocol/aes-content.js';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, assertAdminError } from '../support/harness.js';
import { handApp, send, signedForm, type HandApp } from '../support/openapi-client.js';
import type { Reply } from '../support/refund-calls.js';
import { tamperingProxy } from '../support/tampering-proxy.js';

/** The signed content of an encrypted v1 reply: the node's JSON string, quotes included (notes §11.2). */
function encryptedNodeSignatureValid(text: string, nodeName: string, sign: string, platformKey: string): boolean {
  const start = text.indexOf(`"${nodeName}":`) + nodeName.length + 3;
  const end = text.lastIndexOf(',"sign":');
  return createVerify('RSA-SHA256').update(text.slice(start, end)).verify(platformKey, sign, 'base64');
}

describeEachEngine('AES content encryption', (engine) => {
  const { harness } = useHarness(engine, { merchant: false });
  let app: HandApp;
  let aesKey: string;
  let sdk: AlipaySdk;
  let tradeNo: string;
  before(async () => {
    app = await handApp(harness);
    aesKey = (await harness.adminOk('PATCH', `/apps/${app.appId}`, { aes_key: 'generate' })).aes_key as string;
    const privateKey = app.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    sdk = new AlipaySdk({ appId: app.appId, privateKey, alipayPublicKey: harness.tuikuan.platformPublicKey, gateway: harness.tuikuan.gateway, endpoint: harness.tuikuan.url, encryptKey: aesKey });
    tradeNo = (await harness.adminOk('POST', '/trades', { app_id: app.appId, total_amount: '50.00' })).trade_no as string;
  });

  describe('the app’s AES key', () => {
    it('is generated, set from base64, or removed through the admin API; anything else is a 400', async () => {
      assert.equal(parseAesKey(aesKey)?.length, 16, 'a generated key is AES-128, as the console issues');
      const other = await handApp(harness);
      const given = Buffer.alloc(32, 9).toString('base64');
      assert.equal((await harness.adminOk('PATCH', `/apps/${other.appId}`, { aes_key: given })).aes_key, given);
      assert.equal((await harness.adminOk('PATCH', `/apps/${other.appId}`, { aes_key: null })).aes_key, null);
      const bad = await harness.admin('PATCH', `/apps/${other.appId}`, { aes_key: 'abc' });
      assertAdminError(bad, 400, 'invalid_request');
      assertAdminError(await harness.admin('PATCH', '/apps/2021000000000000', { aes_key: 'generate' }), 404, 'app_not_found');
    });
  });

  describe('over v1 (encrypt_type=AES)', () => {
    it('the official SDK’s exec with needEncrypt gets the decrypted reply', async () => {
      const result = await sdk.exec('alipay.trade.refund', { bizContent: { trade_no: tradeNo, refund_amount: '1.00', out_request_no: 'E1' }, needEncrypt: true });
      assert.equal(result.code, '10000');
      assert.equal(result.fundChange, 'Y');
      const query = await sdk.exec('alipay.trade.query', { bizContent: { trade_no: tradeNo }, needEncrypt: true });
      assert.equal(query.tradeStatus, 'TRADE_SUCCESS');
    });

    it('the node is the ciphertext as a JSON string, signed over it with its quotes', async () => {
      const key = parseAesKey(aesKey)!;
      const biz = aesEncrypt(Buffer.from(JSON.stringify({ trade_no: tradeNo })), key);
      const reply = await send(harness.tuikuan.gateway, signedForm(app, { method: 'alipay.trade.query', biz, params: { encrypt_type: 'AES' } }).form);
      const node = reply.json.alipay_trade_query_response as unknown;
      assert.equal(typeof node, 'string');
      assert.match(reply.text, /^\{"alipay_trade_query_response":"[A-Za-z0-9+/=]+","sign":"/);
      assert.ok(encryptedNodeSignatureValid(reply.text, 'alipay_trade_query_response', reply.sign!, harness.tuikuan.platformPublicKey));
      const plain = JSON.parse(aesDecrypt(node as string, key)!.toString('utf8')) as Reply;
      assert.equal(plain.code, '10000');
      assert.equal(plain.trade_no, tradeNo);
    });

    it('a business failure is encrypted like a success; gateway errors are in clear and signed', async () => {
      const key = parseAesKey(aesKey)!;
      const unknown = aesEncrypt(Buffer.from(JSON.stringify({ trade_no: '2026120322001000000000000009' })), key);
      const business = await send(harness.tuikuan.gateway, signedForm(app, { method: 'alipay.trade.query', biz: unknown, params: { encrypt_type: 'AES' } }).form);
      const plain = JSON.parse(aesDecrypt(business.json.alipay_trade_query_response as string, key)!.toString('utf8')) as Reply;
      assert.equal(plain.sub_code, 'ACQ.TRADE_NOT_EXIST');

      const broken = await send(harness.tuikuan.gateway, signedForm(app, { method: 'alipay.trade.query', biz: 'bm90IGNpcGhlcnRleHQ=', params: { encrypt_type: 'AES' } }).form);
      assert.deepEqual([broken.node.code, broken.node.sub_code, broken.node.sub_msg], ['40003', 'isv.decryption-error-unknown', '解密出错, 未知错误']);
      assert.ok(broken.sign, 'signed');

      const wrongKey = aesEncrypt(Buffer.from('{"trade_no":"x"}'), Buffer.alloc(16, 3));
      const other = await send(harness.tuikuan.gateway, signedForm(app, { method: 'alipay.trade.query', biz: wrongKey, params: { encrypt_type: 'AES' } }).form);
      assert.equal(other.node.sub_code, 'isv.decryption-error-unknown');

      const noKeyApp = await handApp(harness);
      const noKey = await send(harness.tuikuan.gateway, signedForm(noKeyApp, { method: 'alipay.trade.query', biz: unknown, params: { encrypt_type: 'AES' } }).form);
      assert.deepEqual([noKey.node.code, noKey.node.sub_code], ['40002', 'isv.decryption-error-not-valid-encrypt-key']);

      const v2 = await send(harness.tuikuan.gateway, signedForm(app, { method: 'alipay.trade.query', biz: unknown, params: { encrypt_type: 'AES_V2' } }).form);
      assert.equal(v2.node.sub_code, 'isv.invalid-encrypt-type');
    });
  });

  describe('over v3 (needEncrypt)', () => {
    it('the official SDK’s curl with needEncrypt verifies and decrypts the reply', async () => {
      const refunded = await sdk.curl('POST', '/v3/alipay/trade/refund', { body: { trade_no: tradeNo, refund_amount: '1.00', out_request_no: 'E3' }, needEncrypt: true });
      assert.equal(refunded.responseHttpStatus, 200);
      assert.equal(refunded.data.fund_change, 'Y');
    });

    it('an encrypted reply altered in transit is rejected by the SDK before it decrypts', async () => {
      const proxy = await tamperingProxy(harness.tuikuan.url, (body) => `${body.slice(0, 10)}${body[10] === 'A' ? 'B' : 'A'}${body.slice(11)}`);
      try {
        const tampered = new AlipaySdk({ ...sdk.config, endpoint: proxy.origin });
        await assert.rejects(tampered.curl('POST', '/v3/alipay/trade/query', { body: { trade_no: tradeNo }, needEncrypt: true }), (error: { code?: string }) => error.code === 'response-signature-verify-error');
      } finally {
        await proxy.close();
      }
    });

    it('a business failure is a 400 in clear, as v3 errors always are', async () => {
      try {
        await sdk.curl('POST', '/v3/alipay/trade/query', { body: { trade_no: '2026120322001000000000000009' }, needEncrypt: true });
        assert.fail('a business error');
      } catch (error) {
        assert.equal((error as { code: string }).code, 'TRADE_NOT_EXIST');
      }
    });

    it('a body another key encrypted is 400 decryption-error-unknown; an app without a key 400 decryption-error-not-valid-encrypt-key', async () => {
      const wrong = new AlipaySdk({ ...sdk.config, encryptKey: Buffer.alloc(16, 5).toString('base64') });
      try {
        await wrong.curl('POST', '/v3/alipay/trade/query', { body: { trade_no: tradeNo }, needEncrypt: true });
        assert.fail('refused');
      } catch (error) {
        assert.deepEqual([(error as { code: string }).code, (error as { responseHttpStatus: number }).responseHttpStatus], ['decryption-error-unknown', 400]);
      }
      const noKeyApp = await handApp(harness);
      const noKey = new AlipaySdk({ ...sdk.config, appId: noKeyApp.appId, privateKey: noKeyApp.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() });
      try {
        await noKey.curl('POST', '/v3/alipay/trade/query', { body: { trade_no: tradeNo }, needEncrypt: true });
        assert.fail('refused');
      } catch (error) {
        assert.equal((error as { code: string }).code, 'decryption-error-not-valid-encrypt-key');
      }
    });
  });
});
