/**
 * Buyers in a declared world (`serve --seed`, `buyers: [...]`) and in the demo world, on each engine: made once
 * with the ids, logon ids, passwords and funds declared, kept as they are on every later start (the funds a
 * payment or an operator changed are not reset), a contradiction failing the start with what differs; and
 * demo.json's `buyer` block with the demo world's fixed credentials and funds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { verifyBuyerLoginPassword, verifyBuyerPaymentPassword } from '../src/core/buyer-passwords.js';
import { demoWorld, ensureDemo } from '../src/cli/demo.js';
import { declaredWorld, readSeedFile, type SeedFile } from '../src/seed-file.js';
import { startTuikuan, type Tuikuan } from '../src/tuikuan.js';
import { describeEachEngine } from './support/engines.js';
import { stores } from './support/seed-stores.js';

const MERCHANT = '2088102000009001';
const BUYER = '2088102000009101';

const SEED: SeedFile = {
  merchants: [{ pid: MERCHANT, email: 'seed-buyers-seller@alitest.com' }],
  buyers: [
    {
      buyer_user_id: BUYER,
      logon_id: 'Seed-Buyer@AliTest.com',
      login_password: 'seed-login',
      payment_password: '135790',
      funds: {
        balance: '300.00',
        yuebao: '40.00',
        huabei_limit: '500.00',
        points: '1.50',
        bank_cards: [{ bank_code: 'ABC', fund_type: 'CREDIT_CARD', card_tail: '0001' }],
        coupons: [{ voucher_id: 'SEED-MC-1', fund_channel: 'MCOUPON', merchant_pid: MERCHANT, amount: '2.00' }],
      },
    },
    { buyer_user_id: '2088102000009102', logon_id: '13700137000', account_status: 'frozen' },
  ],
};

async function admin(tuikuan: Tuikuan, method: string, path: string, body?: unknown): Promise<Record<string, any>> {
  const response = await fetch(`${tuikuan.adminUrl}${path}`, {
    method,
    headers: { authorization: 'Bearer t', ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return (await response.json()) as Record<string, any>;
}

describeEachEngine('buyers in a declared world', (engine) => {
  const store = stores(engine);

  it('are made once with what is declared, and kept as they are on a restart', async () => {
    const where = await store.fresh();
    const first = await store.start(where, [declaredWorld(SEED)]);
    try {
      const buyer = await admin(first, 'GET', `/buyers/${BUYER}`);
      assert.equal(buyer.logon_id, 'seed-buyer@alitest.com');
      assert.deepEqual([buyer.funds.balance, buyer.funds.yuebao, buyer.funds.huabei_limit, buyer.funds.points], ['300.00', '40.00', '500.00', '1.50']);
      assert.deepEqual(buyer.funds.bank_cards, [{ position: 1, bank_code: 'ABC', fund_type: 'CREDIT_CARD', card_tail: '0001', available: null }]);
      assert.deepEqual(
        buyer.funds.coupons.map((c: Record<string, unknown>) => [c.voucher_id, c.merchant_pid, c.amount]),
        [['SEED-MC-1', MERCHANT, '2.00']],
      );
      assert.equal(await verifyBuyerLoginPassword(first.services, BUYER, 'seed-login'), true);
      assert.deepEqual(await verifyBuyerPaymentPassword(first.services, BUYER, '135790'), { outcome: 'correct' });
      assert.equal((await admin(first, 'GET', '/buyers?logon_id=13700137000')).account_status, 'frozen');
      await admin(first, 'PATCH', `/buyers/${BUYER}`, { funds: { balance: '1.00' } });
    } finally {
      await first.close();
    }
    const again = await store.start(where, [declaredWorld(SEED)]);
    try {
      const buyer = await admin(again, 'GET', `/buyers/${BUYER}`);
      assert.equal(buyer.funds.balance, '1.00', 'the balance the operator left, not the declared one');
      assert.equal(buyer.funds.coupons.length, 1, 'no second coupon');
    } finally {
      await again.close();
    }
  });

  it('fail the start, saying what differs: another logon id or password for a buyer, a logon id or id taken', async () => {
    const where = await store.fresh();
    await (await store.start(where, [declaredWorld(SEED)])).close();
    const [declared, frozen] = SEED.buyers ?? [];
    const contradictions: Array<[SeedFile['buyers'], RegExp]> = [
      [[{ ...declared!, logon_id: 'someone-else@alitest.com' }], /buyer 2088102000009101: the declared logon_id/],
      [[{ ...declared!, payment_password: '000000' }], /buyer 2088102000009101: the declared payment_password/],
      [[{ ...declared!, login_password: 'wrong' }], /the declared login_password/],
      [[{ buyer_user_id: '2088102000009103', logon_id: '13700137000' }], /logon id 13700137000 belongs to another buyer/],
      [[{ buyer_user_id: MERCHANT }], /merchant with that pid/],
      [
        [{ buyer_user_id: '2088102000009104', funds: { coupons: [{ voucher_id: 'SEED-MC-1', fund_channel: 'COUPON', amount: '1.00' }] } }],
        /buyer 2088102000009104: .*SEED-MC-1/,
      ],
    ];
    for (const [buyers, message] of contradictions) {
      await assert.rejects(store.start(where, [declaredWorld({ ...SEED, buyers: [frozen!, ...(buyers ?? [])] })]), message);
    }
  });
});

describe('the seed file', () => {
  it('refuses a buyer without a buyer user id, with a bad one, or with an unknown field, naming it', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ buyers: [{ logon_id: 'a@b.cn' }] }, /buyers\.0\.buyer_user_id/],
      [{ buyers: [{ buyer_user_id: '3088102000009101' }] }, /buyers\.0\.buyer_user_id/],
      [{ buyers: [{ buyer_user_id: BUYER, balance: '1.00' }] }, /balance/],
      [{ buyers: [{ buyer_user_id: BUYER, funds: { coupons: [{ fund_channel: 'COUPON' }] } }] }, /buyers\.0\.funds\.coupons\.0\.amount/],
    ];
    for (const [json, message] of cases) assert.throws(() => declaredWorld(json), message);
  });

  it('examples/seed.json declares a buyer who can log in', () => {
    const { world } = readSeedFile(join(process.cwd(), 'examples', 'seed.json'));
    assert.equal(world.buyers?.[0]?.buyerUserId, '2088102000000101');
    assert.equal(world.buyers?.[0]?.funds?.coupons?.[0]?.merchantPid, world.merchants[0]?.pid);
  });
});

describe('--demo: the buyer', () => {
  it('is in demo.json with the same fixed credentials and funds on every fresh data dir, and its passwords work', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'tuikuan-demo-buyer-')), mkdtempSync(join(tmpdir(), 'tuikuan-demo-buyer-'))];
    try {
      const buyers = [];
      for (const dataDir of dirs) {
        const tuikuan = await startTuikuan({ dataDir, port: 0, adminToken: 't', logger: pino({ level: 'silent' }), seeds: [demoWorld()] });
        try {
          const { file, demo } = await ensureDemo(tuikuan);
          const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
          assert.deepEqual(written.buyer, demo.buyer);
          assert.equal(await verifyBuyerLoginPassword(tuikuan.services, demo.buyer.buyer_user_id, demo.buyer.login_password), true);
          assert.deepEqual(await verifyBuyerPaymentPassword(tuikuan.services, demo.buyer.buyer_user_id, demo.buyer.payment_password), { outcome: 'correct' });
          assert.deepEqual((await admin(tuikuan, 'GET', `/buyers/${demo.buyer.buyer_user_id}`)).funds, demo.buyer.funds, "the admin API's funds");
          buyers.push(demo.buyer);
        } finally {
          await tuikuan.close();
        }
      }
      assert.deepEqual(buyers[0], buyers[1]);
      const buyer = buyers[0]!;
      assert.deepEqual(
        { buyer_user_id: buyer.buyer_user_id, logon_id: buyer.logon_id, login_password: buyer.login_password, payment_password: buyer.payment_password },
        { buyer_user_id: '2088621000000101', logon_id: 'demo-buyer@alitest.com', login_password: 'demo-buyer-login', payment_password: '111111' },
      );
      const funds = buyer.funds as Record<string, any>;
      assert.deepEqual([funds.balance, funds.yuebao, funds.huabei_limit, funds.points], ['1000.00', '5000.00', '2000.00', '10.00']);
      assert.deepEqual(
        funds.bank_cards.map((c: Record<string, unknown>) => c.bank_code),
        ['ICBC', 'CMB'],
      );
      assert.deepEqual(
        funds.coupons.map((c: Record<string, unknown>) => [c.voucher_id, c.fund_channel, c.merchant_pid, c.usable]),
        [
          ['2026010100073002039000000MD1', 'MDISCOUNT', '2088621000000001', true],
          ['2026010100073002039000000RP1', 'COUPON', null, true],
        ],
      );
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
