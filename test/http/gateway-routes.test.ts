/**
 * `/gateway.do` over the wire: the official alipay-sdk verifies our replies, and rejects one altered in
 * transit; requests built by hand — GBK with Chinese, RSA and RSA2, GET, POST and split, PKCS#1 and PKCS#8
 * merchant keys — are verified and answered; malformed input gets an Alipay error in an HTTP 200, never a 5xx.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import iconv from 'iconv-lite';
import { describeEachEngine } from '../support/engines.js';
import { useHarness } from '../support/harness.js';
import { tamperingProxy } from '../support/tampering-proxy.js';
import { handApp, replySignatureValid, send, signedForm, type HandApp, type RawReply } from '../support/openapi-client.js';
import { percentEncode } from '../support/percent-encoding.js';

const PAY = { scene: 'bar_code', auth_code: '286648395128379123', subject: '测试商品', total_amount: '88.88' };
let counter = 0;
const outTradeNo = () => `GW${Date.now()}${++counter}`;

describeEachEngine('/gateway.do', (engine) => {
  const { harness, kit } = useHarness(engine);
  let app: HandApp;
  let gateway: string;
  let platformKey: string;
  before(async () => {
    app = await handApp(harness);
    gateway = harness.tuikuan.gateway;
    platformKey = harness.tuikuan.platformPublicKey;
  });

  describe('the official alipay-sdk accepts our signed replies', () => {
    it('pays and queries with validateSign: true', async () => {
      const no = outTradeNo();
      const paid = await kit.sdk.exec('alipay.trade.pay', { bizContent: { ...PAY, out_trade_no: no } }, { validateSign: true });
      assert.equal(paid.code, '10000');
      assert.equal(paid.total_amount, '88.88');
      assert.equal(paid.out_trade_no, no);
      assert.match(paid.gmt_payment, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      assert.deepEqual(paid.fund_bill_list, [{ fund_channel: 'ALIPAYACCOUNT', amount: '88.88', real_amount: '88.88' }]);
      const queried = await kit.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: no } }, { validateSign: true });
      assert.equal(queried.trade_status, 'TRADE_SUCCESS');
      assert.equal(queried.trade_no, paid.trade_no);
      assert.equal(queried.buyer_pay_amount, '88.88');
    });

    it('verifies business errors too (they are signed)', async () => {
      const reply = await kit.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'NO-SUCH-TRADE' } }, { validateSign: true });
      assert.equal(reply.code, '40004');
      assert.equal(reply.sub_code, 'ACQ.TRADE_NOT_EXIST');
    });

    it('rejects a reply whose amount was changed in transit: the signature covers the right bytes', async () => {
      const proxy = await tamperingProxy(gateway, (body) => body.replace('"total_amount":"88.88"', '"total_amount":"88.89"'));
      try {
        const sdk = new AlipaySdk({ appId: kit.appId, privateKey: kit.appPrivateKey, alipayPublicKey: platformKey, gateway: proxy.url, camelcase: false });
        await assert.rejects(
          sdk.exec('alipay.trade.pay', { bizContent: { ...PAY, out_trade_no: outTradeNo() } }, { validateSign: true }),
          (error: Error) => /验签失败/.test(error.message),
        );
        const untouched = await tamperingProxy(gateway, (body) => body);
        try {
          const honest = new AlipaySdk({ appId: kit.appId, privateKey: kit.appPrivateKey, alipayPublicKey: platformKey, gateway: untouched.url, camelcase: false });
          assert.equal((await honest.exec('alipay.trade.pay', { bizContent: { ...PAY, out_trade_no: outTradeNo() } }, { validateSign: true })).code, '10000');
        } finally {
          await untouched.close();
        }
      } finally {
        await proxy.close();
      }
    });

    it('works with a PKCS#8 merchant key (keyType PKCS8) as with PKCS#1', async () => {
      const merchant = await harness.adminOk('POST', '/merchants', {});
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const registered = await harness.adminOk('POST', '/apps', { pid: merchant.pid, app_public_key: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') });
      const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const sdk = new AlipaySdk({ appId: registered.app_id, privateKey: pkcs8, keyType: 'PKCS8', alipayPublicKey: platformKey, gateway, camelcase: false });
      assert.equal((await sdk.exec('alipay.trade.pay', { bizContent: { ...PAY, out_trade_no: outTradeNo() } }, { validateSign: true })).code, '10000');
    });
  });

  describe('requests built by hand', () => {
    for (const how of ['GET', 'POST', 'SPLIT'] as const) {
      for (const signType of ['RSA2', 'RSA'] as const) {
        it(`${signType}, ${how === 'SPLIT' ? 'split between query and body' : `all in a ${how}`}: verified and answered in a signed reply`, async () => {
          const { form } = signedForm(app, { method: 'alipay.trade.pay', biz: { ...PAY, out_trade_no: outTradeNo() }, signType });
          const reply = await send(gateway, form, how);
          assert.equal(reply.node.code, '10000', JSON.stringify(reply.node));
          assert.ok(replySignatureValid(reply, platformKey, signType), `the reply is signed ${signType}`);
        });
      }
    }

    it('merchant private keys kept as PKCS#1 or PKCS#8 PEM text, against app keys registered as SPKI PEM, PKCS#1 PEM or bare base64', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pkcs1Text = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      const pkcs8Text = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      assert.match(pkcs1Text, /^-----BEGIN RSA PRIVATE KEY-----/);
      assert.match(pkcs8Text, /^-----BEGIN PRIVATE KEY-----/);
      const registrations = {
        'SPKI PEM': publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        'PKCS#1 PEM': publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        'bare base64 (as Alipay’s console shows it)': publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      };
      const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      for (const [registered, publicText] of Object.entries(registrations)) {
        const merchant = await harness.adminOk('POST', '/merchants', {});
        const created = await harness.adminOk('POST', '/apps', { pid: merchant.pid, app_public_key: publicText, rsa_public_key: publicText });
        const keyed: HandApp = { appId: created.app_id, pid: merchant.pid, privateKey };
        for (const [kept, key] of [['PKCS#1', pkcs1Text], ['PKCS#8', pkcs8Text]] as const) {
          for (const signType of ['RSA2', 'RSA'] as const) {
            const { form } = signedForm(keyed, { method: 'alipay.trade.pay', biz: { ...PAY, out_trade_no: outTradeNo() }, key, signType });
            const reply = await send(gateway, form);
            assert.equal(reply.node.code, '10000', `${kept} text, ${signType}, app key registered as ${registered}: ${JSON.stringify(reply.node)}`);
          }
        }
        const { form } = signedForm(keyed, { key: stranger });
        assert.equal((await send(gateway, form)).node.sub_code, 'isv.invalid-signature', `another key fails against ${registered}`);
      }
    });

    it('a literal % in a value, left unencoded by a hand-built client and signed over the value as written: answered normally', async () => {
      for (const subject of ['满100%减20', '%zz', '100%']) {
        for (const how of ['POST', 'GET'] as const) {
          const { params } = signedForm(app, { method: 'alipay.trade.pay', biz: { ...PAY, subject, out_trade_no: outTradeNo() } });
          // Everything percent-encoded except '%' itself, as a client that forgets to escape it sends it.
          const form = Object.entries(params)
            .map(([key, value]) => `${key}=${percentEncode(value).replaceAll('%25', '%')}`)
            .join('&');
          assert.ok(form.includes(subject === '%zz' ? '%zz' : '100%'), 'the % travels bare');
          const reply = await send(gateway, form, how);
          assert.equal(reply.node.code, '10000', `${how} ${subject}: ${JSON.stringify(reply.node)}`);
          assert.ok(replySignatureValid(reply, platformKey));
          assert.equal((await harness.adminOk('GET', `/trades/${reply.node.trade_no}`)).subject, subject);
        }
      }
    });

    for (const charset of ['GBK', 'gb2312'] as const) {
      for (const how of ['POST', 'GET'] as const) {
        for (const signType of ['RSA2', 'RSA'] as const) {
          it(`charset=${charset}, ${how}, ${signType}: Chinese percent-encoded in ${charset}, signed over ${charset} bytes, answered in ${charset}`, async () => {
            const no = outTradeNo();
            const biz = { ...PAY, subject: '测试商品：协商退款', out_trade_no: no };
            const { form } = signedForm(app, { method: 'alipay.trade.pay', biz, charset, signType });
            assert.ok(form.includes(percentEncode('协商退款', charset)), `the subject travels as ${charset} bytes`);
            const reply = await send(gateway, form, how, { charset });
            assert.equal(reply.node.code, '10000', JSON.stringify(reply.node));
            assert.match(reply.contentType, new RegExp(charset, 'i'));
            assert.ok(replySignatureValid(reply, platformKey, signType, charset), `signed ${signType} over the ${charset} bytes of the node`);
            const trade = await harness.adminOk('GET', `/trades/${reply.node.trade_no}`);
            assert.equal(trade.subject, '测试商品：协商退款', `the subject was decoded as ${charset}`);
          });
        }
      }
    }

    it('empty values are signed as the SDK signs them (kept), and as the docs do (dropped)', async () => {
      const kept = signedForm(app, { params: { notify_url: '' }, biz: { out_trade_no: 'X' } });
      assert.equal((await send(gateway, kept.form)).node.sub_code, 'ACQ.TRADE_NOT_EXIST');
      const base = signedForm(app, { biz: { out_trade_no: 'X' } });
      const dropped = `${base.form}&notify_url=`;
      assert.equal((await send(gateway, dropped)).node.sub_code, 'ACQ.TRADE_NOT_EXIST', 'an empty value the signer left out');
    });
  });

  describe('malformed input gets an Alipay error in an HTTP 200, never a 5xx', () => {
    it('bad percent-encoding (%zz, a truncated %E4%B8) is an invalid signature, not a crash', async () => {
      const { form } = signedForm(app, { biz: { out_trade_no: 'X' } });
      for (const broken of [`${form}&extra=%zz`, form.replace(/biz_content=[^&]*/, 'biz_content=%E4%B8')]) {
        const reply = await send(gateway, broken);
        assert.equal(reply.status, 200);
        assert.equal(reply.node.sub_code, 'isv.invalid-signature');
      }
    });

    it('truncated JSON in biz_content, validly signed', async () => {
      const { form } = signedForm(app, { biz: '{"out_trade_no":"X"' });
      const reply = await send(gateway, form);
      assert.equal(reply.node.sub_code, 'isv.invalid-parameter');
    });

    it('a 1 MB biz_content, validly signed: a business answer', async () => {
      const { form } = signedForm(app, { method: 'alipay.trade.pay', biz: { ...PAY, out_trade_no: outTradeNo(), body: 'x'.repeat(1024 * 1024) } });
      const reply = await send(gateway, form);
      assert.equal(reply.status, 200);
      assert.equal(reply.node.code, '40004');
      assert.equal(reply.node.sub_code, 'ACQ.INVALID_PARAMETER');
    });

    it('an unknown charset', async () => {
      const { form } = signedForm(app, { params: { charset: 'shift_jis' } });
      assert.equal((await send(gateway, form)).node.sub_code, 'isv.invalid-charset');
    });

    it('a form larger than the gateway takes: 40002 named after the query’s method, signed for the query’s app', async () => {
      const tooLarge = (query: string) =>
        fetch(`${gateway}?${query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `biz_content=${'a'.repeat(5 * 1024 * 1024)}`,
        });
      for (const signType of ['RSA2', 'RSA'] as const) {
        const response = await tooLarge(`method=alipay.trade.refund&app_id=${app.appId}&sign_type=${signType}`);
        assert.equal(response.status, 200);
        const raw = Buffer.from(await response.arrayBuffer());
        const text = raw.toString('utf8');
        const json = JSON.parse(text) as Record<string, any>;
        assert.deepEqual(json.alipay_trade_refund_response, { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter', sub_msg: '参数无效' });
        const nodeName = 'alipay_trade_refund_response';
        const reply: RawReply = { status: response.status, contentType: response.headers.get('content-type') ?? '', raw, text, json, nodeName, node: json[nodeName], sign: json.sign };
        assert.ok(replySignatureValid(reply, platformKey, signType), `signed ${signType}`);
      }
      const unknown = (await (await tooLarge('method=alipay.trade.refund&app_id=2021000000000000')).json()) as Record<string, any>;
      assert.equal(unknown.alipay_trade_refund_response.sub_code, 'isv.invalid-parameter');
      assert.equal(unknown.sign, undefined, 'an unknown app: no key to sign with');
    });

    it('a GET whose URL is over the header limit (256 KiB): 40002 isv.invalid-parameter in error_response, HTTP 200, not a 431', async () => {
      for (const size of [300 * 1024, 1024 * 1024]) {
        const { form } = signedForm(app, { biz: { out_trade_no: 'X', padding: 'a'.repeat(size) } });
        const response = await fetch(`${gateway}?${form}`);
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
        assert.deepEqual(await response.json(), {
          error_response: { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter', sub_msg: '参数无效' },
        });
      }
      const { form } = signedForm(app, { biz: { out_trade_no: 'X' } });
      assert.equal((await send(gateway, form, 'GET')).node.sub_code, 'ACQ.TRADE_NOT_EXIST', 'and the server goes on answering');
    });

    it('the official SDK, validating signatures, reads the too-large error instead of throwing', async () => {
      const reply = await kit.sdk.exec('alipay.trade.pay', { bizContent: { ...PAY, out_trade_no: outTradeNo(), body: 'x'.repeat(5 * 1024 * 1024) } }, { validateSign: true });
      assert.equal(reply.code, '40002');
      assert.equal(reply.sub_code, 'isv.invalid-parameter');
    });

    it('a body of the wrong content type is not read: the parameters it carried are missing', async () => {
      const { params } = signedForm(app, { biz: { out_trade_no: 'X' } });
      for (const [contentType, body] of [
        ['application/json', JSON.stringify(params)],
        ['text/plain', new URLSearchParams(params).toString()],
        ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="method"\r\n\r\nalipay.trade.query\r\n--x--`],
      ] as const) {
        const response = await fetch(gateway, { method: 'POST', headers: { 'content-type': contentType }, body });
        assert.equal(response.status, 200);
        const json = (await response.json()) as Record<string, any>;
        assert.equal(json.error_response.code, '40001');
        assert.equal(json.error_response.sub_code, 'isv.missing-method');
      }
    });

    it('garbage: binary bytes, an empty POST, a bare GET', async () => {
      for (const init of [
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from([0xff, 0xfe, 0x00, 0x26, 0x3d, 0x25]) },
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' },
        { method: 'GET' },
      ]) {
        const response = await fetch(gateway, init);
        assert.equal(response.status, 200);
        assert.equal(((await response.json()) as Record<string, any>).error_response.sub_code, 'isv.missing-method');
      }
    });

    it('a GBK body that is not valid GBK is decoded leniently and fails its signature', async () => {
      const { form } = signedForm(app, { charset: 'GBK', biz: { out_trade_no: 'X' } });
      const reply = await send(gateway, `${form}&subject=%FF%FF`, 'POST', { charset: 'GBK' });
      assert.equal(reply.node.sub_code, 'isv.invalid-signature');
      assert.ok(iconv.decode(reply.raw, 'gbk').includes('isv.invalid-signature'));
    });
  });
});
