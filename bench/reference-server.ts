/**
 * The reference server of the benchmark: what any Alipay-compatible gateway must do for a request and
 * nothing more — parse the form, verify the RSA2 signature, sign an RSA2 reply — with no database.
 * Keys are parsed once. Runs as a cluster of N processes sharing one port, like `tuikuan serve`.
 *
 * With REF_REFUND_DB it is the bench's *floor* instead: the reference's work plus a refund's own statements
 * in one SQLite transaction, written by hand on raw better-sqlite3 — what a durable refund cannot cost less
 * than, with no framework, no rules, and (to err on the generous side) no fsync at all.
 *
 * Environment: REF_PORT, REF_PROCESSES, REF_APP_PUBLIC_KEY (PEM), REF_PLATFORM_PRIVATE_KEY (PEM),
 * REF_SIGN (`pool` to sign on libuv's thread pool), REF_REFUND_DB (a copy of a tuikuan SQLite database).
 */
import cluster from 'node:cluster';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';
import { decodeForm, encodeText, splitForm } from '../src/protocol/charset.js';
import { encodeResponse, responseNodeName } from '../src/protocol/openapi/response-envelope.js';
import { requestSignContent } from '../src/protocol/sign-content.js';
import { rsaSign, rsaSignOffThread, rsaVerify } from '../src/protocol/signing.js';

const port = Number(process.env.REF_PORT ?? 9190);
const processes = Number(process.env.REF_PROCESSES ?? 1);

/** A refund of `amount` fen, the least it takes: lock, read, write, commit. False when it cannot be made. */
type RawRefund = (sellerPid: string, tradeNo: string, outRequestNo: string, amount: number) => boolean;

function rawRefunds(path: string): { refund: RawRefund; sellerOf(appId: string): string } {
  const db = new BetterSqlite3(path, { timeout: 0 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const q = {
    begin: db.prepare('begin immediate'),
    commit: db.prepare('commit'),
    rollback: db.prepare('rollback'),
    app: db.prepare('select pid from apps where app_id = ?'),
    trade: db.prepare('select * from trades where seller_pid = ? and trade_no = ?'),
    bills: db.prepare('select * from trade_fund_bills where trade_no = ? order by position'),
    merchant: db.prepare('select * from merchants where pid = ?'),
    existing: db.prepare('select * from refunds where trade_no = ? and out_request_no = ?'),
    insertRefund: db.prepare(
      `insert into refunds (trade_no, out_request_no, refund_amount, status, source, send_back_fee, refund_charge_fee, gmt_refund_pay, attempts, created_at, updated_at)
       values (?, ?, ?, 'succeeded', 'refund', ?, 0, ?, 0, ?, ?) returning id`,
    ),
    allocation: db.prepare('insert into fund_allocations (refund_id, position, fund_channel, amount, real_amount) values (?, ?, ?, ?, ?)'),
    bill: db.prepare('update trade_fund_bills set refunded_amount = refunded_amount + ? where trade_no = ? and position = ?'),
    tradeTotals: db.prepare('update trades set refunded_amount = refunded_amount + ?, refund_count = refund_count + 1 where trade_no = ?'),
    balance: db.prepare('update merchants set balance = balance - ? where pid = ? and balance - ? >= 0 returning balance'),
    ledger: db.prepare(`insert into ledger_entries (pid, amount, kind, trade_no, refund_id, created_at) values (?, ?, 'refund', ?, ?, ?)`),
  };
  const sellers = new Map<string, string>();
  return {
    sellerOf(appId) {
      let pid = sellers.get(appId);
      if (pid === undefined) sellers.set(appId, (pid = (q.app.get(appId) as { pid: string } | undefined)?.pid ?? ''));
      return pid;
    },
    refund(sellerPid, tradeNo, outRequestNo, amount) {
      q.begin.run(); // throws SQLITE_BUSY while another process writes: the caller retries
      try {
        const trade = q.trade.get(sellerPid, tradeNo) as { refunded_amount: number; total_amount: number } | undefined;
        const bills = q.bills.all(tradeNo) as Array<{ position: number; fund_channel: string; amount: number; refunded_amount: number }>;
        q.merchant.get(sellerPid);
        const ok = trade && !q.existing.get(tradeNo, outRequestNo) && trade.refunded_amount + amount <= trade.total_amount;
        const bill = bills.find((b) => b.amount - b.refunded_amount >= amount);
        if (!ok || !bill) {
          q.rollback.run();
          return false;
        }
        const now = Date.now();
        const { id } = q.insertRefund.get(tradeNo, outRequestNo, amount, amount, now, now, now) as { id: number };
        q.allocation.run(id, bill.position, bill.fund_channel, amount, amount);
        q.bill.run(amount, tradeNo, bill.position);
        q.tradeTotals.run(amount, tradeNo);
        if (!q.balance.get(amount, sellerPid, amount)) {
          q.rollback.run();
          return false;
        }
        q.ledger.run(sellerPid, -amount, tradeNo, id, now);
        q.commit.run();
        return true;
      } catch (error) {
        if (db.inTransaction) q.rollback.run();
        throw error;
      }
    },
  };
}

const isBusy = (error: unknown) => (error as { code?: string } | null)?.code === 'SQLITE_BUSY';

/** Retries a refund refused as busy on the next turns of the event loop, as tuikuan does. */
async function refundWhenFree(raw: RawRefund, ...args: Parameters<RawRefund>): Promise<boolean> {
  for (;;) {
    try {
      return raw(...args);
    } catch (error) {
      if (!isBusy(error)) throw error;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
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
      const amount = Math.round(Number(biz.refund_amount) * 100);
      refunded = await refundWhenFree(refunds.refund, refunds.sellerOf(params.get('app_id') ?? ''), biz.trade_no ?? '', biz.out_request_no ?? '', amount);
    }
    const node =
      valid && refunded
        ? { code: '10000', msg: 'Success', trade_no: biz.trade_no, out_trade_no: 'REF', fund_change: 'Y', refund_fee: '0.01' }
        : valid
          ? { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', sub_msg: '退款金额超限' }
          : { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature', sub_msg: '验签出错' };
    // REF_SIGN=pool signs on libuv's thread pool; by default the reference signs on its event loop.
    const signer = process.env.REF_SIGN === 'pool' ? (content: Buffer) => rsaSignOffThread(content, platformKey, 'RSA2') : (content: Buffer) => rsaSign(content, platformKey, 'RSA2');
    const body = await encodeResponse(responseNodeName(method), node, 'utf-8', signer);
    return reply.header('content-type', 'application/json;charset=utf-8').send(body);
  });
  app.listen({ port, host: '127.0.0.1' }).then(() => process.send?.('ready'));
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
