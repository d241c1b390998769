/**
 * batch_refund_notify and notify_verify (seed 002, protocol-notes §6), under the virtual clock: the
 * notification's fields and signature (MD5 with the partner's key, or RSA by the platform key), its
 * charset (GBK, UTF-8, GB2312: the content type and the bytes), its schedule (4m, 10m, 10m, 1h, 2h, 6h, 15h until `success`, one notify_id), every attempt in
 * the admin log; and notify_verify's true / false / invalid, also at the legacy /trade/notify_query.do.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseChinaTime } from '../../src/protocol/china-time.js';
import { runBatch } from '../support/batch-flow.js';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, newMerchant, newTrade } from '../support/harness.js';
import { parseNotifyBody, verifyMd5Notify, verifyRsaNotify, type MapiSigner } from '../support/mapi-client.js';
import { percentEncode } from '../support/percent-encoding.js';

const OFFSETS_MINUTES = [0, 4, 14, 24, 84, 204, 564, 1464];

describeEachEngine('batch_refund_notify and notify_verify', (engine) => {
  const { harness, kit, receiver } = useHarness(engine, { clock: 'virtual', receiver: 'success' });

  const verify = async (partner: string, notifyId: string | undefined, extra = '') =>
    (await fetch(`${harness.tuikuan.gateway}?service=notify_verify&partner=${partner}${notifyId === undefined ? '' : `&notify_id=${notifyId}`}${extra}`)).text();

  async function batchWithNotify(signer?: MapiSigner) {
    receiver.received.length = 0;
    const tradeNo = (await newTrade(harness, kit, { total_amount: '100.00' })).trade_no as string;
    const batch = await runBatch(harness, kit, { lines: [{ tradeNo, amount: '12.50', reason: '协商退款' }], notifyUrl: receiver.url, ...(signer && { signer }) });
    return { batch, tradeNo };
  }

  describe('the notification', () => {
    it('is a POSTed form in the request’s charset with notify_time, notify_type, notify_id, sign_type, sign, batch_no, success_num, result_details; MD5-signed with the partner’s key', async () => {
      receiver.setScript('success');
      const { batch, tradeNo } = await batchWithNotify();
      assert.equal(receiver.received.length, 1);
      const [post] = receiver.received;
      assert.equal(post!.method, 'POST');
      assert.match(String(post!.headers['content-type']), /application\/x-www-form-urlencoded; charset=GBK/);
      const fields = parseNotifyBody(post!.raw, 'GBK');
      assert.deepEqual(Object.keys(fields).sort(), ['batch_no', 'notify_id', 'notify_time', 'notify_type', 'result_details', 'sign', 'sign_type', 'success_num']);
      assert.equal(fields.notify_type, 'batch_refund_notify');
      assert.equal(fields.batch_no, batch.batch_no);
      assert.equal(fields.success_num, '1');
      assert.equal(fields.result_details, `${tradeNo}^12.50^SUCCESS`);
      assert.match(fields.notify_id!, /^[0-9a-f]{32}$/);
      assert.ok(parseChinaTime(fields.notify_time!) !== null);
      assert.equal(fields.sign_type, 'MD5');
      assert.ok(verifyMd5Notify(fields, kit.md5Key, 'GBK'), 'the merchant’s own MD5 check passes');
      assert.ok(!verifyMd5Notify({ ...fields, success_num: '2' }, kit.md5Key, 'GBK'), 'an altered one fails it');
    });

    for (const [charset, label, other] of [
      ['UTF-8', 'utf-8', 'GB2312'],
      ['GB2312', 'GB2312', 'UTF-8'],
    ] as const) {
      it(`is in ${charset} when the request was: the content type names it, the bytes are ${charset}, the MD5 sign verifies`, async () => {
        receiver.setScript('success');
        receiver.received.length = 0;
        // A seller whose account name is Chinese and who pays a fee: result_details carries the name after `$`,
        // so the body has characters whose bytes differ between charsets.
        const seller = await newMerchant(harness, { email: `退款测试${charset}@alitest.com` });
        await harness.adminOk('PATCH', `/merchants/${seller.pid}`, { fee_rate: '0.006' });
        const tradeNo = (await newTrade(harness, seller, { total_amount: '100.00' })).trade_no as string;
        await runBatch(harness, seller, { lines: [{ tradeNo, amount: '50.00', reason: '协商退款' }], notifyUrl: receiver.url, charset });
        assert.equal(receiver.received.length, 1);
        const [post] = receiver.received;
        assert.equal(post!.headers['content-type'], `application/x-www-form-urlencoded; charset=${label}`);
        assert.ok(post!.raw.includes(percentEncode('退款测试', charset)), `the name is sent as ${charset} bytes`);
        assert.ok(!post!.raw.includes(percentEncode('退款测试', other)));
        const fields = parseNotifyBody(post!.raw, charset);
        assert.equal(fields.result_details, `${tradeNo}^50.00^SUCCESS$${seller.email}^${seller.pid}^0.30^SUCCESS`);
        assert.equal(fields.sign_type, 'MD5');
        assert.ok(verifyMd5Notify(fields, seller.md5Key, charset), 'the merchant’s own MD5 check passes');
        assert.notEqual(parseNotifyBody(post!.raw, other).result_details, fields.result_details, `read as ${other}, the name is garbled`);
      });
    }

    it('is RSA-signed (SHA1withRSA) by the platform key when the request was RSA', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      await harness.adminOk('PATCH', `/merchants/${kit.pid}`, { mapi_rsa_public_key: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
      await batchWithNotify({ type: 'RSA', privateKey });
      const fields = parseNotifyBody(receiver.received[0]!.raw, 'GBK');
      assert.equal(fields.sign_type, 'RSA');
      assert.ok(verifyRsaNotify(fields, harness.tuikuan.platformPublicKey, 'GBK'));
    });
  });

  describe('the schedule: until the answer is exactly success, on 4m, 10m, 10m, 1h, 2h, 6h, 15h', () => {
    it('a merchant that always fails sees exactly 8 attempts at those offsets, with one notify_id, each in the admin log', async () => {
      receiver.setScript('fail');
      const { batch } = await batchWithNotify();
      await harness.adminOk('POST', '/clock', { advance_seconds: 26 * 3600 });
      assert.equal(receiver.received.length, 8);
      const fields = receiver.received.map((post) => parseNotifyBody(post.raw, 'GBK'));
      assert.equal(new Set(fields.map((f) => f.notify_id)).size, 1, 'one notify_id');
      const times = fields.map((f) => parseChinaTime(f.notify_time!)!);
      assert.deepEqual(times.map((t) => Math.round((t - times[0]!) / 60_000)), OFFSETS_MINUTES);
      const log = (await harness.adminOk('GET', `/notifications?batch_no=${batch.batch_no}`)).notifications[0];
      assert.equal(log.status, 'given_up');
      assert.equal(log.attempt_log.length, 8);
      assert.ok(log.attempt_log.every((a: Record<string, any>) => a.http_status === 200 && a.response_body === 'fail' && !a.delivered));
      assert.equal(await verify(kit.pid, fields[0]!.notify_id), 'true', 'never acknowledged: still genuine');
    });

    it('one that answers success on its 3rd attempt sees 3, and the notify_id is then no longer genuine', async () => {
      receiver.setScript({ successOnAttempt: 3 });
      await batchWithNotify();
      const notifyId = parseNotifyBody(receiver.received[0]!.raw, 'GBK').notify_id;
      assert.equal(await verify(kit.pid, notifyId), 'true');
      await harness.adminOk('POST', '/clock', { advance_seconds: 26 * 3600 });
      assert.equal(receiver.received.length, 3);
      assert.equal(await verify(kit.pid, notifyId), 'false');
    });
  });

  describe('notify_verify', () => {
    it('true for a genuine notify_id not yet acknowledged; false after success, for an unknown id, for another partner’s', async () => {
      receiver.setScript('fail');
      await batchWithNotify();
      const notifyId = parseNotifyBody(receiver.received[0]!.raw, 'GBK').notify_id!;
      assert.equal(await verify(kit.pid, notifyId), 'true');
      const other = await newMerchant(harness);
      assert.equal(await verify(other.pid, notifyId), 'false');
      assert.equal(await verify(kit.pid, '0123456789abcdef0123456789abcdef'), 'false');
      receiver.setScript('success');
      await harness.adminOk('POST', '/clock', { advance_seconds: 4 * 60 });
      assert.equal(await verify(kit.pid, notifyId), 'false');
    });

    it('is answered alike at the legacy address the official demos call, /trade/notify_query.do: true, then false after success', async () => {
      receiver.setScript('fail');
      await batchWithNotify();
      const notifyId = parseNotifyBody(receiver.received[0]!.raw, 'GBK').notify_id!;
      const legacy = async (partner: string, id: string) => {
        const response = await fetch(`${harness.tuikuan.url}/trade/notify_query.do?partner=${partner}&notify_id=${id}`);
        assert.equal(response.status, 200);
        assert.match(String(response.headers.get('content-type')), /^text\/plain/);
        return response.text();
      };
      assert.equal(await legacy(kit.pid, notifyId), 'true');
      receiver.setScript('success');
      await harness.adminOk('POST', '/clock', { advance_seconds: 4 * 60 });
      assert.equal(await legacy(kit.pid, notifyId), 'false');
      assert.equal(await legacy('12345', notifyId), 'invalid');
    });

    it('invalid for missing or malformed parameters', async () => {
      assert.equal(await verify(kit.pid, undefined), 'invalid');
      assert.equal(await verify('', 'x'), 'invalid');
      assert.equal(await verify('12345', 'x'), 'invalid');
      assert.equal(await verify('2088000000000000', 'x'), 'invalid', 'an unknown partner');
      const response = await fetch(`${harness.tuikuan.gateway}?service=notify_verify`);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), 'invalid');
    });
  });
});
