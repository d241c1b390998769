/**
 * alipay.trade.refund.depositback.completed (protocol-notes §4.4, §13): when the bank answers the bank-card
 * part of a refund — S or F, under the virtual clock —, the app's message gateway (its `message_url`, the
 * 应用网关) is owed one message, in the message service's format: msg_method, app_id, version 1.1, charset,
 * notify_id, utc_timestamp (ms, per attempt), biz_content JSON (trade_no, out_trade_no, out_request_no,
 * dback_status, dback_amount on S, bank_ack_time, est_bank_receipt_time), sign_type and sign by the platform
 * key in the app's algorithm — which the official SDK's checkNotifySign and checkNotifySignV2 accept. A gateway
 * that does not answer `success` gets the message again after 2m, 10m, 10m, 1h, 2h, 6h and 15h; an app without
 * message_url gets none; the notification journal shows it under its kind, with every attempt.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { describeEachEngine } from '../support/engines.js';
import { newMerchant, newTrade, useHarness, type MerchantKit } from '../support/harness.js';
import { startNotifyReceiver, type NotifyReceiver, type ReceiverScript } from '../support/notify-receiver.js';
import { advanceClock, chinaTimeMs, clockNow, notificationsOf, refund, type Reply } from '../support/refund-calls.js';

const KIND = 'alipay.trade.refund.depositback.completed';
const MINUTE = 60;
const MESSAGE_SCHEDULE_SECONDS = [0, 2, 12, 22, 82, 202, 562, 1462].map((m) => m * MINUTE);

const BANKCARD_TRADE = {
  fund_bill_list: [
    { fund_channel: 'ALIPAYACCOUNT', amount: '50.00' },
    { fund_channel: 'BANKCARD', amount: '50.00', fund_type: 'DEBIT_CARD', bank_code: 'CMB' },
  ],
};

describeEachEngine('the depositback message to the app’s gateway', (engine) => {
  const { harness } = useHarness(engine, { clock: 'virtual', merchant: false });
  const receivers: NotifyReceiver[] = [];
  after(() => Promise.all(receivers.map((r) => r.close())));

  async function receiver(script: ReceiverScript = 'success'): Promise<NotifyReceiver> {
    const started = await startNotifyReceiver(script);
    receivers.push(started);
    return started;
  }

  /** A merchant whose app's message gateway is a receiver answering as `script` says. */
  async function merchantWithGateway(script: ReceiverScript = 'success', settings?: Record<string, unknown>) {
    const kit = await newMerchant(harness, settings ? { settings } : {});
    const gateway = await receiver(script);
    const app = await harness.adminOk('PATCH', `/apps/${kit.appId}`, { message_url: gateway.url });
    assert.equal(app.message_url, gateway.url);
    return { kit, gateway };
  }

  /** A bank-card refund of 70.00 (50.00 to the balance, 20.00 to the card) on a fresh trade of `kit`. */
  async function bankRefund(kit: MerchantKit, no = 'DBACK', trade: Record<string, unknown> = {}): Promise<Reply> {
    const paid = await newTrade(harness, kit, { ...BANKCARD_TRADE, ...trade });
    const reply = await refund(kit, { trade_no: paid.trade_no, refund_amount: '70.00', out_request_no: no, query_options: ['deposit_back_info'] });
    assert.equal(reply.fund_change, 'Y');
    assert.equal(reply.has_deposit_back, 'true');
    return paid;
  }

  async function messagesOf(tradeNo: string): Promise<Reply[]> {
    return (await notificationsOf(harness, tradeNo)).filter((n) => n.kind === KIND);
  }

  describe('what the bank’s answer sends, S and F alike', () => {
    it('S: one message once the bank answers, none before, in the message-service format, that checkNotifySign accepts', async () => {
      const { kit, gateway } = await merchantWithGateway();
      const tradeNotify = await receiver();
      const trade = await bankRefund(kit, 'DBACK-S', { notify_url: tradeNotify.url });
      const refundedAt = await clockNow(harness);
      await advanceClock(harness, 3599);
      assert.equal(gateway.received.length, 0, 'nothing while the bank has not answered');
      await advanceClock(harness, 1);
      await advanceClock(harness, 24 * 3600);
      assert.equal(gateway.received.length, 1, 'exactly one message');
      const [post] = gateway.received;
      assert.ok(post);
      assert.equal(post.method, 'POST');
      assert.match(String(post.headers['content-type']), /^application\/x-www-form-urlencoded; charset=utf-8$/);
      const f = post.fields;
      assert.deepEqual(Object.keys(f).sort(), ['app_id', 'biz_content', 'charset', 'msg_method', 'notify_id', 'sign', 'sign_type', 'utc_timestamp', 'version']);
      assert.equal(f.msg_method, KIND);
      assert.equal(f.app_id, kit.appId);
      assert.equal(f.version, '1.1');
      assert.equal(f.charset, 'utf-8');
      assert.equal(f.sign_type, 'RSA2');
      assert.match(f.notify_id as string, /^[0-9a-f]{32}$/);
      const settledAt = refundedAt + 3600_000;
      assert.equal(f.utc_timestamp, String(settledAt), 'utc_timestamp: milliseconds, when it was sent');
      const biz = JSON.parse(f.biz_content as string) as Record<string, string>;
      assert.deepEqual(Object.keys(biz), [
        'trade_no',
        'out_trade_no',
        'out_request_no',
        'dback_status',
        'dback_amount',
        'bank_ack_time',
        'est_bank_receipt_time',
      ]);
      assert.equal(biz.trade_no, trade.trade_no);
      assert.equal(biz.out_trade_no, trade.out_trade_no);
      assert.equal(biz.out_request_no, 'DBACK-S');
      assert.equal(biz.dback_status, 'S');
      assert.equal(biz.dback_amount, '20.00');
      const toSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
      assert.equal(chinaTimeMs(biz.bank_ack_time as string), toSecond(settledAt), 'the bank answered when it settled');
      assert.equal(chinaTimeMs(biz.est_bank_receipt_time as string), toSecond(settledAt), 'as announced: dback_delay_seconds after the refund');

      assert.equal(kit.sdk.checkNotifySign(f), true);
      assert.equal(kit.sdk.checkNotifySignV2(f), true);
      assert.equal(kit.sdk.checkNotifySign({ ...f, biz_content: (f.biz_content as string).replace('"S"', '"F"') }), false);
      assert.equal(kit.sdk.checkNotifySign({ ...f, app_id: '2021000000000000' }), false);

      assert.equal(
        tradeNotify.received.every((r) => r.fields.notify_type === 'trade_status_sync'),
        true,
        'the trade’s notify_url gets its trade_status_sync, never the message',
      );
      const messages = await messagesOf(trade.trade_no);
      assert.equal(messages.length, 1);
      assert.equal(messages[0]?.status, 'delivered');
    });

    it('F: one message with dback_status F and no dback_amount (the doc returns it only on S), when the trade’s dback_outcome is F', async () => {
      const { kit, gateway } = await merchantWithGateway();
      const trade = await bankRefund(kit, 'DBACK-F');
      await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { dback_outcome: 'F' });
      await advanceClock(harness, 25 * 3600);
      assert.equal(gateway.received.length, 1);
      const f = gateway.received[0]?.fields ?? {};
      const biz = JSON.parse(f.biz_content as string) as Record<string, string>;
      assert.equal(biz.dback_status, 'F');
      assert.equal(biz.dback_amount, undefined);
      assert.equal(biz.out_request_no, 'DBACK-F');
      assert.ok(biz.bank_ack_time);
      assert.equal(kit.sdk.checkNotifySign(f), true);
      assert.equal(kit.sdk.checkNotifySignV2(f), true);
    });

    it('F when the merchant’s dback_outcome is F', async () => {
      const { kit, gateway } = await merchantWithGateway('success', { dback_outcome: 'F', dback_delay_seconds: 60 });
      await bankRefund(kit, 'MERCHANT-F');
      await advanceClock(harness, 60);
      assert.equal(gateway.received.length, 1);
      const f = gateway.received[0]?.fields ?? {};
      assert.equal(JSON.parse(f.biz_content as string).dback_status, 'F');
      assert.equal(kit.sdk.checkNotifySignV2(f), true);
    });

    it('signs RSA (SHA1withRSA) for an app that registered only an RSA key, as its trade notifications are', async () => {
      const merchant = await harness.adminOk('POST', '/merchants', { balance: '1000.00' });
      const { privateKey, publicKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      });
      const app = await harness.adminOk('POST', '/apps', { pid: merchant.pid, rsa_public_key: publicKey });
      const gateway = await receiver();
      await harness.adminOk('PATCH', `/apps/${app.app_id}`, { message_url: gateway.url });
      const sdk = new AlipaySdk({
        appId: app.app_id,
        privateKey,
        signType: 'RSA',
        alipayPublicKey: harness.tuikuan.platformPublicKey,
        gateway: harness.tuikuan.gateway,
        camelcase: false,
      });
      const trade = await harness.adminOk('POST', '/trades', { app_id: app.app_id, total_amount: '100.00', ...BANKCARD_TRADE });
      const reply = (await sdk.exec('alipay.trade.refund', {
        bizContent: { trade_no: trade.trade_no, refund_amount: '70.00', out_request_no: 'RSA1' },
      })) as Reply;
      assert.equal(reply.fund_change, 'Y');
      await advanceClock(harness, 3600);
      const f = gateway.received[0]?.fields ?? {};
      assert.equal(f.sign_type, 'RSA');
      assert.equal(sdk.checkNotifySign(f), true);
    });
  });

  describe('owed only where there is a gateway and a bank card', () => {
    it('owes nothing to an app without message_url', async () => {
      const kit = await newMerchant(harness);
      const trade = await bankRefund(kit, 'NO-GATEWAY');
      await advanceClock(harness, 3600);
      assert.equal((await harness.adminOk('GET', `/apps/${kit.appId}`)).message_url, null);
      assert.deepEqual(await messagesOf(trade.trade_no), []);
    });

    it('owes nothing when the app’s message_url was removed before the bank answered', async () => {
      const { kit, gateway } = await merchantWithGateway();
      const trade = await bankRefund(kit, 'REMOVED');
      await harness.adminOk('PATCH', `/apps/${kit.appId}`, { message_url: null });
      await advanceClock(harness, 3600);
      assert.equal(gateway.received.length, 0);
      assert.deepEqual(await messagesOf(trade.trade_no), []);
    });

    it('owes nothing for a refund that does not reach the card', async () => {
      const { kit, gateway } = await merchantWithGateway();
      const trade = await newTrade(harness, kit, BANKCARD_TRADE);
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '50.00', out_request_no: 'BALANCE-ONLY' });
      await advanceClock(harness, 2 * 3600);
      assert.equal(gateway.received.length, 0);
      assert.deepEqual(await messagesOf(trade.trade_no), []);
    });

    it('owes one message per refund that reaches the card, each with its own out_request_no and notify_id', async () => {
      const { kit, gateway } = await merchantWithGateway();
      const trade = await newTrade(harness, kit, { fund_bill_list: [{ fund_channel: 'BANKCARD', amount: '100.00', fund_type: 'CREDIT_CARD' }] });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'ONE' });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '20.00', out_request_no: 'TWO' });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'ONE' }); // a repeat owes nothing
      await advanceClock(harness, 3600);
      const bizs = gateway.received.map((r) => JSON.parse(r.fields.biz_content as string) as Record<string, string>);
      assert.deepEqual(bizs.map((b) => [b.out_request_no, b.dback_amount]).sort(), [
        ['ONE', '10.00'],
        ['TWO', '20.00'],
      ]);
      assert.equal(new Set(gateway.received.map((r) => r.fields.notify_id)).size, 2);
    });
  });

  describe('retried until the gateway answers exactly `success`, on 2m, 10m, 10m, 1h, 2h, 6h, 15h', () => {
    it('makes 8 attempts at the message service’s offsets, with one notify_id, each with its own utc_timestamp and a valid sign', async () => {
      const { kit, gateway } = await merchantWithGateway('fail');
      const trade = await bankRefund(kit, 'RETRY');
      await advanceClock(harness, 3600 + 25 * 3600);
      assert.equal(gateway.received.length, 8);
      const stamps = gateway.received.map((r) => Number(r.fields.utc_timestamp));
      assert.deepEqual(
        stamps.map((t) => (t - (stamps[0] as number)) / 1000),
        MESSAGE_SCHEDULE_SECONDS,
      );
      assert.equal(new Set(gateway.received.map((r) => r.fields.notify_id)).size, 1);
      assert.equal(new Set(gateway.received.map((r) => r.fields.biz_content)).size, 1, 'the same message every time');
      for (const post of gateway.received) assert.equal(kit.sdk.checkNotifySignV2(post.fields), true);
      await advanceClock(harness, 48 * 3600);
      assert.equal(gateway.received.length, 8, 'nothing after the 8th attempt');
      const [message] = await messagesOf(trade.trade_no);
      assert.equal(message?.status, 'given_up');
      assert.equal(message?.attempts, 8);
    });

    it('stops once the gateway answers success, on its 3rd attempt', async () => {
      const { gateway, kit } = await merchantWithGateway({ successOnAttempt: 3 });
      const trade = await bankRefund(kit, 'THIRD');
      await advanceClock(harness, 3600 + 25 * 3600);
      assert.equal(gateway.received.length, 3);
      const stamps = gateway.received.map((r) => Number(r.fields.utc_timestamp));
      assert.deepEqual(
        stamps.map((t) => (t - (stamps[0] as number)) / 1000),
        MESSAGE_SCHEDULE_SECONDS.slice(0, 3),
      );
      const [message] = await messagesOf(trade.trade_no);
      assert.equal(message?.status, 'delivered');
    });
  });

  describe('the notification journal', () => {
    it('shows the message under its kind, with its facts encoded and every attempt', async () => {
      const { kit, gateway } = await merchantWithGateway({ successOnAttempt: 2 });
      const trade = await bankRefund(kit, 'JOURNAL');
      await advanceClock(harness, 3600 + 3600);
      const { notifications } = await harness.adminOk('GET', `/notifications?kind=${KIND}&trade_no=${trade.trade_no}`);
      assert.equal(notifications.length, 1);
      const [message] = notifications as Reply[];
      assert.ok(message);
      assert.equal(message.kind, KIND);
      assert.equal(message.url, gateway.url);
      assert.equal(message.app_id, kit.appId);
      assert.equal(message.pid, kit.pid);
      assert.equal(message.charset, 'utf-8');
      assert.equal(message.sign_type, 'RSA2');
      assert.equal(message.status, 'delivered');
      assert.equal(message.attempts, 2);
      assert.equal(message.notify_id, gateway.received[0]?.fields.notify_id);
      assert.equal(message.params.msg_method, KIND);
      assert.equal(message.params.biz_content, gateway.received[0]?.fields.biz_content);
      assert.deepEqual(
        message.attempt_log.map((a: Reply) => [a.attempt, a.response_body, a.delivered]),
        [
          [1, 'fail', false],
          [2, 'success', true],
        ],
      );
      assert.deepEqual(
        message.attempt_log.map((a: Reply) => a.request_body),
        gateway.received.map((r) => r.raw),
        'each body exactly as sent',
      );
      assert.equal((chinaTimeMs(message.attempt_log[1].at) - chinaTimeMs(message.attempt_log[0].at)) / 1000, 2 * MINUTE);

      const others = (await harness.adminOk('GET', `/notifications?kind=trade_status_sync&trade_no=${trade.trade_no}`)).notifications as Reply[];
      assert.equal(
        others.some((n) => n.kind === KIND),
        false,
      );
    });

    it('re-sends the message by hand, as any notification', async () => {
      const { kit, gateway } = await merchantWithGateway();
      const trade = await bankRefund(kit, 'RESEND');
      await advanceClock(harness, 3600);
      const [message] = await messagesOf(trade.trade_no);
      const resent = await harness.adminOk('POST', `/notifications/${message?.notify_id}/resend`);
      assert.equal(gateway.received.length, 2);
      assert.equal(resent.attempt_log.at(-1).manual, true);
      assert.equal(kit.sdk.checkNotifySignV2(gateway.received[1]?.fields ?? {}), true);
    });
  });
});
