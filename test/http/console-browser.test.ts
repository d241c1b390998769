/**
 * The console as an operator lives it, in a real Chromium against a real server: logging in, finding a trade,
 * a refund's allocations and its notification's failing attempts, "resend now" against a receiver that now
 * answers success with the journal updating itself live, moving the virtual clock until a refund waiting for
 * funds succeeds, retrying a dead job, and arming a fault that the next call meets. Every page is then shot at
 * a laptop's width (1366) and a phone's (390), in test-output/screenshots (console-laptop-*, console-phone-*).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { claimJobs, killJob, listJobs } from '../../src/store/sql/jobs.js';
import { browserSkip, launchBrowser, requireBrowser, type Browser } from '../support/browser.js';
import { newMerchant, newTrade, useHarness, type MerchantKit } from '../support/harness.js';
import { startNotifyReceiver, type NotifyReceiver } from '../support/notify-receiver.js';
import { advanceClock, notificationsOf, refund, refundApply, refundOf, runDueJobs, type Reply } from '../support/refund-calls.js';

const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
const MINUTE = 60;

// One engine: the console's reads run on both in console-routes.test.ts; this suite is about the browser.
describe('the console in a real browser', { skip: browserSkip() }, () => {
  const { harness, kit } = useHarness('sqlite', { clock: 'virtual' });
  let browser: Browser;
  let receiver: NotifyReceiver;
  /** A trade paid half from the balance, half by bank card, with a failing notify_url and one refund. */
  let failing: { trade: Reply; notifyId: string };

  before(async () => {
    requireBrowser();
    browser = await launchBrowser();
    await browser.page.setViewportSize(LAPTOP);
    receiver = await startNotifyReceiver('fail');
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
  });

  const url = (path: string) => `${harness.tuikuan.url}${path}`;

  async function logIn(): Promise<void> {
    const { page } = browser;
    await page.goto(url('/console/trades'));
    if (!page.url().includes('/console/login')) return;
    await page.fill('#token', harness.tuikuan.adminToken);
    await page.click('#login');
    await page.waitForSelector('#nav-trades.on');
  }

  describe('logging in', () => {
    it('asks for the admin token, refuses a wrong one, and lets the right one in with an HttpOnly session cookie', async () => {
      const { page, context } = browser;
      await page.goto(url('/console/notifications?state=failing'));
      assert.match(page.url(), /\/console\/login\?next=/, 'a page asked for without a session sends to the login');
      await browser.screenshot('console-laptop-login');
      await page.setViewportSize(PHONE);
      await browser.screenshot('console-phone-login');
      await page.setViewportSize(LAPTOP);

      await page.fill('#token', 'not-the-token');
      await page.click('#login');
      assert.equal(await page.textContent('#error'), '管理令牌不正确。');

      await page.fill('#token', harness.tuikuan.adminToken);
      await page.click('#login');
      await page.waitForSelector('#journal');
      assert.match(page.url(), /\/console\/notifications\?state=failing$/, 'back to the page first asked for');
      const [cookie] = (await context.cookies()).filter((c) => c.name === 'tk_console');
      assert.ok(cookie, 'a session cookie');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Lax');
      assert.equal(cookie.path, '/console');
    });

    it('logs out, and switches between Chinese and English', async () => {
      const { page } = browser;
      await logIn();
      await page.click('#lang-switch');
      await page.waitForSelector('#nav-trades');
      assert.equal((await page.textContent('#nav-trades'))?.trim(), 'Trades');
      await page.click('#lang-switch');
      assert.equal((await page.textContent('#nav-trades'))?.trim(), '交易');
      await page.click('#logout');
      await page.waitForSelector('#token');
      await page.goto(url('/console/trades'));
      assert.match(page.url(), /\/console\/login/, 'the session is gone');
      await logIn();
    });
  });

  describe('finding a trade', () => {
    it('by its out_trade_no, then opening it', async () => {
      const { page } = browser;
      await logIn();
      const trade = await newTrade(harness, kit, { out_trade_no: 'FIND-ME-001', total_amount: '88.00', subject: '<b>不是粗体</b>' });
      await newTrade(harness, kit, { out_trade_no: 'SOMEONE-ELSE' });
      await page.fill('#q-out-trade-no', 'FIND-ME-001');
      await page.click('#search');
      await page.waitForSelector('#trades');
      assert.equal(await page.locator('#trades tbody tr').count(), 1);
      await page.click('.trade-link');
      await page.waitForSelector('#trade-no');
      assert.equal(await page.textContent('#trade-no'), trade.trade_no);
      assert.match((await page.textContent('.page-head .sub')) ?? '', /<b>不是粗体<\/b>/, 'the subject is text, escaped, not markup');
      assert.equal(await page.locator('.page-head b').count(), 0);
    });
  });

  describe('a refund’s allocations and its notification’s failing attempts', () => {
    it('shows each channel’s share of the refund, its history, the ledger entries, and every failed attempt with what was sent and answered', async () => {
      const { page } = browser;
      await logIn();
      const trade = await newTrade(harness, kit, {
        total_amount: '100.00',
        notify_url: receiver.url,
        fund_bill_list: [
          { fund_channel: 'ALIPAYACCOUNT', amount: '60.00' },
          { fund_channel: 'BANKCARD', amount: '40.00', bank_code: 'ICBC' },
        ],
      });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '100.00', out_request_no: 'R-ALL' });
      await runDueJobs(harness);
      await advanceClock(harness, 4 * MINUTE);
      await advanceClock(harness, 10 * MINUTE);
      const [notification] = await notificationsOf(harness, trade.trade_no);
      assert.equal(notification?.attempts, 3);
      failing = { trade, notifyId: notification?.notify_id };

      await page.goto(url(`/console/trades/${trade.trade_no}`));
      const refundCard = page.locator('#refund-R-ALL');
      assert.equal((await refundCard.locator('.refund-status').textContent())?.trim(), '退款成功');
      const allocations = await refundCard.locator('.allocations tbody tr').allTextContents();
      assert.equal(allocations.length, 2);
      assert.match(allocations[0] ?? '', /ALIPAYACCOUNT.*¥60\.00/s);
      assert.match(allocations[1] ?? '', /BANKCARD.*¥40\.00/s);
      assert.match((await refundCard.locator('.timeline').textContent()) ?? '', /退款成功/);
      assert.ok((await page.locator('#trade-ledger tbody tr').count()) >= 2, 'the payment and the refund, at least');

      const card = page.locator(`#n-${failing.notifyId}`);
      assert.equal((await card.locator('.n-status').textContent())?.trim(), '待发送');
      const outcomes = await card.locator('.a-status').allTextContents();
      assert.deepEqual(
        outcomes.map((o) => o.trim()),
        ['失败 HTTP 200', '失败 HTTP 200', '失败 HTTP 200'],
      );
      await card.locator('details').first().click();
      assert.equal((await card.locator('.a-response').first().textContent())?.trim(), 'fail');
      assert.match((await card.locator('.a-body pre').first().textContent()) ?? '', new RegExp(`trade_no=${trade.trade_no}`));
      await browser.screenshot('console-laptop-trade-failing-notification');
    });
  });

  describe('resend now', () => {
    it('against a receiver that now answers success: the journal shows the delivery live, without a reload', async () => {
      const { page } = browser;
      await logIn();
      let answer!: (body: string) => void;
      const answered = new Promise<string>((resolve) => (answer = resolve));
      receiver.setScript(() => answered);
      await page.goto(url(`/console/notifications?trade_no=${failing.trade.trade_no}`));
      await page.waitForSelector('#journal.live');
      const card = `#n-${failing.notifyId}`;
      await page.click(`#resend-${failing.notifyId}`);
      await page.waitForSelector('#notice');
      assert.match((await page.textContent('#notice')) ?? '', /立即重发/);
      await page.waitForSelector('#journal.live');
      // The page the redirect brought stays: a marker on it proves the update comes without a reload.
      await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
      assert.equal((await page.textContent(`${card} .n-status`))?.trim(), '待发送', 'the attempt is in flight, unanswered');
      answer('success');
      await page.waitForFunction((selector) => (globalThis as any).document.querySelector(`${selector} .n-status`)?.textContent?.trim() === '已送达', card, {
        timeout: 15_000,
      });
      assert.equal(await page.evaluate(() => (globalThis as any).sameDocument), true, 'updated in place');
      assert.equal((await page.locator(`${card} .a-status`).first().textContent())?.trim(), '已送达 HTTP 200');
      assert.equal(await page.locator(`${card} .resend`).count(), 0, 'nothing left to resend');
      const [notification] = await notificationsOf(harness, failing.trade.trade_no);
      assert.equal(notification?.status, 'delivered');
      assert.equal(notification?.attempts, 4, 'delivered by the worker, as the 4th attempt of the schedule');
      receiver.setScript('success');
    });
  });

  describe('moving the clock', () => {
    it('a refund waiting for funds succeeds once the merchant is topped up and the clock passes its next try', async () => {
      const { page } = browser;
      await logIn();
      const poor: MerchantKit = await newMerchant(harness, { balance: '0.00' });
      const trade = await newTrade(harness, poor, { total_amount: '50.00' });
      await harness.adminOk('POST', `/merchants/${poor.pid}/balance`, { set: '0.00' });
      await refundApply(poor, { trade_no: trade.trade_no, refund_amount: '30.00', out_request_no: 'WAIT-1' });
      await runDueJobs(harness);
      assert.equal((await refundOf(harness, trade.trade_no, 'WAIT-1')).status, 'waiting_for_funds');

      await page.goto(url('/console/refunds'));
      const row = page.locator('#waiting-refunds tr', { hasText: trade.trade_no });
      assert.match((await row.textContent()) ?? '', /等待资金.*商户可用余额不足/s);

      await page.goto(url(`/console/merchants/${poor.pid}`));
      await page.fill('#delta', '+100.00');
      await page.click('#top-up-submit');
      await page.waitForSelector('#notice');
      assert.equal(await page.textContent('#balance'), '¥100.00');

      await page.goto(url('/console/clock'));
      const before = await page.textContent('#clock-big');
      await page.click('#advance-hour');
      await page.waitForSelector('#activity');
      assert.notEqual(await page.textContent('#clock-big'), before);
      assert.match((await page.textContent('#activity')) ?? '', new RegExp(`退款成功\\s*${trade.trade_no}`));
      await browser.screenshot('console-laptop-clock-what-ran');
      assert.equal((await refundOf(harness, trade.trade_no, 'WAIT-1')).status, 'succeeded');
      await page.goto(url('/console/refunds'));
      assert.equal(await page.locator('#waiting-refunds tr', { hasText: trade.trade_no }).count(), 0, 'no longer waiting');
    });

    it('to the next due job', async () => {
      const { page } = browser;
      await logIn();
      receiver.setScript('fail');
      const trade = await newTrade(harness, kit, { notify_url: receiver.url });
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'NEXT-1' });
      await runDueJobs(harness);
      await page.goto(url('/console/clock'));
      const due = await page.textContent('#next-job');
      await page.click('#advance-next-job');
      await page.waitForSelector('#activity');
      assert.equal(await page.textContent('#clock-big'), due, 'the clock stops at the job’s time');
      assert.match((await page.textContent('#activity')) ?? '', /交易状态通知 #2/);
      receiver.setScript('success');
    });
  });

  describe('a dead job', () => {
    it('is shown with its error, and a retry runs it', async () => {
      const { page } = browser;
      await logIn();
      const { services } = harness.tuikuan;
      const trade = await newTrade(harness, kit, { notify_url: receiver.url });
      // The notification's job is claimed by a worker that then dies on it for the last time.
      await harness.tuikuan.worker.stop();
      await refund(kit, { trade_no: trade.trade_no, refund_amount: '2.00', out_request_no: 'DEAD-1' });
      const [notification] = await notificationsOf(harness, trade.trade_no);
      const [claimed] = await claimJobs(services.store.db, { workerId: 'gone', now: services.clock.now(), realNow: Date.now(), leaseMs: 60_000, limit: 1 });
      assert.ok(claimed);
      await killJob(services.store.db, claimed, 'gone', { now: services.clock.now(), error: 'socket hang up (ECONNRESET)' });
      harness.tuikuan.worker.start();

      await page.goto(url('/console/jobs'));
      const row = page.locator(`#job-${claimed.id}`);
      assert.equal((await row.locator('.job-status').textContent())?.trim(), '已死亡');
      assert.equal((await row.locator('.job-error').textContent())?.trim(), 'socket hang up (ECONNRESET)');
      await browser.screenshot('console-laptop-jobs-dead');
      await page.click(`#retry-${claimed.id}`);
      await page.waitForSelector('#notice');
      for (const end = Date.now() + 10_000; (await listJobs(services.store.db)).some((job) => job.id === claimed.id); ) {
        assert.ok(Date.now() < end, 'the retried job runs');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const [delivered] = await notificationsOf(harness, trade.trade_no);
      assert.equal(delivered?.notify_id, notification?.notify_id);
      assert.equal(delivered?.status, 'delivered');
      await page.reload();
      assert.equal(await page.locator(`#job-${claimed.id}`).count(), 0, 'done and gone');
    });
  });

  describe('a fault', () => {
    it('armed from the console says what it will do, and the next call fails with it; the one after succeeds', async () => {
      const { page } = browser;
      await logIn();
      const trade = await newTrade(harness, kit);
      await page.goto(url('/console/faults'));
      await page.selectOption('#fault-method', 'alipay.trade.refund');
      await page.fill('#fault-sub-code', 'ACQ.SYSTEM_ERROR');
      await page.click('#arm');
      await page.waitForSelector('#notice');
      assert.match((await page.textContent('#faults')) ?? '', /接下来 1 次 alipay\.trade\.refund 调用返回 ACQ\.SYSTEM_ERROR（系统繁忙），在执行之前/);
      await browser.screenshot('console-laptop-faults-armed');

      const failed = await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'FAULT-1' });
      assert.equal(failed.sub_code, 'ACQ.SYSTEM_ERROR');
      const next = await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'FAULT-1' });
      assert.equal(next.code, '10000');
      await page.reload();
      assert.equal(await page.locator('#no-faults').count(), 1, 'used up');

      await page.fill('#fault-sub-code', 'ACQ.TRADE_NOT_EXIST');
      await page.fill('#fault-times', '3');
      await page.click('#arm');
      await page.waitForSelector('#clear-faults');
      await page.click('#clear-faults');
      await page.waitForSelector('#no-faults');
    });
  });

  describe('every page, at a laptop’s width and a phone’s', () => {
    it('is shot for a person to look at', async () => {
      const { page } = browser;
      await logIn();
      await harness.adminOk('POST', '/buyers', {
        logon_id: 'buyer-console@example.com',
        name: '李四',
        funds: {
          balance: '320.00',
          yuebao: '1500.00',
          huabei_limit: '3000.00',
          points: '450',
          bank_cards: [{ bank_code: 'CMB', fund_type: 'CREDIT_CARD', card_tail: '8866' }],
          coupons: [{ voucher_id: 'CONSOLE-RP-1', fund_channel: 'COUPON', name: '新春红包', amount: '8.88' }],
        },
      });
      await harness.adminOk('POST', '/apps', { pid: kit.pid, key_mode: 'cert' });
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.refund.apply', sub_code: 'ACQ.SYSTEM_ERROR', times: 2, phase: 'after' });
      const trade = failing.trade.trade_no;
      const pages: Array<[string, string]> = [
        ['trades', '/console/trades'],
        ['trade', `/console/trades/${trade}`],
        ['notifications', '/console/notifications'],
        ['refunds', '/console/refunds'],
        ['batches', '/console/batches'],
        ['jobs', '/console/jobs'],
        ['clock', '/console/clock'],
        ['faults', '/console/faults'],
        ['merchants', '/console/merchants'],
        ['merchant', `/console/merchants/${kit.pid}`],
        ['buyers', '/console/buyers'],
        ['apps', '/console/apps'],
        ['app', `/console/apps/${kit.appId}`],
        ['platform', '/console/platform'],
        ['not-found', '/console/trades/0000'],
      ];
      for (const [width, viewport] of [
        ['laptop', LAPTOP],
        ['phone', PHONE],
      ] as const) {
        await page.setViewportSize(viewport);
        for (const [name, path] of pages) {
          const response = await page.goto(url(path));
          assert.equal(response?.status(), name === 'not-found' ? 404 : 200, path);
          await browser.screenshot(`console-${width}-${name}`);
        }
      }
      // The English console, once.
      await page.setViewportSize(LAPTOP);
      await page.goto(url(`/console/lang/en?back=${encodeURIComponent(`/console/trades/${trade}`)}`));
      await browser.screenshot('console-laptop-trade-en');
      await page.goto(url('/console/lang/zh?back=/console/trades'));
      await harness.adminOk('DELETE', '/faults');
    });
  });
});
