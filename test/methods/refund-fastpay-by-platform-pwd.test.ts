/**
 * refund_fastpay_by_platform_pwd (seed 002), the request: every code a request can be refused with, each
 * by its own request — shown on the error page, with no batch created and nothing notified — and the
 * signatures (MD5, RSA, DSA) and charsets (GBK by default, UTF-8, GB2312) it is accepted in.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { formatChinaTime } from '../../src/protocol/china-time.js';
import { submitBatch, submitQuery, batchParams, Seller, type BatchRequestOptions, type Submitted } from '../support/batch-flow.js';
import { clockNow } from '../support/refund-calls.js';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, newMerchant, newTrade, type MerchantKit, assertAdminError } from '../support/harness.js';
import { signedQuery } from '../support/mapi-client.js';

describeEachEngine('refund_fastpay_by_platform_pwd: the request', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual' });
  let tradeNo: string;
  before(async () => {
    tradeNo = (await newTrade(harness, kit, { total_amount: '100.00' })).trade_no;
  });

  const line = () => [{ tradeNo, amount: '1.00' }];

  /** Submits and asserts the error page shows `code`, and that nothing was created or notified. */
  async function refused(code: string, options: BatchRequestOptions, who: MerchantKit = kit): Promise<Submitted> {
    const submitted = await submitBatch(harness, who, { lines: line(), ...options });
    assert.equal(submitted.status, 200);
    assert.equal(submitted.errorCode, code, submitted.html.slice(0, 200));
    assert.match(submitted.html, /请回到请求来源地，重新发起请求/);
    if (submitted.params.batch_no && code !== 'DUPLICATE_BATCH_NO') {
      const batch = await harness.admin('GET', `/batches/${encodeURIComponent(submitted.params.batch_no)}`);
      assertAdminError(batch, 404, 'batch_not_found', 'no batch was created');
    }
    const notifications = await harness.adminOk('GET', `/notifications?pid=${who.pid}&kind=batch_refund_notify`);
    assert.equal(notifications.notifications.length, 0, 'nothing was notified');
    return submitted;
  }

  describe('the gateway’s access checks', () => {
    it('ILLEGAL_PARTNER: an unknown or malformed partner', async () => {
      await refused('ILLEGAL_PARTNER', { params: { partner: '2088000000000000' } });
      await refused('ILLEGAL_PARTNER', { params: { partner: 'abc' } });
      await refused('ILLEGAL_PARTNER', { params: { partner: undefined } });
    });

    it('ILLEGAL_SIGN: signed with another key, or altered after signing', async () => {
      await refused('ILLEGAL_SIGN', { signer: { type: 'MD5', key: 'wrongkey' } });
      const params = await batchParams(harness, kit, { lines: line() });
      const query = signedQuery(params, { type: 'MD5', key: kit.md5Key });
      const altered = await submitQuery(harness, query.replace('1.00', '9.00'), params);
      assert.equal(altered.errorCode, 'ILLEGAL_SIGN');
      const unsigned = await submitQuery(harness, query.replace(/&sign=[^&]*/, ''), params);
      assert.equal(unsigned.errorCode, 'ILLEGAL_SIGN');
    });

    it('ILLEGAL_SIGN_TYPE: sign_type must be upper case MD5, RSA or DSA', async () => {
      for (const signType of ['md5', 'RSA2', 'SHA1']) {
        const params = { ...(await batchParams(harness, kit, { lines: line() })), sign_type: signType };
        assert.equal((await submitQuery(harness, signedQuery(params, { type: 'MD5', key: kit.md5Key }), params)).errorCode, 'ILLEGAL_SIGN_TYPE');
      }
    });

    it('ILLEGAL_CHARSET: an _input_charset Alipay does not accept', async () => {
      await refused('ILLEGAL_CHARSET', { params: { _input_charset: 'BIG5' } });
    });

    it('ILLEGAL_SERVICE: an unknown service', async () => {
      await refused('ILLEGAL_SERVICE', { params: { service: 'refund_fastpay_by_platform_nopwd' } });
    });

    it('ILLEGAL_ARGUMENT: a notify_url that is not http(s) or is longer than 200', async () => {
      await refused('ILLEGAL_ARGUMENT', { params: { notify_url: 'ftp://example.com/notify' } });
      await refused('ILLEGAL_ARGUMENT', { params: { notify_url: `http://example.com/${'n'.repeat(200)}` } });
    });

    it('ILLEGAL_ARGUMENT: a return_url that is not http(s) or is longer than 200, as notify_url', async () => {
      const longest = `http://shop.example.com/${'r'.repeat(200 - 'http://shop.example.com/'.length)}`;
      assert.equal(longest.length, 200);
      await refused('ILLEGAL_ARGUMENT', { params: { return_url: `${longest}x` } });
      await refused('ILLEGAL_ARGUMENT', { params: { return_url: 'javascript:alert(1)' } });
      const accepted = await submitBatch(harness, kit, { lines: line(), params: { return_url: longest } });
      assert.ok(accepted.location, '200 characters are allowed');
      assert.equal((await harness.adminOk('GET', `/batches/${accepted.params.batch_no}`)).return_url, longest);
    });
  });

  describe('the seller', () => {
    it('SELLER_INFO_NOT_EXIST: an unknown seller_user_id or seller_email, or neither', async () => {
      await refused('SELLER_INFO_NOT_EXIST', { params: { seller_user_id: '2088000000000009' } });
      await refused('SELLER_INFO_NOT_EXIST', { params: { seller_user_id: undefined, seller_email: 'nobody@alitest.com' } });
      await refused('SELLER_INFO_NOT_EXIST', { params: { seller_user_id: undefined } });
    });

    it('ILLEGAL_USER: a malformed seller_user_id, and seller_user_id wins over a valid seller_email', async () => {
      await refused('ILLEGAL_USER', { params: { seller_user_id: '12345' } });
      await refused('ILLEGAL_USER', { params: { seller_user_id: 'x2088', seller_email: kit.email } });
      const byEmail = await submitBatch(harness, kit, { lines: line(), params: { seller_user_id: undefined, seller_email: kit.email } });
      assert.ok(byEmail.location, 'seller_email alone names the seller');
    });

    it('a valid seller_user_id wins over a seller_email that names no one', async () => {
      const submitted = await submitBatch(harness, kit, { lines: line(), params: { seller_user_id: kit.pid, seller_email: 'nobody@alitest.com' } });
      assert.ok(submitted.location, submitted.errorCode ?? '');
      assert.equal((await harness.adminOk('GET', `/batches/${submitted.params.batch_no}`)).seller_user_id, kit.pid);
    });

    it('ILLEGAL_USER: a seller that has not authorised the partner', async () => {
      const other = await newMerchant(harness);
      await refused('ILLEGAL_USER', { params: { seller_user_id: other.pid } });
      await harness.adminOk('POST', '/app-auth-tokens', { app_id: kit.appId, pid: other.pid });
      const authorised = await submitBatch(harness, kit, { lines: line(), params: { seller_user_id: other.pid } });
      assert.ok(authorised.location, 'once authorised, the partner refunds for the seller');
    });

    it('PARTNER_NOT_SIGN_PROTOCOL: a partner without the product', async () => {
      const unsigned = await newMerchant(harness);
      await harness.adminOk('PATCH', `/merchants/${unsigned.pid}`, { pwd_refund_enabled: false });
      const trade = await newTrade(harness, unsigned);
      await refused('PARTNER_NOT_SIGN_PROTOCOL', { lines: [{ tradeNo: trade.trade_no, amount: '1.00' }] }, unsigned);
    });
  });

  describe('the batch', () => {
    it('REFUND_DATE_ERROR: refund_date is yyyy-MM-dd HH:mm:ss', async () => {
      for (const refundDate of ['2026/11/23 10:00:00', 'today', '2026-11-31 10:00:00']) await refused('REFUND_DATE_ERROR', { params: { refund_date: refundDate } });
      await refused('REFUND_DATE_ERROR', { params: { refund_date: undefined } });
    });

    it('REFUND_DATE_ERROR: refund_date is the request’s time, so its day is today in China time (by the clock), as batch_no’s', async () => {
      const now = await clockNow(harness);
      const today = formatChinaTime(now).slice(0, 10);
      const dayMs = 24 * 3600 * 1000;
      for (const refundDate of [formatChinaTime(now - dayMs), formatChinaTime(now + dayMs), '2011-01-12 11:21:00']) {
        await refused('REFUND_DATE_ERROR', { params: { refund_date: refundDate } });
      }
      for (const refundDate of [`${today} 00:00:00`, `${today} 23:59:59`, formatChinaTime(now)]) {
        assert.ok((await submitBatch(harness, kit, { lines: line(), params: { refund_date: refundDate } })).location, refundDate);
      }
    });

    it('BATCH_NO_FORMAT_ERROR: today’s date in China time, then 3 to 24 digits or letters, not 000', async () => {
      const today = (await batchParams(harness, kit)).batch_no!.slice(0, 8);
      for (const batchNo of ['20110112001', `${today}01`, `${today}${'1'.repeat(25)}`, `${today}000`, `${today}0000`, `${today}00-1`, 'abc', '']) {
        await refused('BATCH_NO_FORMAT_ERROR', { params: { batch_no: batchNo } });
      }
      for (const batchNo of [`${today}001`, `${today}A1b`, `${today}${'9'.repeat(24)}`]) {
        assert.ok((await submitBatch(harness, kit, { lines: line(), params: { batch_no: batchNo } })).location, batchNo);
      }
    });

    it('DUPLICATE_BATCH_NO: a replayed batch_no of the same partner, even once the first was cancelled', async () => {
      const first = await submitBatch(harness, kit, { lines: line() });
      assert.ok(first.location);
      await refused('DUPLICATE_BATCH_NO', { params: { batch_no: first.params.batch_no } });
      const seller = new Seller(harness, first.location);
      await seller.login(kit.loginPassword);
      await seller.post('cancel');
      await refused('DUPLICATE_BATCH_NO', { params: { batch_no: first.params.batch_no } });
      const kept = await harness.adminOk('GET', `/batches/${first.params.batch_no}?partner=${kit.pid}`);
      assert.equal(kept.status, 'cancelled', 'the first batch is untouched by the replays');
      assert.equal(kept.lines.length, 1);
      const other = await newMerchant(harness);
      const otherTrade = await newTrade(harness, other);
      const sameNoOtherPartner = await submitBatch(harness, other, { lines: [{ tradeNo: otherTrade.trade_no, amount: '1.00' }], params: { batch_no: first.params.batch_no } });
      assert.ok(sameNoOtherPartner.location, 'batch_no is unique per partner');
    });

    it('BATCH_NUM_ERROR: batch_num is a positive whole number', async () => {
      for (const batchNum of ['x', '0', '-1', '1.0', '']) await refused('BATCH_NUM_ERROR', { params: { batch_num: batchNum } });
    });

    it('BATCH_NUM_EXCEED_LIMIT: more than 1000 lines', async () => {
      await refused('BATCH_NUM_EXCEED_LIMIT', { params: { batch_num: '1001' } });
    });

    it('BATCH_NUM_NOT_EQUAL_TOTAL: batch_num is not the number of # plus one', async () => {
      await refused('BATCH_NUM_NOT_EQUAL_TOTAL', { params: { batch_num: '2' } });
    });

    it('DETAIL_DATA_FORMAT_ERROR: each line trade_no^amount^reason, the reason at most 256 bytes without ^ | $ #', async () => {
      const cases = [
        `${tradeNo}^1.00`,
        `${tradeNo}^1.00^a^b`,
        `${tradeNo}^1.234^理由`,
        `${tradeNo}^abc^理由`,
        `NOT_A_TRADE^1.00^理由`,
        `${tradeNo}^1.00^退款$理由`,
        `${tradeNo}^1.00^${'退'.repeat(129)}`,
      ];
      for (const detail of cases) await refused('DETAIL_DATA_FORMAT_ERROR', { params: { detail_data: detail, batch_num: '1' } });
      await refused('DETAIL_DATA_FORMAT_ERROR', { params: { detail_data: undefined } });
      const longest = await submitBatch(harness, kit, { lines: [{ tradeNo, amount: '1.00', reason: '退'.repeat(128) }] });
      assert.ok(longest.location, '128 Chinese characters are 256 GBK bytes: allowed');
    });

    it('SINGLE_DETAIL_DATA_EXCEED_LIMIT: one line above 100,000,000.00', async () => {
      await refused('SINGLE_DETAIL_DATA_EXCEED_LIMIT', { lines: [{ tradeNo, amount: '100000000.01' }] });
    });

    it('DUBL_TRADE_NO_IN_SAME_BATCH: one trade twice in a batch', async () => {
      await refused('DUBL_TRADE_NO_IN_SAME_BATCH', { lines: [{ tradeNo, amount: '1.00' }, { tradeNo, amount: '2.00' }] });
    });

    it('PWD_REFUND_NOT_ALLOW_ROYALTY: a royalty set after |', async () => {
      await refused('PWD_REFUND_NOT_ALLOW_ROYALTY', {
        params: { detail_data: `${tradeNo}^1.00^理由|seller@alitest.com^2088101008267254^buyer@alitest.com^2088101008267255^0.50^分润`, batch_num: '1' },
      });
    });
  });

  describe('accepted requests', () => {
    it('redirect the browser to the seller’s cashier page, and create the batch awaiting confirmation', async () => {
      const submitted = await submitBatch(harness, kit, { lines: line() });
      assert.equal(submitted.status, 302);
      assert.match(submitted.location ?? '', /^\/cashier\/batches\/[0-9a-f]{32}$/);
      const batch = await harness.adminOk('GET', `/batches/${submitted.params.batch_no}`);
      assert.equal(batch.status, 'awaiting_confirmation');
      assert.equal(batch.batch_num, 1);
      assert.equal(batch.lines[0].reason, '协商退款');
    });

    it('in GBK (the default when _input_charset is absent), UTF-8 and GB2312, the Chinese reason intact', async () => {
      for (const charset of ['GBK', 'UTF-8', 'GB2312'] as const) {
        const submitted = await submitBatch(harness, kit, { lines: [{ tradeNo, amount: '0.01', reason: `协商退款${charset}` }], charset });
        assert.ok(submitted.location, charset);
        assert.equal((await harness.adminOk('GET', `/batches/${submitted.params.batch_no}`)).lines[0].reason, `协商退款${charset}`);
      }
      const defaulted = await submitBatch(harness, kit, { lines: [{ tradeNo, amount: '0.01', reason: '默认编码' }], params: { _input_charset: undefined } });
      assert.ok(defaulted.location);
      assert.equal((await harness.adminOk('GET', `/batches/${defaulted.params.batch_no}`)).charset, 'gbk');
    });

    it('signed RSA (SHA1withRSA) or DSA with the partner’s registered key', async () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const dsa = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
      await harness.adminOk('PATCH', `/merchants/${kit.pid}`, {
        mapi_rsa_public_key: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        mapi_dsa_public_key: dsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      });
      assert.ok((await submitBatch(harness, kit, { lines: line(), signer: { type: 'RSA', privateKey: rsa.privateKey } })).location);
      assert.ok((await submitBatch(harness, kit, { lines: line(), signer: { type: 'DSA', privateKey: dsa.privateKey } })).location);
      const wrong = await submitBatch(harness, kit, { lines: line(), signer: { type: 'RSA', privateKey: dsa.privateKey } });
      assert.equal(wrong.errorCode, 'ILLEGAL_SIGN');
    });
  });
});
