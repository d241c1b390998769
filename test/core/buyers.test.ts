/**
 * Buyers in the core, on each engine, under a virtual clock: creation (credentials returned once, stored as
 * scrypt hashes, ids distinct from merchants'), the login password, the payment password's count of wrong tries
 * and the day's lockout after five, debiting a payment under the buyer's lock (never more than the buyer has,
 * even at once), and creditBuyerChannels giving a refund back to each channel.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { creditBuyerChannels } from '../../src/core/buyer-credit.js';
import { debitBuyerFunds } from '../../src/core/buyer-debit.js';
import { PAYMENT_PASSWORD_ATTEMPTS, verifyBuyerLoginPassword, verifyBuyerPaymentPassword } from '../../src/core/buyer-passwords.js';
import { buyerByLogonId, changeBuyer, createBuyer, maskedLogonId, requireBuyer } from '../../src/core/buyers.js';
import { VirtualClock } from '../../src/core/clock.js';
import type { CoreDeps } from '../../src/core/deps.js';
import { DomainError } from '../../src/core/domain-error.js';
import { createMerchant } from '../../src/core/merchants.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createPgDatabase, describeEachEngine, type TestDatabase, type TestEngine } from '../support/engines.js';

const SELLER = '2088000000000001';
/** 2026-01-01 10:00 China time. */
const START = Date.UTC(2026, 0, 1, 2, 0, 0);
const HOUR = 3600_000;

/** A migrated store of its own and a virtual clock, for one suite. */
function useDeps(engine: TestEngine): () => CoreDeps & { clock: VirtualClock } {
  let deps: (CoreDeps & { clock: VirtualClock }) | undefined;
  let database: TestDatabase | null = null;
  let dir: string | undefined;
  let store: Store | undefined;
  before(async () => {
    if (engine === 'postgres') database = await createPgDatabase();
    else dir = mkdtempSync(join(tmpdir(), 'tuikuan-buyers-'));
    store = openStore({ location: database?.location ?? join(dir ?? '', 'tuikuan.db') });
    await migrateToLatest(store);
    deps = { store, clock: new VirtualClock(START) };
  });
  after(async () => {
    await store?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!deps) throw new Error('the store is opened when the suite starts');
    return deps;
  };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error) => error instanceof DomainError && error.code === code);
}

describeEachEngine('buyers', (engine) => {
  const deps = useDeps(engine);

  describe('creation', () => {
    it('makes a 2088 buyer user id, a logon id, six-digit payment password and a login password, returned once and stored hashed', async () => {
      const created = await createBuyer(deps(), {});
      assert.match(created.buyer.buyerUserId, /^2088\d{12}$/);
      assert.equal(created.buyer.logonId, `buyer${created.buyer.buyerUserId.slice(-8)}@alitest.com`);
      assert.match(created.paymentPassword, /^\d{6}$/);
      assert.ok(created.loginPassword.length >= 6);
      assert.equal(created.buyer.accountStatus, 'normal');
      const row = await deps()
        .store.db.selectFrom('buyers')
        .select(['loginPasswordHash', 'paymentPasswordHash'])
        .where('buyerUserId', '=', created.buyer.buyerUserId)
        .executeTakeFirstOrThrow();
      assert.match(row.loginPasswordHash, /^scrypt\$/);
      assert.ok(!row.paymentPasswordHash.includes(created.paymentPassword));
    });

    it('takes the funds declared, in fen, with cards numbered and coupons with ids of their own', async () => {
      const { buyer } = await createBuyer(deps(), {
        logonId: '13800138000',
        funds: {
          balance: 10000,
          yuebao: 5000,
          huabeiLimit: 20000,
          points: 300,
          bankCards: [
            { bankCode: 'ICBC', cardTail: '6688' },
            { bankCode: 'CMB', fundType: 'CREDIT_CARD', available: 100000 },
          ],
          coupons: [
            { fundChannel: 'COUPON', amount: 500 },
            { voucherId: 'MD-ONE', fundChannel: 'MDISCOUNT', merchantPid: SELLER, amount: 1000, expiresAt: START + 24 * HOUR },
          ],
        },
      });
      const { funds } = buyer;
      assert.deepEqual([funds.balance, funds.yuebao, funds.huabeiLimit, funds.huabeiUsed, funds.points], [10000, 5000, 20000, 0, 300]);
      assert.deepEqual(
        funds.bankCards.map((c) => [c.position, c.bankCode, c.fundType, c.available]),
        [
          [1, 'ICBC', 'DEBIT_CARD', null],
          [2, 'CMB', 'CREDIT_CARD', 100000],
        ],
      );
      assert.equal(funds.bankCards[0]?.cardTail, '6688');
      assert.match(funds.bankCards[1]?.cardTail ?? '', /^\d{4}$/);
      const packet = funds.coupons.find((c) => c.fundChannel === 'COUPON');
      assert.match(packet?.voucherId ?? '', /^20260101\d{20}$/);
      assert.equal(packet?.wholeOnly, false, 'a red packet may be used in part');
      const discount = funds.coupons.find((c) => c.voucherId === 'MD-ONE');
      assert.deepEqual([discount?.wholeOnly, discount?.merchantPid, discount?.remaining, discount?.expiresAt], [true, SELLER, 1000, START + 24 * HOUR]);
    });

    it('refuses a logon id taken (emails in any case), an id taken by a buyer or a merchant, bad logon ids and payment passwords', async () => {
      await createBuyer(deps(), { logonId: 'Taken@Example.com' });
      await rejectsWith(createBuyer(deps(), { logonId: 'taken@example.COM' }), 'duplicate');
      assert.equal((await buyerByLogonId(deps(), 'TAKEN@example.com'))?.logonId, 'taken@example.com');
      const { buyer } = await createBuyer(deps(), {});
      await rejectsWith(createBuyer(deps(), { buyerUserId: buyer.buyerUserId, logonId: 'other@example.com' }), 'duplicate');
      const { merchant } = await createMerchant(deps(), {});
      await rejectsWith(createBuyer(deps(), { buyerUserId: merchant.pid }), 'duplicate');
      for (const logonId of ['not-an-email', '1380013800', '23800138000', 'a b@c.d']) await rejectsWith(createBuyer(deps(), { logonId }), 'invalid_request');
      await rejectsWith(createBuyer(deps(), { paymentPassword: '12345' }), 'invalid_request');
      await rejectsWith(createBuyer(deps(), { buyerUserId: '2088123' }), 'invalid_request');
    });

    it('refuses a merchant coupon with no merchant, a red packet with one, and a voucher id anyone holds', async () => {
      await rejectsWith(createBuyer(deps(), { funds: { coupons: [{ fundChannel: 'MCOUPON', amount: 100 }] } }), 'invalid_request');
      await rejectsWith(createBuyer(deps(), { funds: { coupons: [{ fundChannel: 'COUPON', merchantPid: SELLER, amount: 100 }] } }), 'invalid_request');
      await createBuyer(deps(), { funds: { coupons: [{ voucherId: 'HELD-ONCE', fundChannel: 'COUPON', amount: 100 }] } });
      await rejectsWith(createBuyer(deps(), { funds: { coupons: [{ voucherId: 'HELD-ONCE', fundChannel: 'COUPON', amount: 100 }] } }), 'duplicate');
    });

    it('masks the logon id as Alipay shows it to merchants', () => {
      assert.equal(maskedLogonId('15912345620'), '159****5620');
      assert.equal(maskedLogonId('csqxyz@sandbox.com'), 'csq***@sandbox.com');
      assert.equal(maskedLogonId('ab@x.cn'), 'ab***@x.cn');
    });
  });

  describe('changes', () => {
    it('sets funds, tops them up, replaces the cards and coupons, freezes the account', async () => {
      const { buyer } = await createBuyer(deps(), {
        funds: { balance: 100, bankCards: [{ bankCode: 'ICBC' }], coupons: [{ fundChannel: 'COUPON', amount: 100 }] },
      });
      const id = buyer.buyerUserId;
      let changed = await changeBuyer(deps(), id, {
        funds: { balance: 5000, huabeiLimit: 1000 },
        topUp: { balance: 250, points: 10, coupons: [{ fundChannel: 'MCOUPON', merchantPid: SELLER, amount: 50 }] },
      });
      assert.deepEqual([changed.funds.balance, changed.funds.huabeiLimit, changed.funds.points], [5250, 1000, 10]);
      assert.deepEqual(changed.funds.coupons.map((c) => c.fundChannel).sort(), ['COUPON', 'MCOUPON']);
      assert.equal(changed.funds.bankCards.length, 1, 'kept when not declared');
      changed = await changeBuyer(deps(), id, { funds: { bankCards: [{ bankCode: 'CMB' }, { bankCode: 'ABC' }], coupons: [] }, accountStatus: 'frozen' });
      assert.deepEqual(
        changed.funds.bankCards.map((c) => c.bankCode),
        ['CMB', 'ABC'],
      );
      assert.deepEqual(changed.funds.coupons, []);
      assert.equal(changed.accountStatus, 'frozen');
      await rejectsWith(changeBuyer(deps(), '2088999999999999', { name: 'x' }), 'buyer_not_found');
    });

    it('refuses a top-up with a voucher id the buyer already holds', async () => {
      const { buyer } = await createBuyer(deps(), { funds: { coupons: [{ voucherId: 'MINE-1', fundChannel: 'COUPON', amount: 100 }] } });
      await rejectsWith(
        changeBuyer(deps(), buyer.buyerUserId, { topUp: { coupons: [{ voucherId: 'MINE-1', fundChannel: 'COUPON', amount: 100 }] } }),
        'duplicate',
      );
    });
  });

  describe('passwords', () => {
    it('the login password: right or wrong', async () => {
      const { buyer } = await createBuyer(deps(), { loginPassword: 'let-me-in' });
      assert.equal(await verifyBuyerLoginPassword(deps(), buyer.buyerUserId, 'let-me-in'), true);
      assert.equal(await verifyBuyerLoginPassword(deps(), buyer.buyerUserId, 'let-me-out'), false);
      await rejectsWith(verifyBuyerLoginPassword(deps(), '2088999999999999', 'x'), 'buyer_not_found');
    });

    it('the payment password: five wrong ones lock it until the next China midnight, even for the right one; then it counts afresh', async () => {
      const { buyer } = await createBuyer(deps(), { paymentPassword: '123456' });
      const id = buyer.buyerUserId;
      const clock = deps().clock;
      for (let left = PAYMENT_PASSWORD_ATTEMPTS - 1; left > 0; left--) {
        assert.deepEqual(await verifyBuyerPaymentPassword(deps(), id, '000000'), { outcome: 'wrong', attemptsLeft: left });
      }
      // 2026-01-02 00:00 China time is 2026-01-01 16:00 UTC.
      const midnight = Date.UTC(2026, 0, 1, 16, 0, 0);
      assert.deepEqual(await verifyBuyerPaymentPassword(deps(), id, '000000'), { outcome: 'locked', lockedUntil: midnight });
      assert.deepEqual(
        await verifyBuyerPaymentPassword(deps(), id, '123456'),
        { outcome: 'locked', lockedUntil: midnight },
        'the right one is refused while locked',
      );
      const stored = await requireBuyer(deps(), id);
      assert.deepEqual([stored.paymentPasswordFailures, stored.paymentPasswordFailuresResetAt], [5, midnight]);
      clock.set(midnight - 1);
      assert.equal((await verifyBuyerPaymentPassword(deps(), id, '123456')).outcome, 'locked');
      clock.set(midnight);
      assert.deepEqual(await verifyBuyerPaymentPassword(deps(), id, '000000'), { outcome: 'wrong', attemptsLeft: 4 }, 'a new day, a new count');
      assert.deepEqual(await verifyBuyerPaymentPassword(deps(), id, '123456'), { outcome: 'correct' });
      assert.equal((await requireBuyer(deps(), id)).paymentPasswordFailures, 0, 'the right one clears the count');
    });

    it("wrong tries on one day do not add up with the next day's", async () => {
      const { buyer } = await createBuyer(deps(), { paymentPassword: '123456' });
      const clock = deps().clock;
      for (let i = 0; i < 4; i++) await verifyBuyerPaymentPassword(deps(), buyer.buyerUserId, '000000');
      clock.set(clock.now() + 24 * HOUR);
      assert.deepEqual(await verifyBuyerPaymentPassword(deps(), buyer.buyerUserId, '000000'), { outcome: 'wrong', attemptsLeft: 4 });
    });

    it('a new payment password ends the lockout', async () => {
      const { buyer } = await createBuyer(deps(), { paymentPassword: '123456' });
      for (let i = 0; i < PAYMENT_PASSWORD_ATTEMPTS; i++) await verifyBuyerPaymentPassword(deps(), buyer.buyerUserId, '000000');
      assert.equal((await verifyBuyerPaymentPassword(deps(), buyer.buyerUserId, '123456')).outcome, 'locked');
      await changeBuyer(deps(), buyer.buyerUserId, { paymentPassword: '654321' });
      assert.deepEqual(await verifyBuyerPaymentPassword(deps(), buyer.buyerUserId, '654321'), { outcome: 'correct' });
      assert.equal((await verifyBuyerPaymentPassword(deps(), buyer.buyerUserId, '123456')).outcome, 'wrong');
    });

    it('wrong tries at once are each counted', async () => {
      const { buyer } = await createBuyer(deps(), { paymentPassword: '123456' });
      const outcomes = await Promise.all(Array.from({ length: 7 }, () => verifyBuyerPaymentPassword(deps(), buyer.buyerUserId, '000000')));
      assert.equal(outcomes.filter((o) => o.outcome === 'locked').length >= 3, true);
      assert.equal((await requireBuyer(deps(), buyer.buyerUserId)).paymentPasswordFailures, PAYMENT_PASSWORD_ATTEMPTS);
    });
  });

  describe('debiting a payment', () => {
    it('takes the draw from the stored funds, and a refusal takes nothing', async () => {
      const { buyer } = await createBuyer(deps(), {
        funds: {
          balance: 1000,
          huabeiLimit: 5000,
          bankCards: [{ bankCode: 'CMB', fundType: 'CREDIT_CARD', available: 2000 }],
          coupons: [{ voucherId: 'DEBIT-RP', fundChannel: 'COUPON', amount: 300 }],
        },
      });
      const id = buyer.buyerUserId;
      const order = { sellerPid: SELLER, total: 4000, now: deps().clock.now() };
      const draw = await deps().store.transaction((trx) =>
        debitBuyerFunds(trx, id, { channels: ['ALIPAYACCOUNT', 'PCREDIT', 'BANKCARD'], voucherIds: ['DEBIT-RP'] }, order),
      );
      assert.ok(draw.ok);
      assert.deepEqual(
        draw.fundBills.map((b) => [b.fundChannel, b.amount]),
        [
          ['COUPON', 300],
          ['ALIPAYACCOUNT', 1000],
          ['PCREDIT', 2700],
        ],
      );
      const after = (await requireBuyer(deps(), id)).funds;
      assert.deepEqual([after.balance, after.huabeiUsed, after.bankCards[0]?.available, after.coupons[0]?.remaining], [0, 2700, 2000, 0]);
      const refused = await deps().store.transaction((trx) => debitBuyerFunds(trx, id, { channels: ['ALIPAYACCOUNT', 'PCREDIT'] }, { ...order, total: 2301 }));
      assert.deepEqual(refused, { ok: false, refusal: { reason: 'insufficient_funds', shortBy: 1 } });
      assert.deepEqual((await requireBuyer(deps(), id)).funds, after);
    });

    it('a frozen buyer cannot pay, and an unknown one is buyer_not_found', async () => {
      const { buyer } = await createBuyer(deps(), { accountStatus: 'frozen', funds: { balance: 1000 } });
      const order = { sellerPid: SELLER, total: 100, now: deps().clock.now() };
      assert.deepEqual(await deps().store.transaction((trx) => debitBuyerFunds(trx, buyer.buyerUserId, { channels: ['ALIPAYACCOUNT'] }, order)), {
        ok: false,
        refusal: { reason: 'account_frozen' },
      });
      await rejectsWith(
        deps().store.transaction((trx) => debitBuyerFunds(trx, '2088999999999999', { channels: ['ALIPAYACCOUNT'] }, order)),
        'buyer_not_found',
      );
    });

    it('payments at once never together spend more than the buyer has', async () => {
      const { buyer } = await createBuyer(deps(), { funds: { balance: 1000 } });
      const order = { sellerPid: SELLER, total: 300, now: deps().clock.now() };
      const draws = await Promise.all(
        Array.from({ length: 6 }, () => deps().store.transaction((trx) => debitBuyerFunds(trx, buyer.buyerUserId, { channels: ['ALIPAYACCOUNT'] }, order))),
      );
      assert.equal(draws.filter((d) => d.ok).length, 3);
      assert.equal((await requireBuyer(deps(), buyer.buyerUserId)).funds.balance, 100);
    });
  });

  describe('creditBuyerChannels: a refund back to the buyer', () => {
    it("credits the balance and Yu'E Bao, restores the Huabei limit, gives back points, leaves the bank card to the bank", async () => {
      const { buyer } = await createBuyer(deps(), {
        funds: { balance: 0, yuebao: 0, huabeiLimit: 5000, points: 0, bankCards: [{ bankCode: 'ICBC', available: 100 }] },
      });
      const id = buyer.buyerUserId;
      const order = { sellerPid: SELLER, total: 1000, now: deps().clock.now() };
      await deps().store.transaction((trx) => debitBuyerFunds(trx, id, { channels: ['PCREDIT'] }, order));
      const outcomes = await deps().store.transaction((trx) =>
        creditBuyerChannels(trx, id, [
          { fundChannel: 'ALIPAYACCOUNT', amount: 100 },
          { fundChannel: 'FINANCEACCOUNT', amount: 200 },
          { fundChannel: 'PCREDIT', amount: 600 },
          { fundChannel: 'POINT', amount: 30 },
          { fundChannel: 'BANKCARD', amount: 400 },
          { fundChannel: 'PCARD', amount: 5 },
        ]),
      );
      assert.deepEqual(outcomes, ['credited', 'credited', 'credited', 'credited', 'ignored', 'ignored']);
      const funds = (await requireBuyer(deps(), id)).funds;
      assert.deepEqual([funds.balance, funds.yuebao, funds.huabeiUsed, funds.points, funds.bankCards[0]?.available], [100, 200, 400, 30, 100]);
    });

    it('Huabei given back beyond what is used (repaid meanwhile) goes to the balance', async () => {
      const { buyer } = await createBuyer(deps(), { funds: { huabeiLimit: 5000 } });
      await deps().store.transaction((trx) =>
        debitBuyerFunds(trx, buyer.buyerUserId, { channels: ['PCREDIT'] }, { sellerPid: SELLER, total: 1000, now: deps().clock.now() }),
      );
      await changeBuyer(deps(), buyer.buyerUserId, { funds: { huabeiLimit: 5000 } });
      await deps().store.db.updateTable('buyers').set({ huabeiUsed: 300 }).where('buyerUserId', '=', buyer.buyerUserId).execute();
      await deps().store.transaction((trx) => creditBuyerChannels(trx, buyer.buyerUserId, [{ fundChannel: 'PCREDIT', amount: 1000 }]));
      const funds = (await requireBuyer(deps(), buyer.buyerUserId)).funds;
      assert.deepEqual([funds.huabeiUsed, funds.balance], [0, 700]);
    });

    it('a red packet returned whole is usable again; a whole-only coupon returned in part is not, until the rest comes back', async () => {
      const { buyer } = await createBuyer(deps(), {
        funds: {
          balance: 10000,
          coupons: [
            { voucherId: 'CREDIT-RP', fundChannel: 'COUPON', amount: 500 },
            { voucherId: 'CREDIT-MD', fundChannel: 'MDISCOUNT', merchantPid: SELLER, amount: 1000 },
          ],
        },
      });
      const id = buyer.buyerUserId;
      const paid = await deps().store.transaction((trx) =>
        debitBuyerFunds(
          trx,
          id,
          { channels: ['ALIPAYACCOUNT'], voucherIds: ['CREDIT-RP', 'CREDIT-MD'] },
          { sellerPid: SELLER, total: 5000, now: deps().clock.now() },
        ),
      );
      assert.ok(paid.ok);
      const coupons = async () => Object.fromEntries((await requireBuyer(deps(), id)).funds.coupons.map((c) => [c.voucherId, c.remaining]));
      assert.deepEqual(await coupons(), { 'CREDIT-RP': 0, 'CREDIT-MD': 0 });
      const first = await deps().store.transaction((trx) =>
        creditBuyerChannels(trx, id, [
          { fundChannel: 'COUPON', amount: 500, voucherId: 'CREDIT-RP' },
          { fundChannel: 'MDISCOUNT', amount: 400, voucherId: 'CREDIT-MD' },
          { fundChannel: 'MCOUPON', amount: 1, voucherId: 'NOT-HELD' },
        ]),
      );
      assert.deepEqual(first, ['coupon_restored', 'coupon_partly_returned', 'coupon_not_found']);
      assert.deepEqual(await coupons(), { 'CREDIT-RP': 500, 'CREDIT-MD': 400 });
      const again = (voucherIds: string[]) =>
        deps().store.transaction((trx) =>
          debitBuyerFunds(trx, id, { channels: ['ALIPAYACCOUNT'], voucherIds }, { sellerPid: SELLER, total: 2000, now: deps().clock.now() }),
        );
      assert.ok((await again(['CREDIT-RP'])).ok, 'the red packet is usable again');
      assert.deepEqual(await again(['CREDIT-MD']), { ok: false, refusal: { reason: 'coupon_not_applicable', voucherId: 'CREDIT-MD', problem: 'used' } });
      assert.deepEqual(
        await deps().store.transaction((trx) => creditBuyerChannels(trx, id, [{ fundChannel: 'MDISCOUNT', amount: 600, voucherId: 'CREDIT-MD' }])),
        ['coupon_restored'],
      );
      assert.ok((await again(['CREDIT-MD'])).ok, 'whole again, usable again');
    });

    it('an unknown buyer is buyer_not_found, and nothing is written', async () => {
      await rejectsWith(
        deps().store.transaction((trx) => creditBuyerChannels(trx, '2088999999999999', [{ fundChannel: 'ALIPAYACCOUNT', amount: 1 }])),
        'buyer_not_found',
      );
    });
  });
});
