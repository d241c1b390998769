/**
 * The CLI's everyday questions against a running `tuikuan serve --demo --clock virtual`, as separate commands:
 * the clock shown and advanced (`1h`), the next job run, the notifications (`--failing` only the ones a
 * notify_url keeps refusing), a trade with its refunds and notifications, snapshot and restore, reset — as
 * tables, and with `--json` as the admin API's JSON; the admin token found in the server's data dir; refusals
 * by their code, with exit code 1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { DEMO_APP_ID, DEMO_KEYS } from '../../src/cli/demo-world.js';
import { remoteAdmin, runTuikuan, startServe, type CommandResult, type RemoteAdmin, type ServeProcess } from '../support/processes.js';

const HOUR_MS = 3600 * 1000;

describe('tuikuan clock | notifications | trades show | reset, against a running server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tuikuan-cli-'));
  let serve: ServeProcess;
  let admin: RemoteAdmin;
  let sdk: AlipaySdk;
  let notifyUrl: string;
  let receiver: Server;
  /** The notify_url's answer: `fail` until told otherwise. */
  let answer = 'fail';

  /** `tuikuan <args>` with the server's URL and data dir (where its admin token is), and no token in the environment. */
  const cli = (...args: string[]): Promise<CommandResult> =>
    runTuikuan([...args, '--url', serve.url, '--data-dir', dataDir], { TUIKUAN_ADMIN_TOKEN: undefined });
  const ok = async (...args: string[]): Promise<string> => {
    const result = await cli(...args);
    assert.equal(result.code, 0, `tuikuan ${args.join(' ')}: ${result.stdout}${result.stderr}`);
    return result.stdout;
  };
  const json = async <T = Record<string, any>>(...args: string[]): Promise<T> => JSON.parse(await ok(...args, '--json')) as T;

  before(async () => {
    receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.end(answer));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    notifyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/notify`;
    // No token in the environment: serve makes one and keeps it in the data dir, where the CLI finds it.
    serve = await startServe(['--demo', '--clock', 'virtual', '--port', '0', '--data-dir', dataDir], { TUIKUAN_ADMIN_TOKEN: '' });
    const token = /Authorization: Bearer ([0-9a-f]+)/.exec(serve.output())?.[1];
    assert.ok(token, serve.output());
    admin = remoteAdmin(serve.url, token);
    const platform = await admin('GET', '/platform');
    sdk = new AlipaySdk({ appId: DEMO_APP_ID, privateKey: DEMO_KEYS.appPrivateKey, alipayPublicKey: platform.public_key, gateway: `${serve.url}/gateway.do` });
  });
  after(async () => {
    await serve?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the clock, and advances it by 1h: as text and as JSON', async () => {
    const shown = await json('clock');
    assert.equal(shown.kind, 'virtual');
    assert.match(await ok('clock'), new RegExp(`^clock  ${shown.now}  \\(virtual\\)$`, 'm'));
    const text = await ok('clock', 'advance', '1h');
    assert.match(text, /^clock {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}\(\+1h\)$/m);
    assert.match(text, /^no job ran$/m);
    const moved = await json('clock', 'advance', '30m');
    assert.equal(moved.now_ms, shown.now_ms + HOUR_MS + HOUR_MS / 2);
    assert.deepEqual(moved.ran, []);
    const bad = await cli('clock', 'advance', 'soon');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /a duration such as 90, 45s, 15m, 1h/);
  });

  it('lists the notifications, --failing only those the notify_url refuses; runs the next attempt with clock next-job', async () => {
    const failing = await admin('POST', '/trades', { app_id: DEMO_APP_ID, total_amount: '50.00', notify_url: notifyUrl, out_trade_no: 'CLI-FAIL' });
    const refunded = await sdk.exec('alipay.trade.refund', { bizContent: { trade_no: failing.trade_no, refund_amount: '5.00', out_request_no: 'CLI-R1' } });
    assert.equal(refunded.fundChange, 'Y');
    // The first attempt runs at once, and the receiver answers `fail`.
    await admin('POST', '/clock', { advance_seconds: 0 });

    const all = await json<Array<Record<string, any>>>('notifications');
    const mine = all.find((n) => n.trade_no === failing.trade_no);
    assert.ok(mine, JSON.stringify(all));
    assert.equal(mine.status, 'pending');
    const table = await ok('notifications', '--failing');
    const [header, rule, ...rows] = table.trim().split('\n');
    assert.match(header ?? '', /^notify_id +kind +trade \/ batch +status +attempts +last answer +next attempt +url$/);
    assert.match(rule ?? '', /^-+ +-+/);
    assert.equal(rows.length, 1, table);
    assert.match(rows[0] ?? '', new RegExp(`^${mine.notify_id} +trade_status_sync +${failing.trade_no} +pending +1 +200 fail +\\d{4}-`));

    answer = 'success';
    const step = await json('clock', 'next-job');
    assert.deepEqual(
      step.ran.map((run: Record<string, unknown>) => [run.kind, run.outcome]),
      [['notify', 'done']],
    );
    assert.equal(await ok('notifications', '--failing'), '(none)\n');
    const delivered = await json<Array<Record<string, any>>>('notifications', '--trade-no', failing.trade_no);
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]?.status, 'delivered');
  });

  it('shows a trade with its refunds and notifications; --json gives all three', async () => {
    const trade = await admin('POST', '/trades', { app_id: DEMO_APP_ID, total_amount: '30.00', out_trade_no: 'CLI-SHOW', subject: '年货礼盒' });
    await sdk.exec('alipay.trade.refund', {
      bizContent: { trade_no: trade.trade_no, refund_amount: '12.50', out_request_no: 'CLI-SHOW-1', refund_reason: '尺码不合' },
    });
    const text = await ok('trades', 'show', trade.trade_no);
    assert.match(text, new RegExp(`^trade_no +${trade.trade_no}$`, 'm'));
    assert.match(text, /^subject +年货礼盒$/m);
    assert.match(text, /^refunded +12\.50 in 1 refund$/m);
    assert.match(text, /^CLI-SHOW-1 +12\.50 +succeeded +refund +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +0 +-$/m);
    const shown = await json('trades', 'show', trade.trade_no);
    assert.equal(shown.trade.trade_no, trade.trade_no);
    assert.equal(shown.trade.refunded_amount, '12.50');
    assert.deepEqual(
      shown.refunds.map((r: Record<string, unknown>) => r.out_request_no),
      ['CLI-SHOW-1'],
    );
    assert.deepEqual(shown.notifications, []);

    const missing = await cli('trades', 'show', '2026000000000000000000000000');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^trade_not_found: no trade 2026000000000000000000000000$/m);
  });

  it('takes a snapshot and restores it; resets the world to the demo and the clock to its start', async () => {
    const snapshot = await json('snapshot');
    assert.match(snapshot.snapshot_id, /^snap_/);
    const later = await admin('POST', '/trades', { app_id: DEMO_APP_ID, total_amount: '9.00', out_trade_no: 'CLI-LATER' });
    assert.match(await ok('restore', snapshot.snapshot_id), new RegExp(`^restored ${snapshot.snapshot_id}: clock at ${snapshot.clock_at}$`, 'm'));
    assert.equal((await cli('trades', 'show', later.trade_no)).code, 1, 'made after the snapshot: gone');

    const text = await ok('reset');
    assert.match(text, /^reset: clock at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
    assert.match(text, /^merchants +1$/m);
    assert.match(text, /^trades +4$/m, 'the demo trades, and no others');
    const reset = await json('reset');
    assert.equal(reset.rows.trades, 4);
    assert.equal((await json('clock')).now_ms, reset.now_ms);
    const demo = await json('trades', 'show', '2026010122001000000000000001');
    assert.equal(demo.trade.refunded_amount, '0.00');
  });

  it('refuses a wrong token with the admin API code, and says so when it has none', async () => {
    const wrong = await runTuikuan(['clock', '--url', serve.url, '--admin-token', 'not-the-token']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^unauthorized: a valid admin bearer token is required$/m);
    const none = await runTuikuan(['clock', '--url', serve.url, '--data-dir', join(dataDir, 'nowhere')], { TUIKUAN_ADMIN_TOKEN: undefined });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no admin token: give --admin-token or TUIKUAN_ADMIN_TOKEN/);
    const down = await runTuikuan(['clock', '--url', 'http://127.0.0.1:9', '--admin-token', 't']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach tuikuan at http:\/\/127\.0\.0\.1:9\/admin\/v1/);
  });
});
