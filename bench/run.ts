/**
 * `npm run bench`: how fast tuikuan answers signed refund, refund.apply and refund query requests, next to
 * what bounds it — measured in one run, with the same processes and load:
 *   - the bare RSA-2048 signing rate of this machine (every reply is signed);
 *   - a reference server that only parses, verifies and signs (no database), in a cluster of the same size;
 *   - the floor: the reference plus a refund in tuikuan's shape written raw — one locked read, one write —
 *     and, beside it, the eleven-statement floor of the design before (bench/reference-server.ts);
 *   - tuikuan serving the durable paths on SQLite and on PostgreSQL.
 * Load comes from a separate process (bench/load-generator.ts) with requests signed before the clock
 * starts. Then: how refund query latency grows from 10 thousand to 1 million stored refunds.
 *
 * Options: --processes N (default: one per core) --seconds S (default 8) --connections C (default 16)
 *          --merchants M (default 8: refunds spread over M merchants' balances, as on a platform)
 *          --engines sqlite,postgres --skip-scale --only-scale --scale-max 1000000
 *          --paths reference,floor,old-floor,refund,apply,query (Default: all; the query phases need their refunds)
 * PostgreSQL: TUIKUAN_BENCH_PG (default postgres://postgres@127.0.0.1:5432/test); a fresh database is used.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, createSign, generateKeyPairSync, randomBytes, sign as signAsync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { LoadResult, LoadSpec } from './load-generator.js';
import { seedRefunds } from './seed-refunds.js';

const signRsa = promisify(signAsync);

interface Options {
  processes: number;
  seconds: number;
  connections: number;
  engines: Array<'sqlite' | 'postgres'>;
  scale: boolean;
  scaleMax: number;
  merchants: number;
  onlyScale: boolean;
  /** The phases to run: a subset of PATHS, for measuring one change quickly. */
  paths: ReadonlySet<Path>;
}

const PATHS = ['reference', 'floor', 'old-floor', 'refund', 'apply', 'query'] as const;
type Path = (typeof PATHS)[number];

function parseOptions(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  return {
    processes: Number(value('processes') ?? availableParallelism()),
    seconds: Number(value('seconds') ?? 8),
    connections: Number(value('connections') ?? 16),
    engines: (value('engines') ?? 'sqlite,postgres').split(',') as Options['engines'],
    scale: !argv.includes('--skip-scale'),
    scaleMax: Number(value('scale-max') ?? 1_000_000),
    merchants: Number(value('merchants') ?? 8),
    onlyScale: argv.includes('--only-scale'),
    paths: new Set((value('paths')?.split(',') ?? PATHS).filter((path): path is Path => (PATHS as readonly string[]).includes(path))),
  };
}

const ROOT = new URL('../..', import.meta.url).pathname;
const PG_URL = process.env.TUIKUAN_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const work = mkdtempSync(join(tmpdir(), 'tuikuan-bench-'));
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ---------------------------------------------------------------------------------------------- signing

function measure(seconds: number, work: () => void): number {
  let count = 0;
  const end = process.hrtime.bigint() + BigInt(seconds * 1e9);
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 10; i++) work();
    count += 10;
  }
  return count / seconds;
}

function signingRates(): { parsedKey: number; pemEachTime: number; verify: number } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' });
  const content = Buffer.from(`{"code":"10000","msg":"Success","trade_no":"2026112322001419121412730660","refund_fee":"88.88"}`);
  const signature = createSign('RSA-SHA256').update(content).sign(privateKey);
  const parsedKey = measure(2, () => createSign('RSA-SHA256').update(content).sign(privateKey));
  const pemEachTime = measure(1, () => createSign('RSA-SHA256').update(content).sign(createPrivateKey(pem)));
  const verifications = measure(1, () => verify('RSA-SHA256', content, publicKey, signature));
  return { parsedKey, pemEachTime, verify: verifications };
}

// ---------------------------------------------------------------------------------------------- processes

function start(command: string, args: string[], env: Record<string, string>, readyText: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${output}`)), 60_000);
    const watch = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyText)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', watch);
    if (readyText === '') {
      clearTimeout(timer);
      resolve(child);
    }
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      children.delete(child);
      clearTimeout(timer);
      if (!output.includes(readyText)) reject(new Error(`${args.join(' ')} exited ${code}:\n${output}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * CPU seconds (user + system, every thread) used so far by a process and its descendants, from /proc.
 * CPU per request is steadier than requests per second on a machine whose other load comes and goes.
 */
function cpuSecondsOfTree(rootPid: number): { user: number; system: number } {
  const stats = new Map<number, { ppid: number; user: number; system: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid … utime(14) stime(15), counted from 1.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 });
    } catch {
      // the process ended while we looked
    }
  }
  const total = { user: 0, system: 0 };
  for (const [pid, stat] of stats) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = stats.get(p)?.ppid) {
      if (p === rootPid) {
        total.user += stat.user;
        total.system += stat.system;
        break;
      }
    }
  }
  return total;
}

/** Loads a server and reports, besides the load generator's figures, the server's CPU time per request. */
async function loadMeasured(server: ChildProcess, port: number, requests: Buffer[], seconds: number, connections: number, cycle: boolean): Promise<Measured> {
  const before = cpuSecondsOfTree(server.pid ?? 0);
  const result = await load(port, requests, seconds, connections, cycle);
  const after = cpuSecondsOfTree(server.pid ?? 0);
  const perRequest = (seconds: number) => (result.completed > 0 ? (seconds * 1000) / result.completed : 0);
  const systemMsPerRequest = perRequest(after.system - before.system);
  return { ...result, cpuMsPerRequest: perRequest(after.user - before.user) + systemMsPerRequest, systemMsPerRequest };
}

interface Measured extends LoadResult {
  /** The server's CPU time per request, user and system. */
  cpuMsPerRequest: number;
  /** Of which in the kernel: syscalls, the network stack, fsync. */
  systemMsPerRequest: number;
}

async function load(port: number, requests: Buffer[], seconds: number, connections: number, cycle: boolean): Promise<LoadResult> {
  const requestsFile = join(work, `requests-${randomBytes(4).toString('hex')}.txt`);
  writeFileSync(requestsFile, requests.map((r) => r.toString('base64')).join('\n'));
  const specFile = `${requestsFile}.json`;
  const spec: LoadSpec = { port, connections, seconds, requestsFile, cycle };
  writeFileSync(specFile, JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/bench/load-generator.js'), specFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited ${code}`))));
  });
}

// ---------------------------------------------------------------------------------------------- requests

const pad = (n: number) => String(n).padStart(2, '0');
function timestamp(): string {
  const d = new Date(Date.now() + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A request as alipay-sdk sends it: public parameters in the query, biz_content in a form body. */
async function signedRequest(appId: string, key: KeyObject, method: string, biz: Record<string, unknown>): Promise<Buffer> {
  const params: Record<string, string> = {
    app_id: appId,
    method,
    charset: 'utf-8',
    sign_type: 'RSA2',
    timestamp: timestamp(),
    version: '1.0',
    biz_content: JSON.stringify(biz),
  };
  const content = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  const sign = (await signRsa('RSA-SHA256', Buffer.from(content), key)).toString('base64');
  const { biz_content: bizContent = '', ...query } = params;
  const search = new URLSearchParams({ ...query, sign }).toString();
  const body = new URLSearchParams({ biz_content: bizContent }).toString();
  return Buffer.from(
    `POST /gateway.do?${search} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded;charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
  );
}

interface Call {
  appId: string;
  biz: Record<string, unknown>;
}

/** Queries of the first refunds made (up to 4,000, cycled through). */
function queryCallsFor(refundCalls: Call[], made: number): Call[] {
  return refundCalls
    .slice(0, Math.min(made, 4000))
    .map((call) => ({ appId: call.appId, biz: { trade_no: call.biz.trade_no, out_request_no: call.biz.out_request_no } }));
}

async function signAll(key: KeyObject, method: string, calls: Call[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < calls.length; i += 256) {
    out.push(...(await Promise.all(calls.slice(i, i + 256).map((call) => signedRequest(call.appId, key, method, call.biz)))));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- tuikuan

interface Admin {
  call<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<T>;
}

function admin(url: string): Admin {
  return {
    async call(method, path, body) {
      const response = await fetch(`${url}/admin/v1${path}`, {
        method,
        headers: { authorization: 'Bearer bench', 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const json = (await response.json()) as any;
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    },
  };
}

async function freshPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tuikuan_bench_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

interface Row {
  engine: string;
  what: string;
  result: Measured;
}

// Extra node flags for tuikuan's processes, e.g. TUIKUAN_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
const nodeArgs = (process.env.TUIKUAN_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

async function startTuikuan(db: string, dataDir: string, processes: number, port: number): Promise<ChildProcess> {
  return start(
    process.execPath,
    [...nodeArgs, join(ROOT, 'bin/tuikuan.js'), 'serve', '--port', String(port), '--data-dir', dataDir, '--db', db, '--processes', String(processes)],
    { TUIKUAN_ADMIN_TOKEN: 'bench', TUIKUAN_LOG_LEVEL: 'warn' },
    'tuikuan listening',
  );
}

async function benchEngine(
  engine: 'sqlite' | 'postgres',
  options: Options,
  appKeys: { privateKey: KeyObject; publicPem: string },
  platformPem: string,
): Promise<Row[]> {
  const dataDir = mkdtempSync(join(work, `${engine}-`));
  const database = engine === 'postgres' ? await freshPgDatabase() : null;
  const db = database?.url ?? join(dataDir, 'tuikuan.db');
  const rows: Row[] = [];
  try {
    // Requests are prepared for the signing ceiling and then some, so no phase runs dry.
    const perPhase = Math.ceil(2000 * options.processes * options.seconds * 1.3);
    const trades = Math.ceil(perPhase / 90);

    // The reference server, measured next to this engine's run.
    const refPort = await freePort();
    const reference = await start(
      process.execPath,
      [join(ROOT, 'dist/bench/reference-server.js')],
      { REF_PORT: String(refPort), REF_PROCESSES: String(options.processes), REF_APP_PUBLIC_KEY: appKeys.publicPem, REF_PLATFORM_PRIVATE_KEY: platformPem },
      '',
    );
    await waitForPort(refPort);

    const port = await freePort();
    const server = await startTuikuan(db, dataDir, options.processes, port);
    const api = admin(`http://127.0.0.1:${port}`);
    // A platform's load: several merchants, each with its own app and balance.
    const appIds: string[] = [];
    for (let m = 0; m < options.merchants; m++) {
      const merchant = await api.call('POST', '/merchants', { balance: '90000000.00' });
      appIds.push((await api.call('POST', '/apps', { pid: merchant.pid, app_public_key: appKeys.publicPem })).app_id as string);
    }
    log(`${engine}: creating ${trades * 4} trades for ${options.merchants} merchants, signing ${perPhase * 4} requests…`);
    const makeTrades = async (n: number) => {
      const out: Array<{ appId: string; tradeNo: string }> = [];
      for (let i = 0; i < n; i += 16) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(16, n - i) }, async (_, j) => {
            const appId = appIds[(i + j) % appIds.length]!;
            const trade = await api.call('POST', '/trades', { app_id: appId, total_amount: '1000000.00' });
            return { appId, tradeNo: trade.trade_no as string };
          }),
        );
        out.push(...batch);
      }
      return out;
    };
    const refundTrades = await makeTrades(trades);
    const applyTrades = await makeTrades(trades);
    const floorTrades = await makeTrades(trades);
    const elevenTrades = await makeTrades(trades);
    const refundCalls: Call[] = Array.from({ length: perPhase }, (_, i) => {
      const trade = refundTrades[i % trades]!;
      return { appId: trade.appId, biz: { trade_no: trade.tradeNo, refund_amount: '0.01', out_request_no: `R${i}` } };
    });
    const applyCalls: Call[] = Array.from({ length: perPhase }, (_, i) => {
      const trade = applyTrades[i % trades]!;
      return { appId: trade.appId, biz: { trade_no: trade.tradeNo, refund_amount: '0.01', out_request_no: `A${i}` } };
    });
    const floorCalls: Call[] = Array.from({ length: perPhase }, (_, i) => {
      const trade = floorTrades[i % trades]!;
      return { appId: trade.appId, biz: { trade_no: trade.tradeNo, refund_amount: '0.01', out_request_no: `F${i}` } };
    });
    const elevenCalls: Call[] = Array.from({ length: perPhase }, (_, i) => {
      const trade = elevenTrades[i % trades]!;
      return { appId: trade.appId, biz: { trade_no: trade.tradeNo, refund_amount: '0.01', out_request_no: `E${i}` } };
    });
    const runs = (path: Path) => options.paths.has(path);
    const signIf = (path: Path, method: string, calls: Call[]) => (runs(path) ? signAll(appKeys.privateKey, method, calls) : Promise.resolve([]));
    const refunds = await signIf(runs('reference') ? 'reference' : 'refund', 'alipay.trade.refund', refundCalls);
    const floorRefunds = await signIf('floor', 'alipay.trade.refund', floorCalls);
    const elevenRefunds = await signIf('old-floor', 'alipay.trade.refund', elevenCalls);
    const applies = await signIf('apply', 'alipay.trade.refund.apply', applyCalls);

    if (runs('reference')) {
      log(`${engine}: reference server…`);
      rows.push({
        engine,
        what: 'reference (parse + verify + sign)',
        result: await loadMeasured(reference, refPort, refunds, options.seconds, options.connections, true),
      });
    }
    await stop(reference);

    // The floors: the reference plus a refund's own statements, raw, on the same database (their own trades) —
    // in the design's shape, and in the eleven statements of the design before.
    const startFloor = async (shape: 'read-write' | 'eleven') => {
      const floorPort = await freePort();
      const floor = await start(
        process.execPath,
        [join(ROOT, 'dist/bench/reference-server.js')],
        {
          REF_PORT: String(floorPort),
          REF_PROCESSES: String(options.processes),
          REF_APP_PUBLIC_KEY: appKeys.publicPem,
          REF_PLATFORM_PRIVATE_KEY: platformPem,
          REF_REFUND_DB: db,
          REF_REFUND_SHAPE: shape,
        },
        '',
      );
      await waitForPort(floorPort);
      return { floor, floorPort };
    };
    const noFsync = engine === 'sqlite' ? ', no fsync' : '';
    if (runs('floor')) {
      log(`${engine}: floor (reference + raw refund: one locked read, one write)…`);
      const { floor, floorPort } = await startFloor('read-write');
      const floorRefund = await loadMeasured(floor, floorPort, floorRefunds, options.seconds, options.connections, false);
      rows.push({ engine, what: `${FLOOR}${noFsync})`, result: floorRefund });
      const floorQueries = await signAll(appKeys.privateKey, 'alipay.trade.fastpay.refund.query', queryCallsFor(floorCalls, floorRefund.succeeded));
      rows.push({
        engine,
        what: 'floor (reference + one raw query statement)',
        result: await loadMeasured(floor, floorPort, floorQueries, options.seconds, options.connections, true),
      });
      await stop(floor);
    }
    if (runs('old-floor')) {
      log(`${engine}: old floor (reference + the eleven raw refund statements)…`);
      const eleven = await startFloor('eleven');
      rows.push({
        engine,
        what: `old floor (reference + eleven raw refund statements${noFsync})`,
        result: await loadMeasured(eleven.floor, eleven.floorPort, elevenRefunds, options.seconds, options.connections, false),
      });
      await stop(eleven.floor);
    }

    let refundsMade = 0;
    if (runs('refund')) {
      log(`${engine}: alipay.trade.refund…`);
      const refund = await loadMeasured(server, port, refunds, options.seconds, options.connections, false);
      rows.push({ engine, what: 'alipay.trade.refund', result: refund });
      refundsMade = refund.succeeded;
    }
    if (runs('apply')) {
      log(`${engine}: alipay.trade.refund.apply…`);
      rows.push({ engine, what: 'alipay.trade.refund.apply', result: await loadMeasured(server, port, applies, options.seconds, options.connections, false) });
      // The worker carries out the accepted applies (at most two at a time per process); the queries are measured
      // once it has, not beside the rest of that work.
      const drained = await drainJobs(api);
      log(`${engine}: the worker finished carrying out the applies ${fmt(drained / 1000, 1)} s after the phase`);
    }
    if (runs('query') && refundsMade > 0) {
      const queries = await signAll(appKeys.privateKey, 'alipay.trade.fastpay.refund.query', queryCallsFor(refundCalls, refundsMade));
      log(`${engine}: alipay.trade.fastpay.refund.query…`);
      rows.push({
        engine,
        what: 'alipay.trade.fastpay.refund.query',
        result: await loadMeasured(server, port, queries, options.seconds, options.connections, true),
      });
    }
    await stop(server);
    return rows;
  } finally {
    await database?.drop();
  }
}

/** Waits until the server has no jobs left (or two minutes have passed); returns how long that took, in ms. */
async function drainJobs(api: Admin): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 120_000) {
    const { jobs } = await api.call<{ jobs: unknown[] }>('GET', '/jobs');
    if (jobs.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return Date.now() - started;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nothing listens on ${port}`);
}

// ---------------------------------------------------------------------------------------------- scale

async function scaleEngine(
  engine: 'sqlite' | 'postgres',
  options: Options,
  appKeys: { privateKey: KeyObject; publicPem: string },
): Promise<Array<{ refunds: number; result: LoadResult }>> {
  const dataDir = mkdtempSync(join(work, `scale-${engine}-`));
  const database = engine === 'postgres' ? await freshPgDatabase() : null;
  const db = database?.url ?? join(dataDir, 'tuikuan.db');
  const out: Array<{ refunds: number; result: LoadResult }> = [];
  try {
    // Migrate and make a merchant and app through a first start.
    let port = await freePort();
    let server = await startTuikuan(db, dataDir, 1, port);
    const api = admin(`http://127.0.0.1:${port}`);
    const merchant = await api.call('POST', '/merchants', { balance: '1.00' });
    const app = await api.call('POST', '/apps', { pid: merchant.pid, app_public_key: appKeys.publicPem });
    await stop(server);
    let stored = 0;
    for (const target of [10_000, options.scaleMax]) {
      log(`scale ${engine}: storing ${target} refunds…`);
      const sample = await seedRefunds(db, { sellerPid: merchant.pid, appId: app.app_id, from: stored, to: target });
      stored = target;
      port = await freePort();
      server = await startTuikuan(db, dataDir, options.processes, port);
      const queries = await signAll(
        appKeys.privateKey,
        'alipay.trade.fastpay.refund.query',
        sample.map((s) => ({ appId: app.app_id as string, biz: { trade_no: s.tradeNo, out_request_no: s.outRequestNo } })),
      );
      out.push({ refunds: target, result: await load(port, queries, Math.max(3, options.seconds / 2), 4, true) });
      await stop(server);
    }
    return out;
  } finally {
    await database?.drop();
  }
}

// ---------------------------------------------------------------------------------------------- report

/** The refund floor's row name, up to its closing detail: the refund paths are compared with it. */
const FLOOR = 'floor (reference + raw refund: one locked read, one write';
const REFUND_PATHS = new Set(['alipay.trade.refund', 'alipay.trade.refund.apply']);

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  log(`bench: ${options.processes} processes, ${options.connections} connections, ${options.seconds} s per phase`);
  const rates = signingRates();
  const appPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appKeys = { privateKey: appPair.privateKey, publicPem: appPair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  const platformPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

  const rows: Row[] = [];
  if (!options.onlyScale) for (const engine of options.engines) rows.push(...(await benchEngine(engine, options, appKeys, platformPem)));

  const ceiling = rates.parsedKey * options.processes;
  const lines = [
    '',
    `RSA-2048 on this machine: ${fmt(rates.parsedKey)} signatures/s per core with a parsed key (${fmt(rates.pemEachTime)}/s parsing the PEM each time), ${fmt(rates.verify)} verifications/s`,
    `signing ceiling for ${options.processes} processes: ${fmt(ceiling)} replies/s`,
    '',
    '| engine | path | req/s | p50 ms | p99 ms | ok / failed | vs reference | vs refund floor | vs signing ceiling | server CPU ms/req (of which system) | reference CPU ÷ ours |',
    '| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const engine of options.engines) {
    const reference = rows.find((r) => r.engine === engine && r.what.startsWith('reference'));
    const floor = rows.find((r) => r.engine === engine && r.what.startsWith(FLOOR));
    for (const row of rows.filter((r) => r.engine === engine)) {
      const r = row.result;
      const vsRef = reference ? r.rps / reference.result.rps : 0;
      const cpuRatio = reference && r.cpuMsPerRequest > 0 ? reference.result.cpuMsPerRequest / r.cpuMsPerRequest : 0;
      const vsFloor = floor && (REFUND_PATHS.has(row.what) || row.what.startsWith('old floor')) ? fmt(r.rps / floor.result.rps, 2) : '';
      lines.push(
        `| ${engine} | ${row.what} | ${fmt(r.rps)} | ${fmt(r.p50ms, 1)} | ${fmt(r.p99ms, 1)} | ${r.succeeded} / ${r.failed}${r.exhausted ? ' (ran out of requests)' : ''} | ${fmt(vsRef, 2)} | ${vsFloor} | ${fmt(r.rps / ceiling, 2)} | ${fmt(r.cpuMsPerRequest, 2)} (${fmt(r.systemMsPerRequest, 2)}) | ${fmt(cpuRatio, 2)} |`,
      );
      if (r.sampleFailure) lines.push(`|  |  ↳ a failure: ${r.sampleFailure.replace(/\|/g, '/').slice(0, 200)} | | | | | | | | | |`);
    }
  }
  if (options.scale) {
    lines.push('', '| engine | stored refunds | query p50 ms | query p99 ms | req/s (4 connections) |', '| --- | ---: | ---: | ---: | ---: |');
    for (const engine of options.engines) {
      const points = await scaleEngine(engine, options, appKeys);
      for (const point of points) {
        lines.push(`| ${engine} | ${fmt(point.refunds)} | ${fmt(point.result.p50ms, 2)} | ${fmt(point.result.p99ms, 2)} | ${fmt(point.result.rps)} |`);
      }
      const [small, large] = points;
      if (small && large)
        lines.push(
          `| ${engine} | growth ×${fmt(large.refunds / small.refunds)} | p50 ×${fmt(large.result.p50ms / small.result.p50ms, 2)} | p99 ×${fmt(large.result.p99ms / small.result.p99ms, 2)} | |`,
        );
    }
  }
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
