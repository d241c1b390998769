/**
 * alipay.trade.precreate (当面付 扫码, notes §12.6) through the official alipay-sdk over v1 and v3: a QR code
 * whose URL opens the buyer's cashier; no trade until the buyer scans (logs in), then WAIT_BUYER_PAY, then paid
 * from the buyer's funds and notified with passback_params; the same request gives the same code 20 times;
 * an order's timeout closes it (TRADE_CLOSED notified once scanned); and every refusal with Alipay's code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUYER_LOGIN_PASSWORD, BUYER_PAYMENT_PASSWORD, buyerFunds, newBuyer } from '../support/buyer-accounts.js';
import { describeEachEngine } from '../support/engines.js';
import { type MerchantKit, useHarness } from '../support/harness.js';
import { v3Error, v3Sdk } from '../support/openapi-v3-client.js';
import { BuyerBrowser, logIn } from '../support/page-pay-flow.js';
import { advanceClock, assertBusinessError, assertSuccess, exec, queryTrade, refund, runDueJobs, type Biz, type Reply } from '../support/refund-calls.js';

let counter = 0;
const outTradeNo = () => `QR${Date.now()}${++counter}`;

const precreate = (kit: MerchantKit, biz: Biz, notifyUrl?: string) => exec(kit, 'alipay.trade.precreate', biz, notifyUrl);
const query = queryTrade;

describeEachEngine('alipay.trade.precreate', (engine) => {
  const { harness, kit, receiver } = useHarness(engine, { clock: 'virtual', receiver: 'success' });

  /** The cashier path the QR code leads to, as a phone's browser follows it. */
  async function scan(qrCode: string): Promise<{ cashier: string; browser: BuyerBrowser }> {
    const url = new URL(qrCode);
    const browser = new BuyerBrowser(url.origin);
    const opened = await fetch(url, { redirect: 'manual' });
    assert.equal(opened.status, 302);
    return { cashier: opened.headers.get('location') as string, browser };
  }

  describe('the QR code opens the cashier, and the trade exists once the buyer scans it', () => {
    it('precreate → qr_code; TRADE_NOT_EXIST before the scan, WAIT_BUYER_PAY after; paid, notified, refunded', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const no = outTradeNo();
      const reply = await precreate(kit, { out_trade_no: no, total_amount: '36.50', subject: '咖啡两杯', passback_params: 'table%3D7' }, receiver.url);
      assertSuccess(reply);
      assert.equal(reply.out_trade_no, no);
      assert.equal(reply.trade_no, undefined, 'no trade_no before the scan');
      const qr = new URL(reply.qr_code);
      assert.equal(qr.origin, new URL(harness.tuikuan.gateway).origin);
      assert.match(qr.pathname, /^\/qr\/[\w-]+$/);
      assertBusinessError(await query(kit, no), 'ACQ.TRADE_NOT_EXIST', '交易不存在');

      const { cashier, browser } = await scan(reply.qr_code);
      const login = await browser.get(cashier);
      assert.match(login.html, /扫码支付/);
      assert.match(login.html, /36\.50/);
      assert.ok(login.html.includes('<body class="wap">'), 'a phone’s layout');
      assertBusinessError(await query(kit, no), 'ACQ.TRADE_NOT_EXIST', '交易不存在');

      const choice = await logIn(browser, cashier, buyer.logon_id, BUYER_LOGIN_PASSWORD);
      const waiting = await query(kit, no);
      assertSuccess(waiting);
      assert.equal(waiting.trade_status, 'WAIT_BUYER_PAY');
      assert.equal(waiting.buyer_user_id, buyer.buyer_user_id);
      assert.equal(waiting.total_amount, '36.50');
      assert.equal(waiting.receipt_amount, '0.00');
      await runDueJobs(harness);
      assert.equal(receiver.received.filter((n) => n.fields.out_trade_no === no).length, 0, 'WAIT_BUYER_PAY notifies nothing by default');

      const paid = await browser.post(`${cashier}/pay`, { pay_POINT: '1', pay_ALIPAYACCOUNT: '1', payment_password: BUYER_PAYMENT_PASSWORD }, choice);
      assert.equal(paid.status, 303, 'no return_url for a QR code: back to the cashier');
      assert.match((await browser.get(cashier)).html, /付款成功/);
      await runDueJobs(harness);
      const [notification] = receiver.received.filter((n) => n.fields.out_trade_no === no).map((n) => n.fields);
      assert.ok(notification);
      assert.equal(notification.trade_status, 'TRADE_SUCCESS');
      assert.equal(notification.passback_params, 'table%3D7', 'passback_params echoed as sent');
      assert.equal(notification.fund_bill_list, '[{"amount":"2.00","fundChannel":"POINT"},{"amount":"34.50","fundChannel":"ALIPAYACCOUNT"}]');
      // Alipay signs passback_params as sent (UrlEncoded by the merchant): the SDK's raw verifier accepts it, and
      // its decoding checkNotifySign fails as it does against Alipay (alipay-sdk-nodejs-all#45).
      assert.equal(kit.sdk.checkNotifySignV2(notification), true);
      assert.equal(kit.sdk.checkNotifySign(notification), false);

      const trade = await query(kit, no);
      assert.equal(trade.trade_status, 'TRADE_SUCCESS');
      assert.equal(trade.point_amount, '2.00');
      assert.equal(trade.buyer_pay_amount, '34.50');
      const refunded = await refund(kit, { out_trade_no: no, refund_amount: '36.50' });
      assertSuccess(refunded);
      const after = await buyerFunds(harness, buyer.buyer_user_id);
      assert.equal(after.balance, '50.00');
      assert.equal(after.points, '2.00');
    });

    it('an app that asks for it is notified WAIT_BUYER_PAY on the scan, with 0.00 amounts and no fund bill', async () => {
      await harness.adminOk('PATCH', `/apps/${kit.appId}`, { notify_wait_buyer_pay: true });
      try {
        const buyer = await newBuyer(harness, kit.pid);
        const no = outTradeNo();
        const reply = await precreate(kit, { out_trade_no: no, total_amount: '8.00', subject: '茶' }, receiver.url);
        const { cashier, browser } = await scan(reply.qr_code);
        await logIn(browser, cashier, buyer.logon_id, BUYER_LOGIN_PASSWORD);
        await runDueJobs(harness);
        const notified = receiver.received.filter((n) => n.fields.out_trade_no === no).map((n) => n.fields);
        assert.equal(notified.length, 1);
        const wait = notified[0] as Record<string, string>;
        assert.equal(wait.trade_status, 'WAIT_BUYER_PAY');
        assert.equal(wait.buyer_id, buyer.buyer_user_id);
        assert.equal(wait.receipt_amount, '0.00');
        assert.equal(wait.fund_bill_list, undefined);
        assert.equal(wait.gmt_payment, undefined);
        assert.equal(kit.sdk.checkNotifySign(wait), true);
      } finally {
        await harness.adminOk('PATCH', `/apps/${kit.appId}`, { notify_wait_buyer_pay: false });
      }
    });
  });

  describe('a product the merchant signed without refunds', () => {
    it('is TRADE_FINISHED once paid, notified so, and refunded by nothing (ACQ.TRADE_HAS_FINISHED)', async () => {
      await harness.adminOk('PATCH', `/merchants/${kit.pid}`, { non_refundable_products: ['QR_CODE_OFFLINE'] });
      try {
        const buyer = await newBuyer(harness, kit.pid);
        const no = outTradeNo();
        const reply = await precreate(kit, { out_trade_no: no, total_amount: '10.00', subject: '门票', product_code: 'QR_CODE_OFFLINE' }, receiver.url);
        const { cashier, browser } = await scan(reply.qr_code);
        const choice = await logIn(browser, cashier, buyer.logon_id, BUYER_LOGIN_PASSWORD);
        await browser.post(`${cashier}/pay`, { pay_ALIPAYACCOUNT: '1', payment_password: BUYER_PAYMENT_PASSWORD }, choice);
        const trade = await query(kit, no);
        assert.equal(trade.trade_status, 'TRADE_FINISHED');
        assert.equal(trade.receipt_amount, '10.00');
        await runDueJobs(harness);
        const notified = receiver.received.filter((n) => n.fields.out_trade_no === no).map((n) => n.fields.trade_status);
        assert.deepEqual(notified, ['TRADE_FINISHED']);
        assertBusinessError(await refund(kit, { out_trade_no: no, refund_amount: '1.00' }), 'ACQ.TRADE_HAS_FINISHED', '交易已完结');
        assert.equal((await buyerFunds(harness, buyer.buyer_user_id)).balance, '40.00');
      } finally {
        await harness.adminOk('PATCH', `/merchants/${kit.pid}`, { non_refundable_products: [] });
      }
    });
  });

  describe('the same request again', () => {
    it('gives the same QR code, 20 times at most; then ACQ.APPLY_PC_MERCHANT_CODE_ERROR', async () => {
      const biz = { out_trade_no: outTradeNo(), total_amount: '5.00', subject: '包子' };
      const first = await precreate(kit, biz);
      for (let i = 2; i <= 20; i++) assert.equal((await precreate(kit, biz)).qr_code, first.qr_code);
      assertBusinessError(await precreate(kit, biz), 'ACQ.APPLY_PC_MERCHANT_CODE_ERROR', '同样的订单号不能重复多次申请二维码');
    });

    it('with other params is ACQ.CONTEXT_INCONSISTENT; once paid ACQ.TRADE_HAS_SUCCESS', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const biz = { out_trade_no: outTradeNo(), total_amount: '5.00', subject: '包子' };
      const first = await precreate(kit, biz);
      assertBusinessError(await precreate(kit, { ...biz, total_amount: '6.00' }), 'ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      const { cashier, browser } = await scan(first.qr_code);
      const choice = await logIn(browser, cashier, buyer.logon_id, BUYER_LOGIN_PASSWORD);
      assert.equal((await precreate(kit, biz)).qr_code, first.qr_code, 'scanned, not paid: the same code');
      await browser.post(`${cashier}/pay`, { pay_ALIPAYACCOUNT: '1', payment_password: BUYER_PAYMENT_PASSWORD }, choice);
      assertBusinessError(await precreate(kit, biz), 'ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
    });
  });

  describe('the order’s timeout', () => {
    it('a scanned order past timeout_express closes: TRADE_CLOSED notified, the cashier says closed, nothing is paid', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const no = outTradeNo();
      const reply = await precreate(kit, { out_trade_no: no, total_amount: '12.00', subject: '面', timeout_express: '10m' }, receiver.url);
      const { cashier, browser } = await scan(reply.qr_code);
      const choice = await logIn(browser, cashier, buyer.logon_id, BUYER_LOGIN_PASSWORD);
      await advanceClock(harness, 9 * 60);
      assert.equal((await query(kit, no)).trade_status, 'WAIT_BUYER_PAY');
      await advanceClock(harness, 60);
      const closed = await query(kit, no);
      assert.equal(closed.trade_status, 'TRADE_CLOSED');
      const notified = receiver.received.filter((n) => n.fields.out_trade_no === no).map((n) => n.fields);
      assert.deepEqual(
        notified.map((n) => n.trade_status),
        ['TRADE_CLOSED'],
      );
      assert.ok(notified[0]?.gmt_close);
      assert.equal(kit.sdk.checkNotifySign(notified[0] as Record<string, string>), true);
      const late = await browser.post(`${cashier}/pay`, { pay_ALIPAYACCOUNT: '1', payment_password: BUYER_PAYMENT_PASSWORD }, choice);
      assert.equal(late.status, 303);
      assert.match((await browser.get(cashier)).html, /订单已关闭/);
      assert.equal((await buyerFunds(harness, buyer.buyer_user_id)).balance, '50.00');
      assertBusinessError(
        await precreate(kit, { out_trade_no: no, total_amount: '12.00', subject: '面', timeout_express: '10m' }),
        'ACQ.TRADE_HAS_CLOSE',
        '交易已经关闭',
      );
    });

    it('3 hours by default; an unscanned order then cannot be scanned, and was never a trade', async () => {
      const no = outTradeNo();
      const reply = await precreate(kit, { out_trade_no: no, total_amount: '3.00', subject: '豆浆' });
      await advanceClock(harness, 3 * 3600);
      const { cashier, browser } = await scan(reply.qr_code);
      assert.match((await browser.get(cashier)).html, /订单已关闭/);
      assertBusinessError(await query(kit, no), 'ACQ.TRADE_NOT_EXIST', '交易不存在');
    });

    it('closed before the scan: the close answers ACQ.TRADE_NOT_EXIST, and the code can no longer be paid', async () => {
      const no = outTradeNo();
      const reply = await precreate(kit, { out_trade_no: no, total_amount: '3.00', subject: '豆浆' });
      const closed = (await kit.sdk.exec('alipay.trade.close', { bizContent: { out_trade_no: no } }, { validateSign: true })) as Reply;
      assertBusinessError(closed, 'ACQ.TRADE_NOT_EXIST', '交易不存在');
      const { cashier, browser } = await scan(reply.qr_code);
      assert.match((await browser.get(cashier)).html, /订单已关闭/);
    });
  });

  describe('bad input', () => {
    const cases: Array<[string, Biz, string, string]> = [
      ['a zero amount', { total_amount: '0.00' }, 'ACQ.INVALID_PARAMETER', '参数无效'],
      ['an amount past the limit', { total_amount: '100000000.01' }, 'ACQ.TOTAL_FEE_EXCEED', '订单总金额不在允许范围内'],
      ['enable and disable_pay_channels both', { enable_pay_channels: 'balance', disable_pay_channels: 'pcredit' }, 'ACQ.INVALID_PARAMETER', '参数无效'],
      ['an unknown channel code', { disable_pay_channels: 'balance,spaceship' }, 'ACQ.INVALID_PARAMETER', '参数无效'],
      ['an unreadable timeout_express', { timeout_express: '1.5h' }, 'ACQ.INVALID_PARAMETER', '参数无效'],
      ['a time_expire already past', { time_expire: '2020-01-01 00:00:00' }, 'ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR', '当前时间已超过允许支付的时间'],
      ['another seller_id', { seller_id: '2088000000009999' }, 'ACQ.INVALID_PARAMETER', '参数无效'],
      ['a subject with a forbidden character', { subject: 'a&b' }, 'ACQ.INVALID_PARAMETER', '参数无效'],
      ['no subject', { subject: undefined }, 'ACQ.INVALID_PARAMETER', '参数无效'],
    ];
    for (const [what, change, subCode, subMsg] of cases) {
      it(`${what}: ${subCode}`, async () => {
        const no = outTradeNo();
        const reply = await precreate(kit, { out_trade_no: no, total_amount: '1.00', subject: '测试', ...change });
        assertBusinessError(reply, subCode, subMsg);
        assert.equal(reply.qr_code, undefined);
        assertBusinessError(await query(kit, no), 'ACQ.TRADE_NOT_EXIST', '交易不存在');
      });
    }
  });

  describe('over OpenAPI v3', () => {
    it('POST /v3/alipay/trade/precreate answers the QR code; a repeat with other params is 400 CONTEXT_INCONSISTENT', async () => {
      const sdk = v3Sdk(harness, kit);
      const no = outTradeNo();
      const made = await sdk.curl('POST', '/v3/alipay/trade/precreate', { body: { out_trade_no: no, total_amount: '9.90', subject: '奶茶' } });
      assert.equal(made.responseHttpStatus, 200);
      const data = made.data as Reply;
      assert.equal(data.out_trade_no, no);
      assert.match(data.qr_code, /\/qr\/[\w-]+$/);
      const error = await v3Error(sdk.curl('POST', '/v3/alipay/trade/precreate', { body: { out_trade_no: no, total_amount: '9.00', subject: '奶茶' } }));
      assert.equal(error.responseHttpStatus, 400);
      assert.equal(error.code, 'CONTEXT_INCONSISTENT');
    });
  });
});
