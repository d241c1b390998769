/**
 * page.pay and wap.pay as a buyer lives them, in a real Chromium: the merchant's checkout page submits the
 * official SDK's pageExecute form (page.pay, at a PC's width) or follows its GET link (wap.pay, at a phone's);
 * the buyer logs in (a wrong password first), chooses channels and a coupon, gets the payment password wrong,
 * pays, and lands on the merchant's return page, whose parameters the SDK's checkNotifySign accepts; the
 * notification arrives; two refunds, over v1 and v3, give every channel back in the documented order. A closed order and the gateway's error page are shown too. A precreate QR code is
 * opened at a phone's width and paid, with an order that limits its channels, and one left to expire; a create
 * order is paid on the cashier the admin API shows, after another buyer is refused. Screenshots of every page
 * are saved in test-output/screenshots (buyer-pc-*, buyer-wap-*, buyer-qr-*, buyer-mini-*).
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { LocalSite } from '../support/local-site.js';
import { browserSkip, launchBrowser, requireBrowser, type Browser } from '../support/browser.js';
import { useHarness, type MerchantKit } from '../support/harness.js';
import { v3Sdk } from '../support/openapi-v3-client.js';
import { advanceClock, assertSuccess, refund, runDueJobs, type Reply } from '../support/refund-calls.js';

const LOGIN_PASSWORD = 'buyer-login-1';
const PAYMENT_PASSWORD = '135790';
let counter = 0;

/** The merchant's website: a checkout page that starts the payment, its return page and its notify_url. */
class MerchantSite extends LocalSite {
  checkout = '';
  returns: Array<Record<string, string>> = [];
  notified: Array<Record<string, string>> = [];

  protected handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://site');
    if (request.method === 'GET' && url.pathname === '/checkout') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>商城</title>
<body style="font-family:sans-serif;padding:24px"><h1>确认订单</h1>${this.checkout}</body></html>`);
      return;
    }
    if (request.method === 'GET' && url.pathname === '/return') {
      this.returns.push(Object.fromEntries(url.searchParams));
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>支付结果</title>
<body style="font-family:sans-serif;padding:24px"><h1 id="merchant-return">商户：支付完成</h1><p>订单号 ${url.searchParams.get('out_trade_no') ?? ''}</p></body></html>`);
      return;
    }
    if (request.method === 'POST' && url.pathname === '/notify') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.notified.push(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('success');
      });
      return;
    }
    response.writeHead(404);
    response.end();
  }
}

// One engine: the flow over plain HTTP runs on both (buyer-cashier.test.ts).
describe('the buyer’s cashier in a real browser', { skip: browserSkip() }, () => {
  const { harness, kit } = useHarness('sqlite', { clock: 'virtual' });
  let browser: Browser;
  let site: MerchantSite;
  before(async () => {
    requireBrowser();
    browser = await launchBrowser();
    site = new MerchantSite();
    await site.start();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  async function newBuyer(): Promise<Reply> {
    const n = ++counter;
    return harness.adminOk('POST', '/buyers', {
      logon_id: `13800138${String(n).padStart(3, '0')}`,
      name: '张三',
      login_password: LOGIN_PASSWORD,
      payment_password: PAYMENT_PASSWORD,
      funds: {
        balance: '40.00',
        yuebao: '100.00',
        huabei_limit: '2000.00',
        points: '1.50',
        bank_cards: [
          { bank_code: 'ICBC', fund_type: 'DEBIT_CARD', card_tail: '1234' },
          { bank_code: 'CMB', fund_type: 'CREDIT_CARD', card_tail: '5678' },
        ],
        coupons: [
          { voucher_id: `BRP${Date.now()}${n}`, fund_channel: 'COUPON', name: '新春红包', amount: '6.66' },
          { voucher_id: `BMD${Date.now()}${n}`, fund_channel: 'MDISCOUNT', merchant_pid: kit.pid, name: '店铺满100减20', amount: '20.00' },
        ],
      },
    });
  }

  const biz = (method: string, no: string, amount: string) => ({
    out_trade_no: no,
    total_amount: amount,
    subject: method === 'alipay.trade.page.pay' ? 'Apple AirPods 无线耳机' : '外卖订单：黄焖鸡米饭',
    body: '测试订单',
    product_code: method === 'alipay.trade.page.pay' ? 'FAST_INSTANT_TRADE_PAY' : 'QUICK_WAP_WAY',
    ...(method === 'alipay.trade.wap.pay' && { quit_url: `${site.url}/checkout` }),
  });

  async function payFlow(kitOf: MerchantKit, method: 'alipay.trade.page.pay' | 'alipay.trade.wap.pay', prefix: string) {
    const { page, screenshot } = browser;
    const wap = method === 'alipay.trade.wap.pay';
    await page.setViewportSize(wap ? { width: 390, height: 844 } : { width: 1280, height: 900 });
    const buyer = await newBuyer();
    const no = `BB${Date.now()}${++counter}`;
    const amount = wap ? '32.50' : '128.00';
    const call = { bizContent: biz(method, no, amount), returnUrl: `${site.url}/return`, notifyUrl: `${site.url}/notify` };
    if (wap) {
      site.checkout = `<a id="start" href="${kitOf.sdk.pageExecute(method, 'GET', call).replace(/&/g, '&amp;')}">去支付宝付款</a>`;
      await page.goto(`${site.url}/checkout`);
      await screenshot(`${prefix}-0-merchant-checkout`);
      await page.click('#start');
    } else {
      // The SDK's auto-submitting form: the browser posts it as soon as the page loads.
      site.checkout = kitOf.sdk.pageExecute(method, 'POST', call);
      await page.goto(`${site.url}/checkout`);
    }
    await page.waitForSelector('#login_password');
    assert.match(page.url(), /\/cashier\/pay\/[A-Za-z0-9_-]+$/);
    const cashier = page.url();
    assert.equal((await page.textContent('#amount'))?.replace(/\s/g, ''), `¥${amount}`);
    await screenshot(`${prefix}-1-login`);

    await page.fill('#logon_id', buyer.logon_id);
    await page.fill('#login_password', 'not-the-password');
    await page.click('#login');
    await page.waitForSelector('.alert.error');
    assert.match((await page.textContent('.alert.error')) ?? '', /登录密码不正确，您还可以输入 4 次/);
    await screenshot(`${prefix}-2-login-error`);

    await page.fill('#logon_id', buyer.logon_id);
    await page.fill('#login_password', LOGIN_PASSWORD);
    await page.click('#login');
    await page.waitForSelector('#payment_password');
    const choice = (await page.textContent('form')) ?? '';
    for (const shown of ['账户余额', '余额宝', '花呗', '集分宝', '尾号 1234', '尾号 5678', '新春红包', '店铺满100减20'])
      assert.ok(choice.includes(shown), shown);
    await screenshot(`${prefix}-3-choose`);

    if (wap) {
      // Not enough with the balance alone: said, and no password try spent.
      await page.uncheck('#pay_ALIPAYACCOUNT-1');
      await page.check('#pay_POINT-1');
      await page.fill('#payment_password', PAYMENT_PASSWORD);
      await page.click('#pay');
      await page.waitForSelector('.alert.error');
      assert.match((await page.textContent('.alert.error')) ?? '', /还差 ¥31\.00/);
      await screenshot(`${prefix}-4-not-enough`);
    }

    const voucherOf = (kind: string) => (buyer.funds.coupons as Reply[]).find((c) => c.fund_channel === kind)?.voucher_id as string;
    if (wap) {
      await page.check('#pay_PCREDIT-1');
      await page.check(`#coupon_${voucherOf('COUPON')}-1`);
    } else {
      await page.check(`#coupon_${voucherOf('MDISCOUNT')}-1`);
      await page.check('#pay_FINANCEACCOUNT-1');
      await page.check('#bank_card-2');
    }
    // The choice stays ticked when the page comes back with an error.
    await page.fill('#payment_password', '000000');
    await page.click('#pay');
    await page.waitForSelector('.alert.error');
    assert.match((await page.textContent('.alert.error')) ?? '', /支付密码不正确，您还可以输入 4 次/);
    await screenshot(`${prefix}-5-payment-password-error`);

    await page.fill('#payment_password', PAYMENT_PASSWORD);
    const returns = site.returns.length;
    const notifiedBefore = site.notified.length;
    await page.click('#pay');
    await page.waitForSelector('#merchant-return');
    assert.ok(page.url().startsWith(`${site.url}/return?`));
    await screenshot(`${prefix}-6-merchant-return`);
    const params = site.returns[returns] as Record<string, string>;
    assert.equal(params.method, `${method}.return`);
    assert.equal(params.out_trade_no, no);
    assert.equal(kitOf.sdk.checkNotifySign(params), true);

    await runDueJobs(harness);
    for (let i = 0; i < 50 && site.notified.length === notifiedBefore; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const notification = site.notified[notifiedBefore] as Record<string, string>;
    assert.equal(notification.trade_status, 'TRADE_SUCCESS');
    assert.equal(kitOf.sdk.checkNotifySign(notification), true);
    const query = (await kitOf.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: no } }, { validateSign: true })) as Reply;
    const bills = (query.fund_bill_list as Reply[]).map((bill) => [bill.fund_channel, bill.amount]);
    assert.deepEqual(
      bills,
      wap
        ? [
            ['COUPON', '6.66'],
            ['POINT', '1.50'],
            ['PCREDIT', '24.34'],
          ]
        : [
            ['MDISCOUNT', '20.00'],
            ['ALIPAYACCOUNT', '40.00'],
            ['FINANCEACCOUNT', '68.00'],
          ],
    );

    // Refunded in two parts, over v1 and v3: the buyer's own channels first in the order they paid, then the
    // coupon (whole), every channel back to what it held.
    const [firstPart, rest] = wap ? ['10.00', '22.50'] : ['50.00', '78.00'];
    assertSuccess(await refund(kitOf, { out_trade_no: no, refund_amount: firstPart, out_request_no: `${no}-R1` }));
    const second = await v3Sdk(harness, kitOf).curl('POST', '/v3/alipay/trade/refund', {
      body: { out_trade_no: no, refund_amount: rest, out_request_no: `${no}-R2` },
    });
    assert.equal(second.responseHttpStatus, 200);
    const refunds = ((await harness.adminOk('GET', `/refunds?trade_no=${query.trade_no}`)).refunds as Reply[]).sort((a, b) =>
      String(a.out_request_no).localeCompare(String(b.out_request_no)),
    );
    // What each refund took from each channel (allocations are listed in the fund bill's order).
    assert.deepEqual(
      refunds.map((r) => Object.fromEntries((r.fund_allocations as Reply[]).map((a) => [a.fund_channel, a.amount]))),
      wap
        ? [
            { POINT: '1.50', PCREDIT: '8.50' },
            { PCREDIT: '15.84', COUPON: '6.66' },
          ]
        : [
            { ALIPAYACCOUNT: '40.00', FINANCEACCOUNT: '10.00' },
            { FINANCEACCOUNT: '58.00', MDISCOUNT: '20.00' },
          ],
    );
    const restored = (await harness.adminOk('GET', `/buyers/${buyer.buyer_user_id}`)).funds as Reply;
    assert.deepEqual([restored.balance, restored.yuebao, restored.points, restored.huabei_used], ['40.00', '100.00', '1.50', '0.00']);
    assert.ok(
      (restored.coupons as Reply[]).every((c) => c.remaining === c.amount),
      'every coupon whole again',
    );

    // Back on the cashier afterwards: it says the order is paid.
    await page.goto(cashier);
    await page.waitForSelector('#outcome');
    assert.equal(await page.textContent('#outcome'), '付款成功');
    await screenshot(`${prefix}-7-paid`);
  }

  it('page.pay at a PC’s width: the SDK’s form, login, channels and a coupon, back to return_url signed', async () => {
    await payFlow(kit, 'alipay.trade.page.pay', 'buyer-pc');
  });

  it('wap.pay at a phone’s width: the SDK’s link, login, not enough, then Huabei with a red packet', async () => {
    await payFlow(kit, 'alipay.trade.wap.pay', 'buyer-wap');
  });

  for (const [method, prefix, width] of [
    ['alipay.trade.page.pay', 'buyer-pc', 1280],
    ['alipay.trade.wap.pay', 'buyer-wap', 390],
  ] as const) {
    it(`${method}: a closed order, and the gateway’s error page`, async () => {
      const { page, screenshot } = browser;
      await page.setViewportSize({ width, height: width > 1000 ? 900 : 844 });
      const no = `BX${Date.now()}${++counter}`;
      const call = { bizContent: biz(method, no, '9.90'), returnUrl: `${site.url}/return` };
      await page.goto(kit.sdk.pageExecute(method, 'GET', call));
      await page.waitForSelector('#login_password');
      await kit.sdk.exec('alipay.trade.close', { bizContent: { out_trade_no: no } }, { validateSign: true });
      await page.reload();
      await page.waitForSelector('#outcome');
      assert.equal(await page.textContent('#outcome'), '订单已关闭');
      await screenshot(`${prefix}-8-closed`);

      await page.goto(kit.sdk.pageExecute(method, 'GET', { ...call, bizContent: { ...call.bizContent, out_trade_no: `${no}X`, total_amount: '1.00' } }));
      await page.waitForSelector('#login_password');
      await page.goto(kit.sdk.pageExecute(method, 'GET', { ...call, bizContent: { ...call.bizContent, out_trade_no: `${no}X`, total_amount: '2.00' } }));
      await page.waitForSelector('#error-code');
      assert.equal(await page.textContent('#error-code'), 'ACQ.CONTEXT_INCONSISTENT');
      await screenshot(`${prefix}-9-error-page`);
    });
  }
  it('precreate at a phone’s width: the QR code opened, the buyer scans (logs in) and pays with only the channels allowed; another expires', async () => {
    const { page, screenshot } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    const buyer = await newBuyer();
    const no = `BQ${Date.now()}${++counter}`;
    const reply = (await kit.sdk.exec(
      'alipay.trade.precreate',
      {
        bizContent: { out_trade_no: no, total_amount: '23.00', subject: '门店消费：拿铁两杯', enable_pay_channels: 'balance,moneyFund,coupon' },
        notify_url: `${site.url}/notify`,
      },
      { validateSign: true },
    )) as Reply;
    assert.equal(reply.code, '10000');
    await page.goto(reply.qr_code);
    await page.waitForSelector('#login_password');
    assert.match((await page.textContent('body')) ?? '', /扫码支付/);
    await screenshot('buyer-qr-1-login');
    await page.fill('#logon_id', buyer.logon_id);
    await page.fill('#login_password', LOGIN_PASSWORD);
    await page.click('#login');
    await page.waitForSelector('#payment_password');
    const choice = (await page.textContent('form')) ?? '';
    assert.ok(choice.includes('余额宝') && choice.includes('新春红包'));
    assert.ok(!choice.includes('花呗') && !choice.includes('尾号 1234') && !choice.includes('店铺满100减20'), 'only the channels the order allows');
    const waiting = (await kit.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: no } }, { validateSign: true })) as Reply;
    assert.equal(waiting.trade_status, 'WAIT_BUYER_PAY');
    await screenshot('buyer-qr-2-choose-allowed-channels');
    await page.uncheck('#pay_ALIPAYACCOUNT-1');
    await page.check('#pay_FINANCEACCOUNT-1');
    await page.fill('#payment_password', PAYMENT_PASSWORD);
    await page.click('#pay');
    await page.waitForSelector('#outcome');
    assert.equal(await page.textContent('#outcome'), '付款成功');
    await screenshot('buyer-qr-3-paid');
    const paid = (await kit.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: no } }, { validateSign: true })) as Reply;
    assert.equal(paid.trade_status, 'TRADE_SUCCESS');
    assert.deepEqual(
      (paid.fund_bill_list as Reply[]).map((bill) => [bill.fund_channel, bill.amount]),
      [['FINANCEACCOUNT', '23.00']],
    );

    const late = (await kit.sdk.exec('alipay.trade.precreate', {
      bizContent: { out_trade_no: `${no}L`, total_amount: '5.00', subject: '门店消费：美式', timeout_express: '5m' },
    })) as Reply;
    await advanceClock(harness, 5 * 60);
    await page.goto(late.qr_code);
    await page.waitForSelector('#outcome');
    assert.equal(await page.textContent('#outcome'), '订单已关闭');
    await screenshot('buyer-qr-4-expired');
  });

  it('create at a phone’s width: the cashier the admin API shows; another buyer is refused, the named one pays', async () => {
    const { page, screenshot } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    const buyer = await newBuyer();
    const other = await newBuyer();
    const no = `BM${Date.now()}${++counter}`;
    const reply = (await kit.sdk.exec(
      'alipay.trade.create',
      { bizContent: { out_trade_no: no, total_amount: '15.80', subject: '小程序：奶茶外卖', buyer_id: buyer.buyer_user_id, product_code: 'JSAPI_PAY' } },
      { validateSign: true },
    )) as Reply;
    assert.equal(reply.code, '10000');
    const trade = await harness.adminOk('GET', `/trades/${reply.trade_no}`);
    await page.goto(trade.cashier_url);
    await page.waitForSelector('#login_password');
    assert.match((await page.textContent('body')) ?? '', /小程序支付/);
    await screenshot('buyer-mini-1-login');
    await page.fill('#logon_id', other.logon_id);
    await page.fill('#login_password', LOGIN_PASSWORD);
    await page.click('#login');
    await page.waitForSelector('.alert.error');
    assert.match((await page.textContent('.alert.error')) ?? '', /指定的买家/);
    await screenshot('buyer-mini-2-another-buyer');
    await page.fill('#logon_id', buyer.logon_id);
    await page.fill('#login_password', LOGIN_PASSWORD);
    await page.click('#login');
    await page.waitForSelector('#payment_password');
    await page.check('#pay_PCREDIT-1');
    await page.uncheck('#pay_ALIPAYACCOUNT-1');
    await page.fill('#payment_password', PAYMENT_PASSWORD);
    await page.click('#pay');
    await page.waitForSelector('#outcome');
    assert.equal(await page.textContent('#outcome'), '付款成功');
    await screenshot('buyer-mini-3-paid');
    const paid = (await kit.sdk.exec('alipay.trade.query', { bizContent: { trade_no: reply.trade_no } }, { validateSign: true })) as Reply;
    assert.equal(paid.trade_status, 'TRADE_SUCCESS');
    assert.equal(paid.buyer_user_id, buyer.buyer_user_id);
  });
});
