/**
 * The reference server of the benchmark: what any Alipay-compatible gateway must do for a request and
 * nothing more — parse the form, verify the RSA2 signature, sign an RSA2 reply — with no database.
 * Keys are parsed once. Runs as a cluster of N processes sharing one port, like `tuikuan serve`.
 *
 * With REF_REFUND_DB it is the bench's *floor* instead: the reference's work plus a refund's own statements
 * in one transaction (or a refund query's one read), written by hand on the raw driver — what a refund cannot
 * cost less than, with no framework, no rules, and on SQLite (to err on the generous side) no fsync at all.
 * The floor follows tuikuan's design (REF_REFUND_SHAPE): `read-write` (the default), the refund as tuikuan
 * makes it — one locked read (the trade `for update of`, joined with its merchant, its fund bill as a JSON
 * aggregate, whether the out_request_no exists) and one write (on PostgreSQL one statement of data-modifying
 * CTEs, gated on the balance; on SQLite the same writes as prepared statements, the guard first) — on
 * PostgreSQL with `begin` written together with the read and `commit` with the write, as tuikuan's client
 * writes them (two round trips); or `eleven`,
 * the design before it, each of a refund's eleven statements its own round trip — kept so that the gain shows.
 *
 * Environment: REF_PORT, REF_PROCESSES, REF_APP_PUBLIC_KEY (PEM), REF_PLATFORM_PRIVATE_KEY (PEM),
 * REF_SIGN (`pool` to sign on libuv's thread pool), REF_REFUND_DB (a tuikuan database: a SQLite path or a postgres:// URL),
 * REF_REFUND_SHAPE (`read-write` | `eleven`).
 */
import cluster from 'node:cluster';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';
import { decodeForm, encodeText, splitForm } from '../src/protocol/charset.js';
import { encodeResponse, responseNodeName } from '../src/protocol/openapi/response-envelope.js';
import { requestSignContent } from '../src/protocol/sign-content.js';
import { rsaSign, rsaSignOffThread, rsaVerify } from '../src/protocol/signing.js';

const port = Number(process.env.REF_PORT ?? 9190);
const processes = Number(process.env.REF_PROCESSES ?? 1);

interface RawRefunds {
  sellerOf(appId: string): Promise<string>;
  /** A refund of `amount` fen, the least it takes: lock, read, write, commit. False when it cannot be made. */
  refund(sellerPid: string, tradeNo: string, outRequestNo: string, amount: number): Promise<boolean>;
  /** A refund query, the least it takes: one read of the trade and its refund. False when there is no such trade. */
  query(sellerPid: string, tradeNo: string, outRequestNo: string): Promise<boolean>;
}

// The statements of a refund, in the order tuikuan runs them; `$n` placeholders, rewritten to `?` for SQLite.
const REFUND_SQL = {
  app: 'select pid from apps where app_id = $1',
  trade: 'select * from trades where seller_pid = $1 and trade_no = $2 for update',
  bills: 'select * from trade_fund_bills where trade_no = $1 order by position',
  merchant: 'select * from merchants where pid = $1',
  existing: 'select * from refunds where trade_no = $1 and out_request_no = $2',
  insertRefund: `insert into refunds (trade_no, out_request_no, refund_amount, status, source, send_back_fee, refund_charge_fee, gmt_refund_pay, attempts, created_at, updated_at)
     values ($1, $2, $3, 'succeeded', 'refund', $3, 0, $4, 0, $4, $4) returning id`,
  allocation: 'insert into fund_allocations (refund_id, position, fund_channel, amount, real_amount) values ($1, $2, $3, $4, $4)',
  bill: 'update trade_fund_bills set refunded_amount = refunded_amount + $1 where trade_no = $2 and position = $3',
  tradeTotals: 'update trades set refunded_amount = refunded_amount + $1, refund_count = refund_count + 1 where trade_no = $2',
  balance: 'update merchants set balance = balance - $1 where pid = $2 and balance - $1 >= 0 returning balance',
  ledger: `insert into ledger_entries (pid, amount, kind, trade_no, refund_id, created_at) values ($1, $2, 'refund', $3, $4, $5)`,
  // The design's shape: one locked read, one write.
  context: `select t.refunded_amount, t.total_amount, m.balance,
       (select json_agg(json_build_object('position', b.position, 'fund_channel', b.fund_channel, 'amount', b.amount, 'refunded_amount', b.refunded_amount)
          order by b.position)::text from trade_fund_bills b where b.trade_no = t.trade_no) as bills,
       exists (select 1 from refunds r where r.trade_no = t.trade_no and r.out_request_no = $3) as existing
     from trades t join merchants m on m.pid = t.seller_pid
     where t.seller_pid = $1 and t.trade_no = $2 for update of t`,
  write: `with moved as (update merchants set balance = balance - $3 where pid = $1 and balance - $3 >= 0 returning pid),
     refund as (insert into refunds (trade_no, out_request_no, refund_amount, status, source, send_back_fee, refund_charge_fee, gmt_refund_pay, attempts, created_at, updated_at)
       select $2, $4, $3::bigint, 'succeeded', 'refund', $3::bigint, 0, $6::bigint, 0, $6::bigint, $6::bigint from moved returning id),
     allocation as (insert into fund_allocations (refund_id, position, fund_channel, amount, real_amount) select id, $5::integer, $7, $3::bigint, $3::bigint from refund),
     bill as (update trade_fund_bills set refunded_amount = refunded_amount + $3 from refund where trade_no = $2 and position = $5),
     totals as (update trades set refunded_amount = refunded_amount + $3, refund_count = refund_count + 1 from refund where trade_no = $2),
     ledger as (insert into ledger_entries (pid, amount, kind, trade_no, refund_id, created_at) select $1, -$3::bigint, 'refund', $2, id, $6::bigint from refund)
     select id from refund`,
  query: `select refunds.*, trades.trade_no as queried_trade_no, trades.out_trade_no, trades.total_amount, trades.fee_rate_ppm, trades.voucher_detail_list
     from trades left join refunds on refunds.trade_no = trades.trade_no and refunds.out_request_no = $3
     where trades.seller_pid = $1 and trades.trade_no = $2`,
};
type Statement = keyof typeof REFUND_SQL;

// SQLite's own text where it differs: its JSON functions, and no data-modifying CTEs (the write is the
// eleven-statement design's writes, the balance first as the guard).
const SQLITE_SQL: Partial<Record<Statement, string>> = {
  context: `select t.refunded_amount, t.total_amount, m.balance,
       (select json_group_array(json_object('position', b.position, 'fund_channel', b.fund_channel, 'amount', b.amount, 'refunded_amount', b.refunded_amount))
          from (select * from trade_fund_bills b where b.trade_no = t.trade_no order by b.position) b) as bills,
       exists (select 1 from refunds r where r.trade_no = t.trade_no and r.out_request_no = $3) as existing
     from trades t join merchants m on m.pid = t.seller_pid
     where t.seller_pid = $1 and t.trade_no = $2`,
};
type Run = (statement: Statement, values: unknown[]) => Promise<Array<Record<string, unknown>>>;

interface Bill {
  position: number;
  fund_channel: string;
  amount: number;
  refunded_amount: number;
}

/** The refund's statements, on whichever engine `run` speaks to. */
async function refundStatements(run: Run, sellerPid: string, tradeNo: string, outRequestNo: string, amount: number): Promise<boolean> {
  const [trade] = (await run('trade', [sellerPid, tradeNo])) as Array<{ refunded_amount: number | string; total_amount: number | string }>;
  const bills = (await run('bills', [tradeNo])) as unknown as Bill[];
  await run('merchant', [sellerPid]);
  const existing = await run('existing', [tradeNo, outRequestNo]);
  const bill = bills.find((b) => Number(b.amount) - Number(b.refunded_amount) >= amount);
  if (!trade || existing.length > 0 || !bill || Number(trade.refunded_amount) + amount > Number(trade.total_amount)) return false;
  const now = Date.now();
  const [inserted] = await run('insertRefund', [tradeNo, outRequestNo, amount, now]);
  const id = inserted?.id;
  await run('allocation', [id, bill.position, bill.fund_channel, amount]);
  await run('bill', [amount, tradeNo, bill.position]);
  await run('tradeTotals', [amount, tradeNo]);
  if ((await run('balance', [amount, sellerPid])).length === 0) return false;
  await run('ledger', [sellerPid, -amount, tradeNo, id, now]);
  return true;
}

/** The locked read of the design's shape, as both engines return it. */
interface FloorContext {
  refunded_amount: number | string;
  total_amount: number | string;
  bills: string;
  existing: boolean | number;
}

/** What the read says: the fund bill line the refund draws on, or null when it cannot be made. */
function floorBill(context: FloorContext | undefined, amount: number): Bill | null {
  if (!context || context.existing) return null;
  const bill = (JSON.parse(context.bills) as Bill[]).find((b) => Number(b.amount) - Number(b.refunded_amount) >= amount);
  return bill && Number(context.refunded_amount) + amount <= Number(context.total_amount) ? bill : null;
}

/** The design's shape on SQLite: one locked read, then the writes as prepared statements, the guard first. */
async function readWriteStatements(run: Run, sellerPid: string, tradeNo: string, outRequestNo: string, amount: number): Promise<boolean> {
  const [context] = (await run('context', [sellerPid, tradeNo, outRequestNo])) as unknown as FloorContext[];
  const bill = floorBill(context, amount);
  if (!bill) return false;
  const now = Date.now();
  if ((await run('balance', [amount, sellerPid])).length === 0) return false;
  const [inserted] = await run('insertRefund', [tradeNo, outRequestNo, amount, now]);
  const id = inserted?.id;
  await run('allocation', [id, bill.position, bill.fund_channel, amount]);
  await run('bill', [amount, tradeNo, bill.position]);
  await run('tradeTotals', [amount, tradeNo]);
  await run('ledger', [sellerPid, -amount, tradeNo, id, now]);
  return true;
}

/** The floor's refund in the shape REF_REFUND_SHAPE names. */
function floorRefund(run: Run, sellerPid: string, tradeNo: string, outRequestNo: string, amount: number): Promise<boolean> {
  return process.env.REF_REFUND_SHAPE === 'eleven'
    ? refundStatements(run, sellerPid, tradeNo, outRequestNo, amount)
    : readWriteStatements(run, sellerPid, tradeNo, outRequestNo, amount);
}

function sqliteRefunds(path: string): RawRefunds {
  const db = new BetterSqlite3(path, { timeout: 0 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // SQLite has no row locks (`begin immediate` locks the database) and takes `?` placeholders in order.
  const prepared = new Map<Statement, { sql: BetterSqlite3.Statement; order: number[] }>();
  for (const [name, postgresText] of Object.entries(REFUND_SQL)) {
    if (name === 'write') continue; // PostgreSQL's alone
    const text = SQLITE_SQL[name as Statement] ?? postgresText;
    const order: number[] = [];
    const sql = db.prepare(
      text.replace(/ for update$/, '').replace(/\$(\d+)/g, (_, n: string) => {
        order.push(Number(n) - 1);
        return '?';
      }),
    );
    prepared.set(name as Statement, { sql, order });
  }
  const begin = db.prepare('begin immediate');
  const commit = db.prepare('commit');
  const rollback = db.prepare('rollback');
  const run = (statement: Statement, values: unknown[]) => {
    const { sql, order } = prepared.get(statement)!;
    const ordered = order.map((i) => values[i]);
    if (!sql.reader) {
      sql.run(...ordered);
      return [];
    }
    return sql.all(...ordered) as Array<Record<string, unknown>>;
  };
  // One transaction at a time on the process's one connection, as in tuikuan: the statements' awaits would
  // otherwise let another request's `begin` in.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const result = turn.then(work);
    turn = result.catch(() => {});
    return result;
  };
  const refund = async (sellerPid: string, tradeNo: string, outRequestNo: string, amount: number) => {
    for (;;) {
      try {
        begin.run();
        break;
      } catch (error) {
        // Another process holds the write lock: try again on the next turn, without blocking the loop.
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    try {
      const ok = await floorRefund(async (statement, values) => run(statement, values), sellerPid, tradeNo, outRequestNo, amount);
      (ok ? commit : rollback).run();
      return ok;
    } catch (error) {
      if (db.inTransaction) rollback.run();
      throw error;
    }
  };
  return {
    async sellerOf(appId) {
      return String(run('app', [appId])[0]?.pid ?? '');
    },
    refund: (...args) => inTurn(() => refund(...args)),
    query: (sellerPid, tradeNo, outRequestNo) => inTurn(async () => run('query', [sellerPid, tradeNo, outRequestNo]).length > 0),
  };
}

function postgresRefunds(url: string): RawRefunds {
  // Pipeline mode: what a client is given is written at once (the read-write shape sends two statements a time).
  const pool = new pg.Pool({ connectionString: url, max: 10, pipeline: true } as pg.PoolConfig);
  // Named statements, parsed once per connection, as tuikuan's prepared queries are.
  const query = (client: pg.PoolClient | pg.Pool, statement: Statement, values: unknown[]) =>
    client.query({ name: `floor_${statement}`, text: REFUND_SQL[statement], values }).then((result) => result.rows as Array<Record<string, unknown>>);
  return {
    async sellerOf(appId) {
      return String((await query(pool, 'app', [appId]))[0]?.pid ?? '');
    },
    async query(sellerPid, tradeNo, outRequestNo) {
      return (await query(pool, 'query', [sellerPid, tradeNo, outRequestNo])).length > 0;
    },
    async refund(sellerPid, tradeNo, outRequestNo, amount) {
      const client = await pool.connect();
      try {
        if (process.env.REF_REFUND_SHAPE !== 'eleven') return await pipelinedReadWrite(client, sellerPid, tradeNo, outRequestNo, amount);
        await client.query('begin');
        const ok = await floorRefund((statement, values) => query(client, statement, values), sellerPid, tradeNo, outRequestNo, amount);
        await client.query(ok ? 'commit' : 'rollback');
        return ok;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
  };

  /**
   * The design's shape as tuikuan sends it (store/postgres-client.ts): `begin` written with the locked read, the
   * write with the `commit` — two round trips. (The raw write refuses by writing nothing, so its commit is safe.)
   */
  async function pipelinedReadWrite(client: pg.PoolClient, sellerPid: string, tradeNo: string, outRequestNo: string, amount: number): Promise<boolean> {
    const [, [context]] = await Promise.all([client.query('begin'), query(client, 'context', [sellerPid, tradeNo, outRequestNo])]);
    const bill = floorBill(context as unknown as FloorContext | undefined, amount);
    if (!bill) {
      await client.query('rollback');
      return false;
    }
    const [written] = await Promise.all([
      query(client, 'write', [sellerPid, tradeNo, amount, outRequestNo, bill.position, Date.now(), bill.fund_channel]),
      client.query('commit'),
    ]);
    return written.length > 0;
  }
}

function rawRefunds(location: string): RawRefunds {
  return location.startsWith('postgres') ? postgresRefunds(location) : sqliteRefunds(location);
}

if (cluster.isPrimary && processes > 1) {
  for (let i = 0; i < processes; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const appKey = createPublicKey(process.env.REF_APP_PUBLIC_KEY ?? '');
  const platformKey = createPrivateKey(process.env.REF_PLATFORM_PRIVATE_KEY ?? '');
  const refunds = process.env.REF_REFUND_DB ? rawRefunds(process.env.REF_REFUND_DB) : null;
  const sellers = new Map<string, string>();
  const sellerOf = async (appId: string) => sellers.get(appId) ?? sellers.set(appId, (await refunds?.sellerOf(appId)) ?? '').get(appId)!;
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post('/gateway.do', async (request, reply) => {
    const url = request.raw.url ?? '';
    const pairs = splitForm(url.slice(url.indexOf('?') + 1));
    if (Buffer.isBuffer(request.body)) pairs.push(...splitForm(request.body));
    const params = decodeForm(pairs, 'utf-8');
    const method = params.get('method') ?? 'unknown';
    const valid = rsaVerify(encodeText(requestSignContent(params, true), 'utf-8'), params.get('sign') ?? '', appKey, 'RSA2');
    const biz = JSON.parse(params.get('biz_content') ?? '{}') as Record<string, string>;
    let refunded = true;
    if (valid && refunds) {
      const seller = await sellerOf(params.get('app_id') ?? '');
      refunded =
        method === 'alipay.trade.fastpay.refund.query'
          ? await refunds.query(seller, biz.trade_no ?? '', biz.out_request_no ?? '')
          : await refunds.refund(seller, biz.trade_no ?? '', biz.out_request_no ?? '', Math.round(Number(biz.refund_amount) * 100));
    }
    const node =
      valid && refunded
        ? { code: '10000', msg: 'Success', trade_no: biz.trade_no, out_trade_no: 'REF', fund_change: 'Y', refund_fee: '0.01' }
        : valid
          ? { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', sub_msg: '退款金额超限' }
          : { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature', sub_msg: '验签出错' };
    // REF_SIGN=pool signs on libuv's thread pool; by default the reference signs on its event loop.
    const signer =
      process.env.REF_SIGN === 'pool'
        ? (content: Buffer) => rsaSignOffThread(content, platformKey, 'RSA2')
        : (content: Buffer) => rsaSign(content, platformKey, 'RSA2');
    const body = await encodeResponse(responseNodeName(method), node, 'utf-8', signer);
    return reply.header('content-type', 'application/json;charset=utf-8').send(body);
  });
  app.listen({ port, host: '127.0.0.1' }).then(() => process.send?.('ready'));
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
