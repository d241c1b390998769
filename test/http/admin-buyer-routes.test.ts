/**
 * The admin API's buyers, over HTTP on each engine: POST /admin/v1/buyers (credentials returned once, funds as
 * yuan strings), GET by buyer user id and by ?logon_id=, PATCH (funds set or topped up, status, passwords), and
 * the errors with their codes: buyer_not_found 404, duplicate 409, invalid_request 400 naming the field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { useHarness } from '../support/harness.js';

const SELLER = '2088000000000001';

describeEachEngine('the admin API: buyers', (engine) => {
  const { harness } = useHarness(engine, { merchant: false });

  describe('POST /buyers', () => {
    it('creates a buyer with a 2088 buyer user id, passwords returned once, and no funds', async () => {
      const created = await harness.adminOk('POST', '/buyers', {});
      assert.match(created.buyer_user_id, /^2088\d{12}$/);
      assert.match(created.logon_id, /^buyer\d{8}@alitest\.com$/);
      assert.equal(typeof created.login_password, 'string');
      assert.match(created.payment_password, /^\d{6}$/);
      assert.equal(created.account_status, 'normal');
      assert.deepEqual(created.funds, {
        balance: '0.00',
        yuebao: '0.00',
        huabei_limit: '0.00',
        huabei_used: '0.00',
        huabei_available: '0.00',
        points: '0.00',
        bank_cards: [],
        coupons: [],
      });
      assert.equal(created.payment_password_failures, 0);
      assert.equal(created.payment_password_locked_until, null);
      const fetched = await harness.adminOk('GET', `/buyers/${created.buyer_user_id}`);
      assert.equal(fetched.login_password, undefined, 'passwords are not kept in the clear');
      assert.equal(fetched.payment_password, undefined);
      assert.deepEqual(fetched, Object.fromEntries(Object.entries(created).filter(([key]) => !key.endsWith('_password'))));
    });

    it('takes the logon id, name, passwords and funds given', async () => {
      const created = await harness.adminOk('POST', '/buyers', {
        logon_id: '13800138000',
        name: '张三',
        login_password: 'buyer-login',
        payment_password: '111111',
        funds: {
          balance: '100.00',
          yuebao: 50,
          huabei_limit: '2000.00',
          points: '12.34',
          bank_cards: [
            { bank_code: 'ICBC', card_tail: '6688' },
            { bank_code: 'CMB', fund_type: 'CREDIT_CARD', card_tail: '1234', available: '5000.00' },
          ],
          coupons: [
            { voucher_id: 'API-RP-1', fund_channel: 'COUPON', amount: '5.00' },
            { voucher_id: 'API-MD-1', fund_channel: 'MDISCOUNT', merchant_pid: SELLER, name: '满50减10', amount: '10.00', expires_at: '2099-12-31 23:59:59' },
          ],
        },
      });
      assert.equal(created.logon_id, '13800138000');
      assert.equal(created.name, '张三');
      assert.equal(created.login_password, 'buyer-login');
      assert.equal(created.payment_password, '111111');
      const { funds } = created;
      assert.deepEqual(
        [funds.balance, funds.yuebao, funds.huabei_limit, funds.huabei_available, funds.points],
        ['100.00', '50.00', '2000.00', '2000.00', '12.34'],
      );
      assert.deepEqual(funds.bank_cards, [
        { position: 1, bank_code: 'ICBC', fund_type: 'DEBIT_CARD', card_tail: '6688', available: null },
        { position: 2, bank_code: 'CMB', fund_type: 'CREDIT_CARD', card_tail: '1234', available: '5000.00' },
      ]);
      assert.deepEqual(funds.coupons, [
        {
          voucher_id: 'API-MD-1',
          fund_channel: 'MDISCOUNT',
          name: '满50减10',
          merchant_pid: SELLER,
          amount: '10.00',
          remaining: '10.00',
          whole_only: true,
          expires_at: '2099-12-31 23:59:59',
          usable: true,
        },
        {
          voucher_id: 'API-RP-1',
          fund_channel: 'COUPON',
          name: '红包',
          merchant_pid: null,
          amount: '5.00',
          remaining: '5.00',
          whole_only: false,
          expires_at: null,
          usable: true,
        },
      ]);
    });

    it('409 duplicate for a logon id taken (an email in any case), or a voucher id held', async () => {
      await harness.adminOk('POST', '/buyers', { logon_id: 'dup@alitest.com' });
      for (const logon_id of ['dup@alitest.com', 'DUP@alitest.com']) {
        const again = await harness.admin('POST', '/buyers', { logon_id });
        assert.equal(again.status, 409);
        assert.equal(again.body.error.code, 'duplicate');
        assert.match(again.body.error.message, /dup@alitest\.com/);
      }
      await harness.adminOk('POST', '/buyers', { funds: { coupons: [{ voucher_id: 'HELD-BY-ONE', fund_channel: 'COUPON', amount: '1.00' }] } });
      const held = await harness.admin('POST', '/buyers', { funds: { coupons: [{ voucher_id: 'HELD-BY-ONE', fund_channel: 'COUPON', amount: '1.00' }] } });
      assert.equal(held.status, 409);
      assert.equal(held.body.error.code, 'duplicate');
    });

    it('400 invalid_request for bad bodies, naming the field', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ logon_id: 'not a logon id' }, /logon_id/],
        [{ logon_id: '12345' }, /logon_id/],
        [{ payment_password: '12345a' }, /payment_password/],
        [{ funds: { balance: '1.234' } }, /funds\.balance/],
        [{ funds: { balance: '-1.00' } }, /funds\.balance/],
        [{ funds: { points: 'lots' } }, /funds\.points/],
        [{ funds: { huabei: '1.00' } }, /huabei/],
        [{ funds: { bank_cards: [{ bank_code: 'icbc' }] } }, /bank_cards\.0\.bank_code/],
        [{ funds: { bank_cards: [{ bank_code: 'ICBC', fund_type: 'GOLD_CARD' }] } }, /bank_cards\.0\.fund_type/],
        [{ funds: { bank_cards: [{ bank_code: 'ICBC', card_tail: '12' }] } }, /bank_cards\.0\.card_tail/],
        [{ funds: { coupons: [{ fund_channel: 'BALANCE', amount: '1.00' }] } }, /coupons\.0\.fund_channel/],
        [{ funds: { coupons: [{ fund_channel: 'COUPON', amount: '0.00' }] } }, /coupons\.0\.amount/],
        [{ funds: { coupons: [{ fund_channel: 'MCOUPON', amount: '1.00' }] } }, /merchant_pid/],
        [{ funds: { coupons: [{ fund_channel: 'COUPON', merchant_pid: SELLER, amount: '1.00' }] } }, /merchant_pid/],
        [{ funds: { coupons: [{ fund_channel: 'COUPON', amount: '1.00', expires_at: 'tomorrow' }] } }, /coupons\.0\.expires_at/],
        [
          {
            funds: {
              coupons: [
                { voucher_id: 'TWICE', fund_channel: 'COUPON', amount: '1.00' },
                { voucher_id: 'TWICE', fund_channel: 'COUPON', amount: '1.00' },
              ],
            },
          },
          /TWICE/,
        ],
      ];
      for (const [body, message] of cases) {
        const response = await harness.admin('POST', '/buyers', body);
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.equal(response.body.error.code, 'invalid_request');
        assert.match(response.body.error.message, message, JSON.stringify(body));
      }
    });
  });

  describe('GET /buyers', () => {
    it('by buyer user id, and by ?logon_id= (an email in any case)', async () => {
      const created = await harness.adminOk('POST', '/buyers', { logon_id: 'Finder@AliTest.com' });
      assert.equal(created.logon_id, 'finder@alitest.com');
      const byLogon = await harness.adminOk('GET', `/buyers?logon_id=${encodeURIComponent('FINDER@alitest.com')}`);
      assert.equal(byLogon.buyer_user_id, created.buyer_user_id);
      const mobile = await harness.adminOk('POST', '/buyers', { logon_id: '13900139000' });
      assert.equal((await harness.adminOk('GET', '/buyers?logon_id=13900139000')).buyer_user_id, mobile.buyer_user_id);
    });

    it('404 buyer_not_found for an unknown one, 400 without a logon id', async () => {
      const unknown = await harness.admin('GET', '/buyers/2088999999999999');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.code, 'buyer_not_found');
      const unknownLogon = await harness.admin('GET', '/buyers?logon_id=nobody@alitest.com');
      assert.equal(unknownLogon.status, 404);
      assert.equal(unknownLogon.body.error.code, 'buyer_not_found');
      const none = await harness.admin('GET', '/buyers');
      assert.equal(none.status, 400);
      assert.equal(none.body.error.code, 'invalid_request');
      assert.match(none.body.error.message, /logon_id/);
      const twice = await harness.admin('GET', '/buyers?logon_id=a@b.cn&logon_id=c@d.cn');
      assert.equal(twice.status, 400);
    });
  });

  describe('PATCH /buyers/:buyer_user_id', () => {
    it('sets funds, tops them up, replaces cards and coupons', async () => {
      const { buyer_user_id: id } = await harness.adminOk('POST', '/buyers', { funds: { balance: '10.00', bank_cards: [{ bank_code: 'ICBC' }] } });
      let changed = await harness.adminOk('PATCH', `/buyers/${id}`, {
        funds: { balance: '100.00', huabei_limit: '500.00' },
        top_up: { balance: '0.50', yuebao: '20.00', points: '1.00', coupons: [{ fund_channel: 'MCOUPON', merchant_pid: SELLER, amount: '3.00' }] },
      });
      assert.deepEqual([changed.funds.balance, changed.funds.yuebao, changed.funds.huabei_limit, changed.funds.points], ['100.50', '20.00', '500.00', '1.00']);
      assert.equal(changed.funds.bank_cards.length, 1);
      assert.equal(changed.funds.coupons.length, 1);
      assert.match(changed.funds.coupons[0].voucher_id, /^\d{28}$/);
      assert.equal(changed.funds.coupons[0].whole_only, false, 'a red packet, usable in part');
      changed = await harness.adminOk('PATCH', `/buyers/${id}`, {
        funds: { bank_cards: [], coupons: [{ fund_channel: 'COUPON', amount: '8.88', whole_only: true }] },
      });
      assert.deepEqual(changed.funds.bank_cards, []);
      assert.deepEqual(
        changed.funds.coupons.map((c: Record<string, unknown>) => [c.fund_channel, c.amount, c.whole_only]),
        [['COUPON', '8.88', true]],
      );
      assert.deepEqual(await harness.adminOk('GET', `/buyers/${id}`), changed);
    });

    it('changes the name, the account status and the passwords', async () => {
      const { buyer_user_id: id } = await harness.adminOk('POST', '/buyers', {});
      const changed = await harness.adminOk('PATCH', `/buyers/${id}`, {
        name: '李四',
        account_status: 'frozen',
        login_password: 'new-login',
        payment_password: '222222',
      });
      assert.equal(changed.name, '李四');
      assert.equal(changed.account_status, 'frozen');
      assert.equal(changed.login_password, undefined);
      assert.equal((await harness.adminOk('PATCH', `/buyers/${id}`, { account_status: 'normal' })).account_status, 'normal');
    });

    it('404 buyer_not_found, 409 duplicate, 400 invalid_request', async () => {
      const missing = await harness.admin('PATCH', '/buyers/2088999999999999', { name: 'x' });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'buyer_not_found');
      const { buyer_user_id: id } = await harness.adminOk('POST', '/buyers', {
        funds: { coupons: [{ voucher_id: 'PATCH-HELD', fund_channel: 'COUPON', amount: '1.00' }] },
      });
      const held = await harness.admin('PATCH', `/buyers/${id}`, {
        top_up: { coupons: [{ voucher_id: 'PATCH-HELD', fund_channel: 'COUPON', amount: '1.00' }] },
      });
      assert.equal(held.status, 409);
      assert.equal(held.body.error.code, 'duplicate');
      const cases: Array<[unknown, RegExp]> = [
        [{ account_status: 'closed' }, /account_status/],
        [{ payment_password: '1234567' }, /payment_password/],
        [{ funds: { yuebao: '1.001' } }, /funds\.yuebao/],
        [{ top_up: { balance: '-5.00' } }, /top_up\.balance/],
        [{ top_up: { bank_cards: [] } }, /bank_cards/],
      ];
      for (const [body, message] of cases) {
        const response = await harness.admin('PATCH', `/buyers/${id}`, body);
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.equal(response.body.error.code, 'invalid_request');
        assert.match(response.body.error.message, message, JSON.stringify(body));
      }
      const unchanged = await harness.adminOk('GET', `/buyers/${id}`);
      assert.equal(unchanged.account_status, 'normal', 'a refused change changes nothing');
    });

    it('400 for a body that is null or not an object', async () => {
      const { buyer_user_id: id } = await harness.adminOk('POST', '/buyers', {});
      for (const [method, path] of [
        ['POST', '/buyers'],
        ['PATCH', `/buyers/${id}`],
      ] as const) {
        for (const body of ['null', '[]', '"text"', '42']) {
          const response = await fetch(`${harness.tuikuan.adminUrl}${path}`, {
            method,
            headers: { authorization: `Bearer ${harness.tuikuan.adminToken}`, 'content-type': 'application/json' },
            body,
          });
          assert.equal(response.status, 400, `${method} ${path} ${body}`);
          assert.equal(((await response.json()) as Record<string, any>).error.code, 'invalid_request');
        }
      }
    });
  });
});
