/**
 * A reproduction of what the chaos harness found: a notification whose delivery outlasts the job lease is
 * delivered by two workers at once (the second takes the job over when the lease runs out), and when the run
 * that holds the job last is the one whose attempt was not counted, it completes the job — the notification
 * stays `pending`, with a next attempt due, and no job left to make it. It is never retried and never given up.
 *
 * `node dist/bench/chaos-repro-lease.js [--engine sqlite|postgres]`: a `serve --processes 2` cluster (two
 * workers) with TUIKUAN_JOB_LEASE_MS=1000, a notify_url that answers `fail` (slowly, twice), one refund. Exits 1
 * (and prints the rows) when the notification is left pending without a job.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import pg from 'pg';
import { openLog, TuikuanCluster } from './chaos-processes.js';
import { AdminClient } from './chaos-world.js';

const TOKEN = 'repro-token';
const engine = process.argv.includes('postgres') ? 'postgres' : 'sqlite';
const PG_URL = process.env.TUIKUAN_CHAOS_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'tuikuan-repro-lease-'));
  let dropDatabase = async () => {};
  let db = join(work, 'tuikuan.db');
  if (engine === 'postgres') {
    const name = `tuikuan_repro_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    db = url.toString();
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  // A merchant that always says `fail`, the first time after 1.3 s — past the 1 s lease, so the other worker
  // takes the job over and posts again — and the second time after 0.6 s: the first worker's attempt is
  // counted first (it no longer holds the job, so it cannot reschedule it), then the holder's attempt is found
  // already counted, and the holder completes the job.
  let posts = 0;
  const delays = [1300, 600];
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const delay = delays[posts] ?? 0;
      posts++;
      setTimeout(() => response.end('fail'), delay);
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`;

  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  const cluster = new TuikuanCluster({
    db,
    dataDir: work,
    port,
    env: { TUIKUAN_ADMIN_TOKEN: TOKEN, TUIKUAN_JOB_LEASE_MS: '1000', TUIKUAN_LOG_LEVEL: 'warn' },
    log: openLog(join(work, 'serve.log')),
    onUnplannedExit: (what) => console.error(what),
    onErrorLogged: (line) => console.error(line),
  });
  try {
    await cluster.start();
    const admin = new AdminClient(cluster.url, TOKEN);
    const merchant = await admin.ok<{ pid: string }>('POST', '/merchants', { balance: '1000.00' });
    const app = await admin.ok<{ app_id: string; app_private_key: string }>('POST', '/apps', { pid: merchant.pid });
    const platform = await admin.ok<{ public_key: string }>('GET', '/platform');
    const trade = await admin.ok<{ trade_no: string }>('POST', '/trades', { app_id: app.app_id, total_amount: '100.00', notify_url: notifyUrl });
    // A synchronous refund owes the trade's notify_url a trade_status_sync.
    const sdk = new AlipaySdk({
      appId: app.app_id,
      privateKey: app.app_private_key,
      alipayPublicKey: platform.public_key,
      gateway: `${cluster.url}/gateway.do`,
      camelcase: false,
    });
    const reply = (await sdk.exec(
      'alipay.trade.refund',
      { bizContent: { trade_no: trade.trade_no, refund_amount: '10.00', out_request_no: 'R1' } },
      { validateSign: true },
    )) as Record<string, unknown>;
    console.log(`refund: ${reply.code} fund_change ${String(reply.fund_change)}`);

    await sleep(5000);
    const notifications = await admin.ok<{ notifications: Array<Record<string, unknown>> }>('GET', `/notifications?trade_no=${trade.trade_no}`);
    const jobs = await admin.ok<{ jobs: Array<Record<string, unknown>> }>('GET', '/jobs');
    const refundNotification =
      notifications.notifications.find((n) => (n.params as Record<string, string> | undefined)?.out_biz_no === 'R1') ?? notifications.notifications[0];
    const attempts = (refundNotification?.attempt_log as Array<Record<string, unknown>> | undefined) ?? [];
    console.log(`POSTs received: ${posts}`);
    console.log(
      `notification: ${JSON.stringify({ status: refundNotification?.status, next_attempt_at: refundNotification?.next_attempt_at, attempts: refundNotification?.attempts, attempt_log: attempts.map((a) => `#${String(a.attempt)} ${String(a.at)} ${String(a.response_body)}`) })}`,
    );
    console.log(`jobs: ${JSON.stringify(jobs.jobs)}`);
    // Far past every retry: a notification still owed must have been attempted again, or given up.
    await admin.ok('POST', '/clock', { advance_seconds: 2 * 86_400 });
    const after = await admin.ok<{ notifications: Array<Record<string, unknown>> }>('GET', `/notifications?trade_no=${trade.trade_no}`);
    const again = after.notifications.find((n) => n.notify_id === refundNotification?.notify_id);
    const attemptsAfter = (again?.attempt_log as unknown[] | undefined)?.length ?? 0;
    console.log(`after 2 days: status ${String(again?.status)}, ${attemptsAfter} attempts recorded, ${posts} POSTs received`);
    const lost = again?.status === 'pending';
    console.log(lost ? 'LOST: the notification is pending and nothing will ever deliver it' : 'not reproduced this time (timing): run again');
    return lost ? 1 : 0;
  } finally {
    await cluster.stop();
    receiver.closeAllConnections();
    receiver.close();
    await dropDatabase();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
