/**
 * The OpenAPI v1 gateway's own answers (protocol-notes §2, §3): every public error, each provoked by its
 * own request, with Alipay's exact code and sub_code, in an HTTP 200; signed whenever the app is known.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { before, describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { pino } from 'pino';
import { FaultWatch } from '../../src/core/faults.js';
import { createOpenApiGateway, type GatewayReply, type GatewayRequest } from '../../src/methods/openapi-gateway.js';
import type { OpenApiMethod } from '../../src/methods/openapi-method.js';
import type { Services } from '../../src/methods/services.js';
import { tradeError } from '../../src/protocol/openapi/business-errors.js';
import { gatewayError } from '../../src/protocol/openapi/gateway-errors.js';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, assertAdminError } from '../support/harness.js';
import { handApp, replySignatureValid, send, signContent, signedForm, type Charset, type HandApp, type RawReply } from '../support/openapi-client.js';
import { formOf } from '../support/percent-encoding.js';

function assertError(reply: RawReply, code: string, subCode: string, msg: string): void {
  assert.equal(reply.status, 200, 'Alipay answers errors in an HTTP 200');
  assert.equal(reply.node.code, code, JSON.stringify(reply.node));
  assert.equal(reply.node.sub_code, subCode, JSON.stringify(reply.node));
  assert.equal(reply.node.msg, msg);
  assert.equal(typeof reply.node.sub_msg, 'string');
}

describeEachEngine('the OpenAPI gateway’s public errors', (engine) => {
  const { harness } = useHarness(engine, { merchant: false });
  let app: HandApp;
  let gateway: string;
  let platformKey: string;
  before(async () => {
    app = await handApp(harness);
    gateway = harness.tuikuan.gateway;
    platformKey = harness.tuikuan.platformPublicKey;
  });

  const signedError = async (form: string, code: string, subCode: string, msg: string, nodeName = 'alipay_trade_query_response') => {
    const reply = await send(gateway, form);
    assertError(reply, code, subCode, msg);
    assert.equal(reply.nodeName, nodeName);
    assert.ok(replySignatureValid(reply, platformKey), 'an error for a known app is signed');
    return reply;
  };

  describe('40001 Missing Required Arguments', () => {
    it('isv.missing-method: no method, answered in error_response, unsigned', async () => {
      const { form } = signedForm(app, { params: { method: undefined } });
      const reply = await send(gateway, form);
      assertError(reply, '40001', 'isv.missing-method', 'Missing Required Arguments');
      assert.equal(reply.nodeName, 'error_response');
      assert.equal(reply.node.sub_msg, '缺少方法名参数');
    });

    it('isv.missing-app-id: no app_id, in the method’s node, unsigned', async () => {
      const { form } = signedForm(app, { params: { app_id: undefined } });
      const reply = await send(gateway, form);
      assertError(reply, '40001', 'isv.missing-app-id', 'Missing Required Arguments');
      assert.equal(reply.nodeName, 'alipay_trade_query_response');
      assert.equal(reply.sign, undefined);
    });

    it('isv.missing-signature', async () => {
      const { params } = signedForm(app);
      const form = formOf(Object.entries(params).filter(([key]) => key !== 'sign'));
      const reply = await signedError(form, '40001', 'isv.missing-signature', 'Missing Required Arguments');
      assert.equal(reply.node.sub_msg, '缺少签名参数');
    });

    for (const [param, subCode, subMsg] of [
      ['sign_type', 'isv.missing-signature-type', '缺少签名类型参数'],
      ['timestamp', 'isv.missing-timestamp', '缺少时间戳参数'],
      ['version', 'isv.missing-version', '缺少版本参数'],
    ] as const) {
      it(`${subCode}: no ${param}`, async () => {
        const { form } = signedForm(app, { params: { [param]: undefined } });
        const reply = await signedError(form, '40001', subCode, 'Missing Required Arguments');
        assert.equal(reply.node.sub_msg, subMsg);
      });
    }
  });

  describe('40002 Invalid Arguments', () => {
    it('isv.invalid-app-id: an unknown app is answered in the method’s node without a sign', async () => {
      const { form } = signedForm({ ...app, appId: '2021000000000000' });
      const reply = await send(gateway, form);
      assertError(reply, '40002', 'isv.invalid-app-id', 'Invalid Arguments');
      assert.equal(reply.nodeName, 'alipay_trade_query_response');
      assert.equal(reply.sign, undefined, 'no key to sign with');
      assert.equal(reply.node.sub_msg, '无效的AppID参数');
    });

    it('isv.invalid-app-id comes before the signature is even looked for', async () => {
      const { params } = signedForm({ ...app, appId: '2021000000000001' });
      const form = formOf(Object.entries(params).filter(([key]) => key !== 'sign'));
      assertError(await send(gateway, form), '40002', 'isv.invalid-app-id', 'Invalid Arguments');
    });

    it('isv.invalid-method: a method the gateway does not serve', async () => {
      const { form } = signedForm(app, { method: 'alipay.trade.app.pay' });
      const reply = await signedError(form, '40002', 'isv.invalid-method', 'Invalid Arguments', 'alipay_trade_app_pay_response');
      assert.equal(reply.node.sub_msg, '不存在的方法名');
    });

    it('isv.invalid-signature: a request signed by another key, showing the string the gateway verified', async () => {
      const other = await handApp(harness);
      const { form } = signedForm(app, { key: other.privateKey });
      const reply = await signedError(form, '40002', 'isv.invalid-signature', 'Invalid Arguments');
      assert.match(reply.node.sub_msg, /^验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：app_id=/);
    });

    it('isv.invalid-signature: a parameter changed after signing', async () => {
      const { form } = signedForm(app, { biz: { out_trade_no: 'A' }, after: { biz_content: '{"out_trade_no":"B"}' } });
      await signedError(form, '40002', 'isv.invalid-signature', 'Invalid Arguments');
    });

    it('isv.invalid-timestamp: not yyyy-MM-dd HH:mm:ss, or not a real date', async () => {
      for (const timestamp of ['2026/11/23 10:00:00', '2026-02-30 10:00:00', '1700000000']) {
        const { form } = signedForm(app, { params: { timestamp } });
        const reply = await signedError(form, '40002', 'isv.invalid-timestamp', 'Invalid Arguments');
        assert.equal(reply.node.sub_msg, '非法的时间戳参数');
      }
    });

    it('isv.invalid-charset: a charset Alipay does not accept', async () => {
      const { form } = signedForm(app, { params: { charset: 'big5' } });
      const reply = await signedError(form, '40002', 'isv.invalid-charset', 'Invalid Arguments');
      assert.equal(reply.node.sub_msg, '字符集错误');
    });

    it('isv.invalid-signature-type: neither RSA2 nor RSA (names are case-sensitive)', async () => {
      for (const signType of ['MD5', 'rsa2', 'HMAC']) {
        const { form } = signedForm(app, { params: { sign_type: signType } });
        await signedError(form, '40002', 'isv.invalid-signature-type', 'Invalid Arguments');
      }
    });

    it('isv.invalid-format: a format other than JSON', async () => {
      const { form } = signedForm(app, { params: { format: 'xml' } });
      await signedError(form, '40002', 'isv.invalid-format', 'Invalid Arguments');
      const json = signedForm(app, { params: { format: 'JSON' } });
      assert.equal((await send(gateway, json.form)).node.sub_code, 'ACQ.INVALID_PARAMETER', 'format=JSON is accepted');
    });

    it('isv.missing-signature-config: an RSA request to an app with only an RSA2 key', async () => {
      const rsa2Only = await handApp(harness, { keys: 'rsa2' });
      const { form } = signedForm(rsa2Only, { signType: 'RSA' });
      const reply = await send(gateway, form);
      assertError(reply, '40002', 'isv.missing-signature-config', 'Invalid Arguments');
      assert.ok(replySignatureValid(reply, platformKey, 'RSA'), 'answered in the request’s algorithm');
    });

    it('isv.invalid-parameter: biz_content that is not a JSON object, or a version other than 1.0', async () => {
      for (const biz of ['{"out_trade_no":', 'not json', '[1,2]', '"text"']) {
        const { form } = signedForm(app, { biz });
        const reply = await signedError(form, '40002', 'isv.invalid-parameter', 'Invalid Arguments');
        assert.equal(reply.node.sub_msg, '参数无效');
      }
      const { form } = signedForm(app, { params: { version: '2.0' } });
      await signedError(form, '40002', 'isv.invalid-parameter', 'Invalid Arguments');
    });
  });

  describe('20001 Insufficient Token Permissions: app_auth_token', () => {
    it('aop.invalid-auth-token for an unknown token', async () => {
      const { form } = signedForm(app, { params: { app_auth_token: '202611BB0000000000000000' } });
      const reply = await signedError(form, '20001', 'aop.invalid-auth-token', 'Insufficient Token Permissions');
      assert.equal(reply.node.sub_msg, '无效的访问令牌');
    });

    it('a merchant’s token lets another merchant’s app act for it; revoked, or used by another app, it is invalid', async () => {
      const seller = await handApp(harness);
      const issued = await harness.adminOk('POST', '/app-auth-tokens', { app_id: app.appId, pid: seller.pid });
      const token = issued.app_auth_token as string;
      const biz = { out_trade_no: `AUTH${Date.now()}`, scene: 'bar_code', auth_code: '286648395128379123', subject: '代调用', total_amount: '12.00' };
      const paid = await send(gateway, signedForm(app, { method: 'alipay.trade.pay', biz, params: { app_auth_token: token } }).form);
      assert.equal(paid.node.code, '10000', JSON.stringify(paid.node));
      const trade = await harness.adminOk('GET', `/trades/${paid.node.trade_no}`);
      assert.equal(trade.seller_id, seller.pid, 'the trade is the authorising merchant’s');
      assert.equal(trade.app_id, app.appId);

      const stranger = await handApp(harness);
      const misused = signedForm(stranger, { params: { app_auth_token: token } });
      assertError(await send(gateway, misused.form), '20001', 'aop.invalid-auth-token', 'Insufficient Token Permissions');

      const revoked = await harness.admin('DELETE', `/app-auth-tokens/${token}`);
      assert.equal(revoked.status, 204);
      const after = signedForm(app, { method: 'alipay.trade.query', biz: { out_trade_no: biz.out_trade_no }, params: { app_auth_token: token } });
      await signedError(after.form, '20001', 'aop.invalid-auth-token', 'Insufficient Token Permissions');
      assertAdminError(await harness.admin('DELETE', `/app-auth-tokens/${token}x`), 404, 'token_not_found');
    });
  });

  describe('20000 and provoked failures', () => {
    it('isp.unknow-error when anything unexpected happens (provoked), and the call after it is answered normally', async () => {
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.query', sub_code: 'isp.unknow-error' });
      const { form } = signedForm(app, { biz: { out_trade_no: 'NOPE' } });
      const reply = await signedError(form, '20000', 'isp.unknow-error', 'Service Currently Unavailable');
      assert.equal(reply.node.sub_msg, '服务暂不可用（业务系统不可用）');
      const next = await send(gateway, signedForm(app, { biz: { out_trade_no: 'NOPE' } }).form);
      assert.equal(next.node.sub_code, 'ACQ.TRADE_NOT_EXIST');
    });

    it('a business error provoked by name, `times` in a row, listed until used up', async () => {
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.query', sub_code: 'ACQ.SYSTEM_ERROR', times: 2 });
      assert.equal((await harness.adminOk('GET', '/faults')).faults.length, 1);
      for (let i = 0; i < 2; i++) {
        const reply = await signedError(signedForm(app, { biz: { out_trade_no: 'X' } }).form, '40004', 'ACQ.SYSTEM_ERROR', 'Business Failed');
        assert.equal(reply.node.sub_msg, '系统错误');
      }
      assert.equal((await harness.adminOk('GET', '/faults')).faults.length, 0);
      assert.equal((await send(gateway, signedForm(app, { biz: { out_trade_no: 'X' } }).form)).node.sub_code, 'ACQ.TRADE_NOT_EXIST');
    });

    it('DELETE /admin/v1/faults disarms every armed fault at once, used or not: the calls after it are answered as if none had been armed', async () => {
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.query', sub_code: 'ACQ.SYSTEM_ERROR', times: 5 });
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.refund', sub_code: 'ACQ.SYSTEM_ERROR', phase: 'after' });
      assert.deepEqual(
        (await harness.adminOk('GET', '/faults')).faults.map((f: Record<string, unknown>) => [f.method, f.remaining]),
        [
          ['alipay.trade.query', 5],
          ['alipay.trade.refund', 1],
        ],
      );
      await signedError(signedForm(app, { biz: { out_trade_no: 'X' } }).form, '40004', 'ACQ.SYSTEM_ERROR', 'Business Failed');

      const cleared = await harness.admin('DELETE', '/faults');
      assert.equal(cleared.status, 204);
      assert.deepEqual(cleared.body, {}, 'no body');
      assert.deepEqual((await harness.adminOk('GET', '/faults')).faults, []);
      for (let i = 0; i < 4; i++)
        assert.equal((await send(gateway, signedForm(app, { biz: { out_trade_no: 'X' } }).form)).node.sub_code, 'ACQ.TRADE_NOT_EXIST');
      const refund = signedForm(app, { method: 'alipay.trade.refund', biz: { out_trade_no: 'X', refund_amount: '1.00' } });
      assert.equal((await send(gateway, refund.form)).node.sub_code, 'ACQ.TRADE_NOT_EXIST', 'the refund’s fault is gone too');
      assert.equal((await harness.admin('DELETE', '/faults')).status, 204, 'clearing none is no error');
    });

    it('refuses to arm a fault the method cannot answer', async () => {
      const bad = await harness.admin('POST', '/faults', { method: 'alipay.trade.query', sub_code: 'ACQ.NO_SUCH_CODE' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'invalid_request');
      assertAdminError(await harness.admin('POST', '/faults', { method: 'alipay.nope', sub_code: 'isp.unknow-error' }), 400, 'invalid_request');
    });
  });

  describe('every public error of the table, each with its exact code, msg and sub_msg', () => {
    /** The apps the requests below come from: in public-key mode (both keys, RSA2 only, with an AES key) and in certificate mode. */
    let keyed: { rsa2Only: HandApp; aes: HandApp; cert: HandApp; certSn: string; rootSn: string };
    /** A request signed by the app, then changed. */
    let tampered: ReturnType<typeof signedForm>;
    before(async () => {
      tampered = signedForm(app, { biz: { out_trade_no: 'A' }, after: { biz_content: '{"out_trade_no":"B"}' } });
      const rsa2Only = await handApp(harness, { keys: 'rsa2' });
      const aes = await handApp(harness);
      await harness.adminOk('PATCH', `/apps/${aes.appId}`, { aes_key: 'generate' });
      const merchant = await harness.adminOk('POST', '/merchants', { balance: '1.00' });
      const created = await harness.adminOk('POST', '/apps', { pid: merchant.pid, key_mode: 'cert' });
      const cert = { appId: created.app_id as string, pid: merchant.pid as string, privateKey: createPrivateKey(created.app_private_key as string) };
      keyed = { rsa2Only, aes, cert, certSn: created.app_cert_sn, rootSn: created.alipay_root_cert_sn };
    });

    const query =
      (options: Parameters<typeof signedForm>[1] = {}, from: () => HandApp = () => app) =>
      () =>
        send(gateway, signedForm(from(), { biz: { out_trade_no: 'X' }, ...options }).form);
    const unsigned = () => send(gateway, formOf(Object.entries(signedForm(app).params).filter(([key]) => key !== 'sign')));
    const MISSING = 'Missing Required Arguments';
    const INVALID = 'Invalid Arguments';
    const PUBLIC_ERRORS: ReadonlyArray<{ subCode: string; code: string; msg: string; subMsg: string | (() => string); provoke: () => Promise<RawReply> }> = [
      {
        subCode: 'isp.unknow-error',
        code: '20000',
        msg: 'Service Currently Unavailable',
        subMsg: '服务暂不可用（业务系统不可用）',
        provoke: async () => {
          await harness.adminOk('POST', '/faults', { method: 'alipay.trade.query', sub_code: 'isp.unknow-error' });
          return query()();
        },
      },
      {
        subCode: 'aop.invalid-auth-token',
        code: '20001',
        msg: 'Insufficient Token Permissions',
        subMsg: '无效的访问令牌',
        provoke: query({ params: { app_auth_token: '202611BB0000000000000000' } }),
      },
      { subCode: 'isv.missing-method', code: '40001', msg: MISSING, subMsg: '缺少方法名参数', provoke: query({ params: { method: undefined } }) },
      { subCode: 'isv.missing-signature', code: '40001', msg: MISSING, subMsg: '缺少签名参数', provoke: unsigned },
      { subCode: 'isv.missing-signature-type', code: '40001', msg: MISSING, subMsg: '缺少签名类型参数', provoke: query({ params: { sign_type: undefined } }) },
      { subCode: 'isv.missing-app-id', code: '40001', msg: MISSING, subMsg: '缺少appId参数', provoke: query({ params: { app_id: undefined } }) },
      { subCode: 'isv.missing-timestamp', code: '40001', msg: MISSING, subMsg: '缺少时间戳参数', provoke: query({ params: { timestamp: undefined } }) },
      { subCode: 'isv.missing-version', code: '40001', msg: MISSING, subMsg: '缺少版本参数', provoke: query({ params: { version: undefined } }) },
      {
        subCode: 'isv.missing-alipay-root-cert-sn',
        code: '40001',
        msg: MISSING,
        subMsg: '缺少支付宝根证书序列号',
        provoke: () => query({ params: { app_cert_sn: keyed.certSn } }, () => keyed.cert)(),
      },
      { subCode: 'isv.invalid-parameter', code: '40002', msg: INVALID, subMsg: '参数无效', provoke: query({ biz: 'not json' }) },
      {
        subCode: 'isv.invalid-parameter',
        code: '40002',
        msg: INVALID,
        subMsg: '参数无效：notify_url',
        provoke: query({ params: { notify_url: 'ftp://shop.example.com/notify' } }),
      },
      { subCode: 'isv.invalid-method', code: '40002', msg: INVALID, subMsg: '不存在的方法名', provoke: query({ method: 'alipay.trade.app.pay' }) },
      { subCode: 'isv.invalid-format', code: '40002', msg: INVALID, subMsg: '无效的数据格式', provoke: query({ params: { format: 'xml' } }) },
      { subCode: 'isv.invalid-signature-type', code: '40002', msg: INVALID, subMsg: '无效的签名类型', provoke: query({ params: { sign_type: 'MD5' } }) },
      {
        subCode: 'isv.invalid-signature',
        code: '40002',
        msg: INVALID,
        // The string the gateway verified, '&' escaped: the request's own sign content, as this test computes it.
        subMsg: () =>
          `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${signContent(tampered.params).replaceAll('&', '&amp;')}`,
        provoke: () => send(gateway, tampered.form),
      },
      {
        subCode: 'isv.missing-signature-config',
        code: '40002',
        msg: INVALID,
        subMsg: '验签出错, 未配置对应签名算法的公钥或者证书',
        provoke: () => query({ signType: 'RSA' }, () => keyed.rsa2Only)(),
      },
      {
        subCode: 'isv.invalid-app-id',
        code: '40002',
        msg: INVALID,
        subMsg: '无效的AppID参数',
        provoke: query({}, () => ({ ...app, appId: '2021000000000000' })),
      },
      {
        subCode: 'isv.invalid-timestamp',
        code: '40002',
        msg: INVALID,
        subMsg: '非法的时间戳参数',
        provoke: query({ params: { timestamp: '2026/11/23 10:00:00' } }),
      },
      { subCode: 'isv.invalid-charset', code: '40002', msg: INVALID, subMsg: '字符集错误', provoke: query({ params: { charset: 'big5' } }) },
      {
        subCode: 'isv.invalid-encrypt-type',
        code: '40002',
        msg: INVALID,
        subMsg: '无效的加密类型',
        provoke: () => query({ biz: 'bm90IGNpcGhlcnRleHQ=', params: { encrypt_type: 'AES_V2' } }, () => keyed.aes)(),
      },
      { subCode: 'isv.missing-app-cert-sn', code: '40002', msg: INVALID, subMsg: '缺少应用公钥证书序列号', provoke: () => query({}, () => keyed.cert)() },
      {
        subCode: 'isv.app-cert-not-exist',
        code: '40002',
        msg: INVALID,
        subMsg: '应用公钥证书不存在',
        provoke: () => query({ params: { app_cert_sn: keyed.certSn, alipay_root_cert_sn: keyed.rootSn } })(),
      },
      {
        subCode: 'isv.invalid-alipay-root-cert-sn',
        code: '40002',
        msg: INVALID,
        subMsg: '无效支付宝根证书序列号',
        provoke: () =>
          query(
            { params: { app_cert_sn: keyed.certSn, alipay_root_cert_sn: '687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6' } },
            () => keyed.cert,
          )(),
      },
      {
        subCode: 'isv.decryption-error-not-valid-encrypt-key',
        code: '40002',
        msg: INVALID,
        subMsg: '解密出错, 未配置加密密钥或加密密钥格式错误',
        provoke: query({ biz: 'bm90IGNpcGhlcnRleHQ=', params: { encrypt_type: 'AES' } }),
      },
      {
        subCode: 'isv.decryption-error-unknown',
        code: '40003',
        msg: 'Insufficient Conditions',
        subMsg: '解密出错, 未知错误',
        provoke: () => query({ biz: 'bm90IGNpcGhlcnRleHQ=', params: { encrypt_type: 'AES' } }, () => keyed.aes)(),
      },
    ];
    for (const error of PUBLIC_ERRORS) {
      const expected = typeof error.subMsg === 'string' ? error.subMsg : 'the string it verified';
      it(`${error.code} ${error.subCode}: ${expected}`, async () => {
        const reply = await error.provoke();
        assert.equal(reply.status, 200);
        assert.deepEqual(
          [reply.node.code, reply.node.msg, reply.node.sub_code, reply.node.sub_msg],
          [error.code, error.msg, error.subCode, typeof error.subMsg === 'string' ? error.subMsg : error.subMsg()],
        );
      });
    }

    it('leaves out only the errors the v1 gateway never raises', () => {
      const notRaisedByV1: Record<string, string> = {
        'aop.unknow-error': 'kept for OpenAPI v3’s HTTP statuses; every unexpected failure is isp.unknow-error',
        'aop.invalid-app-auth-token': 'what OpenAPI v3 answers for an unknown app_auth_token (v1 answers aop.invalid-auth-token)',
        'isv.insufficient-isv-permissions': 'no method the gateway serves needs a permission an app may lack',
      };
      const provoked = new Set(PUBLIC_ERRORS.map((error) => error.subCode));
      assert.deepEqual(gatewayError.names.filter((name) => !(name in notRaisedByV1)).sort(), [...provoked].sort());
    });
  });

  describe('the order of the checks', () => {
    it('missing method first, then app_id, then the rest', async () => {
      const { form } = signedForm(app, { params: { method: undefined, app_id: undefined, sign_type: undefined } });
      assert.equal((await send(gateway, form)).node.sub_code, 'isv.missing-method');
      const second = signedForm(app, { params: { app_id: undefined, sign_type: undefined } });
      assert.equal((await send(gateway, second.form)).node.sub_code, 'isv.missing-app-id');
    });

    it('a bad method before a bad signature; a bad signature before the business', async () => {
      const other = await handApp(harness);
      const badMethod = signedForm(app, { method: 'alipay.nope', key: other.privateKey });
      assert.equal((await send(gateway, badMethod.form)).node.sub_code, 'isv.invalid-method');
      const badSign = signedForm(app, { biz: {}, key: other.privateKey });
      assert.equal((await send(gateway, badSign.form)).node.sub_code, 'isv.invalid-signature');
    });
  });
});

/** A GatewayReply read as a client reads a reply off the wire. */
function asRawReply(reply: GatewayReply, charset: Charset = 'utf-8'): RawReply {
  const text = charset === 'utf-8' ? reply.body.toString('utf8') : iconv.decode(reply.body, charset.toLowerCase());
  const json = JSON.parse(text) as Record<string, any>;
  const nodeName = Object.keys(json).find((key) => key !== 'sign') ?? '';
  return { status: 200, contentType: reply.contentType, raw: reply.body, text, json, node: json[nodeName] ?? {}, nodeName, sign: json.sign };
}

/** Faults that cannot be read: the gateway fails outside any method. */
class UnreadableFaults extends FaultWatch {
  override async next(): Promise<never> {
    throw new Error('the faults table is gone');
  }
}

describeEachEngine('createOpenApiGateway: what goes wrong inside it', (engine) => {
  const { harness } = useHarness(engine, { merchant: false });
  let app: HandApp;
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const platformPublicKey = platform.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const logger = pino({ level: 'silent' });
  before(async () => {
    app = await handApp(harness);
  });

  /** alipay.trade.query, standing in for any method that throws. */
  const throwing: OpenApiMethod = {
    name: 'alipay.trade.query',
    errors: tradeError,
    failureFields: async () => ({}),
    run: async () => {
      throw new TypeError('Cannot read properties of undefined (reading secret_column)');
    },
  };
  const gatewayWith = (services: Services) => createOpenApiGateway({ services, platformKey: platform.privateKey, methods: [throwing], logger });
  const request = (options: Parameters<typeof signedForm>[1] = {}): GatewayRequest => ({
    params: new Map(Object.entries(signedForm(app, { biz: { out_trade_no: 'X' }, ...options }).params)),
    charset: options.charset === 'GBK' ? 'gbk' : 'utf-8',
    origin: 'http://127.0.0.1',
  });

  function assertUnknowError(reply: RawReply): void {
    assert.equal(reply.nodeName, 'alipay_trade_query_response');
    assert.deepEqual(reply.node, {
      code: '20000',
      msg: 'Service Currently Unavailable',
      sub_code: 'isp.unknow-error',
      sub_msg: '服务暂不可用（业务系统不可用）',
    });
    assert.doesNotMatch(reply.text, /secret_column|TypeError|faults table|\bat \S+ \(|\.js:\d+/, 'nothing of the failure shows');
  }

  it('a method that throws: 20000 isp.unknow-error, signed, no stack trace in the body', async () => {
    const gateway = gatewayWith(harness.tuikuan.services);
    for (const signType of ['RSA2', 'RSA'] as const) {
      const result = await gateway.handle(request({ signType }));
      const reply = asRawReply(result);
      assertUnknowError(reply);
      assert.ok(replySignatureValid(reply, platformPublicKey, signType), `signed ${signType}`);
      assert.equal(result.method, 'alipay.trade.query');
      assert.equal(result.code, '20000');
      assert.equal(result.subCode, 'isp.unknow-error');
    }
  });

  it('a failure outside any method: still 20000, signed for the known app, in the request’s charset', async () => {
    const gateway = gatewayWith({ ...harness.tuikuan.services, faults: new UnreadableFaults(harness.tuikuan.services) });
    const reply = asRawReply(await gateway.handle(request()));
    assertUnknowError(reply);
    assert.ok(replySignatureValid(reply, platformPublicKey, 'RSA2'), 'signed RSA2');
    const rsa = asRawReply(await gateway.handle(request({ signType: 'RSA' })));
    assert.ok(replySignatureValid(rsa, platformPublicKey, 'RSA'), 'signed RSA, as asked');
    const gbk = await gateway.handle(request({ charset: 'GBK' }));
    assert.match(gbk.contentType, /GBK/);
    assert.ok(replySignatureValid(asRawReply(gbk, 'GBK'), platformPublicKey, 'RSA2', 'GBK'), 'signed over the GBK bytes');
  });

  it('an unreadable request: 40002 isv.invalid-parameter, signed when the query names a known app, unsigned otherwise', async () => {
    const gateway = gatewayWith(harness.tuikuan.services);
    const query = (params: Record<string, string>): GatewayRequest => ({
      params: new Map(Object.entries(params)),
      charset: 'utf-8',
      origin: 'http://127.0.0.1',
    });
    const expected = { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter', sub_msg: '参数无效' };
    for (const signType of ['RSA2', 'RSA'] as const) {
      const known = asRawReply(await gateway.unreadable(query({ method: 'alipay.trade.refund', app_id: app.appId, sign_type: signType })));
      assert.equal(known.nodeName, 'alipay_trade_refund_response');
      assert.deepEqual(known.node, expected);
      assert.ok(replySignatureValid(known, platformPublicKey, signType), `signed ${signType}`);
    }
    const unknown = asRawReply(await gateway.unreadable(query({ method: 'alipay.trade.refund', app_id: '2021000000000000' })));
    assert.deepEqual(unknown.node, expected);
    assert.equal(unknown.sign, undefined, 'no key to choose for an unknown app');
    const nothing = asRawReply(await gateway.unreadable(query({})));
    assert.equal(nothing.nodeName, 'error_response');
    assert.equal(nothing.sign, undefined);
  });
});
