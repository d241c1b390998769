/**
 * The HTTP server's limits and the requests a careless or hostile client sends: a body that trickles in is
 * cut off once the request timeout passes; a HEAD of the gateway runs nothing; a filter given twice is a 400;
 * two creations of one merchant email at once are one 201 and 409s, never a 500.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HTTP_LIMITS, httpLimitsFrom } from '../../src/http/server.js';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, assertAdminError } from '../support/harness.js';
import { handApp, signedForm } from '../support/openapi-client.js';
import { trickle } from '../support/slow-client.js';
import { refundsOf } from '../support/refund-calls.js';

const REQUEST_TIMEOUT_MS = 600;

describe('the HTTP limits', () => {
  it('have documented defaults, each overridden by its environment variable', () => {
    assert.deepEqual(httpLimitsFrom({}, {}), DEFAULT_HTTP_LIMITS);
    assert.deepEqual(DEFAULT_HTTP_LIMITS, { requestTimeoutMs: 30_000, headersTimeoutMs: 20_000, keepAliveTimeoutMs: 72_000 });
    const env = { TUIKUAN_REQUEST_TIMEOUT_MS: '5000', TUIKUAN_HEADERS_TIMEOUT_MS: '2000', TUIKUAN_KEEP_ALIVE_TIMEOUT_MS: 'nonsense' };
    assert.deepEqual(httpLimitsFrom({}, env), { requestTimeoutMs: 5000, headersTimeoutMs: 2000, keepAliveTimeoutMs: 72_000 });
    assert.equal(httpLimitsFrom({ requestTimeoutMs: 7 }, env).requestTimeoutMs, 7, 'an option wins over the environment');
  });
});

describeEachEngine('a careless or hostile client', (engine) => {
  const { harness } = useHarness(engine, { tuikuan: { httpLimits: { requestTimeoutMs: REQUEST_TIMEOUT_MS, headersTimeoutMs: REQUEST_TIMEOUT_MS } }, merchant: false });

  describe('a body that trickles in', () => {
    it('is cut off once the request timeout has passed, with a 408', async () => {
      const result = await trickle(harness.tuikuan.gateway, 100);
      assert.match(result.answer, /^HTTP\/1\.1 408 /, 'answered as timed out');
      assert.ok(result.closedAfterMs >= REQUEST_TIMEOUT_MS, `not before the timeout (${result.closedAfterMs} ms)`);
      // Bounded well above the timeout and its check interval, so a slow machine does not fail it.
      assert.ok(result.closedAfterMs < REQUEST_TIMEOUT_MS + 10_000, `cut off (${result.closedAfterMs} ms)`);
    });

    it('and ones arriving together are all cut off, the server still answering others', async () => {
      const slow = await Promise.all(Array.from({ length: 10 }, () => trickle(harness.tuikuan.gateway, 100)));
      for (const result of slow) assert.match(result.answer, /^HTTP\/1\.1 408 /);
      assert.equal((await fetch(`${harness.tuikuan.url}/healthz`)).status, 200);
    });
  });

  describe('HEAD /gateway.do', () => {
    it('runs no method: a HEAD of a signed alipay.trade.refund refunds nothing', async () => {
      const app = await handApp(harness);
      const trade = await harness.adminOk('POST', '/trades', { app_id: app.appId, total_amount: '10.00' });
      const { form } = signedForm(app, { method: 'alipay.trade.refund', biz: { trade_no: trade.trade_no, refund_amount: '10.00' } });
      const head = await fetch(`${harness.tuikuan.gateway}?${form}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), '');
      assert.deepEqual(await refundsOf(harness, trade.trade_no), [], 'nothing refunded');
      assert.equal((await harness.adminOk('GET', `/trades/${trade.trade_no}`)).refunded_amount, '0.00');
      // The same request as a GET does refund: the HEAD was not turned away by accident.
      const get = await fetch(`${harness.tuikuan.gateway}?${form}`);
      assert.match(await get.text(), /"code":"10000"/);
      assert.equal((await refundsOf(harness, trade.trade_no)).length, 1);
    });

    it('of the cashier and admin API, is not a GET in disguise either', async () => {
      assert.equal((await fetch(`${harness.tuikuan.url}/cashier/batches/unknown`, { method: 'HEAD' })).status, 404);
      const admin = await fetch(`${harness.tuikuan.adminUrl}/platform`, { method: 'HEAD', headers: { authorization: `Bearer ${harness.tuikuan.adminToken}` } });
      assert.equal(admin.status, 404);
      assert.equal((await fetch(`${harness.tuikuan.url}/healthz`, { method: 'HEAD' })).status, 200, 'health checks may use HEAD');
    });
  });

  describe('a filter given twice on the admin API', () => {
    it('is a 400 naming it, not a 500', async () => {
      for (const path of ['/refunds?trade_no=a&trade_no=b', '/notifications?kind=trade_status_sync&kind=batch_refund_notify', '/batches/x?partner=a&partner=b']) {
        const response = await harness.admin('GET', path);
        assert.equal(response.status, 400, path);
        assert.equal(response.body.error.code, 'invalid_request');
        assert.match(response.body.error.message, /given more than once/);
      }
    });
  });

  describe('text with U+0000, which PostgreSQL cannot store', () => {
    it('is bad input everywhere it can come in, answered in each surface’s own way, never a 500', async () => {
      const app = await handApp(harness);
      assert.equal((await harness.admin('GET', '/trades/20261202%00')).status, 400);
      assertAdminError(await harness.admin('GET', '/trades/20261202%00'), 400, 'invalid_request', 'in the path');
      assert.equal((await harness.admin('GET', '/refunds?trade_no=a%00')).status, 400);
      assertAdminError(await harness.admin('GET', '/refunds?trade_no=a%00'), 400, 'invalid_request', 'in the query');
      const named = await harness.admin('POST', '/merchants', { name: 'a\u0000b' });
      assert.equal(named.status, 400);
      assertAdminError(named, 400, 'invalid_request', 'in the body');
      assert.match(named.body.error.message, /U\+0000/);
      assert.equal((await fetch(`${harness.tuikuan.url}/cashier/batches/x%00`)).status, 404);
      const unknownApp = await fetch(harness.tuikuan.gateway, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'method=alipay.trade.query&app_id=2021%00&biz_content=%7B%7D',
      });
      assert.match(await unknownApp.text(), /"sub_code":"isv.invalid-app-id"/);
      const { form } = signedForm(app, { method: 'alipay.trade.query', biz: { out_trade_no: 'a\u0000' } });
      assert.match(await (await fetch(`${harness.tuikuan.gateway}?${form}`)).text(), /"sub_code":"isv.invalid-parameter"/);
      const mapi = await fetch(`${harness.tuikuan.gateway}?service=notify_verify&partner=2088000000000000&notify_id=a%00`);
      assert.equal(await mapi.text(), 'invalid');
    });
  });

  describe('one merchant email created twice at once', () => {
    it('creates one merchant; every other creation is a 409 duplicate', async () => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => harness.admin('POST', '/merchants', { email: `same-${engine}@alitest.com` })));
      const statuses = answers.map((answer) => answer.status).sort();
      assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
      for (const answer of answers.filter((a) => a.status === 409)) assert.equal(answer.body.error.code, 'duplicate');
    });
  });
});
