/**
 * Seeded fuzzing of every surface, over HTTP, against the real server (DESIGN.md: "Bad input gets Alipay's
 * own answer … never a stack trace, never a 5xx, and never a partial write"):
 *
 * - the OpenAPI gateway answers anything — signed requests of the five methods mutated before signing (still
 *   validly signed, so they reach the methods) and after it, broken charsets and percent-encoding, raw bodies —
 *   in an HTTP 200 with an Alipay JSON reply, and a request answered with anything but 10000 moves no money
 *   (the merchants' balances, the trades' refunded totals and their refunds read the same before and after);
 * - the MAPI gateway answers a mutated batch refund with its error page or a redirect to the cashier; an error
 *   page creates no batch, and no request by itself moves money;
 * - the cashier pages answer random posts with a page or a redirect, and without the session's cookie and
 *   CSRF token nothing about the batch changes;
 * - a request line with raw (unescaped) bytes is refused without breaking the client's connection;
 * - the admin API answers bad bodies and query strings with a 4xx and an error code, and a refused call
 *   writes nothing;
 * - and nowhere does a reply show a stack frame, a source path or a driver's error, or the server log an
 *   exception it caught (which it answers politely: 20000 isp.unknow-error, the MAPI catch-all page, a 500).
 *
 * The cases come from fast-check with a fixed seed, so a run is the same cases on every machine
 * (TUIKUAN_FUZZ_SEED explores others, TUIKUAN_FUZZ_SCALE multiplies the case counts). A property runs all its
 * cases and then fails listing every distinct rule broken, each with its first case: fast-check's seed and
 * path (TUIKUAN_FUZZ_PATH=<path> with --test-name-pattern replays that one case), the case, and the request
 * and reply. The server's state is not part of the seed — earlier cases have spent money — so the printed
 * request is the reproduction.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import fc, { type Arbitrary } from 'fast-check';
import iconv from 'iconv-lite';
import { Seller, submitBatch } from '../support/batch-flow.js';
import { clockNow } from '../support/refund-calls.js';
import { describeEachEngine, type TestEngine } from '../support/engines.js';
import {
  describeRequest,
  Findings,
  leakedInternals,
  rawClient,
  sentText,
  startWatchedHarness,
  Tally,
  type RawClient,
  type RawRequest,
  type RawResponse,
  type WatchedHarness,
} from '../support/fuzz.js';
import {
  ADMIN_ROUTES,
  adminCase,
  adminRequest,
  cashierCase,
  mapiCase,
  mapiRequest,
  openApiCase,
  openApiRequest,
  POOL_SIZE,
  rawBodyCase,
  rawBodyRequest,
  tradesNamed,
  valuesOf,
  type AdminWorld,
  type CashierCase,
  type GatewayWorld,
  type MapiWorld,
  type PoolBatch,
  type WorldTrade,
} from '../support/fuzz-cases.js';
import { useHarness, newMerchant, newTrade, type Harness } from '../support/harness.js';
import { handApp, type HandApp } from '../support/openapi-client.js';
import { formOf } from '../support/percent-encoding.js';

// ---------------------------------------------------------------------------------------------------------
// How many cases, from which seed
// ---------------------------------------------------------------------------------------------------------

const SEED = Number(process.env.TUIKUAN_FUZZ_SEED ?? 20261123);
const SCALE = Number(process.env.TUIKUAN_FUZZ_SCALE ?? 1);
const REPLAY_PATH = process.env.TUIKUAN_FUZZ_PATH;

type Surface = 'openapi' | 'rawBodies' | 'mapi' | 'cashier' | 'admin';

/**
 * Cases per property, about 2,200 in all, sized so the file runs in well under a minute on two cores:
 * PostgreSQL, a round trip per statement on a machine that also runs the database, gets fewer.
 */
const RUNS: Record<TestEngine, Record<Surface, number>> = {
  sqlite: { openapi: 500, rawBodies: 120, mapi: 200, cashier: 160, admin: 700 },
  postgres: { openapi: 160, rawBodies: 40, mapi: 60, cashier: 50, admin: 200 },
};

const SEED_OFFSETS: Record<Surface, number> = { openapi: 0, rawBodies: 1, mapi: 2, cashier: 3, admin: 4 };

function runs(engine: TestEngine, surface: Surface): number {
  return Math.max(1, Math.round(RUNS[engine][surface] * SCALE));
}

function fcOptions(
  engine: TestEngine,
  surface: Surface,
): { seed: number; numRuns: number; endOnFailure: boolean; includeErrorInReport: boolean; path?: string } {
  // Broken rules are gathered, not thrown (see fuzz()): what reaches fast-check is the harness itself failing,
  // which is reported at once, in the message (node:test shows no error causes), without shrinking.
  return {
    seed: SEED + SEED_OFFSETS[surface],
    numRuns: REPLAY_PATH === undefined ? runs(engine, surface) : 1,
    endOnFailure: true,
    includeErrorInReport: true,
    ...(REPLAY_PATH !== undefined && { path: REPLAY_PATH }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Checks every reply passes
// ---------------------------------------------------------------------------------------------------------

function reproOf(req: RawRequest, res: RawResponse): string {
  return `\nrequest: ${describeRequest(req)}\nreply: ${res.status} ${JSON.stringify(res.headers['content-type'] ?? '')} ${JSON.stringify(res.text.slice(0, 600))}`;
}

/**
 * No 5xx, and nothing of the server's insides in the body (decoded in the charset it says it is in). `failures`,
 * what the server logged meanwhile, names the cause of a 5xx.
 */
function assertSound(req: RawRequest, res: RawResponse, failures: readonly string[], text: string = res.text): void {
  assert.ok(res.status < 500, `never a 5xx${failures.length > 0 ? ` (the server logged "${failures[0]!.slice(0, 200)}")` : ''}${reproOf(req, res)}`);
  const leaks = leakedInternals(text, sentText(req));
  assert.deepEqual(leaks, [], `the reply shows nothing internal${reproOf(req, res)}`);
}

function charsetOf(res: RawResponse): string {
  const named = /charset=([\w-]+)/i.exec(String(res.headers['content-type'] ?? ''))?.[1]?.toLowerCase() ?? 'utf-8';
  return iconv.encodingExists(named) ? named : 'utf-8';
}

/** What the server logged at error level since the last call: taken right after each reply, so it is that reply's. */
function failuresInside(harness: WatchedHarness): string[] {
  return harness.takeServerErrors().map((e) => `${e.msg}: ${e.err?.type ?? ''} ${e.err?.message ?? ''}`.trim());
}

/**
 * Nothing failed inside the server on the way: no exception caught and logged at error level. A caught one is
 * answered politely — 20000 isp.unknow-error, the MAPI error page's catch-all, a 500 — so its log line is how
 * a case tells an unexpected failure from a refusal.
 */
function assertNothingFailedInside(errors: readonly string[], req: RawRequest, res: RawResponse): void {
  if (errors.length > 0) assert.fail(`nothing failed inside the server (it logged "${errors.join('"; "').slice(0, 300)}")${reproOf(req, res)}`);
}

interface AlipayReply {
  nodeName: string;
  code: string;
  subCode: string | null;
}

/**
 * The gateway's contract: HTTP 200, JSON `{"<node>_response":{code,…},"sign"?}`, and sound — except for a page API
 * (page.pay, wap.pay), which answers the browser: a 302 to the cashier, or the error page with its code.
 */
function assertAlipayReply(req: RawRequest, res: RawResponse, failures: readonly string[]): AlipayReply {
  const text = iconv.decode(res.body, charsetOf(res));
  assertSound(req, res, failures, text);
  if (res.status === 302) {
    assert.match(String(res.headers.location ?? ''), /^\/cashier\/pay\/[\w-]+$/, `a page API's redirect goes to the cashier${reproOf(req, res)}`);
    return { nodeName: '(page)', code: 'cashier', subCode: null };
  }
  if (/^text\/html/i.test(String(res.headers['content-type'] ?? ''))) {
    assert.equal(res.status, 200, `the gateway answers in an HTTP 200${reproOf(req, res)}`);
    const shown = /id="error-code">([^<]+)</.exec(text)?.[1];
    assert.ok(shown, `a page API's error page shows its code${reproOf(req, res)}`);
    return { nodeName: '(page)', code: shown === 'isp.unknow-error' ? '20000' : 'page-error', subCode: shown };
  }
  assert.equal(res.status, 200, `the gateway answers in an HTTP 200${reproOf(req, res)}`);
  assert.match(String(res.headers['content-type'] ?? ''), /^application\/json/i, `a JSON reply${reproOf(req, res)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    assert.fail(`the reply is JSON${reproOf(req, res)}`);
  }
  assert.ok(typeof body === 'object' && body !== null && !Array.isArray(body), `the reply is a JSON object${reproOf(req, res)}`);
  const names = Object.keys(body).filter((key) => key !== 'sign');
  assert.equal(names.length, 1, `one response node${reproOf(req, res)}`);
  const nodeName = names[0]!;
  assert.match(nodeName, /_response$/, `the node is named <method>_response or error_response${reproOf(req, res)}`);
  const node = (body as Record<string, unknown>)[nodeName] as Record<string, unknown>;
  assert.equal(typeof node?.code, 'string', `the node has a code${reproOf(req, res)}`);
  return { nodeName, code: node.code as string, subCode: typeof node.sub_code === 'string' ? node.sub_code : null };
}

// ---------------------------------------------------------------------------------------------------------
// The money a request could move, as the admin API shows it
// ---------------------------------------------------------------------------------------------------------

type Money = Record<string, unknown>;

/** What of a trade is money: its refunded totals, per fund bill too, its status and close. */
function tradeMoney(trade: Record<string, unknown>): Money {
  const bills = (trade.fund_bill_list as Array<Record<string, unknown>>).map((bill) => `${bill.fund_channel}:${bill.refunded_amount}`);
  const { refunded_amount, refunded_charge_fee, refunded_send_back_fee, pending_refund_amount, refund_count, trade_status, gmt_close } = trade;
  return { refunded_amount, refunded_charge_fee, refunded_send_back_fee, pending_refund_amount, refund_count, trade_status, gmt_close, bills };
}

/** What of a refund is money (attempts and last errors are not: a failed retry may count itself). */
function refundMoney(refund: Record<string, unknown>): Money {
  const allocations = (refund.fund_allocations as Array<Record<string, unknown>>).map((a) => `${a.fund_channel}:${a.amount}`);
  const { id, out_request_no, refund_amount, status, send_back_fee, refund_charge_fee } = refund;
  return { id, out_request_no, refund_amount, status, send_back_fee, refund_charge_fee, allocations };
}

/**
 * Watches the money of a set of merchants and trades. Readings are kept until a request succeeds, so a run
 * of refused requests costs one reading each; after a success (which may have moved money, or accepted a
 * refund.apply the worker is about to carry out) the worker is waited for and everything is read afresh.
 */
class MoneyWatch {
  readonly #known = new Map<string, Money | Money[]>();

  constructor(
    private readonly harness: Harness,
    private readonly pids: readonly string[],
  ) {}

  async #read(key: string): Promise<Money | Money[]> {
    const [kind, id] = key.split(' ') as [string, string];
    if (kind === 'merchant') return { balance: (await this.harness.adminOk('GET', `/merchants/${id}`)).balance };
    if (kind === 'trade') return tradeMoney(await this.harness.adminOk('GET', `/trades/${id}`));
    const { refunds } = await this.harness.adminOk<{ refunds: Array<Record<string, unknown>> }>('GET', `/refunds?trade_no=${id}`);
    return refunds.map(refundMoney);
  }

  #keys(trades: readonly WorldTrade[]): string[] {
    return [...this.pids.map((pid) => `merchant ${pid}`), ...trades.flatMap((t) => [`trade ${t.tradeNo}`, `refunds ${t.tradeNo}`])];
  }

  /** The money now, from what is known where it still holds. */
  async before(trades: readonly WorldTrade[]): Promise<Record<string, Money | Money[]>> {
    const keys = this.#keys(trades);
    const values = await Promise.all(keys.map(async (key) => this.#known.get(key) ?? this.#read(key)));
    return Object.fromEntries(keys.map((key, i) => [key, values[i]!]));
  }

  /** The money now, read afresh. */
  async after(trades: readonly WorldTrade[]): Promise<Record<string, Money | Money[]>> {
    const keys = this.#keys(trades);
    const values = await Promise.all(keys.map((key) => this.#read(key)));
    for (const [i, key] of keys.entries()) this.#known.set(key, values[i]!);
    return Object.fromEntries(keys.map((key, i) => [key, values[i]!]));
  }

  /** Money may have moved: forget every reading, and wait until the worker has taken every accepted refund. */
  async moved(): Promise<void> {
    this.#known.clear();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { refunds } = await this.harness.adminOk<{ refunds: unknown[] }>('GET', '/refunds?status=accepted');
      if (refunds.length === 0) return;
      assert.ok(Date.now() < deadline, `accepted refunds are carried out by the worker: ${JSON.stringify(refunds).slice(0, 400)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** Sends a gateway request and checks the reply and the money; returns how it was answered. */
async function sendWatched(harness: WatchedHarness, client: RawClient, watch: MoneyWatch, world: GatewayWorld, req: RawRequest): Promise<AlipayReply> {
  const named = tradesNamed(world, req);
  const before = await watch.before(named);
  const res = await client.send(req);
  const failures = failuresInside(harness);
  const reply = assertAlipayReply(req, res, failures);
  if (reply.code === '10000') {
    await watch.moved();
  } else {
    const after = await watch.after(named);
    assert.deepEqual(after, before, `a request answered ${reply.code} ${reply.subCode} moves no money${reproOf(req, res)}`);
  }
  assertNothingFailedInside(failures, req, res);
  // No fault is armed on this server: 20000 is an exception the gateway caught.
  assert.notEqual(reply.code, '20000', `no unexpected failure (isp.unknow-error)${reproOf(req, res)}`);
  return reply;
}

// ---------------------------------------------------------------------------------------------------------
// Running a property
// ---------------------------------------------------------------------------------------------------------

/**
 * Runs `body` over the surface's cases from its seed. Every broken rule is gathered (Findings) so that one run
 * shows all of them, each with its first case; the test fails at the end if there was any. `body` returns a
 * label for the case's outcome, counted in a diagnostic line that shows what the cases reached.
 */
async function fuzz<T>(
  t: TestContext,
  engine: TestEngine,
  surface: Surface,
  cases: Arbitrary<T>,
  target: (c: T) => string,
  body: (c: T) => Promise<string>,
): Promise<void> {
  const options = fcOptions(engine, surface);
  const findings = new Findings(options.seed, Number(options.path ?? 0));
  const outcomes = new Tally();
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(cases, (c) =>
      findings.check(
        target(c),
        () => fc.stringify(c),
        async () => outcomes.add(await body(c)),
      ),
    ),
    options,
  );
  t.diagnostic(`${options.numRuns} cases in ${Date.now() - started} ms; ${outcomes.total} kept every rule: ${outcomes}`);
  findings.assertNone();
}

// ---------------------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------------------

describeEachEngine('fuzzed input', (engine) => {
  // One server for the gateway and the cashier, each rule with merchants of its own. A virtual clock: nothing
  // falls due by itself (retries, bank answers) between one reading of the money and the next.
  const { harness } = useHarness(engine, { clock: 'virtual', merchant: false, start: startWatchedHarness });
  let client: RawClient;
  before(() => {
    client = rawClient(harness.tuikuan.url);
  });
  after(() => client?.close());

  describe('the OpenAPI gateway answers anything in an HTTP 200 with an Alipay JSON reply, and a request it refuses moves no money', () => {
    let world: GatewayWorld;
    let watch: MoneyWatch;

    before(async () => {
      const rich = await handApp(harness, { balance: '100000.00' });
      const poor = await handApp(harness, { balance: '0.00' });
      const specs: Array<[HandApp, Record<string, unknown>, Record<string, unknown> | null]> = [
        [rich, { total_amount: '1000.00' }, null],
        [rich, { total_amount: '1000.00' }, null],
        [
          rich,
          {
            total_amount: '500.00',
            fund_bill_list: [
              { fund_channel: 'BANKCARD', amount: '300.00' },
              { fund_channel: 'ALIPAYACCOUNT', amount: '200.00' },
            ],
          },
          null,
        ],
        [
          rich,
          {
            total_amount: '200.00',
            fund_bill_list: [
              { fund_channel: 'ALIPAYACCOUNT', amount: '190.00' },
              { fund_channel: 'COUPON', amount: '10.00' },
            ],
            voucher_detail_list: [{ id: 'V-RED', name: '红包', amount: '10.00', merchant_contribute: '0.00', other_contribute: '10.00' }],
          },
          null,
        ],
        [rich, { total_amount: '300.00', status: 'WAIT_BUYER_PAY' }, null],
        [rich, { total_amount: '300.00', status: 'TRADE_FINISHED' }, null],
        [rich, { total_amount: '300.00' }, { frozen: true }],
        [rich, { total_amount: '300.00' }, { refund_allowed: false }],
        [poor, { total_amount: '100.00' }, null],
        [poor, { total_amount: '100.00' }, null],
      ];
      const trades: WorldTrade[] = [];
      for (const [i, [app, body, settings]] of specs.entries()) {
        const trade = await harness.adminOk('POST', '/trades', { app_id: app.appId, out_trade_no: `FZTRADE${String(i).padStart(2, '0')}`, ...body });
        if (settings) await harness.adminOk('PATCH', `/trades/${trade.trade_no}`, settings);
        trades.push({ tradeNo: trade.trade_no, outTradeNo: trade.out_trade_no });
      }
      // Too little for most refunds: they fail, and applies wait for funds.
      await harness.adminOk('POST', `/merchants/${poor.pid}/balance`, { set: '0.30' });
      const { app_auth_token: authToken } = await harness.adminOk('POST', '/app-auth-tokens', { app_id: rich.appId, pid: poor.pid });
      world = { apps: [rich, poor], stranger: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, authToken, trades };
      watch = new MoneyWatch(harness, [rich.pid, poor.pid]);
    });

    it(`signed requests of the five methods, mutated before and after signing (${runs(engine, 'openapi')} cases)`, (t: TestContext) =>
      fuzz(
        t,
        engine,
        'openapi',
        openApiCase(world.trades.length),
        (c) => c.method,
        async (c) => {
          const reply = await sendWatched(harness, client, watch, world, openApiRequest(world, c));
          return reply.code === '10000' ? `10000 ${c.method}` : `${reply.code} ${reply.subCode}`;
        },
      ));

    it(`raw bodies: invalid bytes, wrong content types, JSON, empty, too large (${runs(engine, 'rawBodies')} cases)`, (t: TestContext) =>
      fuzz(
        t,
        engine,
        'rawBodies',
        rawBodyCase(world.trades.length),
        (c) => `${c.httpMethod} ${c.contentType}`,
        async (c) => {
          const reply = await sendWatched(harness, client, watch, world, rawBodyRequest(world, c));
          return `${reply.code} ${reply.subCode ?? ''}`.trim();
        },
      ));
  });

  describe('the batch refund with password', () => {
    let world: MapiWorld;
    // Nothing here may move money: a batch moves it only once its seller confirms with the payment password,
    // which no case below sends. The balances are read after every case, the trades' refunds after all of them.
    let balances: string;
    let refunded: string;
    const balancesNow = async () =>
      JSON.stringify(await Promise.all([world.kit.pid, world.other.pid].map((pid) => harness.adminOk('GET', `/merchants/${pid}`).then((m) => m.balance))));
    const refundedNow = async () =>
      JSON.stringify(
        await Promise.all(
          world.trades.map(async (tradeNo) => {
            const trade = await harness.adminOk('GET', `/trades/${tradeNo}`);
            const { refunds } = await harness.adminOk('GET', `/refunds?trade_no=${tradeNo}`);
            return [trade.refunded_amount, trade.pending_refund_amount, refunds.length];
          }),
        ),
      );

    before(async () => {
      const kit = await newMerchant(harness);
      const other = await newMerchant(harness);
      const trades: string[] = [];
      for (const body of [
        { total_amount: '100.00' },
        { total_amount: '100.00' },
        { total_amount: '50.00' },
        { total_amount: '80.00', status: 'WAIT_BUYER_PAY' },
      ]) {
        trades.push((await newTrade(harness, kit, body)).trade_no);
      }
      trades.push((await newTrade(harness, other, { total_amount: '100.00' })).trade_no);
      world = { kit, other, trades, now: await clockNow(harness) };
      [balances, refunded] = [await balancesNow(), await refundedNow()];
    });

    describe('the MAPI gateway answers a mutated batch with its error page or a redirect to the cashier; an error page creates no batch, and no request moves money', () => {
      it(`refund_fastpay_by_platform_pwd with mutated detail_data, batch_no, batch_num, refund_date, MD5-signed and not (${runs(engine, 'mapi')} cases)`, async (t: TestContext) => {
        const accepted = new Set<string>();
        await fuzz(
          t,
          engine,
          'mapi',
          mapiCase(world.trades.length),
          (c) => `${c.signer} ${c.how}`,
          async (c) => {
            const req = mapiRequest(world, c);
            const res = await client.send(req);
            const failures = failuresInside(harness);
            assertSound(req, res, failures, iconv.decode(res.body, charsetOf(res)));
            const batchNos = valuesOf(req, 'batch_no').filter((no) => no !== '');
            let outcome: string;
            if (res.status === 302) {
              assert.match(String(res.headers.location), /^\/cashier\/batches\/[0-9A-Za-z]+$/, `a redirect goes to the cashier${reproOf(req, res)}`);
              for (const no of batchNos) accepted.add(no);
              outcome = 'redirect to the cashier';
            } else {
              assert.equal(res.status, 200, `an error page or a text answer, in an HTTP 200${reproOf(req, res)}`);
              const type = String(res.headers['content-type'] ?? '');
              if (/^text\/html/.test(type)) {
                const code = /<span class="code" id="error-code">([A-Z_]+)<\/span>/.exec(res.text)?.[1];
                assert.ok(code, `the error page shows an error code${reproOf(req, res)}`);
                for (const no of batchNos.filter((n) => !accepted.has(n))) {
                  const batch = await harness.admin('GET', `/batches/${encodeURIComponent(no)}`);
                  assert.notEqual(batch.status, 200, `an error page (${code}) creates no batch ${no}${reproOf(req, res)}`);
                }
                // What the lookups themselves made the server log (a batch_no its database cannot hold) is the
                // admin API's to answer for, under its own rule below, not this request's.
                harness.takeServerErrors();
                outcome = code;
              } else if (/^application\/json/.test(type)) {
                // Without a readable `service=` it is no MAPI request: the OpenAPI gateway answers it.
                assert.equal(valuesOf(req, 'service')[0] ?? '', '', `only a request without service= is answered as OpenAPI${reproOf(req, res)}`);
                outcome = `OpenAPI ${assertAlipayReply(req, res, failures).code}`;
              } else {
                assert.match(type, /^text\/plain/, `a service that is not the batch refund answers text${reproOf(req, res)}`);
                outcome = `text ${res.text.slice(0, 20)}`;
              }
            }
            assert.equal(await balancesNow(), balances, `a batch request moves no money by itself${reproOf(req, res)}`);
            // The MAPI gateway answers an exception it caught with the ILLEGAL_ARGUMENT page: only its log tells.
            assertNothingFailedInside(failures, req, res);
            return outcome;
          },
        );
        assert.equal(await refundedNow(), refunded, 'no batch request refunded anything');
      });
    });

    describe('the cashier pages answer random posts with a page or a redirect, and without the session’s cookie and CSRF token nothing changes', () => {
      const pool: PoolBatch[] = [];
      const batchOf = async (batchNo: string) => {
        const batch = await harness.adminOk('GET', `/batches/${batchNo}?partner=${world.kit.pid}`);
        return { status: batch.status, login_failures: batch.login_failures, pwd_failures: batch.pwd_failures };
      };
      const freshBatch = async (): Promise<PoolBatch> => {
        const submitted = await submitBatch(harness, world.kit, { lines: [{ tradeNo: world.trades[0]!, amount: '1.00' }] });
        assert.ok(submitted.location, `a good batch is accepted: ${submitted.errorCode}`);
        const seller = new Seller(harness, submitted.location);
        await seller.open();
        return { batchNo: submitted.params.batch_no!, path: submitted.location, seller };
      };

      before(async () => {
        for (let i = 0; i < POOL_SIZE; i++) pool.push(await freshBatch());
      });

      function cashierRequest(c: CashierCase): { req: RawRequest; batch: PoolBatch | null; guarded: boolean } {
        const batch = 'pool' in c.target ? pool[c.target.pool]! : null;
        const other = pool[('pool' in c.target ? c.target.pool + 1 : 0) % POOL_SIZE]!;
        const base = batch ? batch.path : `/cashier/batches/${(c.target as { token: string }).token}`;
        const action = typeof c.action === 'string' ? c.action : c.action.suffix;
        const path = action === 'page' ? base : `${base}/${action}`;
        const own = batch?.seller;
        const cookie = c.cookie === 'own' ? own?.cookie : c.cookie === 'other' ? other.seller.cookie : c.cookie === 'none' ? undefined : c.cookie.header;
        const junk = 'f'.repeat(32);
        const csrfFields: Array<[string, string]> = (() => {
          switch (c.csrf) {
            case 'own':
              return [['_csrf', own?.csrf ?? junk]];
            case 'other':
              return [['_csrf', other.seller.csrf]];
            case 'own-then-junk':
              return [
                ['_csrf', own?.csrf ?? junk],
                ['_csrf', junk],
              ];
            case 'junk-then-own':
              return [
                ['_csrf', junk],
                ['_csrf', own?.csrf ?? junk],
              ];
            case 'none':
              return [];
            default:
              return [['_csrf', c.csrf.text]];
          }
        })();
        const passwordField = action === 'confirm' ? 'payment_password' : 'login_password';
        let password = c.password === 'none' ? null : c.password === 'right-login' ? world.kit.loginPassword : c.password.text;
        // Never the right payment password: a confirmed batch would move money, and here none may move.
        if (password !== null && password === world.kit.paymentPassword) password += 'x';
        const fields: Array<[string, string]> = [
          ...csrfFields,
          ...(password === null ? [] : [[passwordField, password] as [string, string]]),
          ...c.extra.map(([k, v]): [string, string] => [k, v]),
        ];
        const form = formOf(fields);
        const b = c.body;
        const body = 'form' in b ? form : 'json' in b ? JSON.stringify(Object.fromEntries(fields)) : 'bytes' in b ? Buffer.from(b.bytes) : '';
        const req: RawRequest = {
          method: action === 'page' ? 'GET' : 'POST',
          path,
          headers: { ...(cookie && { cookie }), ...(c.contentType !== null && action !== 'page' && { 'content-type': c.contentType }) },
          ...(action !== 'page' && { body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body }),
        };
        // The server reads the first _csrf of a form body (any content type is read as a form).
        const ownSession = c.cookie === 'own' && 'form' in b && (c.csrf === 'own' || c.csrf === 'own-then-junk');
        return { req, batch, guarded: !ownSession || action === 'page' };
      }

      it(`login, confirm and cancel posts with random forms, missing or wrong CSRF tokens, random cookies (${runs(engine, 'cashier')} cases)`, async (t: TestContext) => {
        await fuzz(
          t,
          engine,
          'cashier',
          cashierCase,
          (c) => (typeof c.action === 'string' ? c.action : 'odd path'),
          async (c) => {
            const { req, batch, guarded } = cashierRequest(c);
            const before = batch && (await batchOf(batch.batchNo));
            const res = await client.send(req);
            const failures = failuresInside(harness);
            assertSound(req, res, failures);
            assert.ok(
              res.status === 200 || res.status === 303 || (res.status >= 400 && res.status < 500),
              `a page, a redirect or a refusal${reproOf(req, res)}`,
            );
            if (res.status === 303)
              assert.match(String(res.headers.location), /^\/cashier\/batches\/[0-9A-Za-z]+$/, `a redirect stays on the batch's page${reproOf(req, res)}`);
            if (batch && before) {
              const now = await batchOf(batch.batchNo);
              // A batch the seller has finished with (locked, cancelled) makes way for a fresh one.
              if (now.status !== 'awaiting_confirmation') pool[pool.indexOf(batch)] = await freshBatch();
              if (guarded) assert.deepEqual(now, before, `without the session's cookie and CSRF token, the batch is as it was${reproOf(req, res)}`);
            }
            assert.equal(await balancesNow(), balances, `no cashier post here moves money${reproOf(req, res)}`);
            assertNothingFailedInside(failures, req, res);
            return `HTTP ${res.status}`;
          },
        );
        await harness.adminOk('POST', '/clock', { advance_seconds: 0 });
        assert.equal(await refundedNow(), refunded, 'no cashier post refunded anything');
      });
    });
  });

  describe('a request line with raw bytes is refused with a 4xx that shows nothing internal, and the client’s next request on that connection is answered', () => {
    // Browsers and HTTP libraries percent-encode a URL; a hand-built one may not (a merchant's MAPI link with its
    // GBK reason left unescaped). Node's HTTP parser refuses such a request line before any route sees it, so the
    // fuzzing above percent-encodes the raw bytes it puts in a URL, and this rule takes the raw ones.
    const LINES: ReadonlyArray<readonly [string, string]> = [
      [
        'an OpenAPI GET with UTF-8 left unescaped in biz_content',
        '/gateway.do?method=alipay.trade.query&charset=utf-8&biz_content={"out_trade_no":"\xe9\x80\x80"}',
      ],
      [
        'a MAPI link with a GBK reason left unescaped',
        '/gateway.do?service=refund_fastpay_by_platform_pwd&_input_charset=GBK&detail_data=1^1.00^\xd0\xad\xc9\xcc',
      ],
      ['an admin path', '/admin/v1/merchants/\xff'],
      ['a cashier page', '/cashier/batches/\xe4\xb8'],
    ];
    for (const [what, path] of LINES) {
      it(what, async () => {
        // A client of its own: one keep-alive connection, which the refusal must either close openly or keep usable.
        const own = rawClient(harness.tuikuan.url);
        try {
          const req: RawRequest = { method: 'GET', path, headers: { authorization: `Bearer ${harness.tuikuan.adminToken}` } };
          const res = await own.send(req);
          assertSound(req, res, failuresInside(harness));
          assert.ok(res.status >= 400 && res.status < 500, `refused with a 4xx${reproOf(req, res)}`);
          const next: RawRequest = { method: 'GET', path: '/healthz' };
          let answered: RawResponse;
          try {
            answered = await own.send(next);
          } catch (error) {
            assert.fail(
              `the next request on the connection is answered, but it failed with "${(error as Error).message}": the refusal closed the connection ` +
                `without saying so (its headers: ${JSON.stringify(res.headers)})${reproOf(req, res)}`,
            );
          }
          assert.equal(answered.status, 200);
        } finally {
          own.close();
        }
      });
    }
  });

  describe('the admin API answers bad bodies and query strings with a 4xx and an error code, never a 5xx, and a refused call writes nothing', () => {
    // A server of its own (these names shadow the shared one): the calls below arm faults, freeze merchants and
    // advance the clock, which the gateway's rules must not see.
    const { harness, kit } = useHarness(engine, { clock: 'virtual', start: startWatchedHarness });
    let client: RawClient;
    let world: AdminWorld;

    before(async () => {
      client = rawClient(harness.tuikuan.url);
      const tradeNo = (await newTrade(harness, kit, { total_amount: '100.00' })).trade_no as string;
      const { app_auth_token: authToken } = await harness.adminOk('POST', '/app-auth-tokens', { app_id: kit.appId, pid: kit.pid });
      const publicKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      world = { kit, tradeNo, authToken, publicKeyPem };
    });
    after(() => client?.close());

    /** The victim merchant and trade as the admin API shows them: a refused call must leave both as they were. */
    const victimNow = async () =>
      JSON.stringify([await harness.adminOk('GET', `/merchants/${world.kit.pid}`), await harness.adminOk('GET', `/trades/${world.tradeNo}`)]);

    it(`POST/PATCH/GET/DELETE on every route with random JSON, junk, odd paths and repeated query keys (${runs(engine, 'admin')} cases)`, async (t: TestContext) => {
      /** What the victim looked like after the last case, while no call since can have changed it. */
      let known: string | null = null;
      await fuzz(
        t,
        engine,
        'admin',
        adminCase(world),
        (c) => `${c.method} /${ADMIN_ROUTES[c.route]!.path.map((p) => (typeof p === 'string' ? p : `:${p.victim}`)).join('/')}`,
        async (c) => {
          const req = adminRequest(world, c, harness.tuikuan.adminToken);
          const before = known ?? (await victimNow());
          known = null;
          const res = await client.send(req);
          const failures = failuresInside(harness);
          assertSound(req, res, failures);
          assert.ok(res.status >= 200 && res.status < 500 && (res.status < 300 || res.status >= 400), `a 2xx or a 4xx${reproOf(req, res)}`);
          if (res.status >= 400 && req.method !== 'HEAD') {
            let body: { error?: { code?: unknown; message?: unknown } } = {};
            try {
              body = JSON.parse(res.text) as typeof body;
            } catch {
              assert.fail(`a refusal is JSON${reproOf(req, res)}`);
            }
            assert.equal(typeof body.error?.code, 'string', `a refusal names its error code${reproOf(req, res)}`);
            assert.equal(typeof body.error?.message, 'string', `a refusal has a message${reproOf(req, res)}`);
            const after = await victimNow();
            assert.equal(after, before, `a refused call (${res.status} ${String(body.error?.code)}) writes nothing${reproOf(req, res)}`);
            known = after;
          } else if (req.method === 'GET' || req.method === 'HEAD') {
            known = before;
          }
          assertNothingFailedInside(failures, req, res);
          return `HTTP ${res.status}`;
        },
      );
    });
  });
});
