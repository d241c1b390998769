/**
 * The batch refund with password as a seller lives it, in a real Chromium: the merchant's site sends the
 * browser to a signed MAPI URL (GBK, with a Chinese reason); the seller logs in, reviews the lines, gets a
 * payment password wrong, confirms; the merchant's notify_url receives batch_refund_notify, checks its
 * signature with its own code, asks notify_verify, answers `success`. Screenshots of every page are saved
 * in test-output/screenshots.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { formatChinaDate, formatChinaTime } from '../../src/protocol/china-time.js';
import { clockNow } from '../support/refund-calls.js';
import { LocalSite } from '../support/local-site.js';
import { browserSkip, launchBrowser, requireBrowser, type Browser } from '../support/browser.js';
import { useHarness, newMerchant, newTrade, type MerchantKit } from '../support/harness.js';
import { parseNotifyBody, signedQuery, verifyMd5Notify, verifyRsaNotify, type MapiSigner } from '../support/mapi-client.js';

const REASON = '协商退款：商品破损';

interface ReceivedNotify {
  params: Record<string, string>;
  /** What notify_verify answered while the notification was being handled. */
  verifiedDuring: string;
}

/** The merchant's website: a page that starts the refund, and its notify_url. */
class MerchantSite extends LocalSite {
  received: ReceivedNotify[] = [];
  requestUrl = '';

  constructor(
    private readonly gateway: string,
    private readonly partner: string,
  ) {
    super();
  }

  protected handle(request: IncomingMessage, response: ServerResponse): void {
    if (request.method === 'GET' && request.url === '/refund') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>商户后台</title>
<body style="font-family:sans-serif;padding:40px"><h1>商户后台：退款管理</h1>
<p>待退款批次已生成，请卖家确认。</p><a id="start" href="${this.requestUrl.replace(/&/g, '&amp;')}">去支付宝确认退款</a></body></html>`);
      return;
    }
    if (request.method === 'POST' && request.url === '/notify') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const params = parseNotifyBody(Buffer.concat(chunks), 'GBK');
        const verifiedDuring = await (await fetch(`${this.gateway}?service=notify_verify&partner=${this.partner}&notify_id=${params.notify_id}`)).text();
        this.received.push({ params, verifiedDuring });
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('success');
      });
      return;
    }
    response.writeHead(404);
    response.end();
  }
}

// One engine: what the browser adds is the pages themselves; the same flow over plain HTTP runs on both engines
// (cashier-routes.test.ts, notify-verify.test.ts), and one Chromium per engine would double the slowest suite.
describe('the batch refund with password in a real browser', { skip: browserSkip() }, () => {
  const { harness } = useHarness('sqlite', { clock: 'virtual', merchant: false });
  let browser: Browser;
  before(async () => {
    requireBrowser();
    browser = await launchBrowser();
  });
  after(async () => {
    // Missing when `before` failed.
    await browser?.close();
  });

  async function runFlow(kit: MerchantKit, signer: MapiSigner, prefix: string): Promise<void> {
    const site = new MerchantSite(harness.tuikuan.gateway, kit.pid);
    await site.start();
    try {
      const first = await newTrade(harness, kit, { total_amount: '100.00', subject: '测试商品一' });
      const second = await newTrade(harness, kit, { total_amount: '60.00', subject: '测试商品二' });
      const now = await clockNow(harness);
      const batchNo = `${formatChinaDate(now)}${prefix.toUpperCase()}0001`;
      const params = {
        service: 'refund_fastpay_by_platform_pwd',
        partner: kit.pid,
        _input_charset: 'GBK',
        notify_url: `${site.url}/notify`,
        seller_user_id: kit.pid,
        refund_date: formatChinaTime(now),
        batch_no: batchNo,
        batch_num: '2',
        detail_data: `${first.trade_no}^30.00^${REASON}#${second.trade_no}^60.00^${REASON}`,
      };
      const query = signedQuery(params, signer, 'GBK');
      site.requestUrl = `${harness.tuikuan.gateway}?${query}`;
      const { page, screenshot } = browser;

      await page.goto(`${site.url}/refund`);
      await screenshot(`${prefix}-0-merchant-site`);
      await page.click('#start');
      await page.waitForSelector('#login_password');
      assert.match(page.url(), /\/cashier\/batches\/[0-9a-f]+$/);
      assert.match(await page.content(), new RegExp(batchNo));
      await screenshot(`${prefix}-1-login`);

      await page.fill('#login_password', 'not-the-password');
      await page.click('#login');
      await page.waitForSelector('.alert.error');
      assert.match((await page.textContent('.alert.error')) ?? '', /登录密码不正确/);
      await screenshot(`${prefix}-2-login-error`);

      await page.fill('#login_password', kit.loginPassword);
      await page.click('#login');
      await page.waitForSelector('#payment_password');
      const table = (await page.textContent('#lines')) ?? '';
      assert.match(table, new RegExp(first.trade_no));
      assert.match(table, new RegExp(second.trade_no));
      assert.match(table, /协商退款：商品破损/);
      assert.equal((await page.textContent('#total'))?.trim(), '90.00');
      await screenshot(`${prefix}-3-review`);

      await page.fill('#payment_password', '000000' === kit.paymentPassword ? '111111' : '000000');
      await page.click('#confirm');
      await page.waitForSelector('.alert.error');
      assert.match((await page.textContent('.alert.error')) ?? '', /支付密码不正确，您还可以输入 4 次/);
      await screenshot(`${prefix}-4-payment-password-error`);

      await page.fill('#payment_password', kit.paymentPassword);
      await page.click('#confirm');
      await page.waitForSelector('#outcome');
      assert.match((await page.textContent('#outcome')) ?? '', /退款申请已提交|退款已处理/);
      // Chromium sends a cross-site Referer as its origin only (strict-origin-when-cross-origin).
      assert.ok((await page.getAttribute('#back', 'href'))?.startsWith(site.url), 'a link back to the merchant');
      await screenshot(`${prefix}-5-submitted`);

      await harness.adminOk('POST', '/clock', { advance_seconds: 0 });
      assert.equal(site.received.length, 1);
      const [notify] = site.received as [ReceivedNotify];
      const verified =
        signer.type === 'MD5' ? verifyMd5Notify(notify.params, kit.md5Key, 'GBK') : verifyRsaNotify(notify.params, harness.tuikuan.platformPublicKey, 'GBK');
      assert.ok(verified, 'the notification signature verifies with the merchant’s own code');
      assert.equal(notify.params.sign_type, signer.type);
      assert.equal(notify.params.notify_type, 'batch_refund_notify');
      assert.equal(notify.params.batch_no, batchNo);
      assert.equal(notify.params.success_num, '2');
      assert.equal(notify.params.result_details, `${first.trade_no}^30.00^SUCCESS#${second.trade_no}^60.00^SUCCESS`);
      assert.equal(notify.verifiedDuring, 'true');
      const after = await (await fetch(`${harness.tuikuan.gateway}?service=notify_verify&partner=${kit.pid}&notify_id=${notify.params.notify_id}`)).text();
      assert.equal(after, 'false', 'once the merchant answered success the notify_id is no longer genuine');

      const firstAfter = await harness.adminOk('GET', `/trades/${first.trade_no}`);
      const secondAfter = await harness.adminOk('GET', `/trades/${second.trade_no}`);
      assert.equal(firstAfter.refunded_amount, '30.00');
      assert.equal(firstAfter.trade_status, 'TRADE_SUCCESS');
      assert.equal(secondAfter.refunded_amount, '60.00');
      assert.equal(secondAfter.trade_status, 'TRADE_CLOSED');

      // The same URL altered after signing: the gateway's error page.
      await page.goto(site.requestUrl.replace('30.00', '31.00'));
      await page.waitForSelector('#error-code');
      assert.equal(await page.textContent('#error-code'), 'ILLEGAL_SIGN');
      assert.match(await page.content(), /请回到请求来源地，重新发起请求/);
      await screenshot(`${prefix}-6-error-page`);
    } finally {
      await site.close();
    }
  }

  it('an MD5-signed GBK request: log in, review, a wrong then the right payment password, notified', async () => {
    const kit = await newMerchant(harness);
    await runFlow(kit, { type: 'MD5', key: kit.md5Key }, 'md5');
  });

  it('the same flow with an RSA-signed request, notified with RSA', async () => {
    const kit = await newMerchant(harness);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await harness.adminOk('PATCH', `/merchants/${kit.pid}`, { mapi_rsa_public_key: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    await runFlow(kit, { type: 'RSA', privateKey }, 'rsa');
  });
});
