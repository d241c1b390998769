/**
 * The buyer's cashier of page.pay and wap.pay, end to end through the official SDK (pageExecute GET and POST,
 * verification on): the redirect to the cashier, the buyer's login, the channels and coupons offered, the
 * payment with the payment password, the signed return to return_url (checkNotifySign), the notification, the
 * trade as alipay.trade.query shows it, and the refund that gives the channels back; wrong passwords and their
 * lockouts, refusals, CSRF, and orders that can no longer be paid.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUYER_LOGIN_PASSWORD, BUYER_PAYMENT_PASSWORD, buyerFunds, newBuyer } from '../support/buyer-accounts.js';
import { describeEachEngine } from '../support/engines.js';
import { useHarness } from '../support/harness.js';
import { BuyerBrowser, logIn, pageRequest } from '../support/page-pay-flow.js';
import { advanceClock, assertSuccess, refund, runDueJobs, type Reply } from '../support/refund-calls.js';

let counter = 0;
const outTradeNo = () => `BC${Date.now()}${++counter}`;
const RETURN_URL = 'https://shop.example.com/alipay/return?from=cashier';
const LOGIN_PASSWORD = BUYER_LOGIN_PASSWORD;
const PAYMENT_PASSWORD = BUYER_PAYMENT_PASSWORD;
const funds = buyerFunds;

describeEachEngine('the buyer’s cashier', (engine) => {
  const { harness, kit, receiver } = useHarness(engine, { clock: 'virtual', receiver: 'success' });

  const open = async (method: 'alipay.trade.page.pay' | 'alipay.trade.wap.pay', how: 'GET' | 'POST', biz: Reply = {}) => {
    const no = outTradeNo();
    const bizContent = {
      out_trade_no: no,
      total_amount: '88.80',
      subject: '年货礼盒',
      product_code: method === 'alipay.trade.page.pay' ? 'FAST_INSTANT_TRADE_PAY' : 'QUICK_WAP_WAY',
      ...biz,
    };
    const answer = await pageRequest(kit, method, how, { bizContent, returnUrl: RETURN_URL, notifyUrl: receiver.url });
    assert.equal(answer.status, 302, answer.html);
    return { no, bizContent, cashier: answer.location as string, browser: new BuyerBrowser(harness.tuikuan.gateway) };
  };

  const query = async (no: string) => (await kit.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: no } }, { validateSign: true })) as Reply;

  for (const [method, how] of [
    ['alipay.trade.page.pay', 'GET'],
    ['alipay.trade.page.pay', 'POST'],
    ['alipay.trade.wap.pay', 'POST'],
  ] as const) {
    it(`${method} by ${how}: log in, pay with a coupon, the balance and Yu’E Bao, back to return_url signed; notified; queried; refunded to the channels`, async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const discount = (buyer.funds.coupons as Reply[]).find((c) => c.fund_channel === 'MDISCOUNT');
      const wap = method === 'alipay.trade.wap.pay';
      const { no, bizContent, cashier, browser } = await open(method, how, wap ? { quit_url: 'https://shop.example.com/quit' } : {});

      const login = await browser.get(cashier);
      assert.match(login.html, /年货礼盒/);
      assert.match(login.html, /88\.80/);
      assert.match(login.html, /name="login_password"/);
      assert.equal(wap, login.html.includes('<body class="wap">'));
      // Cancel goes back without paying: to quit_url on wap.pay, else to return_url.
      const cancel = /<a class="button secondary" id="back" href="([^"]+)"/.exec(login.html)?.[1]?.replaceAll('&amp;', '&');
      assert.equal(cancel, wap ? 'https://shop.example.com/quit' : RETURN_URL);
      assert.equal((await query(no)).sub_code, 'ACQ.TRADE_NOT_EXIST', 'no trade until the buyer acts');

      const choice = await logIn(browser, cashier, buyer.logon_id, LOGIN_PASSWORD);
      const waiting = await query(no);
      assert.equal(waiting.trade_status, 'WAIT_BUYER_PAY', 'logged in, the trade waits for this buyer');
      assert.equal(waiting.buyer_user_id, buyer.buyer_user_id);
      assert.equal(waiting.buyer_pay_amount, '0.00');
      assert.equal(waiting.fund_bill_list, undefined);
      for (const shown of [
        '账户余额',
        '可用 ¥50.00',
        '余额宝',
        '可用 ¥30.00',
        '花呗',
        '可用额度 ¥500.00',
        '集分宝',
        '200 个',
        '尾号 6688',
        '满减券',
        '¥10.00',
        '支付宝红包',
      ]) {
        assert.ok(choice.includes(shown), `the choice page shows ${shown}`);
      }
      assert.ok(!choice.includes('别家红包'), 'another merchant’s coupon does not apply');

      const before = receiver.received.length;
      const paid = await browser.post(
        `${cashier}/pay`,
        { pay_ALIPAYACCOUNT: '1', pay_FINANCEACCOUNT: '1', [`coupon_${discount?.voucher_id}`]: '1', bank_card: '', payment_password: PAYMENT_PASSWORD },
        choice,
      );
      assert.equal(paid.status, 302, paid.html);
      const back = new URL(paid.location ?? '');
      assert.equal(`${back.origin}${back.pathname}`, 'https://shop.example.com/alipay/return');
      const params = Object.fromEntries(back.searchParams);
      assert.equal(params.from, 'cashier');
      delete params.from;
      assert.equal(params.method, `${method}.return`);
      assert.deepEqual(Object.keys(params).sort(), [
        'app_id',
        'auth_app_id',
        'charset',
        'method',
        'out_trade_no',
        'seller_id',
        'sign',
        'sign_type',
        'timestamp',
        'total_amount',
        'trade_no',
        'version',
      ]);
      assert.ok(Object.values(params).every((value) => value !== ''));
      assert.equal(params.out_trade_no, no);
      assert.equal(params.total_amount, '88.80');
      assert.equal(params.seller_id, kit.pid);
      assert.equal(params.app_id, kit.appId);
      assert.equal(params.sign_type, 'RSA2');
      assert.equal(kit.sdk.checkNotifySign(params), true);
      assert.equal(kit.sdk.checkNotifySign({ ...params, total_amount: '1.00' }), false);

      await runDueJobs(harness);
      const notified = receiver.received.slice(before).map((n) => n.fields);
      assert.equal(notified.length, 1);
      const notification = notified[0] as Record<string, string>;
      assert.equal(notification.trade_status, 'TRADE_SUCCESS');
      assert.equal(notification.out_trade_no, no);
      assert.equal(notification.trade_no, params.trade_no);
      assert.equal(kit.sdk.checkNotifySign(notification), true);

      const trade = await query(no);
      assertSuccess(trade);
      assert.equal(trade.trade_status, 'TRADE_SUCCESS');
      assert.equal(trade.trade_no, params.trade_no);
      assert.equal(trade.buyer_user_id, buyer.buyer_user_id);
      assert.deepEqual(
        (trade.fund_bill_list as Reply[]).map((bill) => [bill.fund_channel, bill.amount]),
        [
          ['MDISCOUNT', '10.00'],
          ['ALIPAYACCOUNT', '50.00'],
          ['FINANCEACCOUNT', '28.80'],
        ],
      );
      const spent = await funds(harness, buyer.buyer_user_id);
      assert.equal(spent.balance, '0.00');
      assert.equal(spent.yuebao, '1.20');

      // Paid: the same request is ACQ.TRADE_HAS_SUCCESS, and the cashier says it is paid, linking back signed.
      const again = await pageRequest(kit, method, 'GET', { bizContent, returnUrl: RETURN_URL });
      assert.equal(again.errorCode, 'ACQ.TRADE_HAS_SUCCESS');
      const revisit = await browser.get(cashier);
      assert.match(revisit.html, /付款成功/);

      const refunded = (await refund(kit, { out_trade_no: no, refund_amount: '88.80' })) as Reply;
      assertSuccess(refunded);
      await runDueJobs(harness);
      const restored = await funds(harness, buyer.buyer_user_id);
      assert.equal(restored.balance, '50.00');
      assert.equal(restored.yuebao, '30.00');
      assert.equal((restored.coupons as Reply[]).find((c) => c.voucher_id === discount?.voucher_id)?.usable, true);
    });
  }

  it('wrong login passwords are counted on the order, whichever session; five lock its login', async () => {
    const buyer = await newBuyer(harness, kit.pid);
    const { cashier, browser } = await open('alipay.trade.page.pay', 'GET');
    for (let i = 1; i <= 4; i++) {
      const fresh = i % 2 === 0 ? new BuyerBrowser(harness.tuikuan.gateway) : browser;
      const page = await fresh.get(cashier);
      const logonId = i === 3 ? 'nobody@example.com' : buyer.logon_id;
      const wrong = await fresh.post(`${cashier}/login`, { logon_id: logonId, login_password: 'wrong' }, page.html);
      assert.equal(wrong.status, 401);
      assert.match(wrong.html, new RegExp(`您还可以输入 ${5 - i} 次`));
    }
    const page = await browser.get(cashier);
    const fifth = await browser.post(`${cashier}/login`, { logon_id: buyer.logon_id, login_password: 'wrong' }, page.html);
    assert.equal(fifth.status, 303);
    const locked = await browser.get(cashier);
    assert.match(locked.html, /登录已锁定/);
    assert.doesNotMatch(locked.html, /name="login_password"/);
  });

  it('wrong payment passwords: counted, five lock the buyer’s payment password until China midnight; a refusal costs no try', async () => {
    const buyer = await newBuyer(harness, kit.pid);
    const { no, cashier, browser } = await open('alipay.trade.wap.pay', 'GET');
    let page = await logIn(browser, cashier, buyer.logon_id, LOGIN_PASSWORD);

    const short = await browser.post(`${cashier}/pay`, { pay_ALIPAYACCOUNT: '1', payment_password: PAYMENT_PASSWORD }, page);
    assert.equal(short.status, 400);
    assert.match(short.html, /还差 ¥38\.80/);
    assert.equal((await harness.adminOk('GET', `/buyers/${buyer.buyer_user_id}`)).payment_password_failures, 0);

    for (let left = 4; left >= 1; left--) {
      const wrong = await browser.post(`${cashier}/pay`, { pay_PCREDIT: '1', payment_password: '000000' }, page);
      assert.equal(wrong.status, 401);
      assert.match(wrong.html, new RegExp(`您还可以输入 ${left} 次`));
      assert.match(wrong.html, /id="pay_PCREDIT-1"[^>]* checked/);
      page = wrong.html;
    }
    const fifth = await browser.post(`${cashier}/pay`, { pay_PCREDIT: '1', payment_password: '000000' }, page);
    assert.equal(fifth.status, 423);
    assert.match(fifth.html, /已被锁定/);
    assert.doesNotMatch(fifth.html, /name="payment_password"/);
    const right = await browser.post(`${cashier}/pay`, { pay_PCREDIT: '1', payment_password: PAYMENT_PASSWORD }, fifth.html);
    assert.equal(right.status, 423, 'locked: even the right password is refused');
    assert.equal((await query(no)).trade_status, 'WAIT_BUYER_PAY', 'unpaid');

    await advanceClock(harness, 24 * 3600);
    page = (await browser.get(cashier)).html;
    if (!page.includes('name="payment_password"')) page = await logIn(browser, cashier, buyer.logon_id, LOGIN_PASSWORD);
    const paid = await browser.post(`${cashier}/pay`, { pay_PCREDIT: '1', payment_password: PAYMENT_PASSWORD }, page);
    assert.equal(paid.status, 302, paid.html);
    const trade = await query(no);
    assert.deepEqual(
      (trade.fund_bill_list as Reply[]).map((bill) => [bill.fund_channel, bill.amount]),
      [['PCREDIT', '88.80']],
    );
  });

  it('the bank card pays what is left; points and a red packet first', async () => {
    const buyer = await newBuyer(harness, kit.pid);
    const redPacket = (buyer.funds.coupons as Reply[]).find((c) => c.fund_channel === 'COUPON');
    const { no, cashier, browser } = await open('alipay.trade.page.pay', 'POST');
    const page = await logIn(browser, cashier, buyer.logon_id, LOGIN_PASSWORD);
    const paid = await browser.post(
      `${cashier}/pay`,
      { pay_POINT: '1', bank_card: '1', [`coupon_${redPacket?.voucher_id}`]: '1', payment_password: PAYMENT_PASSWORD },
      page,
    );
    assert.equal(paid.status, 302, paid.html);
    assert.deepEqual(
      ((await query(no)).fund_bill_list as Reply[]).map((bill) => [bill.fund_channel, bill.amount]),
      [
        ['COUPON', '5.00'],
        ['POINT', '2.00'],
        ['BANKCARD', '81.80'],
      ],
    );
  });

  describe('the order limits how it is paid', () => {
    it('enable_pay_channels: only those channels and coupons are offered; another one posted is refused', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const { no, cashier, browser } = await open('alipay.trade.page.pay', 'GET', { enable_pay_channels: 'balance,moneyFund,coupon' });
      const choice = await logIn(browser, cashier, buyer.logon_id, LOGIN_PASSWORD);
      for (const shown of ['账户余额', '余额宝', '支付宝红包']) assert.ok(choice.includes(shown), `offers ${shown}`);
      for (const hidden of ['花呗', '集分宝', '尾号 6688', '满减券']) assert.ok(!choice.includes(hidden), `does not offer ${hidden}`);
      const refused = await browser.post(`${cashier}/pay`, { pay_PCREDIT: '1', payment_password: PAYMENT_PASSWORD }, choice);
      assert.equal(refused.status, 400);
      assert.match(refused.html, /不支持所选付款方式/);
      assert.equal((await harness.adminOk('GET', `/buyers/${buyer.buyer_user_id}`)).payment_password_failures, 0, 'a refusal costs no try');
      assert.equal((await funds(harness, buyer.buyer_user_id)).huabei_available, '500.00');
      assert.equal((await query(no)).trade_status, 'WAIT_BUYER_PAY');
    });

    it('goods_type=0 (virtual goods): no Huabei; disable_pay_channels: not the card', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const { cashier, browser } = await open('alipay.trade.wap.pay', 'GET', { goods_type: '0', disable_pay_channels: 'debitCardExpress' });
      const choice = await logIn(browser, cashier, buyer.logon_id, LOGIN_PASSWORD);
      assert.ok(!choice.includes('花呗'));
      assert.ok(!choice.includes('尾号 6688'));
      assert.ok(choice.includes('余额宝'));
      const discount = (buyer.funds.coupons as Reply[]).find((c) => c.fund_channel === 'MDISCOUNT');
      const paid = await browser.post(
        `${cashier}/pay`,
        { pay_ALIPAYACCOUNT: '1', pay_FINANCEACCOUNT: '1', [`coupon_${discount?.voucher_id}`]: '1', payment_password: PAYMENT_PASSWORD },
        choice,
      );
      assert.equal(paid.status, 302, paid.html);
    });

    it('both lists, or an unknown code: the gateway’s error page, ACQ.INVALID_PARAMETER', async () => {
      for (const biz of [{ enable_pay_channels: 'balance', disable_pay_channels: 'pcredit' }, { enable_pay_channels: 'balance,teleport' }]) {
        const answer = await pageRequest(kit, 'alipay.trade.page.pay', 'GET', {
          bizContent: { out_trade_no: outTradeNo(), total_amount: '1.00', subject: '限制', product_code: 'FAST_INSTANT_TRADE_PAY', ...biz },
          returnUrl: RETURN_URL,
        });
        assert.equal(answer.errorCode, 'ACQ.INVALID_PARAMETER');
      }
    });
  });

  describe('what is refused', () => {
    it('a form without the session’s CSRF token', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const { cashier, browser } = await open('alipay.trade.page.pay', 'GET');
      await browser.get(cashier);
      const posted = await browser.post(`${cashier}/login`, { logon_id: buyer.logon_id, login_password: LOGIN_PASSWORD, _csrf: 'forged' });
      assert.equal(posted.status, 403);
    });

    it('paying before logging in goes back to the login', async () => {
      const { cashier, browser } = await open('alipay.trade.page.pay', 'GET');
      const page = await browser.get(cashier);
      const posted = await browser.post(`${cashier}/pay`, { pay_ALIPAYACCOUNT: '1', payment_password: PAYMENT_PASSWORD }, page.html);
      assert.equal(posted.status, 303);
    });

    it('an order closed while the buyer is on the choice page is not paid', async () => {
      const buyer = await newBuyer(harness, kit.pid);
      const { no, cashier, browser } = await open('alipay.trade.page.pay', 'GET');
      const page = await logIn(browser, cashier, buyer.logon_id, LOGIN_PASSWORD);
      await kit.sdk.exec('alipay.trade.close', { bizContent: { out_trade_no: no } }, { validateSign: true });
      const posted = await browser.post(`${cashier}/pay`, { pay_PCREDIT: '1', payment_password: PAYMENT_PASSWORD }, page);
      assert.equal(posted.status, 303);
      assert.match((await browser.get(cashier)).html, /订单已关闭/);
      assert.equal((await query(no)).trade_status, 'TRADE_CLOSED', 'the waiting trade was closed, unpaid');
      assert.equal((await funds(harness, buyer.buyer_user_id)).huabei_available, '500.00');
    });

    it('an unknown token', async () => {
      const answer = await new BuyerBrowser(harness.tuikuan.gateway).get('/cashier/pay/no-such-order');
      assert.equal(answer.status, 404);
      assert.match(answer.html, /订单不存在/);
    });
  });
});
