/**
 * `npm run chaos`: the crash-and-invariants harness. For each engine it starts the real server as operating-
 * system processes — a `serve --processes 2` cluster and a separate `serve --role worker` — on a fresh store with
 * a virtual clock; makes merchants (some short of balance), apps, paid trades and buyers (funds in every channel)
 * through the admin API; drives refunds, refund.applies, queries and exact repeats through the official alipay-sdk,
 * and payments — alipay.trade.pay, and page.pay/wap.pay orders that buyers pay on the cashier over HTTP — while
 * the clock is advanced and balances are topped up; and meanwhile, at random moments, kills -9 the whole cluster (restarting it on the
 * same store), single cluster children (the primary restarts them), or the separate worker. After every kill,
 * and at the end once everything has settled, it reads the store directly and checks every money invariant
 * against what tuikuan acknowledged (answered 10000, or the cashier's return to return_url) and what the
 * merchant's notify_url received: the refunds' money, and the payments' — each acknowledged payment one paid
 * trade, every buyer's funds conserved, the merchant credited each receipt once.
 *
 * Options: --engines sqlite,postgres  --kills N (default 24 per engine)  --seconds S (of load, default 180)
 *          --seed S (default: random, printed)  --lanes N (concurrent callers, default 12)
 *          --merchants N (default 6)  --trades N (first trades per merchant, default 20)  --buyers N (default 8)
 *          --keep (keep data and logs)
 * PostgreSQL: TUIKUAN_CHAOS_PG (default postgres://postgres@127.0.0.1:5432/test); a fresh database is created
 * there for the run and dropped afterwards. Exits 1 when any invariant was violated.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createBuyers, type ChaosBuyer } from './chaos-buyers.js';
import { checkInvariants } from './chaos-invariants.js';
import { RefundLoad } from './chaos-load.js';
import { openLog, StandaloneWorker, TuikuanCluster, type ServeSetup } from './chaos-processes.js';
import { deriveSeed, Random } from './chaos-random.js';
import { FlakyReceiver } from './chaos-receiver.js';
import { CashierPayments } from './chaos-payments.js';
import { AcknowledgementBook, INVARIANTS, LoadFigures, PaymentBook, Violations, yuan } from './chaos-record.js';
import { postgresReader, sqliteReader, type StoreReader } from './chaos-store.js';
import { AdminClient, World } from './chaos-world.js';

type Engine = 'sqlite' | 'postgres';

interface ChaosOptions {
  engines: Engine[];
  kills: number;
  seconds: number;
  seed: number;
  lanes: number;
  merchants: number;
  tradesPerMerchant: number;
  buyers: number;
  keep: boolean;
}

const ADMIN_TOKEN = 'chaos-admin-token';
const JOB_LEASE_MS = 1500;
const PG_URL = process.env.TUIKUAN_CHAOS_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Far enough for every retry to end: applies are given up 3 days after acceptance, notifications within 25 h. */
const SETTLE_SECONDS = 4 * 86_400;
const SETTLE_STEP_SECONDS = 6 * 3600;
const DRAIN_TIMEOUT_MS = 180_000;
/** How long a clock advance runs alongside new writes before they are held back for it. */
const QUIET_AFTER_MS = 2000;

function parseOptions(argv: string[]): ChaosOptions {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const count = (name: string, fallback: number): number => {
    const n = Number(value(name) ?? fallback);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: a whole number, not ${value(name)}`);
    return n;
  };
  const engines = (value('engines') ?? 'sqlite,postgres').split(',').map((e) => e.trim());
  for (const engine of engines) if (engine !== 'sqlite' && engine !== 'postgres') throw new Error(`--engines: sqlite and/or postgres, not ${engine}`);
  return {
    engines: engines as Engine[],
    kills: count('kills', 24),
    seconds: count('seconds', 180),
    seed: count('seed', randomBytes(4).readUInt32BE(0) % 1_000_000),
    lanes: Math.max(1, count('lanes', 12)),
    merchants: Math.max(1, count('merchants', 6)),
    tradesPerMerchant: Math.max(1, count('trades', 20)),
    buyers: count('buyers', 8),
    keep: argv.includes('--keep'),
  };
}

function log(message: string): void {
  process.stderr.write(`[chaos] ${message}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database of the run's own on the PostgreSQL server, dropped at the end (as bench/run.ts does). */
async function freshPgDatabase(): Promise<FreshDatabase> {
  const name = `tuikuan_chaos_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------- kills

type KillKind = 'group' | 'single' | 'worker';

interface PlannedKill {
  /** When, counted from the start of the load. */
  atMs: number;
  kind: KillKind;
}

/** One kill in each of `kills` equal slots of the load, at a random point of its slot; every kind at least once. */
function planKills(random: Random, kills: number, seconds: number): PlannedKill[] {
  const slotMs = (seconds * 1000) / Math.max(1, kills);
  const plan = Array.from(
    { length: kills },
    (_, i): PlannedKill => ({
      atMs: Math.round((i + random.between(0.15, 0.85)) * slotMs),
      kind: random.weighted<KillKind>({ group: 4, single: 4, worker: 2 }),
    }),
  );
  const kinds: KillKind[] = ['group', 'single', 'worker'];
  kinds.forEach((kind, i) => {
    const slot = plan[i * 3];
    if (slot && !plan.some((k) => k.kind === kind)) slot.kind = kind;
  });
  return plan;
}

interface KillCounts {
  group: number;
  single: number;
  worker: number;
}

// ---------------------------------------------------------------------------------------------- one engine

/** What the store held at a check, for the report. */
interface FinalFigures {
  refunds: number;
  statuses: Map<string, number>;
  /** Paid trades of the harness's buyers (through the cashier), and how many of them were refunded. */
  buyerTradesPaid: number;
  buyerTradesRefunded: number;
  /** Succeeded refunds of those trades: money back in the buyers' channels. */
  refundsToBuyers: number;
  payOrders: number;
}

interface EngineReport {
  engine: Engine;
  kills: KillCounts;
  figures: LoadFigures;
  violations: Violations;
  checks: number;
  clockAdvances: number;
  clockAdvancesQuieted: number;
  clockAdvanceMaxMs: number;
  virtualSeconds: number;
  topUps: number;
  deliveries: number;
  errorsLogged: number;
  errorSamples: string[];
  refundsInStore: number;
  finalStatuses: Map<string, number>;
  final: FinalFigures;
  /** Cashier payments acknowledged by the redirect to return_url / by the paid page after a lost answer. */
  paymentsAcknowledged: { returned: number; paidPage: number };
  wallMs: number;
  keptAt: string | null;
}

/** Everything started for an engine, so that nothing outlives the harness whatever happens. */
const running = new Set<{ killNow(): void }>();
process.on('exit', () => {
  for (const processes of running) processes.killNow();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const processes of running) processes.killNow();
    process.exit(130);
  });
}

class EngineRun {
  readonly engine: Engine;
  readonly options: ChaosOptions;
  readonly violations = new Violations();
  readonly figures = new LoadFigures();
  readonly book = new AcknowledgementBook();
  readonly payments = new PaymentBook();
  buyers: ChaosBuyer[] = [];
  readonly kills: KillCounts = { group: 0, single: 0, worker: 0 };
  readonly errorSamples: string[] = [];
  errorsLogged = 0;
  checks = 0;
  clockAdvances = 0;
  clockAdvancesQuieted = 0;
  clockAdvanceMaxMs = 0;
  virtualSeconds = 0;
  topUps = 0;
  #loadRunning = false;

  constructor(engine: Engine, options: ChaosOptions) {
    this.engine = engine;
    this.options = options;
  }

  random(...labels: string[]): Random {
    return new Random(deriveSeed(this.options.seed, this.engine, ...labels));
  }

  async run(): Promise<EngineReport> {
    const started = Date.now();
    const work = mkdtempSync(join(tmpdir(), `tuikuan-chaos-${this.engine}-`));
    const dataDir = join(work, 'data');
    mkdirSync(dataDir, { recursive: true });
    const database = this.engine === 'postgres' ? await freshPgDatabase() : null;
    const db = database?.url ?? join(dataDir, 'tuikuan.db');
    const setup: ServeSetup = {
      db,
      dataDir,
      port: await freePort(),
      env: { TUIKUAN_ADMIN_TOKEN: ADMIN_TOKEN, TUIKUAN_JOB_LEASE_MS: String(JOB_LEASE_MS), TUIKUAN_LOG_LEVEL: 'warn' },
      log: openLog(join(work, 'serve.log')),
      onUnplannedExit: (what) => this.violations.record('no unplanned process exits', what),
      onErrorLogged: (line) => {
        this.errorsLogged++;
        if (this.errorSamples.length < 5) this.errorSamples.push(line.slice(0, 400));
      },
    };
    const cluster = new TuikuanCluster(setup);
    const worker = new StandaloneWorker(setup);
    running.add(cluster);
    running.add(worker);
    let world: World | null = null;
    const receiver = new FlakyReceiver(this.random('receiver'), this.violations, (fields) => world?.merchants[0]?.sdk.checkNotifySign(fields) ?? false);
    let reader: StoreReader | null = null;
    let report: Omit<EngineReport, 'wallMs' | 'keptAt'> | null = null;
    try {
      await receiver.start();
      log(`${this.engine}: starting tuikuan on ${database ? database.url : db} (port ${setup.port}), seed ${this.options.seed}`);
      await cluster.start();
      await worker.start();
      reader = this.engine === 'postgres' ? postgresReader(db) : sqliteReader(db);
      const admin = new AdminClient(cluster.url, ADMIN_TOKEN);
      const platform = await admin.ok<{ public_key: string }>('GET', '/platform');
      world = new World(admin, this.random('world'), {
        merchants: this.options.merchants,
        tradesPerMerchant: this.options.tradesPerMerchant,
        notifyUrl: receiver.url,
        gateway: `${cluster.url}/gateway.do`,
        platformPublicKey: platform.public_key,
      });
      await world.create();
      this.buyers = await createBuyers(admin, this.random('buyers'), world.merchants, this.options.buyers);
      log(
        `${this.engine}: ${world.merchants.length} merchants, ${world.trades.length} trades, ${this.buyers.length} buyers; load for ${this.options.seconds} s with ${this.options.kills} kills`,
      );
      const check = (moment: string, settled = false) => this.#check(reader as StoreReader, receiver, moment, settled);
      await check('after setup');

      const cashier = new CashierPayments({
        world,
        buyers: this.buyers,
        book: this.payments,
        figures: this.figures,
        violations: this.violations,
        origin: cluster.url,
        returnUrl: `${new URL(receiver.url).origin}/alipay/return`,
        notifyUrl: receiver.url,
      });
      const load = new RefundLoad({
        world,
        book: this.book,
        payments: this.payments,
        cashier,
        figures: this.figures,
        violations: this.violations,
        gatewayUp: () => cluster.whenUp(),
        notifyUrl: receiver.url,
        requestPrefix: `C${this.engine === 'sqlite' ? 'S' : 'P'}${this.options.seed}R`,
      });
      this.#loadRunning = true;
      load.start(Array.from({ length: this.options.lanes }, (_, i) => this.random('lane', String(i))));
      const clockKeeper = this.#advanceClockNowAndThen(admin, cluster, load, receiver);
      const treasurer = this.#topUpNowAndThen(admin, cluster, world);

      await this.#killOnSchedule(cluster, worker, check);

      this.#loadRunning = false;
      await load.stop();
      await Promise.all([clockKeeper, treasurer]);
      log(`${this.engine}: load stopped; settling (clock +${SETTLE_SECONDS / 86_400} days, jobs draining)`);
      await this.#settle(admin, cluster, worker, receiver, world);
      const final = await check('at the end, settled', true);
      report = {
        engine: this.engine,
        kills: this.kills,
        figures: this.figures,
        violations: this.violations,
        checks: this.checks,
        clockAdvances: this.clockAdvances,
        clockAdvancesQuieted: this.clockAdvancesQuieted,
        clockAdvanceMaxMs: this.clockAdvanceMaxMs,
        virtualSeconds: this.virtualSeconds,
        topUps: this.topUps,
        deliveries: receiver.deliveries,
        errorsLogged: this.errorsLogged,
        errorSamples: this.errorSamples,
        refundsInStore: final.refunds,
        finalStatuses: final.statuses,
        final,
        paymentsAcknowledged: { returned: this.payments.count('return'), paidPage: this.payments.count('paid_page') },
      };
    } finally {
      await cluster.stop().catch(() => cluster.killNow());
      await worker.stop().catch(() => worker.killNow());
      running.delete(cluster);
      running.delete(worker);
      await reader?.close();
      await receiver.close().catch(() => {});
      setup.log.end();
    }
    if (!report) throw new Error(`${this.engine}: the run ended without a report`);
    const keep = this.options.keep || this.violations.total() > 0;
    // A violation's store and logs are what reproduces it: they are kept (the PostgreSQL database too).
    if (database && !keep) await database.drop();
    if (!keep) rmSync(work, { recursive: true, force: true });
    return { ...report, wallMs: Date.now() - started, keptAt: keep ? `${work}${database ? ` and ${database.url}` : ''}` : null };
  }

  /** One check of every invariant; returns what the store held, for the figures. */
  async #check(reader: StoreReader, receiver: FlakyReceiver, moment: string, settled: boolean): Promise<FinalFigures> {
    // Acknowledgements and receipts first: all of them were committed before the snapshot is read.
    const acknowledged = this.book.snapshot();
    const payments = this.payments.snapshot();
    const received = receiver.snapshot();
    const snapshot = await reader.read();
    const before = this.violations.total();
    const buyers = this.buyers.map((b) => b.opening);
    checkInvariants({ snapshot, acknowledged, payments, buyers, received, settled, moment }, this.violations);
    this.checks++;
    const found = this.violations.total() - before;
    if (found > 0) log(`${this.engine}: ${found} violations ${moment}`);
    const statuses = new Map<string, number>();
    for (const refund of snapshot.refunds) statuses.set(refund.status, (statuses.get(refund.status) ?? 0) + 1);
    const ours = new Set(buyers.map((b) => b.buyerUserId));
    const buyerTrades = new Set(snapshot.trades.filter((t) => t.gmtPayment !== null && ours.has(t.buyerUserId)).map((t) => t.tradeNo));
    return {
      refunds: snapshot.refunds.length,
      statuses,
      buyerTradesPaid: buyerTrades.size,
      buyerTradesRefunded: new Set(snapshot.refunds.filter((r) => r.status === 'succeeded' && buyerTrades.has(r.tradeNo)).map((r) => r.tradeNo)).size,
      refundsToBuyers: snapshot.refunds.filter((r) => r.status === 'succeeded' && buyerTrades.has(r.tradeNo)).length,
      payOrders: snapshot.payOrders.length,
    };
  }

  async #killOnSchedule(cluster: TuikuanCluster, worker: StandaloneWorker, check: (moment: string) => Promise<unknown>): Promise<void> {
    const random = this.random('kills');
    const plan = planKills(random, this.options.kills, this.options.seconds);
    const start = Date.now();
    for (const [i, kill] of plan.entries()) {
      const wait = start + kill.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      const moment = `after kill ${i + 1} (${kill.kind}) at ${((Date.now() - start) / 1000).toFixed(1)} s`;
      await this.#kill(kill.kind, random, cluster, worker);
      await check(moment);
      if (kill.kind === 'worker') {
        await sleep(random.int(0, 2000));
        await worker.start();
      }
      log(
        `${this.engine}: ${moment}: ${this.figures.sent} sent, ${this.figures.acknowledged} acknowledged, ${this.figures.unknown} unknown, ${this.violations.total()} violations`,
      );
    }
    const rest = start + this.options.seconds * 1000 - Date.now();
    if (rest > 0) await sleep(rest);
  }

  /** Performs one kill and, for the cluster, brings it back: the primary for a child, the harness for the group. */
  async #kill(kind: KillKind, random: Random, cluster: TuikuanCluster, worker: StandaloneWorker): Promise<void> {
    if (kind === 'group') {
      // Sometimes the whole machine, as it were: the separate worker dies in the same instant.
      const workerToo = worker.running && random.chance(0.5);
      await Promise.all([cluster.killGroup(), workerToo ? worker.kill() : Promise.resolve()]);
      this.kills.group++;
      await sleep(random.int(0, 1000));
      await cluster.start();
      if (workerToo) await worker.start();
      return;
    }
    if (kind === 'single') {
      const victim = cluster.killOneChild((pids) => random.pick(pids));
      if (victim !== null) this.kills.single++;
      await cluster.untilChildrenRestarted();
      return;
    }
    if (!worker.running) await worker.start();
    await worker.kill();
    this.kills.worker++;
  }

  /** Moves the virtual clock every few seconds, so applies retry, notifications retry and bank cards settle. */
  async #advanceClockNowAndThen(admin: AdminClient, cluster: TuikuanCluster, load: RefundLoad, receiver: FlakyReceiver): Promise<void> {
    const random = this.random('clock');
    while (this.#loadRunning) {
      await sleep(random.between(3000, 7000));
      if (!this.#loadRunning) break;
      await cluster.whenUp();
      const seconds = random.int(20, 900);
      const started = Date.now();
      const advancing = admin.call('POST', '/clock', { advance_seconds: seconds });
      // The advance runs alongside the load at first. It returns only at a moment when no job is due, which a
      // steady stream of new refunds (and slow deliveries) can put off for ever: then the writes are held
      // back, and the merchant answers promptly, until it returns.
      const late = await Promise.race([advancing.then(() => false), sleep(QUIET_AFTER_MS).then(() => true)]);
      if (late) {
        this.clockAdvancesQuieted++;
        await Promise.all([load.quietWhile(advancing), receiver.promptWhile(advancing)]);
      }
      const answer = await advancing;
      this.clockAdvanceMaxMs = Math.max(this.clockAdvanceMaxMs, Date.now() - started);
      if (answer.kind === 'answered' && answer.status === 200) {
        this.clockAdvances++;
        this.virtualSeconds += seconds;
      } else if (answer.kind === 'answered' && answer.status >= 500) {
        this.violations.record('no unexpected errors (20000, HTTP 5xx)', `POST /admin/v1/clock → ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
  }

  /** Tops short merchants up now and then (and sometimes takes a little back, which may be refused). */
  async #topUpNowAndThen(admin: AdminClient, cluster: TuikuanCluster, world: World): Promise<void> {
    const random = this.random('treasurer');
    const shorts = world.merchants.filter((m) => m.short);
    if (shorts.length === 0) return;
    while (this.#loadRunning) {
      await sleep(random.between(4000, 10_000));
      if (!this.#loadRunning) break;
      await cluster.whenUp();
      const merchant = random.pick(shorts);
      const delta = random.chance(0.2) ? `-${yuan(random.int(100, 2000))}` : `+${yuan(random.int(2000, 40_000))}`;
      const answer = await admin.call('POST', `/merchants/${merchant.pid}/balance`, { delta });
      if (answer.kind === 'answered' && answer.status === 200) this.topUps++;
      else if (answer.kind === 'answered' && answer.status >= 500) {
        this.violations.record('no unexpected errors (20000, HTTP 5xx)', `POST balance ${delta} → ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
  }

  /**
   * The end: every process up, the merchant made reliable, the short merchants funded (but one), and the clock
   * moved far enough that every apply is carried out or given up and every notification delivered or given up;
   * then the jobs must drain.
   */
  async #settle(admin: AdminClient, cluster: TuikuanCluster, worker: StandaloneWorker, receiver: FlakyReceiver, world: World): Promise<void> {
    receiver.mood = 'reliable';
    if (!cluster.up) await cluster.start();
    if (!worker.running) await worker.start();
    for (const merchant of world.merchants.filter((m) => m.short && !m.shortToTheEnd)) {
      await admin.ok('POST', `/merchants/${merchant.pid}/balance`, { delta: '+10000000.00' });
    }
    for (let moved = 0; moved < SETTLE_SECONDS; moved += SETTLE_STEP_SECONDS) {
      const answer = await admin.call('POST', '/clock', { advance_seconds: SETTLE_STEP_SECONDS });
      if (answer.kind === 'unknown' || answer.status !== 200) {
        this.violations.record(
          'settled: jobs drained',
          `POST /admin/v1/clock while settling: ${answer.kind === 'unknown' ? answer.error : `${answer.status} ${JSON.stringify(answer.body)}`}`,
        );
      }
    }
    const end = Date.now() + DRAIN_TIMEOUT_MS;
    for (;;) {
      const jobs = await admin.call<{ jobs: unknown[] }>('GET', '/jobs');
      if (jobs.kind === 'answered' && jobs.status === 200 && jobs.body.jobs.length === 0) return;
      if (Date.now() > end) return; // the final check names the jobs left
      await admin.call('POST', '/clock', { advance_seconds: 0 });
      await sleep(500);
    }
  }
}

// ---------------------------------------------------------------------------------------------- the report

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function printReports(reports: readonly EngineReport[], options: ChaosOptions): void {
  const out: string[] = [];
  out.push('', `tuikuan chaos — seed ${options.seed}, ${options.kills} kills, ${options.seconds} s of load, ${options.lanes} lanes per engine`, '');
  const column = (label: string, values: string[]) => out.push(`  ${label.padEnd(54)}${values.map((v) => v.padStart(14)).join('')}`);
  column(
    '',
    reports.map((r) => r.engine),
  );
  column(
    'kills (group / single child / worker)',
    reports.map((r) => `${r.kills.group}/${r.kills.single}/${r.kills.worker}`),
  );
  column(
    'requests sent',
    reports.map((r) => String(r.figures.sent)),
  );
  column(
    'acknowledged (10000)',
    reports.map((r) => String(r.figures.acknowledged)),
  );
  column(
    'unknown (no answer)',
    reports.map((r) => String(r.figures.unknown)),
  );
  column(
    'refused (40004)',
    reports.map((r) => String(r.figures.rejected)),
  );
  column(
    'first refunds answered N (resent by the client)',
    reports.map((r) => String(r.figures.resentByClient)),
  );
  const methods = [...new Set(reports.flatMap((r) => [...r.figures.byMethod.keys()]))].sort();
  for (const method of methods) {
    column(
      `  ${method} sent/ack/unknown`,
      reports.map((r) => {
        const f = r.figures.byMethod.get(method);
        return f ? `${f.sent}/${f.acknowledged}/${f.unknown}` : '-';
      }),
    );
  }
  column(
    'refunds in the store',
    reports.map((r) => String(r.refundsInStore)),
  );
  for (const status of ['succeeded', 'failed', 'accepted', 'waiting_for_funds']) {
    column(
      `  ${status}`,
      reports.map((r) => String(r.finalStatuses.get(status) ?? 0)),
    );
  }
  column(
    'cashier orders opened (pay orders in the store)',
    reports.map((r) => String(r.final.payOrders)),
  );
  column(
    'paid by buyers on the cashier (trades in the store)',
    reports.map((r) => String(r.final.buyerTradesPaid)),
  );
  column(
    '  acknowledged by the return / by the paid page',
    reports.map((r) => `${r.paymentsAcknowledged.returned} / ${r.paymentsAcknowledged.paidPage}`),
  );
  column(
    '  refunded (trades / succeeded refunds to buyers)',
    reports.map((r) => `${r.final.buyerTradesRefunded} / ${r.final.refundsToBuyers}`),
  );
  column(
    'notification deliveries received',
    reports.map((r) => String(r.deliveries)),
  );
  column(
    'clock advances (virtual hours, before settling)',
    reports.map((r) => `${r.clockAdvances} (${(r.virtualSeconds / 3600).toFixed(1)} h)`),
  );
  column(
    '  of which writes held back for / longest',
    reports.map((r) => `${r.clockAdvancesQuieted} / ${seconds(r.clockAdvanceMaxMs)}`),
  );
  column(
    'balance adjustments',
    reports.map((r) => String(r.topUps)),
  );
  column(
    'invariant checks',
    reports.map((r) => String(r.checks)),
  );
  column(
    'errors logged by tuikuan',
    reports.map((r) => String(r.errorsLogged)),
  );
  column(
    'wall time',
    reports.map((r) => seconds(r.wallMs)),
  );
  out.push('', '  violations per invariant (0 expected)');
  for (const invariant of INVARIANTS)
    column(
      `  ${invariant}`,
      reports.map((r) => String(r.violations.count(invariant))),
    );
  for (const report of reports) {
    const subCodes = [...report.figures.bySubCode.entries()].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`);
    out.push('', `  ${report.engine}: refusals by sub_code: ${subCodes.join(', ') || 'none'}`);
    for (const invariant of INVARIANTS) {
      for (const sample of report.violations.samples(invariant)) out.push(`  ${report.engine} VIOLATION [${invariant}] ${sample}`);
    }
    for (const line of report.errorSamples) out.push(`  ${report.engine} logged: ${line}`);
    if (report.keptAt) out.push(`  ${report.engine}: store and logs kept at ${report.keptAt}`);
  }
  out.push('');
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const reports: EngineReport[] = [];
  for (const engine of options.engines) reports.push(await new EngineRun(engine, options).run());
  printReports(reports, options);
  const violations = reports.reduce((sum, r) => sum + r.violations.total(), 0);
  process.exitCode = violations > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
