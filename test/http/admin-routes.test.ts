/**
 * The admin API's contract (DESIGN.md): a bearer token, JSON in and out, a stable error code and message,
 * 400/401/404/409 — never a 500 for bad input. And health and metrics.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, newMerchant, assertAdminError } from '../support/harness.js';

describeEachEngine('the admin API', (engine) => {
  const { harness } = useHarness(engine, { merchant: false });

  const raw = (path: string, init: RequestInit = {}) => fetch(`${harness.tuikuan.adminUrl}${path}`, init);

  describe('a bearer token is required', () => {
    it('401 without one, or with a wrong one', async () => {
      for (const authorization of [undefined, 'Bearer nope', 'Basic dGVzdA==', `Bearer ${harness.tuikuan.adminToken}x`]) {
        const response = await raw('/platform', authorization ? { headers: { authorization } } : {});
        assert.equal(response.status, 401);
        assert.deepEqual(await response.json(), { error: { code: 'unauthorized', message: 'a valid admin bearer token is required' } });
      }
    });
  });

  describe('merchants', () => {
    it('creates one with a 2088 pid, an md5 key, passwords returned once, a ledger-backed opening balance', async () => {
      const created = await harness.adminOk('POST', '/merchants', { name: '测试商户', balance: '100.00', email: 'a@alitest.com', md5_key: 'abc123' });
      assert.match(created.pid, /^2088\d{12}$/);
      assert.equal(created.email, 'a@alitest.com');
      assert.equal(created.md5_key, 'abc123');
      assert.equal(created.balance, '100.00');
      assert.equal(typeof created.login_password, 'string');
      assert.match(created.payment_password, /^\d{6}$/);
      const fetched = await harness.adminOk('GET', `/merchants/${created.pid}`);
      assert.equal(fetched.login_password, undefined, 'passwords are not kept in the clear');
      const ledger = await harness.adminOk('GET', `/merchants/${created.pid}/ledger`);
      assert.deepEqual(ledger.entries.map((e: Record<string, string>) => [e.kind, e.amount]), [['opening', '100.00']]);
    });

    it('adjusts the balance by a delta or to a value, each one ledger entry, never below zero (409)', async () => {
      const { pid } = await harness.adminOk('POST', '/merchants', { balance: '10.00' });
      assert.equal((await harness.adminOk('POST', `/merchants/${pid}/balance`, { delta: '+5.50' })).balance, '15.50');
      assert.equal((await harness.adminOk('POST', `/merchants/${pid}/balance`, { delta: '-0.50' })).balance, '15.00');
      assert.equal((await harness.adminOk('POST', `/merchants/${pid}/balance`, { set: '0.00' })).balance, '0.00');
      const below = await harness.admin('POST', `/merchants/${pid}/balance`, { delta: '-0.01' });
      assert.equal(below.status, 409);
      assert.equal(below.body.error.code, 'balance_not_enough');
      const ledger = await harness.adminOk('GET', `/merchants/${pid}/ledger`);
      assert.equal(ledger.entries.length, 4);
      assert.equal(ledger.balance, ledger.entries_sum);
    });

    it('changes settings', async () => {
      const { pid } = await harness.adminOk('POST', '/merchants', {});
      const changed = await harness.adminOk('PATCH', `/merchants/${pid}`, {
        fee_rate: '0.006',
        refund_window_days: 90,
        pwd_refund_enabled: false,
        default_fund_mix: [
          { fund_channel: 'ALIPAYACCOUNT', percent: 70 },
          { fund_channel: 'BANKCARD', percent: 30, fund_type: 'CREDIT_CARD', bank_code: 'ICBC' },
        ],
        dback_delay_seconds: 60,
        dback_outcome: 'F',
      });
      assert.equal(changed.fee_rate, '0.006');
      assert.equal(changed.refund_window_days, 90);
      assert.equal(changed.pwd_refund_enabled, false);
      assert.equal(changed.default_fund_mix.length, 2);
      assert.equal(changed.dback_outcome, 'F');
    });

    it('400 invalid_request for bad bodies, naming the field', async () => {
      const { pid } = await harness.adminOk('POST', '/merchants', {});
      const cases: Array<[string, string, unknown, RegExp]> = [
        ['POST', '/merchants', { balance: '1.234' }, /balance/],
        ['POST', '/merchants', { balance: '-1' }, /balance/],
        ['POST', `/merchants/${pid}/balance`, { delta: 'lots' }, /delta/],
        ['POST', `/merchants/${pid}/balance`, { delta: '1.00', set: '2.00' }, /./],
        ['PATCH', `/merchants/${pid}`, { fee_rate: '1.5' }, /fee_rate/],
        ['PATCH', `/merchants/${pid}`, { default_fund_mix: [{ fund_channel: 'ALIPAYACCOUNT', percent: 60 }] }, /100/],
        ['PATCH', `/merchants/${pid}`, { default_fund_mix: [{ fund_channel: 'GOLD', percent: 100 }] }, /fund_channel/],
        ['PATCH', `/merchants/${pid}`, { default_fund_mix: [{ fund_channel: 'COUPON', percent: 100 }] }, /voucher|discount/],
        ['PATCH', `/merchants/${pid}`, { dback_outcome: 'X' }, /dback_outcome/],
      ];
      for (const [method, path, body, message] of cases) {
        const response = await harness.admin(method, path, body);
        assert.equal(response.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
        assert.equal(response.body.error.code, 'invalid_request');
        assert.match(response.body.error.message, message);
      }
    });

    it('400 for a body that is not JSON', async () => {
      const response = await raw('/merchants', {
        method: 'POST',
        headers: { authorization: `Bearer ${harness.tuikuan.adminToken}`, 'content-type': 'application/json' },
        body: '{"balance":',
      });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as Record<string, any>).error.code, 'invalid_request');
    });

    it('400 for a JSON body that is null, or not an object', async () => {
      const { pid } = await harness.adminOk('POST', '/merchants', {});
      for (const [method, path] of [
        ['POST', '/merchants'],
        ['PATCH', `/merchants/${pid}`],
        ['POST', `/merchants/${pid}/balance`],
        ['POST', '/apps'],
        ['POST', '/trades'],
        ['POST', '/app-auth-tokens'],
      ] as const) {
        for (const body of ['null', '[]', '"text"', '42']) {
          const response = await raw(path, {
            method,
            headers: { authorization: `Bearer ${harness.tuikuan.adminToken}`, 'content-type': 'application/json' },
            body,
          });
          assert.equal(response.status, 400, `${method} ${path} ${body}`);
          assert.equal(((await response.json()) as Record<string, any>).error.code, 'invalid_request');
        }
      }
    });

    it('409 duplicate for an email in use; 404 for an unknown merchant', async () => {
      await harness.adminOk('POST', '/merchants', { email: 'dup@alitest.com' });
      const dup = await harness.admin('POST', '/merchants', { email: 'dup@alitest.com' });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.code, 'duplicate');
      for (const [method, path, body] of [
        ['GET', '/merchants/2088000000000000', undefined],
        ['PATCH', '/merchants/2088000000000000', { name: 'x' }],
        ['POST', '/merchants/2088000000000000/balance', { delta: '+1.00' }],
        ['GET', '/merchants/2088000000000000/ledger', undefined],
      ] as const) {
        const response = await harness.admin(method, path, body);
        assert.equal(response.status, 404, `${method} ${path}`);
        assert.equal(response.body.error.code, 'merchant_not_found');
      }
    });
  });

  describe('apps, keys and tokens', () => {
    it('generates a key pair when none is given and returns the private key once; the platform key is what merchants configure', async () => {
      const { pid } = await harness.adminOk('POST', '/merchants', {});
      const app = await harness.adminOk('POST', '/apps', { pid });
      assert.match(app.app_id, /^2021\d{12}$/);
      assert.match(app.app_private_key, /BEGIN RSA PRIVATE KEY/);
      const platform = await harness.adminOk('GET', '/platform');
      assert.equal(app.platform_public_key, platform.public_key);
      assert.match(platform.public_key, /BEGIN PUBLIC KEY/);
      const fetched = await harness.adminOk('GET', `/apps/${app.app_id}`);
      assert.equal(fetched.app_private_key, undefined);
    });

    it('400 for a key that is not one; 404 for an unknown merchant, app or token', async () => {
      const { pid } = await harness.adminOk('POST', '/merchants', {});
      const bad = await harness.admin('POST', '/apps', { pid, app_public_key: 'not a key' });
      assert.equal(bad.status, 400);
      assertAdminError(bad, 400, 'invalid_request');
      assert.match(bad.body.error.message, /app_public_key/);
      assertAdminError(await harness.admin('POST', '/apps', { pid: '2088000000000000' }), 404, 'merchant_not_found');
      assert.equal((await harness.admin('GET', '/apps/2021000000000000')).body.error.code, 'app_not_found');
      assertAdminError(await harness.admin('GET', '/apps/2021000000000000'), 404, 'app_not_found');
      assertAdminError(await harness.admin('POST', '/app-auth-tokens', { app_id: '2021000000000000', pid }), 404, 'app_not_found');
      assert.equal((await harness.admin('DELETE', '/app-auth-tokens/nope')).body.error.code, 'token_not_found');
      assertAdminError(await harness.admin('DELETE', '/app-auth-tokens/nope'), 404, 'token_not_found');
    });

    it('404 app_not_found for an auth token or a trade of an unknown app; 404 merchant_not_found for a token of an unknown merchant', async () => {
      const kit = await newMerchant(harness);
      const noApp = await harness.admin('POST', '/app-auth-tokens', { app_id: '2021000000000000', pid: kit.pid });
      assert.equal(noApp.status, 404);
      assert.deepEqual(noApp.body, { error: { code: 'app_not_found', message: 'no app 2021000000000000' } });
      const noMerchant = await harness.admin('POST', '/app-auth-tokens', { app_id: kit.appId, pid: '2088000000000000' });
      assert.equal(noMerchant.status, 404);
      assert.deepEqual(noMerchant.body, { error: { code: 'merchant_not_found', message: 'no merchant 2088000000000000' } });
      const noTradeApp = await harness.admin('POST', '/trades', { app_id: '2021000000000000', total_amount: '1.00' });
      assert.equal(noTradeApp.status, 404);
      assert.deepEqual(noTradeApp.body, { error: { code: 'app_not_found', message: 'no app 2021000000000000' } });
    });
  });

  describe('trades', () => {
    it('creates paid trades with a fund bill and vouchers; 400 when the bill does not add up; 409 for a taken out_trade_no', async () => {
      const kit = await newMerchant(harness);
      const trade = await harness.adminOk('POST', '/trades', {
        app_id: kit.appId,
        out_trade_no: 'ADMIN-1',
        total_amount: '100.00',
        fund_bill_list: [
          { fund_channel: 'ALIPAYACCOUNT', amount: '70.00' },
          { fund_channel: 'BANKCARD', amount: '20.00', fund_type: 'DEBIT_CARD', bank_code: 'CMB' },
          { fund_channel: 'MDISCOUNT', amount: '10.00' },
        ],
        voucher_detail_list: [{ id: 'V1', amount: '10.00', merchant_contribute: '10.00' }],
      });
      assert.equal(trade.trade_status, 'TRADE_SUCCESS');
      assert.match(trade.trade_no, /^\d{28}$/);
      assert.equal(trade.receipt_amount, '90.00');
      assert.equal(trade.mdiscount_amount, '10.00');
      assert.equal(trade.fund_bill_list[1].fund_type, 'DEBIT_CARD');
      const dup = await harness.admin('POST', '/trades', { app_id: kit.appId, out_trade_no: 'ADMIN-1', total_amount: '1.00' });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.code, 'duplicate');
      const short = await harness.admin('POST', '/trades', { app_id: kit.appId, total_amount: '100.00', fund_bill_list: [{ fund_channel: 'ALIPAYACCOUNT', amount: '99.99' }] });
      assert.equal(short.status, 400);
      assertAdminError(short, 400, 'invalid_request');
      assert.match(short.body.error.message, /add up/);
      assertAdminError(await harness.admin('POST', '/trades', { app_id: kit.appId, total_amount: '0.00' }), 400, 'invalid_request', 'a zero total');
      assertAdminError(await harness.admin('POST', '/trades', { app_id: kit.appId, total_amount: '1.00', status: 'PAID' }), 400, 'invalid_request', 'a status no trade has');
      assert.equal((await harness.admin('GET', '/trades/2026000000000000000000000000')).body.error.code, 'trade_not_found');
      assertAdminError(await harness.admin('GET', '/trades/2026000000000000000000000000'), 404, 'trade_not_found');
      assertAdminError(await harness.admin('PATCH', '/trades/2026000000000000000000000000', { frozen: true }), 404, 'trade_not_found');
      const frozen = await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, { frozen: true, dback_outcome: 'F' });
      assert.equal(frozen.frozen, true);
      assert.equal(frozen.dback_outcome, 'F');
    });

    it('credits the merchant with the receipt and debits the fee when a trade is paid', async () => {
      const kit = await newMerchant(harness, { balance: '0.00' });
      await harness.adminOk('PATCH', `/merchants/${kit.pid}`, { fee_rate: '0.006' });
      await harness.adminOk('POST', '/trades', { app_id: kit.appId, total_amount: '100.00' });
      const ledger = await harness.adminOk('GET', `/merchants/${kit.pid}/ledger`);
      assert.deepEqual(ledger.entries.map((e: Record<string, string>) => [e.kind, e.amount]), [['payment', '100.00'], ['fee', '-0.60']]);
      assert.equal(ledger.balance, '99.40');
    });
  });

  describe('calls that are not there', () => {
    it('404 not_found for an unknown route or method under /admin/v1, in the API’s error shape; 401 first without the token', async () => {
      for (const [method, path] of [
        ['GET', '/nope'],
        ['GET', ''],
        ['GET', '/'],
        ['DELETE', '/merchants'],
        ['PUT', '/platform'],
        ['GET', '/merchants/2088000000000000/nope'],
      ] as const) {
        const response = await harness.admin(method, path);
        assert.equal(response.status, 404, `${method} ${path}`);
        assert.equal(response.body.error.code, 'not_found', `${method} ${path}`);
        assert.match(response.body.error.message, /^no such call: /);
        assert.deepEqual(Object.keys(response.body), ['error']);
      }
      const anonymous = await raw('/nope');
      assert.equal(anonymous.status, 401);
      assert.equal(((await anonymous.json()) as Record<string, any>).error.code, 'unauthorized');
    });

    it('400 invalid_request for a URL that cannot be decoded, or a path parameter too long to be one', async () => {
      for (const path of ['/trades/%E0%A4%A', '/merchants/%zz', '/apps/%C0', `/trades/${'9'.repeat(300)}`]) {
        const response = await raw(path, { headers: { authorization: `Bearer ${harness.tuikuan.adminToken}` } });
        assert.equal(response.status, 400, path);
        const body = (await response.json()) as Record<string, any>;
        assert.equal(body.error.code, 'invalid_request', path);
        assert.equal(typeof body.error.message, 'string');
      }
    });
  });

  describe('health and metrics', () => {
    it('/healthz answers once the database does; /metrics counts gateway requests by method and code', async () => {
      const health = await fetch(`${harness.tuikuan.url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok', clock: 'real' });
      const kit = await newMerchant(harness);
      await kit.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'METRICS' } });
      const metrics = await (await fetch(`${harness.tuikuan.url}/metrics`)).text();
      assert.match(metrics, /tuikuan_gateway_requests_total\{method="alipay\.trade\.query",code="40004",sub_code="ACQ\.TRADE_NOT_EXIST"\} \d+/);
      assert.match(metrics, /tuikuan_gateway_request_duration_seconds_bucket\{le="[^"]+",method="alipay\.trade\.query"\}/);
      assert.match(metrics, /tuikuan_admin_requests_total/);
    });
  });
});
