/**
 * The environment `tuikuan serve` honours, each variable shown to take effect with no option given:
 * TUIKUAN_PORT, TUIKUAN_HOST, TUIKUAN_DATA_DIR, TUIKUAN_SEED, TUIKUAN_JOB_LEASE_MS and TUIKUAN_LOG_LEVEL;
 * TUIKUAN_DB and TUIKUAN_ADMIN_TOKEN; TUIKUAN_REQUEST_TIMEOUT_MS, TUIKUAN_HEADERS_TIMEOUT_MS and
 * TUIKUAN_KEEP_ALIVE_TIMEOUT_MS; TUIKUAN_NOTIFY_POLICY and TUIKUAN_NOTIFY_ALLOW; TUIKUAN_ROLE; TUIKUAN_PROCESSES.
 * (TUIKUAN_DB and TUIKUAN_DATA_DIR for `tuikuan migrate`: main.test.ts.)
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/store/store.js';
import { createPgDatabase, describeEachEngine, type TestDatabase } from '../support/engines.js';
import { startNotifyReceiver, type NotifyReceiver } from '../support/notify-receiver.js';
import { accepting, childProcessesOf, freePort, remoteAdmin, remoteMerchant, startServe, type RemoteAdmin, type ServeProcess } from '../support/processes.js';
import { chinaTimeMs } from '../support/refund-calls.js';
import { idleAfterRequest, trickle, unfinishedHeaders } from '../support/slow-client.js';

/** The variables under test, unset unless a test sets them: the test runner's own must not decide for it. */
const UNSET = Object.fromEntries(
  ['DB', 'PORT', 'HOST', 'DATA_DIR', 'ADMIN_TOKEN', 'ROLE', 'PROCESSES', 'SEED', 'JOB_LEASE_MS', 'NOTIFY_POLICY', 'NOTIFY_ALLOW', 'REQUEST_TIMEOUT_MS', 'HEADERS_TIMEOUT_MS', 'KEEP_ALIVE_TIMEOUT_MS'].map((name) => [
    `TUIKUAN_${name}`,
    undefined,
  ]),
);

/** Starts serve with no option at all, its settings from the environment alone; keeps it for `after`. */
function serveWith(env: Record<string, string>, processes: ServeProcess[]): Promise<ServeProcess> {
  return startServe([], { ...UNSET, ...env }).then((serve) => {
    processes.push(serve);
    return serve;
  });
}

// One engine (SQLite in the data dir, which TUIKUAN_DATA_DIR is about); TUIKUAN_DB is tried on both below.
describe('TUIKUAN_PORT, TUIKUAN_HOST, TUIKUAN_DATA_DIR, TUIKUAN_SEED, TUIKUAN_JOB_LEASE_MS and TUIKUAN_LOG_LEVEL', () => {
  const root = mkdtempSync(join(tmpdir(), 'tuikuan-env-'));
  const dataDir = join(root, 'data');
  const LEASE_MS = 600_000;
  const processes: ServeProcess[] = [];
  let serve: ServeProcess;
  let port: number;
  let admin: RemoteAdmin;
  before(async () => {
    port = await freePort('127.0.0.2');
    serve = await serveWith(
      {
        TUIKUAN_PORT: String(port),
        TUIKUAN_HOST: '127.0.0.2',
        TUIKUAN_DATA_DIR: dataDir,
        TUIKUAN_SEED: join(process.cwd(), 'examples', 'seed.json'),
        TUIKUAN_JOB_LEASE_MS: String(LEASE_MS),
        TUIKUAN_LOG_LEVEL: 'info',
      },
      processes,
    );
    admin = remoteAdmin(serve.url, readFileSync(join(dataDir, 'admin-token'), 'utf8').trim());
  });
  after(async () => {
    for (const p of processes) await p.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('TUIKUAN_PORT and TUIKUAN_HOST: it listens there, and only there', async () => {
    assert.equal(serve.url, `http://127.0.0.2:${port}`);
    assert.equal((await fetch(`${serve.url}/healthz`)).status, 200);
    assert.equal(await accepting('127.0.0.1', port), false, 'not on 127.0.0.1');
  });

  it('TUIKUAN_DATA_DIR: the database and the admin token it made are kept there', async () => {
    assert.ok(existsSync(join(dataDir, 'tuikuan.db')));
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    assert.match(serve.output(), new RegExp(`Authorization: Bearer ${token}\\)`), 'the token it prints is the one it kept');
  });

  it('TUIKUAN_SEED: the declared world is there', async () => {
    const merchant = await admin('GET', '/merchants/2088102000000001');
    assert.equal(merchant.name, '示例商户');
    assert.equal(merchant.email, 'seller@example.com');
    assert.equal((await admin('GET', '/apps/2021001000000001')).pid, '2088102000000001');
  });

  it('TUIKUAN_JOB_LEASE_MS: a worker holds a job it runs for that long', async () => {
    let release!: () => void;
    const held = new Promise<string>((resolve) => (release = () => resolve('success')));
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const receiver: NotifyReceiver = await startNotifyReceiver(() => {
      arrived();
      return held;
    });
    try {
      const merchant = await remoteMerchant(serve.url, admin);
      const trade = await admin('POST', '/trades', { app_id: merchant.appId, total_amount: '10.00', notify_url: receiver.url });
      const reply = await merchant.sdk.exec('alipay.trade.refund', { bizContent: { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'LEASE' } }, { validateSign: true });
      assert.equal(reply.code, '10000');
      await arrival;
      const running = ((await admin('GET', '/jobs')).jobs as Array<Record<string, any>>).find((job) => job.status === 'running');
      assert.ok(running, 'the notification job is held while its POST waits');
      const leftMs = chinaTimeMs(running.locked_until as string) - Date.now();
      assert.ok(leftMs > LEASE_MS - 10_000 && leftMs <= LEASE_MS + 1_000, `held for ${leftMs} ms more, not the default 60 s`);
    } finally {
      release();
      await receiver.close();
    }
  });

  it('TUIKUAN_LOG_LEVEL: info lines are written (the default in these tests is warn)', async () => {
    assert.equal(await serve.stop(), 0);
    assert.match(serve.output(), /"level":30,.*"signal":"SIGTERM","msg":"stopping"/);
  });
});

describeEachEngine('TUIKUAN_DB and TUIKUAN_ADMIN_TOKEN', (engine) => {
  const root = mkdtempSync(join(tmpdir(), 'tuikuan-env-db-'));
  const dataDir = join(root, 'data');
  const processes: ServeProcess[] = [];
  let database: TestDatabase | null = null;
  let location: string;
  let serve: ServeProcess;
  before(async () => {
    database = engine === 'postgres' ? await createPgDatabase() : null;
    location = database?.location ?? join(root, 'elsewhere', 'store.db');
    serve = await serveWith({ TUIKUAN_DB: location, TUIKUAN_ADMIN_TOKEN: 'token-from-env', TUIKUAN_DATA_DIR: dataDir, TUIKUAN_PORT: '0' }, processes);
  });
  after(async () => {
    for (const p of processes) await p.stop();
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('TUIKUAN_ADMIN_TOKEN: the admin API takes that token and no other; none is made and kept in the data dir', async () => {
    assert.equal((await fetch(`${serve.url}/admin/v1/platform`, { headers: { authorization: 'Bearer token-from-env' } })).status, 200);
    assert.equal((await fetch(`${serve.url}/admin/v1/platform`, { headers: { authorization: 'Bearer token-from-env-not' } })).status, 401);
    assert.equal(existsSync(join(dataDir, 'admin-token')), false);
  });

  it('TUIKUAN_DB: what it writes is in that database, and no database is made in the data dir', async () => {
    const created = await remoteAdmin(serve.url, 'token-from-env')('POST', '/merchants', { name: '环境变量商户' });
    assert.equal(existsSync(join(dataDir, 'tuikuan.db')), false);
    const store = openStore({ location });
    try {
      const row = await store.db.selectFrom('merchants').select(['name']).where('pid', '=', created.pid).executeTakeFirst();
      assert.equal(row?.name, '环境变量商户');
    } finally {
      await store.close();
    }
  });
});

// One engine: these are the HTTP server's, whatever the store. Raw sockets only: a keep-alive timeout this short
// would race a pooling client such as fetch.
describe('TUIKUAN_REQUEST_TIMEOUT_MS, TUIKUAN_HEADERS_TIMEOUT_MS and TUIKUAN_KEEP_ALIVE_TIMEOUT_MS', () => {
  const root = mkdtempSync(join(tmpdir(), 'tuikuan-env-http-'));
  const processes: ServeProcess[] = [];
  const REQUEST_MS = 1500;
  const HEADERS_MS = 400;
  const KEEP_ALIVE_MS = 300;
  // Far below the defaults (30 s, 20 s, 72 s) and above these values with room for a slow machine.
  const SOON = 6_000;
  let serve: ServeProcess;
  before(async () => {
    serve = await serveWith(
      {
        TUIKUAN_DATA_DIR: root,
        TUIKUAN_PORT: '0',
        TUIKUAN_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
        TUIKUAN_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
        TUIKUAN_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS),
      },
      processes,
    );
  });
  after(async () => {
    for (const p of processes) await p.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('TUIKUAN_REQUEST_TIMEOUT_MS: a body still trickling in then is cut off with a 408', async () => {
    const result = await trickle(`${serve.url}/gateway.do`, 100);
    assert.match(result.answer, /^HTTP\/1\.1 408 /);
    assert.ok(result.closedAfterMs >= REQUEST_MS && result.closedAfterMs < REQUEST_MS + SOON, `cut off after ${result.closedAfterMs} ms`);
  });

  it('TUIKUAN_HEADERS_TIMEOUT_MS: headers that never end are cut off then, before the request timeout', async () => {
    const result = await unfinishedHeaders(serve.url);
    assert.ok(result.closedAfterMs >= HEADERS_MS && result.closedAfterMs < REQUEST_MS, `cut off after ${result.closedAfterMs} ms`);
  });

  it('TUIKUAN_KEEP_ALIVE_TIMEOUT_MS: an idle kept-alive connection is closed then', async () => {
    const result = await idleAfterRequest(serve.url);
    assert.match(result.answer, /^HTTP\/1\.1 200 /);
    assert.ok(result.closedAfterMs >= KEEP_ALIVE_MS - 50 && result.closedAfterMs < SOON, `closed ${result.closedAfterMs} ms after the answer`);
  });
});

// One engine: where a notification may go is decided before any store is read.
describe('TUIKUAN_NOTIFY_POLICY and TUIKUAN_NOTIFY_ALLOW', () => {
  const root = mkdtempSync(join(tmpdir(), 'tuikuan-env-notify-'));
  const processes: ServeProcess[] = [];
  const receivers: NotifyReceiver[] = [];
  after(async () => {
    for (const p of processes) await p.stop();
    for (const r of receivers) await r.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('public, allowing 127.0.0.2: a notification to 127.0.0.1 is refused, one to 127.0.0.2 delivered', async () => {
    const refused = await startNotifyReceiver('success', { host: '127.0.0.1' });
    const allowed = await startNotifyReceiver('success', { host: '127.0.0.2' });
    receivers.push(refused, allowed);
    const serve = await serveWith({ TUIKUAN_DATA_DIR: root, TUIKUAN_PORT: '0', TUIKUAN_ADMIN_TOKEN: 'notify-token', TUIKUAN_NOTIFY_POLICY: 'public', TUIKUAN_NOTIFY_ALLOW: '127.0.0.2' }, processes);
    assert.match(serve.output(), /notify {7}public addresses only, and 127\.0\.0\.2/);
    const admin = remoteAdmin(serve.url, 'notify-token');
    const merchant = await remoteMerchant(serve.url, admin);
    const outcomes: string[] = [];
    for (const receiver of [refused, allowed]) {
      const trade = await admin('POST', '/trades', { app_id: merchant.appId, total_amount: '10.00', notify_url: receiver.url });
      assert.equal((await merchant.sdk.exec('alipay.trade.refund', { bizContent: { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'N1' } })).code, '10000');
      // The real clock: the worker delivers at once; wait for the outcome, not for a schedule.
      for (const end = Date.now() + 20_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
        const [notification] = (await admin('GET', `/notifications?trade_no=${trade.trade_no}`)).notifications as Array<Record<string, any>>;
        if (notification && notification.status !== 'pending') {
          outcomes.push(`${notification.status} ${notification.attempt_log[0]?.error ?? ''}`.trim());
          break;
        }
        assert.ok(Date.now() < end, 'the notification was attempted');
      }
    }
    assert.match(outcomes[0]!, /^given_up destination refused: /);
    assert.equal(outcomes[1], 'delivered');
    assert.equal(refused.connections(), 0);
    assert.equal(allowed.received.length, 1);
  });
});

// One engine: a role and a process count are the same on either; several processes on PostgreSQL and on
// SQLite are multi-process.test.ts's.
describe('TUIKUAN_ROLE and TUIKUAN_PROCESSES', () => {
  const root = mkdtempSync(join(tmpdir(), 'tuikuan-env-role-'));
  const processes: ServeProcess[] = [];
  after(async () => {
    for (const p of processes) await p.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('TUIKUAN_ROLE=worker: no HTTP at all, on the port it would have used', async () => {
    const port = await freePort();
    const serve = await serveWith({ TUIKUAN_DATA_DIR: join(root, 'worker'), TUIKUAN_PORT: String(port), TUIKUAN_ROLE: 'worker' }, processes);
    assert.equal(serve.url, '');
    assert.match(serve.output(), /tuikuan running \(worker role: no HTTP\)/);
    assert.match(serve.output(), /role {9}worker × 1 process/);
    assert.equal(await accepting('127.0.0.1', port), false);
  });

  it('TUIKUAN_PROCESSES=2: a primary and two serving processes', async () => {
    const serve = await serveWith({ TUIKUAN_DATA_DIR: join(root, 'cluster'), TUIKUAN_PORT: '0', TUIKUAN_PROCESSES: '2' }, processes);
    assert.match(serve.output(), /role {9}all × 2 processes/);
    assert.equal(childProcessesOf(serve.child.pid!).length, 2);
    assert.equal((await fetch(`${serve.url}/healthz`)).status, 200);
  });
});
