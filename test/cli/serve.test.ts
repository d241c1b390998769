/**
 * The front door: `tuikuan serve --demo` as a user runs it — it serves, writes demo.json as DESIGN.md's
 * contract shows it, answers a signed call from the official alipay-sdk with those credentials, keeps the
 * same demo across a restart, and stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { startServe } from '../support/processes.js';

describe('tuikuan serve --demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tuikuan-serve-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves, writes demo.json, answers the official SDK, and stops on SIGTERM with exit code 0', async () => {
    const serve = await startServe(['--demo', '--port', '0', '--data-dir', dataDir], { TUIKUAN_ADMIN_TOKEN: '' });
    try {
      assert.match(serve.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(serve.output(), /admin API {4}http:\/\/127\.0\.0\.1:\d+\/admin\/v1 {2}\(Authorization: Bearer [0-9a-f]+\)/);
      assert.match(serve.output(), /new AlipaySdk\(/, 'a copy-paste snippet');
      const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as Record<string, any>;
      assert.equal(demo.gateway, `${serve.url}/gateway.do`);
      assert.equal(demo.admin_url, `${serve.url}/admin/v1`);
      assert.equal(typeof demo.admin_token, 'string');
      assert.match(demo.platform_public_key, /^-----BEGIN PUBLIC KEY-----/);
      assert.match(demo.merchant.pid, /^2088\d{12}$/);
      for (const field of ['email', 'md5_key', 'login_password', 'payment_password', 'balance']) assert.equal(typeof demo.merchant[field], 'string', field);
      assert.equal(demo.app.sign_type, 'RSA2');
      assert.match(demo.app.app_private_key, /^-----BEGIN RSA PRIVATE KEY-----/);
      assert.match(demo.app.app_public_key, /^-----BEGIN PUBLIC KEY-----/);
      assert.ok(demo.trades.length >= 3);
      for (const trade of demo.trades) {
        assert.match(trade.trade_no, /^\d{28}$/);
        assert.equal(typeof trade.out_trade_no, 'string');
        assert.match(trade.total_amount, /^\d+\.\d{2}$/);
        assert.equal(trade.notify_url, null);
      }

      const sdk = new AlipaySdk({ appId: demo.app.app_id, privateKey: demo.app.app_private_key, alipayPublicKey: demo.platform_public_key, gateway: demo.gateway, camelcase: false });
      const query = await sdk.exec('alipay.trade.query', { bizContent: { trade_no: demo.trades[0].trade_no } }, { validateSign: true });
      assert.equal(query.code, '10000');
      assert.equal(query.trade_status, 'TRADE_SUCCESS');
      const refund = await sdk.exec('alipay.trade.refund', { bizContent: { trade_no: demo.trades[0].trade_no, refund_amount: '1.00', out_request_no: 'demo-refund-1' } }, { validateSign: true });
      assert.equal(refund.fund_change, 'Y');
      const admin = await fetch(`${demo.admin_url}/merchants/${demo.merchant.pid}`, { headers: { authorization: `Bearer ${demo.admin_token}` } });
      assert.equal(admin.status, 200);
    } finally {
      assert.equal(await serve.stop(), 0, serve.output());
    }

    const again = await startServe(['--demo', '--port', '0', '--data-dir', dataDir], { TUIKUAN_ADMIN_TOKEN: '' });
    try {
      const first = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as Record<string, any>;
      assert.equal(first.gateway, `${again.url}/gateway.do`, 'demo.json follows the new port');
      assert.match(again.output(), new RegExp(first.admin_token as string), 'the admin token kept in the data dir');
    } finally {
      assert.equal(await again.stop(), 0, again.output());
    }
  });

  it('refuses a bad option with a message, not a stack trace', async () => {
    await assert.rejects(startServe(['--port', 'nope', '--data-dir', dataDir]), (error: Error) => /port/i.test(error.message) && !/at .*\.js:\d+/.test(error.message));
  });
});
