/**
 * The seller's pages over plain HTTP: the login and payment passwords (scrypt hashes), five wrong login or
 * payment passwords locking the batch (login failures counted per batch, whatever the session), cancelling
 * only once logged in, CSRF tokens, the session cookie's flags, sessions per browser; the review's paid and
 * already-refunded columns; the last page's words about the notification and its link back to return_url.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Seller, submitBatch, type BatchRequestOptions } from '../support/batch-flow.js';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, newTrade } from '../support/harness.js';
import { startNotifyReceiver } from '../support/notify-receiver.js';
import { advanceClock, runDueJobs } from '../support/refund-calls.js';

describeEachEngine('the seller’s cashier pages', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual' });

  async function newBatch(options: BatchRequestOptions = {}): Promise<{ seller: Seller; batchNo: string; tradeNo: string }> {
    const tradeNo = (await newTrade(harness, kit, { total_amount: '50.00' })).trade_no as string;
    const submitted = await submitBatch(harness, kit, { lines: [{ tradeNo, amount: '5.00' }], ...options });
    assert.ok(submitted.location);
    return { seller: new Seller(harness, submitted.location), batchNo: submitted.params.batch_no!, tradeNo };
  }

  const batchOf = (batchNo: string) => harness.adminOk('GET', `/batches/${batchNo}`);
  const wrongPayment = () => ('999999' === kit.paymentPassword ? '888888' : '999999');

  /** The review table's rows, each as its cells' text. */
  function reviewRows(html: string): string[][] {
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
    return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
      [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '').trim()),
    );
  }

  describe('the session', () => {
    it('is an HttpOnly, SameSite=Strict cookie, set on the first page', async () => {
      const { seller } = await newBatch();
      const page = await seller.open();
      assert.equal(page.status, 200);
      assert.match(page.html, /登录支付账户/);
      assert.match(seller.setCookie, /^tk_cashier=[0-9a-f]{48}; Path=\/cashier; HttpOnly; SameSite=Strict$/);
    });

    it('belongs to one browser: another one must log in again', async () => {
      const { seller } = await newBatch();
      await seller.login(kit.loginPassword);
      assert.match((await seller.open()).html, /核对退款信息/);
      const stranger = new Seller(harness, seller.path);
      assert.match((await stranger.open()).html, /登录支付账户/);
    });

    it('is renewed at login: a new id and CSRF token, and the id held before logging in is worth nothing', async () => {
      const { seller, batchNo } = await newBatch();
      await seller.open();
      const before = { cookie: seller.cookie, csrf: seller.csrf };
      const login = await seller.post('login', { login_password: kit.loginPassword });
      assert.equal(login.status, 303);
      assert.match(seller.setCookie, /^tk_cashier=[0-9a-f]{48}; Path=\/cashier; HttpOnly; SameSite=Strict$/, 'the login sets a new cookie');
      assert.notEqual(seller.cookie, before.cookie);
      assert.match((await seller.open()).html, /核对退款信息/, 'the new session is logged in');
      assert.notEqual(seller.csrf, before.csrf);

      // Whoever planted or saw the old id: not logged in, and its forms are refused.
      const planted = new Seller(harness, seller.path);
      planted.cookie = before.cookie;
      assert.equal((await planted.post('confirm', { payment_password: kit.paymentPassword }, before.csrf)).status, 403);
      assert.equal((await batchOf(batchNo)).status, 'awaiting_confirmation');
      assert.match((await planted.open()).html, /登录支付账户/);
    });

    it('lasts 30 minutes from the first page, logged in or not: then its forms are refused and the seller logs in again', async () => {
      const { seller, batchNo, tradeNo } = await newBatch();
      await seller.login(kit.loginPassword);
      await advanceClock(harness, 30 * 60);
      assert.match((await seller.open()).html, /核对退款信息/, 'still logged in at 30 minutes');
      const expired = { cookie: seller.cookie, csrf: seller.csrf };

      await advanceClock(harness, 1);
      const late = await seller.confirm(kit.paymentPassword);
      assert.equal(late.status, 403, 'the right payment password, on an expired session');
      assert.match(late.html, /页面已过期，请刷新后重试/);
      await runDueJobs(harness);
      assert.equal((await batchOf(batchNo)).status, 'awaiting_confirmation', 'nothing was confirmed');
      assert.equal((await batchOf(batchNo)).pwd_failures, 0, 'and no try was counted');

      const again = await seller.open();
      assert.match(again.html, /登录支付账户/, 'the login page, not the review');
      assert.match(seller.setCookie, /^tk_cashier=[0-9a-f]{48}; /, 'under a new session');
      assert.notEqual(seller.cookie, expired.cookie);
      assert.notEqual(seller.csrf, expired.csrf);
      assert.equal((await seller.post('login', { login_password: kit.loginPassword }, expired.csrf)).status, 403, 'the expired session’s CSRF token is worth nothing');
      await seller.login(kit.loginPassword);
      assert.equal((await seller.confirm(kit.paymentPassword)).status, 303);
      await runDueJobs(harness);
      assert.equal((await batchOf(batchNo)).status, 'completed');
      assert.equal((await harness.adminOk('GET', `/trades/${tradeNo}`)).refunded_amount, '5.00');
    });

    it('an unknown batch is a 404 page', async () => {
      const response = await fetch(`${harness.tuikuan.url}/cashier/batches/00000000000000000000000000000000`);
      assert.equal(response.status, 404);
      assert.match(await response.text(), /退款批次不存在或已过期/);
    });
  });

  describe('forms carry the session’s CSRF token', () => {
    it('refuses a post without it, with another one, or without a session — and changes nothing', async () => {
      const { seller, batchNo } = await newBatch();
      await seller.open();
      assert.equal((await seller.post('login', { login_password: kit.loginPassword }, '')).status, 403);
      assert.equal((await seller.post('login', { login_password: kit.loginPassword }, 'f'.repeat(32))).status, 403);
      const noCookie = new Seller(harness, seller.path);
      assert.equal((await noCookie.post('cancel', {}, seller.csrf)).status, 403);
      assert.match((await seller.open()).html, /登录支付账户/, 'still not logged in');
      assert.equal((await batchOf(batchNo)).status, 'awaiting_confirmation');
    });
  });

  describe('the login password', () => {
    it('a wrong one is refused with a message; the right one shows the review', async () => {
      const { seller } = await newBatch();
      const wrong = await seller.login('wrong');
      assert.equal(wrong.status, 401);
      assert.match(wrong.html, /账户名或登录密码不正确/);
      assert.doesNotMatch(wrong.html, /payment_password/);
      const right = await seller.login(kit.loginPassword);
      assert.equal(right.status, 303);
      const review = await seller.open();
      assert.match(review.html, /核对退款信息/);
      assert.match(review.html, /name="payment_password"/);
    });

    it('says how many tries are left; five wrong ones lock the batch, counted per batch — a fresh cookie gains no tries', async () => {
      const { seller, batchNo, tradeNo } = await newBatch();
      for (let left = 4; left >= 2; left--) {
        const wrong = await seller.login('wrong');
        assert.equal(wrong.status, 401);
        assert.match(wrong.html, new RegExp(`账户名或登录密码不正确，您还可以输入 ${left} 次`));
      }
      // A new browser session (no cookie) starts no new count.
      const fresh = new Seller(harness, seller.path);
      assert.match((await fresh.login('wrong')).html, /您还可以输入 1 次/);
      const fifth = await fresh.login('wrong');
      assert.equal(fifth.status, 303);
      const locked = await fresh.open();
      assert.match(locked.html, /退款批次已锁定/);
      assert.match(locked.html, /登录密码错误次数过多/);
      assert.doesNotMatch(locked.html, /name="login_password"/);
      const batch = await batchOf(batchNo);
      assert.equal(batch.status, 'locked');
      assert.equal(batch.login_failures, 5);
      assert.equal(batch.pwd_failures, 0);
      // Not even the right passwords get past the lock.
      const late = new Seller(harness, seller.path);
      await late.login(kit.loginPassword);
      await late.confirm(kit.paymentPassword);
      assert.match((await late.open()).html, /退款批次已锁定/);
      await harness.adminOk('POST', '/clock', { advance_seconds: 60 });
      assert.equal((await batchOf(batchNo)).status, 'locked');
      assert.equal((await harness.adminOk('GET', `/refunds?trade_no=${tradeNo}`)).refunds.length, 0);
    });

    it('the confirm form is refused before login', async () => {
      const { seller, batchNo } = await newBatch();
      await seller.open();
      const early = await seller.confirm(kit.paymentPassword);
      assert.equal(early.status, 303);
      assert.equal((await batchOf(batchNo)).status, 'awaiting_confirmation');
    });
  });

  describe('the payment password', () => {
    it('a wrong one says how many tries are left; five lock the batch, and then even the right one refunds nothing', async () => {
      const { seller, batchNo, tradeNo } = await newBatch();
      await seller.login(kit.loginPassword);
      for (let left = 4; left >= 1; left--) {
        const wrong = await seller.confirm(wrongPayment());
        assert.equal(wrong.status, 401);
        assert.match(wrong.html, new RegExp(`支付密码不正确，您还可以输入 ${left} 次`));
      }
      const fifth = await seller.confirm(wrongPayment());
      assert.equal(fifth.status, 303);
      const locked = (await seller.open()).html;
      assert.match(locked, /退款批次已锁定/);
      assert.match(locked, /支付密码错误次数过多/);
      const batch = await batchOf(batchNo);
      assert.equal(batch.status, 'locked');
      assert.equal(batch.pwd_failures, 5);
      await seller.confirm(kit.paymentPassword);
      await harness.adminOk('POST', '/clock', { advance_seconds: 60 });
      assert.equal((await batchOf(batchNo)).status, 'locked');
      assert.equal((await harness.adminOk('GET', `/refunds?trade_no=${tradeNo}`)).refunds.length, 0);
    });

    it('the right one submits the batch: the page says so and the refund is made', async () => {
      const { seller, batchNo, tradeNo } = await newBatch();
      await seller.login(kit.loginPassword);
      assert.equal((await seller.confirm(kit.paymentPassword)).status, 303);
      assert.match((await seller.open()).html, /退款申请已提交|退款已处理/);
      await harness.adminOk('POST', '/clock', { advance_seconds: 0 });
      assert.equal((await batchOf(batchNo)).status, 'completed');
      assert.equal((await harness.adminOk('GET', `/trades/${tradeNo}`)).refunded_amount, '5.00');
      const again = await seller.confirm(kit.paymentPassword);
      assert.equal(again.status, 303, 'a second confirmation changes nothing');
      assert.equal((await harness.adminOk('GET', `/trades/${tradeNo}`)).refunded_amount, '5.00');
    });
  });

  describe('the review', () => {
    it('shows each line’s paid and already refunded amounts — earlier refunds included — and flags an unknown trade', async () => {
      const refundedBefore = (await newTrade(harness, kit, { total_amount: '88.80' })).trade_no as string;
      const earlier = await kit.sdk.exec('alipay.trade.refund', { bizContent: { trade_no: refundedBefore, refund_amount: '8.80', out_request_no: 'EARLIER-1' } });
      assert.equal(earlier.fund_change, 'Y');
      const untouched = (await newTrade(harness, kit, { total_amount: '30.00' })).trade_no as string;
      const unknown = '2026112322009999999999999999';
      const submitted = await submitBatch(harness, kit, {
        lines: [
          { tradeNo: refundedBefore, amount: '10.00', reason: '部分退款' },
          { tradeNo: untouched, amount: '30.00', reason: '全额退款' },
          { tradeNo: unknown, amount: '1.00', reason: '未知交易' },
        ],
      });
      const seller = new Seller(harness, submitted.location ?? '');
      await seller.login(kit.loginPassword);
      const page = await seller.open();
      assert.match(page.html, /付款金额（元）<\/th><th class="num">已退款（元）<\/th><th class="num">本次退款（元）/);
      assert.deepEqual(reviewRows(page.html), [
        ['1', refundedBefore, '88.80', '8.80', '10.00', '部分退款'],
        ['2', untouched, '30.00', '0.00', '30.00', '全额退款'],
        ['3', unknown, '交易不存在', '—', '1.00', '未知交易'],
      ]);
      assert.match(page.html, /id="total">41.00</);
    });
  });

  describe('cancelling', () => {
    it('needs the seller logged in: a post with the session’s CSRF token but no login cancels nothing', async () => {
      const { seller, batchNo } = await newBatch();
      await seller.open();
      const early = await seller.post('cancel');
      assert.equal(early.status, 303);
      assert.equal((await batchOf(batchNo)).status, 'awaiting_confirmation');
      assert.match((await seller.open()).html, /登录支付账户/);
      await seller.login(kit.loginPassword);
      await seller.post('cancel');
      assert.equal((await batchOf(batchNo)).status, 'cancelled');
    });

    it('leaves no refund and no notification', async () => {
      const { seller, batchNo, tradeNo } = await newBatch();
      await seller.login(kit.loginPassword);
      assert.equal((await seller.post('cancel')).status, 303);
      assert.match((await seller.open()).html, /退款已取消/);
      await harness.adminOk('POST', '/clock', { advance_seconds: 3600 });
      assert.equal((await batchOf(batchNo)).status, 'cancelled');
      assert.equal((await harness.adminOk('GET', `/refunds?trade_no=${tradeNo}`)).refunds.length, 0);
      assert.equal((await harness.adminOk('GET', `/notifications?batch_no=${batchNo}`)).notifications.length, 0);
      await seller.confirm(kit.paymentPassword);
      assert.equal((await batchOf(batchNo)).status, 'cancelled', 'a cancelled batch cannot be confirmed');
    });
  });

  describe('the last page', () => {
    it('links back to the request’s return_url', async () => {
      const returnUrl = 'http://shop.example.com/refunds/done?from=alipay&batch=1';
      const { seller, batchNo } = await newBatch({ params: { return_url: returnUrl } });
      assert.equal((await batchOf(batchNo)).return_url, returnUrl);
      await seller.login(kit.loginPassword);
      await seller.confirm(kit.paymentPassword);
      await harness.adminOk('POST', '/clock', { advance_seconds: 0 });
      const page = (await seller.open()).html;
      assert.match(page, /退款已处理/);
      assert.match(page, /<a class="button secondary" id="back" href="http:\/\/shop\.example\.com\/refunds\/done\?from=alipay&amp;batch=1">返回商户网站<\/a>/);
    });

    it('says the merchant was notified only when the request gave a notify_url', async () => {
      const receiver = await startNotifyReceiver('success');
      try {
        for (const notifyUrl of [receiver.url, undefined]) {
          const { seller } = await newBatch(notifyUrl ? { notifyUrl } : {});
          await seller.login(kit.loginPassword);
          // The worker waits, so that the page shows the batch still processing.
          await harness.tuikuan.worker.stop();
          try {
            await seller.confirm(kit.paymentPassword);
            const submitted = (await seller.open()).html;
            assert.match(submitted, /退款申请已提交/);
            assert.match(submitted, notifyUrl ? /处理结果将通知商户/ : /商户未设置通知地址，处理结果不会通知商户/);
          } finally {
            harness.tuikuan.worker.start();
          }
          await harness.adminOk('POST', '/clock', { advance_seconds: 0 });
          const completed = (await seller.open()).html;
          assert.match(completed, /退款已处理/);
          if (notifyUrl) assert.match(completed, /处理结果已通知商户/);
          else {
            assert.doesNotMatch(completed, /已通知商户|将通知商户/);
            assert.match(completed, /商户未设置通知地址，处理结果不会通知商户/);
          }
        }
        assert.equal(receiver.received.length, 1);
      } finally {
        await receiver.close();
      }
    });
  });

  describe('passwords are kept as scrypt hashes', () => {
    it('in the merchants table', async () => {
      const row = await harness.tuikuan.services.store.db
        .selectFrom('merchants')
        .select(['loginPasswordHash', 'paymentPasswordHash'])
        .where('pid', '=', kit.pid)
        .executeTakeFirstOrThrow();
      assert.match(row.loginPasswordHash, /^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
      assert.match(row.paymentPasswordHash, /^scrypt\$/);
      assert.ok(!row.loginPasswordHash.includes(kit.loginPassword));
    });
  });
});
