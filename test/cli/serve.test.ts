/**
 * The front door: `tuikuan serve --demo` as a user runs it — it creates its data dir, serves, writes
 * demo.json as DESIGN.md's contract shows it, answers a signed call from the official alipay-sdk with those
 * credentials, keeps the same demo and platform key across a restart, and stops cleanly on SIGTERM; and
 * `serve --clock virtual`, whose clock moves only when told to.
 */
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { replySigningFor } from '../../src/cli/cluster.js';
import { accepting, startServe } from '../support/processes.js';

// One engine (the default, SQLite in the data dir): this is the front door as a first-time user runs it; serve on a
// postgres:// URL is run on both engines by multi-process.test.ts.
describe('tuikuan serve --demo', () => {
  const root = mkdtempSync(join(tmpdir(), 'tuikuan-serve-'));
  // A data dir that does not exist yet, two levels down: serve creates it.
  const dataDir = join(root, 'not', 'yet');
  after(() => rmSync(root, { recursive: true, force: true }));

  it('creates its data dir, serves, writes demo.json, answers the official SDK, and stops on SIGTERM with exit code 0', async () => {
    assert.equal(existsSync(dataDir), false);
    const serve = await startServe(['--demo', '--port', '0', '--data-dir', dataDir], { TUIKUAN_ADMIN_TOKEN: '' });
    let platformKey = '';
    try {
      for (const file of ['tuikuan.db', 'admin-token', 'demo.json']) assert.ok(existsSync(join(dataDir, file)), `${file} in the new data dir`);
      assert.match(serve.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(serve.output(), /admin API {4}http:\/\/127\.0\.0\.1:\d+\/admin\/v1 {2}\(Authorization: Bearer [0-9a-f]+\)/);
      assert.match(serve.output(), /console {6}http:\/\/127\.0\.0\.1:\d+\/console /, 'where the console is');
      assert.match(serve.output(), /new AlipaySdk\(/, 'a copy-paste snippet');
      const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as Record<string, any>;
      assert.equal(demo.gateway, `${serve.url}/gateway.do`);
      assert.equal(demo.admin_url, `${serve.url}/admin/v1`);
      assert.equal(typeof demo.admin_token, 'string');
      assert.match(demo.platform_public_key, /^-----BEGIN PUBLIC KEY-----/);
      const platform = createPublicKey(demo.platform_public_key);
      assert.equal(platform.asymmetricKeyType, 'rsa');
      assert.equal(platform.asymmetricKeyDetails?.modulusLength, 2048, 'the platform key pair is RSA-2048');
      platformKey = demo.platform_public_key;
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

      const sdk = new AlipaySdk({
        appId: demo.app.app_id,
        privateKey: demo.app.app_private_key,
        alipayPublicKey: demo.platform_public_key,
        gateway: demo.gateway,
        camelcase: false,
      });
      const query = await sdk.exec('alipay.trade.query', { bizContent: { trade_no: demo.trades[0].trade_no } }, { validateSign: true });
      assert.equal(query.code, '10000');
      assert.equal(query.trade_status, 'TRADE_SUCCESS');
      const refund = await sdk.exec(
        'alipay.trade.refund',
        { bizContent: { trade_no: demo.trades[0].trade_no, refund_amount: '1.00', out_request_no: 'demo-refund-1' } },
        { validateSign: true },
      );
      assert.equal(refund.fund_change, 'Y');
      const admin = await fetch(`${demo.admin_url}/merchants/${demo.merchant.pid}`, { headers: { authorization: `Bearer ${demo.admin_token}` } });
      assert.equal(admin.status, 200);
    } finally {
      assert.equal(await serve.stop(), 0, serve.output());
    }

    const again = await startServe(['--demo', '--port', '0', '--data-dir', dataDir], { TUIKUAN_ADMIN_TOKEN: '' });
    try {
      const restarted = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as Record<string, any>;
      assert.equal(restarted.gateway, `${again.url}/gateway.do`, 'demo.json follows the new port');
      assert.match(again.output(), new RegExp(restarted.admin_token as string), 'the admin token kept in the data dir');
      assert.equal(restarted.platform_public_key, platformKey, 'the platform key pair is kept, not made anew');
      const platform = await fetch(`${restarted.admin_url}/platform`, { headers: { authorization: `Bearer ${restarted.admin_token}` } });
      assert.equal(((await platform.json()) as Record<string, string>).public_key, platformKey);
    } finally {
      assert.equal(await again.stop(), 0, again.output());
    }
  });

  it('refuses a bad option with a message, not a stack trace', async () => {
    await assert.rejects(
      startServe(['--port', 'nope', '--data-dir', dataDir]),
      (error: Error) => /port/i.test(error.message) && !/at .*\.js:\d+/.test(error.message),
    );
  });
});

// One engine: the signal is the process's, whatever its store (the cluster's SIGINT runs on both in multi-process.test.ts).
describe('tuikuan serve and SIGINT (Ctrl-C)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tuikuan-sigint-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stops cleanly: exit code 0, the port closed, and what it had written is there at the next start', async () => {
    const env = { TUIKUAN_ADMIN_TOKEN: 'sigint-token' };
    const serve = await startServe(['--port', '0', '--data-dir', dataDir], env);
    const { hostname, port } = new URL(serve.url);
    const admin = (url: string, method: string, path: string, body?: unknown) =>
      fetch(`${url}/admin/v1${path}`, {
        method,
        headers: { authorization: 'Bearer sigint-token', ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    const created = (await (await admin(serve.url, 'POST', '/merchants', { balance: '12.34' })).json()) as Record<string, string>;
    assert.equal(await accepting(hostname, Number(port)), true);

    assert.equal(await serve.stop('SIGINT'), 0, serve.output());
    assert.doesNotMatch(serve.output(), /ended by SIGINT/, 'it exited by itself, not killed by the signal');
    assert.equal(await accepting(hostname, Number(port)), false, 'nothing listens on its port any more');

    const again = await startServe(['--port', '0', '--data-dir', dataDir], env);
    try {
      const kept = await admin(again.url, 'GET', `/merchants/${created.pid}`);
      assert.equal(kept.status, 200);
      assert.equal(((await kept.json()) as Record<string, string>).balance, '12.34');
    } finally {
      assert.equal(await again.stop('SIGINT'), 0, again.output());
    }
  });
});

// One engine: the virtual clock is kept in the store on either; the admin clock runs on both in advance-clock.test.ts.
describe('tuikuan serve --clock virtual', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tuikuan-clock-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts a virtual clock that stands still until the admin API advances it', async () => {
    const serve = await startServe(['--clock', 'virtual', '--port', '0', '--data-dir', dataDir], { TUIKUAN_ADMIN_TOKEN: 'clock-test-token' });
    try {
      assert.match(serve.output(), /clock {8}virtual/);
      const admin = (method: string, body?: unknown) =>
        fetch(`${serve.url}/admin/v1/clock`, {
          method,
          headers: { authorization: 'Bearer clock-test-token', ...(body !== undefined && { 'content-type': 'application/json' }) },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
      const before = (await (await admin('GET')).json()) as Record<string, any>;
      assert.equal(before.kind, 'virtual');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const still = (await (await admin('GET')).json()) as Record<string, any>;
      assert.equal(still.now_ms, before.now_ms, 'a second of real time moves nothing');
      const advanced = await admin('POST', { advance_seconds: 86400 });
      assert.equal(advanced.status, 200);
      const moved = (await advanced.json()) as Record<string, any>;
      assert.equal(moved.kind, 'virtual');
      assert.equal(moved.now_ms, before.now_ms + 86400_000, 'exactly a day later');
      assert.equal(((await (await admin('GET')).json()) as Record<string, any>).now_ms, moved.now_ms);
      assert.equal(((await (await fetch(`${serve.url}/healthz`)).json()) as Record<string, string>).clock, 'virtual');
    } finally {
      assert.equal(await serve.stop(), 0, serve.output());
    }
  });
});

describe('where a cluster signs its replies', () => {
  it('on the thread pool while cores are spare, in line once there is a process per core', () => {
    const cores = availableParallelism();
    assert.equal(replySigningFor(cores), 'event-loop');
    assert.equal(replySigningFor(cores + 1), 'event-loop');
    if (cores > 1) assert.equal(replySigningFor(cores - 1), 'thread-pool');
  });
});
