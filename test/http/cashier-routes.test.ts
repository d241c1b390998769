/**
 * The seller's pages over plain HTTP: the login and payment passwords (scrypt hashes), five wrong payment
 * passwords locking the batch, cancelling, CSRF tokens, the session cookie's flags, sessions per browser.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Seller, submitBatch } from '../support/batch-flow.js';
import { describeEachEngine } from '../support/engines.js';
import { createMerchantKit, createTrade, startHarness, type Harness, type MerchantKit } from '../support/harness.js';

describeEachEngine('the seller’s cashier pages', (engine) => {
  let harness: Harness;
  let kit: MerchantKit;
  before(async () => {
    harness = await startHarness({ engine, clock: 'virtual' });
    kit = await createMerchantKit(harness);
  });
  after(() => harness.close());

  async function newBatch(): Promise<{ seller: Seller; batchNo: string; tradeNo: string }> {
    const tradeNo = (await createTrade(harness, kit, { total_amount: '50.00' })).trade_no as string;
    const submitted = await submitBatch(harness, kit, { lines: [{ tradeNo, amount: '5.00' }] });
    assert.ok(submitted.location);
    return { seller: new Seller(harness, submitted.location), batchNo: submitted.params.batch_no!, tradeNo };
  }

  const batchOf = (batchNo: string) => harness.adminOk('GET', `/batches/${batchNo}`);

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
        const wrong = await seller.confirm('999999' === kit.paymentPassword ? '888888' : '999999');
        assert.equal(wrong.status, 401);
        assert.match(wrong.html, new RegExp(`支付密码不正确，您还可以输入 ${left} 次`));
      }
      const fifth = await seller.confirm('999999' === kit.paymentPassword ? '888888' : '999999');
      assert.equal(fifth.status, 303);
      assert.match((await seller.open()).html, /退款批次已锁定/);
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

  describe('cancelling', () => {
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
