/**
 * Several processes, one database: two gateway processes on different ports and two worker processes.
 * 200 concurrent refunds and refund.applies spread over both gateways on 20 trades never exceed any trade's
 * total; every accepted refund.apply completes exactly once; every notification is delivered, one notify_id
 * per event — even though one worker is killed with SIGKILL mid-run and its jobs are taken over by the other
 * once their lease runs out. And `serve --processes 2`, a cluster sharing one port: /metrics counts every
 * process's requests whichever process answers; a process killed with SIGKILL is replaced while the other keeps
 * answering; SIGINT stops the primary and every process with it.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { createPgDatabase, describeEachEngine, type TestDatabase } from '../support/engines.js';
import { parseMetrics, valueOf } from '../support/metrics-text.js';
import { signedForm } from '../support/openapi-client.js';
import { accepting, childProcessesOf, remoteAdmin, startServe, type ServeProcess } from '../support/processes.js';

const TOKEN = 'multi-process-token';
const LEASE_MS = 2000;

/** A notify_url that takes its time to answer, so that a killed worker dies holding deliveries. */
class SlowReceiver {
  server: Server;
  url = '';
  readonly notifyIds: string[] = [];
  readonly outBizNos = new Map<string, Set<string>>();

  constructor(delayMs: number) {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const fields = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        setTimeout(() => {
          this.notifyIds.push(fields.notify_id ?? '');
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.end('success');
        }, delayMs);
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/notify`;
  }

  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    return closed;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

describeEachEngine('two gateways and two workers on one database', (engine) => {
  const processes: ServeProcess[] = [];
  let database: TestDatabase | null = null;
  let dataDir = '';
  let receiver: SlowReceiver;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tuikuan-multi-'));
    database = engine === 'postgres' ? await createPgDatabase() : null;
    receiver = new SlowReceiver(150);
    await receiver.start();
  });

  after(async () => {
    for (const p of processes) await p.stop();
    await receiver.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('never exceeds a trade, completes every apply once, delivers every notification — through a kill -9', async () => {
    const db = database?.location ?? join(dataDir, 'tuikuan.db');
    const env = { TUIKUAN_ADMIN_TOKEN: TOKEN, TUIKUAN_JOB_LEASE_MS: String(LEASE_MS) };
    const common = ['--db', db, '--data-dir', dataDir, '--port', '0'];
    const gatewayA = await startServe([...common, '--role', 'gateway'], env);
    processes.push(gatewayA);
    const gatewayB = await startServe([...common, '--role', 'gateway'], env);
    processes.push(gatewayB);
    assert.notEqual(gatewayA.url, gatewayB.url);

    const admin = remoteAdmin(gatewayA.url, TOKEN);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const merchant = await admin('POST', '/merchants', { balance: '100000.00' });
    const app = await admin('POST', '/apps', { pid: merchant.pid, app_public_key: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const platform = (await admin('GET', '/platform')).public_key as string;
    const trades: Array<Record<string, any>> = [];
    for (let i = 0; i < 20; i++) trades.push(await admin('POST', '/trades', { app_id: app.app_id, total_amount: '100.00', notify_url: receiver.url }));
    const sdk = (gateway: string) =>
      new AlipaySdk({
        appId: app.app_id,
        privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        alipayPublicKey: platform,
        gateway: `${gateway}/gateway.do`,
        camelcase: false,
        timeout: 30_000,
      });
    const sdks = [sdk(gatewayA.url), sdk(gatewayB.url)];

    // The workers start only now: the apply jobs wait for them, and one of them will die holding some.
    const workerA = await startServe([...common, '--role', 'worker'], env);
    processes.push(workerA);
    const workerB = await startServe([...common, '--role', 'worker'], env);
    processes.push(workerB);

    const calls = Array.from({ length: 200 }, (_, i) => {
      const trade = trades[i % trades.length]!;
      const method = i % 2 === 0 ? 'alipay.trade.refund' : 'alipay.trade.refund.apply';
      const amount = (randomInt(1, 2001) / 100).toFixed(2);
      return sdks[i % 2]!.exec(method, { bizContent: { trade_no: trade.trade_no, refund_amount: amount, out_request_no: `MP${i}` } }, { validateSign: true }).then(
        (reply) => ({ i, method, amount, reply }),
      );
    });
    // While the requests and the deliveries run, one worker dies without a word — holding jobs.
    const workerAPid = `worker-${workerA.child.pid}-`;
    const started = Date.now();
    await until('worker A to hold jobs', async () => {
      const jobs = (await admin('GET', '/jobs')).jobs as Array<Record<string, any>>;
      return jobs.some((job) => String(job.locked_by).startsWith(workerAPid)) ? true : undefined;
    });
    await workerA.kill9();
    const killedAt = Date.now() - started;
    const replies = await Promise.all(calls);

    const accepted = replies.filter((r) => r.reply.code === '10000');
    const refused = replies.filter((r) => r.reply.code !== '10000');
    assert.ok(accepted.length > 20, 'many refunds went through');
    assert.ok(killedAt < 30_000);
    for (const r of refused) assert.equal(r.reply.sub_code, 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', JSON.stringify(r.reply));

    // Every accepted apply completes: no refund is left accepted or waiting.
    const refunds = await until('every accepted refund to complete', async () => {
      const all = (await admin('GET', '/refunds')).refunds as Array<Record<string, any>>;
      return all.length > 0 && all.every((r) => r.status === 'succeeded') ? all : undefined;
    });
    assert.equal(refunds.length, accepted.length, 'one refund per accepted request, no more');
    assert.deepEqual(new Set(refunds.map((r) => r.out_request_no)), new Set(accepted.map((r) => `MP${r.i}`)));

    for (const trade of trades) {
      const after = await admin('GET', `/trades/${trade.trade_no}`);
      const own = refunds.filter((r) => r.trade_no === trade.trade_no);
      const sum = own.reduce((s, r) => s + Math.round(Number(r.refund_amount) * 100), 0);
      assert.ok(sum <= 10_000, `trade ${trade.trade_no} refunded ${sum} fen of 10000`);
      assert.equal(Math.round(Number(after.refunded_amount) * 100), sum);
      assert.equal(after.pending_refund_amount, '0.00');
    }
    const ledger = await admin('GET', `/merchants/${merchant.pid}/ledger`);
    assert.equal(ledger.balance, ledger.entries_sum);

    // Every notification delivered, one notify_id per refund.
    const notifications = await until('every notification to be delivered', async () => {
      const all = (await admin('GET', '/notifications?kind=trade_status_sync')).notifications as Array<Record<string, any>>;
      return all.length === refunds.length && all.every((n) => n.status === 'delivered') ? all : undefined;
    });
    const perRefund = new Map<string, number>();
    for (const n of notifications) {
      const key = `${n.trade_no}/${n.params.out_biz_no}`;
      perRefund.set(key, (perRefund.get(key) ?? 0) + 1);
    }
    assert.equal(perRefund.size, refunds.length);
    assert.ok([...perRefund.values()].every((count) => count === 1), 'one notify_id per event');
    const notifyIds = new Set(notifications.map((n) => n.notify_id as string));
    assert.deepEqual(new Set(receiver.notifyIds), notifyIds, 'the merchant received every notify_id, and no other');
  });
});

/**
 * A request on a connection of its own (no keep-alive): the cluster's primary hands each new connection to its
 * processes in turn, so that consecutive requests are answered by one process and then the other.
 */
function onNewConnection(url: string, method = 'GET', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method, agent: false, headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (incoming) => {
        let text = '';
        incoming.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describeEachEngine('serve --processes 2: a cluster on one port', (engine) => {
  let database: TestDatabase | null = null;
  let dataDir = '';
  let cluster: ServeProcess | null = null;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tuikuan-cluster-'));
    database = engine === 'postgres' ? await createPgDatabase() : null;
  });
  after(async () => {
    await cluster?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts every process’s requests in /metrics, replaces a process killed -9 while the other answers, and stops on SIGINT', async () => {
    const db = database?.location ?? join(dataDir, 'tuikuan.db');
    cluster = await startServe(['--processes', '2', '--db', db, '--data-dir', dataDir, '--port', '0'], { TUIKUAN_ADMIN_TOKEN: TOKEN });
    const primary = cluster.child.pid!;
    const first = childProcessesOf(primary);
    assert.equal(first.length, 2, 'two processes under the primary');
    const { hostname, port } = new URL(cluster.url);

    // An unknown app: answered 40002 without a signature to make, counted under its method.
    const app = { appId: '2021000000000000', pid: '', privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey };
    const query = () => onNewConnection(`${cluster!.url}/gateway.do`, 'POST', signedForm(app, { biz: { out_trade_no: 'X' } }).form);
    const counted = async () => {
      const samples = parseMetrics((await onNewConnection(`${cluster!.url}/metrics`)).text);
      return valueOf(samples, 'tuikuan_gateway_requests_total', { method: 'alipay.trade.query', code: '40002', sub_code: 'isv.invalid-app-id' });
    };
    for (let i = 0; i < 10; i++) assert.equal((await query()).status, 200);
    // Each process answered half of them; each scrape, whichever process answers it, counts all ten.
    for (let i = 0; i < 4; i++) assert.equal(await counted(), 10, 'the primary’s aggregate of both processes');

    const [victim, survivor] = first as [number, number];
    process.kill(victim, 'SIGKILL');
    await until('the primary to see its process die', async () => (cluster!.output().includes(`tuikuan process ${victim} exited (SIGKILL)`) ? true : undefined), 10_000);
    // While the replacement starts, the other process answers every request.
    for (let i = 0; i < 6; i++) assert.equal((await query()).status, 200, 'answered while a process is down');
    const replaced = await until(
      'a new process to replace the killed one',
      async () => {
        const now = childProcessesOf(primary);
        return now.length === 2 && !now.includes(victim) ? now : undefined;
      },
      30_000,
      20,
    );
    assert.ok(replaced.includes(survivor), 'the other process was left alone');
    // A scrape while the replacement is still starting: complete, and without waiting out a timeout. What the
    // killed process had counted died with it: the aggregate is short of 16 by its share of the first ten.
    const scrapedAt = Date.now();
    const afterKill = await counted();
    assert.ok(Date.now() - scrapedAt < 4_000, `answered in ${Date.now() - scrapedAt} ms, not after a timeout`);
    assert.ok(afterKill > 6 && afterKill < 16, `both processes had answered some of the first ten: ${afterKill} of 16 still counted`);
    // The replacement serves too: ready once its share of new connections is answered.
    await until('the replacement to answer', async () => ((await onNewConnection(`${cluster!.url}/healthz`)).status === 200 ? true : undefined), 10_000);
    for (let i = 0; i < 6; i++) assert.equal((await query()).status, 200);
    assert.equal((await onNewConnection(`${cluster.url}/admin/v1/platform`)).status, 401, 'the admin API too, behind its token');

    assert.equal(await cluster.stop('SIGINT'), 0, cluster.output());
    assert.equal(await accepting(hostname, Number(port)), false, 'the port is closed');
    assert.deepEqual(childProcessesOf(primary), [], 'no process is left behind');
    for (const pid of replaced) assert.equal(existsSync(`/proc/${pid}`), false, `process ${pid} has ended`);
    cluster = null;
  });
});
