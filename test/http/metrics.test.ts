/**
 * /metrics (Prometheus text): gateway requests counted by method (or MAPI service) and result code, with
 * exact counts; their latency; admin requests by route and status. Only methods and services that exist
 * name a series — anything else a caller sends is `(invalid)`, so the number of series stays bounded.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { parseMetrics, valueOf } from '../support/metrics-text.js';
import { useHarness, assertAdminError } from '../support/harness.js';

describeEachEngine('/metrics', (engine) => {
  const { harness, kit } = useHarness(engine);
  let gateway: string;
  before(async () => {
    gateway = harness.tuikuan.gateway;
  });

  const scrape = async () => parseMetrics(await (await fetch(`${harness.tuikuan.url}/metrics`)).text());
  const REQUESTS = 'tuikuan_gateway_requests_total';

  it('counts each OpenAPI call once, by method, code and sub_code; an unknown method is (invalid)', async () => {
    for (let i = 0; i < 3; i++) await kit.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: `NONE${i}` } }, { validateSign: true });
    const biz = { out_trade_no: `M${Date.now()}`, scene: 'bar_code', auth_code: '286648395128379123', subject: 'metrics', total_amount: '1.00' };
    await kit.sdk.exec('alipay.trade.pay', { bizContent: biz }, { validateSign: true });
    for (const method of ['alipay.nope.one', 'alipay.nope.two']) await kit.sdk.exec(method, { bizContent: {} });

    const samples = await scrape();
    assert.equal(valueOf(samples, REQUESTS, { method: 'alipay.trade.query', code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' }), 3);
    assert.equal(valueOf(samples, REQUESTS, { method: 'alipay.trade.pay', code: '10000', sub_code: '' }), 1);
    assert.equal(valueOf(samples, REQUESTS, { method: '(invalid)', code: '40002', sub_code: 'isv.invalid-method' }), 2);
    assert.ok(!samples.some((s) => s.labels.method?.startsWith('alipay.nope')), 'no series named by a caller');
    assert.equal(valueOf(samples, 'tuikuan_gateway_request_duration_seconds_count', { method: 'alipay.trade.query' }), 3);
    assert.equal(valueOf(samples, 'tuikuan_gateway_request_duration_seconds_bucket', { method: 'alipay.trade.query', le: '+Inf' }), 3);
    assert.ok(valueOf(samples, 'tuikuan_gateway_request_duration_seconds_sum', { method: 'alipay.trade.query' }) > 0);
  });

  it('counts MAPI calls by service; a service that does not exist is (invalid), whatever its name', async () => {
    for (const service of ['no_such_service', 'another_made_up_one', `x${'y'.repeat(500)}`]) {
      const response = await fetch(`${gateway}?service=${service}&partner=${kit.pid}&_input_charset=utf-8`);
      assert.equal(response.status, 200);
      assert.match(await response.text(), /ILLEGAL_SERVICE/);
    }
    const verified = await fetch(`${gateway}?service=notify_verify&partner=${kit.pid}&notify_id=0123456789abcdef0123456789abcdef`);
    assert.equal(await verified.text(), 'false');

    const samples = await scrape();
    assert.equal(valueOf(samples, REQUESTS, { method: '(invalid)', code: 'ILLEGAL_SERVICE', sub_code: '' }), 3);
    assert.equal(valueOf(samples, REQUESTS, { method: 'notify_verify', code: 'false', sub_code: '' }), 1);
    assert.ok(!samples.some((s) => /made_up|no_such|yyy/.test(s.labels.method ?? '')), 'no series named by a caller');
    assert.equal(valueOf(samples, 'tuikuan_gateway_request_duration_seconds_count', { method: '(invalid)' }), 5, 'the unknown methods and services');
  });

  it('counts unreadable requests — a body too large, a URL over the header limit — as (unreadable)', async () => {
    await fetch(`${gateway}?method=alipay.trade.query`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a'.repeat(5 * 1024 * 1024) });
    await fetch(`${gateway}?method=alipay.trade.query&pad=${'a'.repeat(300 * 1024)}`);
    assert.equal(valueOf(await scrape(), REQUESTS, { method: '(unreadable)', code: '40002', sub_code: 'isv.invalid-parameter' }), 2);
  });

  it('counts admin calls by route and status', async () => {
    const before = valueOf(await scrape(), 'tuikuan_admin_requests_total', { route: '/admin/v1/merchants/:pid', status: '404' });
    for (let i = 0; i < 2; i++) assertAdminError(await harness.admin('GET', '/merchants/2088000000000000'), 404, 'merchant_not_found');
    assert.equal(valueOf(await scrape(), 'tuikuan_admin_requests_total', { route: '/admin/v1/merchants/:pid', status: '404' }), before + 2);
  });
});
