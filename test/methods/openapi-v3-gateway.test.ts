/**
 * OpenAPI v3 through the official alipay-sdk 4.x `curl()`, unmodified (it always verifies replies): every
 * path tuikuan serves over v1 that v3 has, with the same core behind both; business errors as
 * `AlipayRequestError` with v3's code and HTTP status; the `authorization` header verified — signature,
 * timestamp window, app auth token — with Alipay's codes; a reply altered in transit rejected by the SDK;
 * bad input never a 5xx.
 */
import assert from 'node:assert/strict';
import { createSign, randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, type Harness, type MerchantKit, newMerchant, newTrade } from '../support/harness.js';
import { tamperingProxy } from '../support/tampering-proxy.js';
import { v3Error, v3Sdk } from '../support/openapi-v3-client.js';
import { refundOf, type Reply } from '../support/refund-calls.js';

/** A v3 request signed by hand, for what the SDK will not send: an old timestamp, a wrong key, garbage. */
async function handSigned(
  harness: Harness,
  kit: MerchantKit,
  options: { path?: string; body?: string; timestamp?: number; key?: string; authString?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: Reply; headers: Headers }> {
  const path = options.path ?? '/v3/alipay/trade/query';
  const body = options.body ?? '{}';
  const authString = options.authString ?? `app_id=${kit.appId},nonce=${randomUUID()},timestamp=${options.timestamp ?? Date.now()}`;
  const sign = createSign('RSA-SHA256').update(`${authString}\nPOST\n${path}\n${body}\n`).sign(options.key ?? kit.appPrivateKey, 'base64');
  const response = await fetch(`${harness.tuikuan.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `ALIPAY-SHA256withRSA ${authString},sign=${sign}`, ...options.headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as Reply, headers: response.headers };
}

describeEachEngine('OpenAPI v3', (engine) => {
  const { harness, kit } = useHarness(engine);
  let sdk: AlipaySdk;
  before(async () => {
    sdk = v3Sdk(harness, kit);
  });

  describe('every trade path the v1 gateway serves, with the same core behind it', () => {
    it('POST /v3/alipay/trade/pay pays at once, and GET or POST /v3/alipay/trade/query finds the trade', async () => {
      const paid = await sdk.curl('POST', '/v3/alipay/trade/pay', {
        body: { out_trade_no: 'V3PAY1', scene: 'bar_code', auth_code: '286648395128379123', subject: '测试商品', total_amount: '88.88' },
      });
      assert.equal(paid.responseHttpStatus, 200);
      assert.equal(paid.data.total_amount, '88.88');
      assert.equal(paid.data.code, undefined, 'no v1 envelope: the fields are the body');
      const byPost = await sdk.curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: 'V3PAY1' } });
      assert.equal(byPost.data.trade_status, 'TRADE_SUCCESS');
      const byGet = await sdk.curl('GET', '/v3/alipay/trade/query', { query: { trade_no: paid.data.trade_no, query_options: 'fund_bill_list' } });
      assert.equal(byGet.data.out_trade_no, 'V3PAY1');
      assert.ok(Array.isArray(byGet.data.fund_bill_list));
    });

    it('POST /v3/alipay/trade/refund refunds, a repeat moves nothing, and /fastpay/refund/query reports it', async () => {
      const trade = await newTrade(harness, kit);
      const body = { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'V3R1' };
      const first = await sdk.curl('POST', '/v3/alipay/trade/refund', { body });
      assert.equal(first.data.fund_change, 'Y');
      assert.equal(first.data.refund_fee, '10.00');
      const repeat = await sdk.curl('POST', '/v3/alipay/trade/refund', { body });
      assert.equal(repeat.data.fund_change, 'N');
      const query = await sdk.curl('POST', '/v3/alipay/trade/fastpay/refund/query', { body: { trade_no: trade.trade_no, out_request_no: 'V3R1' } });
      assert.equal(query.data.refund_status, 'REFUND_SUCCESS');
      assert.equal((await refundOf(harness, trade.trade_no, 'V3R1')).status, 'succeeded', 'the one refund of the core');
    });

    it('POST /v3/alipay/trade/refund/apply accepts, and the worker carries the refund out', async () => {
      const trade = await newTrade(harness, kit);
      const applied = await sdk.curl('POST', '/v3/alipay/trade/refund/apply', { body: { trade_no: trade.trade_no, refund_amount: '3.00', out_request_no: 'V3A1' } });
      assert.equal(applied.responseHttpStatus, 200);
      assert.deepEqual(applied.data, {}, 'accepted, as v1 answers 10000 with no fields');
      for (let i = 0; i < 100 && (await refundOf(harness, trade.trade_no, 'V3A1')).status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal((await refundOf(harness, trade.trade_no, 'V3A1')).status, 'succeeded');
    });

    it('answers the trade.pay notify_url from the body, under the same rule as v1', async () => {
      const refused = await v3Error(
        sdk.curl('POST', '/v3/alipay/trade/pay', {
          body: { out_trade_no: 'V3PAY2', scene: 'bar_code', auth_code: '286648395128379123', subject: 'x', total_amount: '1.00', notify_url: 'file:///etc/passwd' },
        }),
      );
      assert.deepEqual([refused.responseHttpStatus, refused.code], [400, 'invalid-parameter']);
    });
  });

  describe('business errors', () => {
    it('are AlipayRequestError with v3’s code (the v1 sub_code without ACQ.) and HTTP 400', async () => {
      const unknown = await v3Error(sdk.curl('POST', '/v3/alipay/trade/refund', { body: { trade_no: '2026120322001000000000000001', refund_amount: '1.00' } }));
      assert.deepEqual([unknown.responseHttpStatus, unknown.code], [400, 'TRADE_NOT_EXIST']);
      assert.match(unknown.message, /^交易不存在/);
      const trade = await newTrade(harness, kit, { total_amount: '5.00' });
      const tooMuch = await v3Error(sdk.curl('POST', '/v3/alipay/trade/refund', { body: { trade_no: trade.trade_no, refund_amount: '6.00', out_request_no: 'X' } }));
      assert.deepEqual([tooMuch.responseHttpStatus, tooMuch.code], [400, 'REFUND_AMT_NOT_EQUAL_TOTAL']);
      const invalid = await v3Error(sdk.curl('POST', '/v3/alipay/trade/refund', { body: { refund_amount: 'many' } }));
      assert.deepEqual([invalid.responseHttpStatus, invalid.code], [400, 'INVALID_PARAMETER']);
    });

    it('a provoked failure answers over v3 too, isp.unknow-error as a 500', async () => {
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.query', sub_code: 'isp.unknow-error' });
      const provoked = await v3Error(sdk.curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: 'V3PAY1' } }));
      assert.deepEqual([provoked.responseHttpStatus, provoked.code], [500, 'unknow-error']);
    });
  });

  describe('the authorization header', () => {
    it('an unknown path is 400 invalid-method, as the live gateway answers', async () => {
      const error = await v3Error(sdk.curl('POST', '/v3/alipay/trade/generateNotFound', { body: {} }));
      assert.deepEqual([error.responseHttpStatus, error.code, error.message.split(' (')[0]], [400, 'invalid-method', '不存在的方法名']);
    });

    it('a signature by another key is 401 invalid-signature; an unknown app_id 400 invalid-app-id', async () => {
      const stranger = await newMerchant(harness);
      const other = await harness.adminOk('POST', '/apps', { pid: stranger.pid });
      const wrongKey = await handSigned(harness, kit, { key: other.app_private_key });
      assert.deepEqual([wrongKey.status, wrongKey.json.code], [401, 'invalid-signature']);
      const unknownApp = await handSigned(harness, { ...kit, appId: '2021009999999999' });
      assert.deepEqual([unknownApp.status, unknownApp.json.code], [400, 'invalid-app-id']);
    });

    it('a timestamp more than 10 minutes off is 400 invalid-timestamp, also when the body is right', async () => {
      const stale = await handSigned(harness, kit, { timestamp: Date.now() - 11 * 60_000 });
      assert.deepEqual([stale.status, stale.json.code], [400, 'invalid-timestamp']);
      const future = await handSigned(harness, kit, { timestamp: Date.now() + 11 * 60_000 });
      assert.equal(future.json.code, 'invalid-timestamp');
      const fresh = await handSigned(harness, kit, { timestamp: Date.now() - 9 * 60_000, body: JSON.stringify({ out_trade_no: 'V3PAY1' }) });
      assert.equal(fresh.status, 200);
      const shortLived = await handSigned(harness, kit, { authString: `app_id=${kit.appId},timestamp=${Date.now() - 200_000},nonce=n1,expired_seconds=120` });
      assert.equal(shortLived.json.code, 'invalid-timestamp', 'expired_seconds narrows the window');
    });

    it('fields in any order, as Postman sends them, verify; no authorization is 400 missing-timestamp', async () => {
      const postman = await handSigned(harness, kit, { authString: `app_id=${kit.appId},timestamp=${Date.now()},nonce=${randomUUID()},expired_seconds=120`, body: JSON.stringify({ out_trade_no: 'V3PAY1' }) });
      assert.equal(postman.status, 200);
      const none = await fetch(`${harness.tuikuan.url}/v3/alipay/trade/query`, { method: 'POST', body: '{}' });
      assert.equal(none.status, 400);
      assert.equal(((await none.json()) as Reply).code, 'missing-timestamp');
    });

    it('an app auth token acts for the merchant that issued it; an unknown one is 401 invalid-app-auth-token', async () => {
      const seller = await newMerchant(harness);
      const { app_auth_token: token } = await harness.adminOk('POST', '/app-auth-tokens', { app_id: kit.appId, pid: seller.pid });
      const trade = await harness.adminOk('POST', '/trades', { app_id: kit.appId, seller_id: seller.pid, total_amount: '20.00' });
      const refunded = await sdk.curl('POST', '/v3/alipay/trade/refund', { body: { trade_no: trade.trade_no, refund_amount: '2.00', out_request_no: 'T1' }, appAuthToken: token });
      assert.equal(refunded.data.fund_change, 'Y');
      const refused = await v3Error(sdk.curl('POST', '/v3/alipay/trade/query', { body: { trade_no: trade.trade_no }, appAuthToken: 'nonsense' }));
      assert.deepEqual([refused.responseHttpStatus, refused.code], [401, 'invalid-app-auth-token']);
    });
  });

  describe('replies are signed over the exact body', () => {
    it('a reply altered in transit is rejected by the SDK', async () => {
      const proxy = await tamperingProxy(harness.tuikuan.url, (body) => body.replace('TRADE_SUCCESS', 'TRADE_CLOSED'));
      try {
        const error = await v3Error(v3Sdk(harness, kit, proxy.origin).curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: 'V3PAY1' } }));
        assert.equal(error.code, 'response-signature-verify-error');
      } finally {
        await proxy.close();
      }
    });

    it('errors are signed too, and every reply carries a trace id', async () => {
      const reply = await handSigned(harness, kit, { path: '/v3/alipay/trade/refund', body: '{"trade_no":"x"' });
      assert.equal(reply.status, 400);
      assert.equal(reply.json.code, 'invalid-parameter');
      for (const name of ['alipay-timestamp', 'alipay-nonce', 'alipay-signature', 'alipay-trace-id']) assert.ok(reply.headers.get(name), name);
    });
  });

  describe('bad input', () => {
    it('is a 4xx with a v3 error body, never a 5xx', async () => {
      for (const body of ['not json', '[1,2]', '"text"', 'null', `{"out_trade_no":"${'x'.repeat(100)}"}`, '{"trade_no":{"nested":true}}']) {
        const reply = await handSigned(harness, kit, { body });
        assert.ok(reply.status >= 400 && reply.status < 500, `${body} → ${reply.status}`);
        assert.equal(typeof reply.json.code, 'string');
      }
    });
  });
});
