/**
 * Public-key certificate mode (公钥证书) through the official alipay-sdk 4.x, configured as a merchant does
 * it — `appCertContent`, `alipayPublicCertContent`, `alipayRootCertContent` — over v1 `exec` and v3 `curl`, with
 * response verification on: tuikuan's authority issues the app certificate, the platform's and the root;
 * requests must name the right SNs (Alipay's codes when they don't); v1 replies carry `alipay_cert_sn`, v3
 * replies the `alipay-sn` header; a reply altered in transit is rejected.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { createCertificateAuthority, rootCertificateFile } from '../../src/core/certificate-authority.js';
import { sdkCertUtil } from '../support/alipay-sdk-internals.js';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, type Harness } from '../support/harness.js';
import { send, signedForm, handApp } from '../support/openapi-client.js';
import type { Reply } from '../support/refund-calls.js';
import { tamperingProxy } from '../support/tampering-proxy.js';

interface CertApp {
  appId: string;
  pid: string;
  privateKey: string;
  appCert: string;
  alipayPublicCert: string;
  alipayRootCert: string;
  created: Reply;
}

async function certApp(harness: Harness): Promise<CertApp> {
  const merchant = await harness.adminOk('POST', '/merchants', { balance: '1000.00', name: '证书商户' });
  const created = await harness.adminOk('POST', '/apps', { pid: merchant.pid, key_mode: 'cert' });
  return {
    appId: created.app_id,
    pid: merchant.pid,
    privateKey: created.app_private_key,
    appCert: created.app_cert,
    alipayPublicCert: created.alipay_public_cert,
    alipayRootCert: created.alipay_root_cert,
    created,
  };
}

function certSdk(harness: Harness, app: CertApp, overrides: { appCert?: string; root?: string; gateway?: string; endpoint?: string } = {}): AlipaySdk {
  return new AlipaySdk({
    appId: app.appId,
    privateKey: app.privateKey,
    appCertContent: overrides.appCert ?? app.appCert,
    alipayPublicCertContent: app.alipayPublicCert,
    alipayRootCertContent: overrides.root ?? app.alipayRootCert,
    gateway: overrides.gateway ?? harness.tuikuan.gateway,
    endpoint: overrides.endpoint ?? harness.tuikuan.url,
  });
}

describeEachEngine('certificate mode', (engine) => {
  const { harness } = useHarness(engine, { merchant: false });
  let app: CertApp;
  let sdk: AlipaySdk;
  let tradeNo: string;
  before(async () => {
    app = await certApp(harness);
    sdk = certSdk(harness, app);
    tradeNo = (await harness.adminOk('POST', '/trades', { app_id: app.appId, total_amount: '80.00' })).trade_no as string;
  });

  describe('an app in certificate mode', () => {
    it('is given its certificate, the platform’s and the root, whose SNs the SDK computes alike', async () => {
      const { getSN } = await sdkCertUtil();
      assert.equal(app.created.key_mode, 'cert');
      assert.equal(app.created.app_cert_sn, getSN(app.appCert));
      assert.equal(app.created.alipay_cert_sn, getSN(app.alipayPublicCert));
      assert.equal(app.created.alipay_root_cert_sn, getSN(app.alipayRootCert, true));
      assert.equal(sdk.config.alipayCertSn, app.created.alipay_cert_sn);
      const platform = await harness.adminOk('GET', '/platform');
      assert.equal(platform.alipay_public_cert, app.alipayPublicCert, 'one platform certificate for every app');
      assert.equal(platform.alipay_root_cert_sn, app.created.alipay_root_cert_sn);
      const shown = await harness.adminOk('GET', `/apps/${app.appId}`);
      assert.equal(shown.app_cert, app.appCert);
    });

    it('takes a key of its own: the certificate is over the given RSA2 key', async () => {
      const keyed = await handApp(harness);
      const pem = keyed.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      const merchant = await harness.adminOk('POST', '/merchants', {});
      const publicKey = (await import('node:crypto')).createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
      const created = await harness.adminOk('POST', '/apps', { pid: merchant.pid, key_mode: 'cert', app_public_key: publicKey });
      assert.equal(created.app_private_key, undefined, 'no key made, none returned');
      const { loadPublicKey } = await sdkCertUtil();
      assert.equal(loadPublicKey(created.app_cert).replace(/\s/g, ''), publicKey.replace(/-----[^-]+-----|\s/g, ''));
    });
  });

  describe('over v1 (exec, with validateSign)', () => {
    it('refunds and queries; the reply carries alipay_cert_sn between the node and sign', async () => {
      const refunded = await sdk.exec('alipay.trade.refund', { bizContent: { trade_no: tradeNo, refund_amount: '5.00', out_request_no: 'C1' } }, { validateSign: true });
      assert.equal(refunded.code, '10000');
      assert.equal(refunded.fundChange, 'Y');
      const failed = await sdk.exec('alipay.trade.query', { bizContent: { trade_no: '2026120322001000000000000009' } }, { validateSign: true });
      assert.equal(failed.subCode, 'ACQ.TRADE_NOT_EXIST', 'business errors verify too');
      let raw = '';
      const recording = await tamperingProxy(harness.tuikuan.url, (body) => (raw = body));
      try {
        await certSdk(harness, app, { gateway: recording.url }).exec('alipay.trade.query', { bizContent: { trade_no: tradeNo } }, { validateSign: true });
      } finally {
        await recording.close();
      }
      assert.match(raw, new RegExp(`^\\{"alipay_trade_query_response":\\{.*\\},"alipay_cert_sn":"${app.created.alipay_cert_sn}","sign":"[^"]+"\\}$`));
    });

    it('a reply altered in transit is rejected by the SDK', async () => {
      const proxy = await tamperingProxy(harness.tuikuan.url, (body) => body.replace('TRADE_SUCCESS', 'TRADE_CLOSED'));
      try {
        await assert.rejects(certSdk(harness, app, { gateway: proxy.url }).exec('alipay.trade.query', { bizContent: { trade_no: tradeNo } }, { validateSign: true }), /验签失败|sign/i);
      } finally {
        await proxy.close();
      }
    });

    it('another app’s certificate is isv.app-cert-not-exist, another root isv.invalid-alipay-root-cert-sn, none isv.missing-app-cert-sn', async () => {
      const other = await certApp(harness);
      const foreignCert = await certSdk(harness, app, { appCert: other.appCert }).exec('alipay.trade.query', { bizContent: { trade_no: tradeNo } }, { validateSign: true });
      assert.deepEqual([foreignCert.code, foreignCert.subCode], ['40002', 'isv.app-cert-not-exist']);
      const strangerRoot = rootCertificateFile(await createCertificateAuthority({ now: Date.now() })).pem;
      const foreignRoot = await certSdk(harness, app, { root: strangerRoot }).exec('alipay.trade.query', { bizContent: { trade_no: tradeNo } }, { validateSign: true });
      assert.equal(foreignRoot.subCode, 'isv.invalid-alipay-root-cert-sn');
      const keyMode = new AlipaySdk({ appId: app.appId, privateKey: app.privateKey, alipayPublicKey: harness.tuikuan.platformPublicKey, gateway: harness.tuikuan.gateway });
      const missing = await keyMode.exec('alipay.trade.query', { bizContent: { trade_no: tradeNo } }, { validateSign: true });
      assert.deepEqual([missing.code, missing.subCode], ['40002', 'isv.missing-app-cert-sn']);
    });

    it('an app in public-key mode that names a certificate is isv.app-cert-not-exist; no root SN is isv.missing-alipay-root-cert-sn', async () => {
      const keyed = await handApp(harness);
      const named = await send(harness.tuikuan.gateway, signedForm(keyed, { params: { app_cert_sn: app.created.app_cert_sn, alipay_root_cert_sn: app.created.alipay_root_cert_sn } }).form);
      assert.equal(named.node.sub_code, 'isv.app-cert-not-exist');
      const hand = { appId: app.appId, pid: app.pid, privateKey: (await import('node:crypto')).createPrivateKey(app.privateKey) };
      const noRoot = await send(harness.tuikuan.gateway, signedForm(hand, { params: { app_cert_sn: app.created.app_cert_sn } }).form);
      assert.deepEqual([noRoot.node.code, noRoot.node.sub_code], ['40001', 'isv.missing-alipay-root-cert-sn']);
      assert.equal(noRoot.json.alipay_cert_sn, app.created.alipay_cert_sn, 'errors for a certificate-mode app carry the SN too');
    });
  });

  describe('over v3 (curl)', () => {
    it('refunds; the reply carries alipay-sn, which the SDK checks', async () => {
      const refunded = await sdk.curl('POST', '/v3/alipay/trade/refund', { body: { trade_no: tradeNo, refund_amount: '1.00', out_request_no: 'C3' } });
      assert.equal(refunded.data.fund_change, 'Y');
      const response = await certSdk(harness, app).curl('POST', '/v3/alipay/trade/query', { body: { trade_no: tradeNo } });
      assert.equal(response.responseHttpStatus, 200);
    });

    it('a reply whose alipay-sn is not the platform certificate’s is rejected by the SDK', async () => {
      const proxy = await tamperingProxy(harness.tuikuan.url, (body) => body);
      proxy.server.prependListener('request', (_request, response) => {
        const writeHead = response.writeHead.bind(response);
        response.writeHead = ((status: number, headers: Record<string, unknown>) => writeHead(status, { ...headers, 'alipay-sn': '0'.repeat(32) })) as typeof response.writeHead;
      });
      try {
        await assert.rejects(certSdk(harness, app, { endpoint: proxy.origin }).curl('POST', '/v3/alipay/trade/query', { body: { trade_no: tradeNo } }), (error: { code?: string }) => error.code === 'response-alipay-sn-verify-error');
      } finally {
        await proxy.close();
      }
    });

    it('another app’s certificate or another root is refused with v3’s codes', async () => {
      const other = await certApp(harness);
      try {
        await certSdk(harness, app, { appCert: other.appCert }).curl('POST', '/v3/alipay/trade/query', { body: { trade_no: tradeNo } });
        assert.fail('refused');
      } catch (error) {
        assert.deepEqual([(error as Reply).responseHttpStatus, (error as Reply).code], [400, 'app-cert-not-exist']);
      }
      const strangerRoot = rootCertificateFile(await createCertificateAuthority({ now: Date.now() })).pem;
      try {
        await certSdk(harness, app, { root: strangerRoot }).curl('POST', '/v3/alipay/trade/query', { body: { trade_no: tradeNo } });
        assert.fail('refused');
      } catch (error) {
        assert.equal((error as Reply).code, 'invalid-alipay-root-cert-sn');
      }
    });
  });
});
