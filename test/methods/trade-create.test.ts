/**
 * alipay.trade.create (JSAPI / 小程序, notes §12.6) through the official alipay-sdk over v1 and v3: the trade
 * waits for the buyer named, at once; the admin API shows its cashier, where only that buyer pays it; the same
 * request answers the same trade; its timeout closes it; and every refusal with Alipay's code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUYER_LOGIN_PASSWORD, BUYER_PAYMENT_PASSWORD, buyerFunds, newBuyer } from '../support/buyer-accounts.js';
import { describeEachEngine } from '../support/engines.js';
import { type MerchantKit, useHarness } from '../support/harness.js';
import { v3Error, v3Sdk } from '../support/openapi-v3-client.js';
import { BuyerBrowser, logIn } from '../support/page-pay-flow.js';
import { advanceClock, assertBusinessError, assertSuccess, exec, queryTrade, getTrade, runDueJobs, type Biz, type Reply } from '../support/refund-calls.js';

let counter = 0;
const outTradeNo = () => `CR${Date.now()}${++counter}`;

const create = (kit: MerchantKit, biz: Biz, notifyUrl?: string) => exec(kit, 'alipay.trade.create', biz, notifyUrl);
const query = queryTrade;

describeEachEngine('alipay.trade.create', (engine) => {
  const { harness, kit, receiver } = useHarness(engine, { clock: 'virtual', receiver: 'success' });

  /** The cashier the admin API shows for a waiting trade (where a mini program's my.tradePay would pay). */
  async function cashierOf(tradeNo: string): Promise<{ cashier: string; browser: BuyerBrowser }> {
    const trade = await getTrade(harness, tradeNo);
    const url = new URL(trade.cashier_url);
    return { cashier: url.pathname, browser: new BuyerBrowser(url.origin) };
  }

  describe('the trade waits for the buyer named, at once', () => {
    it('by buyer_id: WAIT_BUYER_PAY with the trade_no; paid on its cashier by that buyer, notified', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const no = outTradeNo();
      const reply = await create(
        kit,
        { out_trade_no: no, total_amount: '19.90', subject: '小程序订单', buyer_id: buyer.buyer_user_id, product_code: 'JSAPI_PAY' },
        receiver.url,
      );
      assertSuccess(reply);
      assert.equal(reply.out_trade_no, no);
      assert.match(reply.trade_no, /^\d{28}$/);
      const waiting = await query(kit, no);
      assert.equal(waiting.trade_status, 'WAIT_BUYER_PAY');
      assert.equal(waiting.trade_no, reply.trade_no);
      assert.equal(waiting.buyer_user_id, buyer.buyer_user_id);
      assert.equal(waiting.buyer_pay_amount, '0.00');

      const { cashier, browser } = await cashierOf(reply.trade_no);
      const choice = await logIn(browser, cashier, buyer.logon_id, BUYER_LOGIN_PASSWORD);
      assert.match(choice, /小程序支付/);
      const paid = await browser.post(`${cashier}/pay`, { pay_FINANCEACCOUNT: '1', payment_password: BUYER_PAYMENT_PASSWORD }, choice);
      assert.equal(paid.status, 303);
      await runDueJobs(harness);
      const notified = receiver.received.filter((n) => n.fields.out_trade_no === no).map((n) => n.fields);
      assert.deepEqual(
        notified.map((n) => n.trade_status),
        ['TRADE_SUCCESS'],
      );
      assert.equal(notified[0]?.trade_no, reply.trade_no);
      assert.equal(kit.sdk.checkNotifySign(notified[0] as Record<string, string>), true);
      const trade = await query(kit, no);
      assert.equal(trade.trade_status, 'TRADE_SUCCESS');
      assert.deepEqual(
        (trade.fund_bill_list as Reply[]).map((bill) => [bill.fund_channel, bill.amount]),
        [['FINANCEACCOUNT', '19.90']],
      );
      assert.equal((await buyerFunds(harness, buyer.buyer_user_id)).yuebao, '10.10');
      assert.equal((await getTrade(harness, reply.trade_no)).cashier_url, undefined, 'paid: no cashier to show');
    });

    it('by buyer_logon_id too; and another buyer cannot pay it', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const other = await newBuyer(harness, kit.pid);
      const reply = await create(kit, { out_trade_no: outTradeNo(), total_amount: '1.00', subject: '小程序订单', buyer_logon_id: buyer.logon_id });
      assertSuccess(reply);
      const { cashier, browser } = await cashierOf(reply.trade_no);
      const login = await browser.get(cashier);
      const refused = await browser.post(`${cashier}/login`, { logon_id: other.logon_id, login_password: BUYER_LOGIN_PASSWORD }, login.html);
      assert.equal(refused.status, 403);
      assert.match(refused.html, /指定的买家/);
      assert.equal((await getTrade(harness, reply.trade_no)).buyer_user_id, buyer.buyer_user_id);
    });
  });

  describe('the same request again', () => {
    it('answers the same trade; other params ACQ.CONTEXT_INCONSISTENT; another buyer ACQ.TRADE_BUYER_NOT_MATCH', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const other = await newBuyer(harness, kit.pid);
      const biz = { out_trade_no: outTradeNo(), total_amount: '2.00', subject: '小程序订单', buyer_id: buyer.buyer_user_id };
      const first = await create(kit, biz);
      assert.equal((await create(kit, biz)).trade_no, first.trade_no);
      assertBusinessError(await create(kit, { ...biz, total_amount: '3.00' }), 'ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      assertBusinessError(await create(kit, { ...biz, buyer_id: other.buyer_user_id }), 'ACQ.TRADE_BUYER_NOT_MATCH', '交易买家不匹配');
    });

    it('a paid out_trade_no (alipay.trade.pay) is ACQ.TRADE_HAS_SUCCESS', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const no = outTradeNo();
      assertSuccess(
        (await kit.sdk.exec('alipay.trade.pay', {
          bizContent: { out_trade_no: no, total_amount: '2.00', subject: '条码', scene: 'bar_code', auth_code: '281234567890123456' },
        })) as Reply,
      );
      assertBusinessError(
        await create(kit, { out_trade_no: no, total_amount: '2.00', subject: '小程序订单', buyer_id: buyer.buyer_user_id }),
        'ACQ.TRADE_HAS_SUCCESS',
        '交易已被支付',
      );
    });
  });

  describe('the timeout, the close and the cancel', () => {
    it('3 hours by default: then TRADE_CLOSED, notified; the same request is ACQ.TRADE_HAS_CLOSE', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const biz = { out_trade_no: outTradeNo(), total_amount: '4.00', subject: '小程序订单', buyer_id: buyer.buyer_user_id };
      const reply = await create(kit, biz, receiver.url);
      await advanceClock(harness, 3 * 3600 - 60);
      assert.equal((await query(kit, biz.out_trade_no)).trade_status, 'WAIT_BUYER_PAY');
      await advanceClock(harness, 60);
      const closed = await getTrade(harness, reply.trade_no);
      assert.equal(closed.trade_status, 'TRADE_CLOSED');
      assert.ok(closed.gmt_close);
      const notified = receiver.received.filter((n) => n.fields.out_trade_no === biz.out_trade_no).map((n) => n.fields.trade_status);
      assert.deepEqual(notified, ['TRADE_CLOSED']);
      assertBusinessError(await create(kit, biz), 'ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
    });

    it('closed by alipay.trade.close: its cashier takes no payment; cancelled unpaid: action close', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const closing = await create(kit, { out_trade_no: outTradeNo(), total_amount: '4.00', subject: '小程序订单', buyer_id: buyer.buyer_user_id });
      const { cashier, browser } = await cashierOf(closing.trade_no);
      assertSuccess((await kit.sdk.exec('alipay.trade.close', { bizContent: { trade_no: closing.trade_no } }, { validateSign: true })) as Reply);
      assert.match((await browser.get(cashier)).html, /订单已关闭/);

      const cancelling = await create(kit, { out_trade_no: outTradeNo(), total_amount: '4.00', subject: '小程序订单', buyer_id: buyer.buyer_user_id });
      const cancelled = (await kit.sdk.exec('alipay.trade.cancel', { bizContent: { trade_no: cancelling.trade_no } }, { validateSign: true })) as Reply;
      assertSuccess(cancelled);
      assert.equal(cancelled.action, 'close');
      assert.equal((await getTrade(harness, cancelling.trade_no)).trade_status, 'TRADE_CLOSED');
    });
  });

  describe('the buyer', () => {
    it('the seller itself: ACQ.BUYER_SELLER_EQUAL', async () => {
      assertBusinessError(
        await create(kit, { out_trade_no: outTradeNo(), total_amount: '1.00', subject: '自买', buyer_id: kit.pid }),
        'ACQ.BUYER_SELLER_EQUAL',
        '买卖家不能相同',
      );
    });

    it('a frozen account: ACQ.BUYER_ENABLE_STATUS_FORBID', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      await harness.adminOk('PATCH', `/buyers/${buyer.buyer_user_id}`, { account_status: 'frozen' });
      assertBusinessError(
        await create(kit, { out_trade_no: outTradeNo(), total_amount: '1.00', subject: '冻结', buyer_id: buyer.buyer_user_id }),
        'ACQ.BUYER_ENABLE_STATUS_FORBID',
        '买家状态非法',
      );
    });

    for (const [what, who] of [
      ['nobody named', {}],
      ['an unknown buyer_id', { buyer_id: '2088999999999999' }],
      ['a malformed buyer_id', { buyer_id: '1234' }],
      ['only an open id', { buyer_open_id: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5' }],
    ] as const) {
      it(`${what}: ACQ.INVALID_PARAMETER, and no trade`, async () => {
        const no = outTradeNo();
        assertBusinessError(await create(kit, { out_trade_no: no, total_amount: '1.00', subject: '无人', ...who }), 'ACQ.INVALID_PARAMETER', '参数无效');
        assertBusinessError(await query(kit, no), 'ACQ.TRADE_NOT_EXIST', '交易不存在');
      });
    }
  });

  describe('over OpenAPI v3', () => {
    it('POST /v3/alipay/trade/create answers the trade_no; the seller as buyer is 400 BUYER_SELLER_EQUAL', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const sdk = v3Sdk(harness, kit);
      const no = outTradeNo();
      const made = await sdk.curl('POST', '/v3/alipay/trade/create', {
        body: { out_trade_no: no, total_amount: '6.60', subject: '小程序', buyer_id: buyer.buyer_user_id },
      });
      assert.equal(made.responseHttpStatus, 200);
      const data = made.data as Reply;
      assert.equal(data.out_trade_no, no);
      assert.equal((await query(kit, no)).trade_no, data.trade_no);
      const error = await v3Error(
        sdk.curl('POST', '/v3/alipay/trade/create', { body: { out_trade_no: outTradeNo(), total_amount: '1.00', subject: '自买', buyer_id: kit.pid } }),
      );
      assert.equal(error.responseHttpStatus, 400);
      assert.equal(error.code, 'BUYER_SELLER_EQUAL');
    });
  });
});
