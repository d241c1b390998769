/**
 * The encoder of alipay.trade.refund.depositback.completed (protocol-notes §13.1, §13.2): the facts the core
 * records become the message service's parameters — notify_id, msg_method, app_id, version 1.1, charset
 * utf-8 and biz_content (compact JSON, in the documented order, dback_amount only on S) —; each attempt adds
 * utc_timestamp (ms) and sign_type, never notify_time; signed over all but sign and sign_type, the official
 * SDK verifies it.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { attemptParams, encodeNotification } from '../../../src/protocol/notification-params.js';
import {
  depositBackBizContent,
  depositBackCompletedParams,
  depositBackCompletedSignType,
  type DepositBackFacts,
} from '../../../src/protocol/openapi/refund-depositback-completed.js';
import { signContentWithoutSignType } from '../../../src/protocol/sign-content.js';
import { rsaSign } from '../../../src/protocol/signing.js';

// 2026-01-01 12:00:00 China time, and an hour before.
const ACK = Date.UTC(2026, 0, 1, 4, 0, 0);
const FACTS: DepositBackFacts = {
  kind: 'alipay.trade.refund.depositback.completed',
  appId: '2021000000000001',
  tradeNo: '2026010122001400000000000001',
  outTradeNo: 'T1',
  outRequestNo: 'R1',
  dbackStatus: 'S',
  dbackAmount: 101,
  bankAckTime: ACK,
  estBankReceiptTime: ACK,
  appKeys: { rsa2: true, rsa: false },
};

describe('alipay.trade.refund.depositback.completed, encoded', () => {
  it('writes biz_content as the documented table orders it, amounts in yuan and times in China time', () => {
    const params = depositBackCompletedParams(FACTS, 'N1');
    assert.equal(
      params.biz_content,
      '{"trade_no":"2026010122001400000000000001","out_trade_no":"T1","out_request_no":"R1","dback_status":"S","dback_amount":"1.01","bank_ack_time":"2026-01-01 12:00:00","est_bank_receipt_time":"2026-01-01 12:00:00"}',
    );
    assert.deepEqual(params, {
      notify_id: 'N1',
      msg_method: 'alipay.trade.refund.depositback.completed',
      app_id: '2021000000000001',
      version: '1.1',
      biz_content: params.biz_content,
      charset: 'utf-8',
    });
  });

  it('leaves dback_amount out on F (“仅当 dback_status=S 时，才会返回”), and est_bank_receipt_time when none was announced', () => {
    assert.deepEqual(depositBackBizContent({ ...FACTS, dbackStatus: 'F', estBankReceiptTime: null }), {
      trade_no: FACTS.tradeNo,
      out_trade_no: 'T1',
      out_request_no: 'R1',
      dback_status: 'F',
      bank_ack_time: '2026-01-01 12:00:00',
    });
  });

  it('is signed in the app’s algorithm: RSA2 unless the app has only an RSA key', () => {
    assert.equal(depositBackCompletedSignType(FACTS), 'RSA2');
    assert.equal(depositBackCompletedSignType({ appKeys: { rsa2: true, rsa: true } }), 'RSA2');
    assert.equal(depositBackCompletedSignType({ appKeys: { rsa2: false, rsa: true } }), 'RSA');
  });

  it('adds utc_timestamp (milliseconds) and sign_type to each attempt, and no notify_time', () => {
    const encoded = encodeNotification(FACTS, 'N1');
    assert.equal(encoded.sentAt, 'utc_timestamp');
    const attempt = attemptParams(encoded, ACK + 731);
    assert.equal(attempt.utc_timestamp, '1767240000731');
    assert.equal(attempt.sign_type, 'RSA2');
    assert.equal(attempt.notify_time, undefined);
    assert.equal(attempt.notify_type, undefined);
    for (const [key, value] of Object.entries(attempt)) assert.notEqual(value, '', `${key} is never sent empty`);
  });

  it('keeps notify_time for the trade notifications', () => {
    const trade = encodeNotification(
      { kind: 'batch_refund_notify', batchNo: '20260101001', requestSignType: 'MD5', seller: { email: 'a@b.c', pid: '2088000000000001' }, lines: [] },
      'N2',
    );
    const attempt = attemptParams(trade, ACK);
    assert.equal(attempt.notify_time, '2026-01-01 12:00:00');
    assert.equal(attempt.utc_timestamp, undefined);
  });

  it('signed over all but sign and sign_type, passes the official SDK’s checkNotifySign and checkNotifySignV2, RSA2 and RSA', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const alipayPublicKey = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const appKey = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    for (const facts of [FACTS, { ...FACTS, dbackStatus: 'F' as const, appKeys: { rsa2: false, rsa: true } }]) {
      const encoded = encodeNotification(facts, 'N3');
      const params = attemptParams(encoded, ACK);
      const signType = encoded.signType === 'RSA' ? 'RSA' : 'RSA2';
      const sign = rsaSign(Buffer.from(signContentWithoutSignType(params), 'utf8'), privateKey, signType);
      const sdk = new AlipaySdk({ appId: facts.appId, privateKey: appKey, alipayPublicKey, signType });
      const received = { ...params, sign };
      assert.equal(sdk.checkNotifySign(received), true);
      assert.equal(sdk.checkNotifySignV2(received), true);
      assert.equal(sdk.checkNotifySignV2({ ...received, utc_timestamp: String(ACK + 1) }), false);
    }
  });
});
