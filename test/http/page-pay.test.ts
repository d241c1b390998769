/**
 * alipay.trade.page.pay and alipay.trade.wap.pay at the gateway: the official SDK's pageExecute (GET and POST,
 * verified like every call) opens a pay order and the browser is sent to the cashier; no trade exists until the
 * buyer pays; repeats, other params, closed and expired orders, and bad biz params get the error page.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { useHarness } from '../support/harness.js';
import { pageRequest } from '../support/page-pay-flow.js';
import { advanceClock, type Reply } from '../support/refund-calls.js';

let counter = 0;
const outTradeNo = () => `PP${Date.now()}${++counter}`;
const RETURN_URL = 'https://shop.example.com/alipay/return';

const pageBiz = (no: string, extra: Record<string, unknown> = {}) => ({
  out_trade_no: no,
  total_amount: '88.80',
  subject: '测试商品 一件',
  product_code: 'FAST_INSTANT_TRADE_PAY',
  ...extra,
});

describeEachEngine('page.pay and wap.pay at the gateway', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual' });

  const query = async (no: string) => (await kit.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: no } }, { validateSign: true })) as Reply;

  for (const how of ['GET', 'POST'] as const) {
    it(`page.pay by ${how}: verified, then a 302 to the cashier; the same request again reopens it`, async () => {
      const no = outTradeNo();
      const first = await pageRequest(kit, 'alipay.trade.page.pay', how, {
        bizContent: pageBiz(no),
        returnUrl: RETURN_URL,
        notifyUrl: 'https://shop.example.com/notify',
      });
      assert.equal(first.status, 302, first.html);
      assert.match(first.location ?? '', /^\/cashier\/pay\/[A-Za-z0-9_-]+$/);
      const page = await fetch(new URL(first.location ?? '', harness.tuikuan.gateway));
      assert.equal(page.status, 200);
      assert.match(await page.text(), /测试商品 一件/);
      const again = await pageRequest(kit, 'alipay.trade.page.pay', how, { bizContent: pageBiz(no), returnUrl: RETURN_URL });
      assert.equal(again.location, first.location);
    });
  }

  it('wap.pay: QUICK_WAP_WAY by default, quit_url taken', async () => {
    const answer = await pageRequest(kit, 'alipay.trade.wap.pay', 'GET', {
      bizContent: { out_trade_no: outTradeNo(), total_amount: 1, subject: 'wap', quit_url: 'https://shop.example.com/quit' },
      returnUrl: RETURN_URL,
    });
    assert.equal(answer.status, 302, answer.html);
    assert.match(answer.location ?? '', /^\/cashier\/pay\//);
  });

  it('no trade exists until the buyer pays: alipay.trade.query says ACQ.TRADE_NOT_EXIST', async () => {
    const no = outTradeNo();
    await pageRequest(kit, 'alipay.trade.page.pay', 'GET', { bizContent: pageBiz(no), returnUrl: RETURN_URL });
    const answer = await query(no);
    assert.equal(answer.code, '40004');
    assert.equal(answer.sub_code, 'ACQ.TRADE_NOT_EXIST');
  });

  it('other params with the same out_trade_no: ACQ.CONTEXT_INCONSISTENT on the error page', async () => {
    const no = outTradeNo();
    await pageRequest(kit, 'alipay.trade.page.pay', 'GET', { bizContent: pageBiz(no), returnUrl: RETURN_URL });
    const answer = await pageRequest(kit, 'alipay.trade.page.pay', 'POST', { bizContent: pageBiz(no, { total_amount: '88.81' }), returnUrl: RETURN_URL });
    assert.equal(answer.status, 200);
    assert.equal(answer.errorCode, 'ACQ.CONTEXT_INCONSISTENT');
    assert.match(answer.html, /交易信息被篡改/);
    const wap = await pageRequest(kit, 'alipay.trade.wap.pay', 'GET', { bizContent: { ...pageBiz(no), product_code: 'QUICK_WAP_WAY' } });
    assert.equal(wap.errorCode, 'ACQ.CONTEXT_INCONSISTENT');
  });

  it('closed by alipay.trade.close (answered ACQ.TRADE_NOT_EXIST, as before the buyer acts): ACQ.TRADE_HAS_CLOSE, and the cashier says it is closed', async () => {
    const no = outTradeNo();
    const opened = await pageRequest(kit, 'alipay.trade.page.pay', 'GET', { bizContent: pageBiz(no), returnUrl: RETURN_URL });
    const close = (await kit.sdk.exec('alipay.trade.close', { bizContent: { out_trade_no: no } }, { validateSign: true })) as Reply;
    assert.equal(close.sub_code, 'ACQ.TRADE_NOT_EXIST');
    const again = await pageRequest(kit, 'alipay.trade.page.pay', 'GET', { bizContent: pageBiz(no), returnUrl: RETURN_URL });
    assert.equal(again.errorCode, 'ACQ.TRADE_HAS_CLOSE');
    const page = await (await fetch(new URL(opened.location ?? '', harness.tuikuan.gateway))).text();
    assert.match(page, /订单已关闭/);
    assert.doesNotMatch(page, /name="login_password"/);
  });

  it('expired (timeout_express passed on the clock): closed', async () => {
    const no = outTradeNo();
    const opened = await pageRequest(kit, 'alipay.trade.page.pay', 'GET', { bizContent: pageBiz(no, { timeout_express: '2m' }), returnUrl: RETURN_URL });
    assert.equal(opened.status, 302);
    await advanceClock(harness, 121);
    const again = await pageRequest(kit, 'alipay.trade.page.pay', 'GET', { bizContent: pageBiz(no, { timeout_express: '2m' }), returnUrl: RETURN_URL });
    assert.equal(again.errorCode, 'ACQ.TRADE_HAS_CLOSE');
    assert.match(await (await fetch(new URL(opened.location ?? '', harness.tuikuan.gateway))).text(), /订单已关闭/);
  });

  describe('refused on the error page, nothing opened', () => {
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      ['page.pay without product_code', 'alipay.trade.page.pay', { product_code: undefined }, 'ACQ.INVALID_PARAMETER'],
      ['page.pay with QUICK_WAP_WAY', 'alipay.trade.page.pay', { product_code: 'QUICK_WAP_WAY' }, 'ACQ.INVALID_PARAMETER'],
      ['a subject with &', 'alipay.trade.page.pay', { subject: 'a&b' }, 'ACQ.INVALID_PARAMETER'],
      ['an out_trade_no with a space', 'alipay.trade.page.pay', { out_trade_no: 'a b' }, 'ACQ.INVALID_PARAMETER'],
      ['three decimals', 'alipay.trade.page.pay', { total_amount: '1.001' }, 'ACQ.INVALID_PARAMETER'],
      ['over 100000000', 'alipay.trade.page.pay', { total_amount: '100000000.01' }, 'ACQ.TOTAL_FEE_EXCEED'],
      ['timeout_express 1.5h', 'alipay.trade.page.pay', { timeout_express: '1.5h' }, 'ACQ.INVALID_PARAMETER'],
      ['timeout_express 16d', 'alipay.trade.page.pay', { timeout_express: '16d' }, 'ACQ.INVALID_PARAMETER'],
      ['time_expire gone', 'alipay.trade.page.pay', { time_expire: '2020-01-01 00:00:00' }, 'ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR'],
      ['wap.pay with FAST_INSTANT_TRADE_PAY', 'alipay.trade.wap.pay', {}, 'ACQ.INVALID_PARAMETER'],
    ];
    for (const [what, method, change, code] of cases) {
      it(`${what}: ${code}`, async () => {
        const no = outTradeNo();
        const answer = await pageRequest(kit, method, 'GET', { bizContent: pageBiz(no, change), returnUrl: RETURN_URL });
        assert.equal(answer.status, 200);
        assert.equal(answer.errorCode, code, answer.html);
        // Nothing was opened: the proper request afterwards opens the order.
        const proper = await pageRequest(kit, 'alipay.trade.page.pay', 'GET', { bizContent: pageBiz(no), returnUrl: RETURN_URL });
        assert.equal(proper.status, 302, proper.html);
      });
    }

    it('a bad signature: invalid-signature, without the isv. prefix', async () => {
      const url = new URL(kit.sdk.pageExecute('alipay.trade.page.pay', 'GET', { bizContent: pageBiz(outTradeNo()), returnUrl: RETURN_URL }));
      url.searchParams.set('return_url', 'https://evil.example.com/');
      const html = await (await fetch(url, { redirect: 'manual' })).text();
      assert.equal(/id="error-code">([^<]+)</.exec(html)?.[1], 'invalid-signature');
      assert.match(html, /验签出错/);
    });

    it('a return_url that is not absolute http(s): ACQ.INVALID_PARAMETER', async () => {
      const answer = await pageRequest(kit, 'alipay.trade.page.pay', 'GET', { bizContent: pageBiz(outTradeNo()), returnUrl: 'javascript:alert(1)' });
      assert.equal(answer.errorCode, 'ACQ.INVALID_PARAMETER');
    });
  });
});
