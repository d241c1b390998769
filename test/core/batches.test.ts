/**
 * Batch processing (seed 002): after the seller confirms, each line refunds through the refund core with
 * its own outcome; one line's failure does not stop the others; the limits hold across batches and OpenAPI
 * refunds; result_details and success_num say what happened; a seller's and its partner's batches with one
 * batch_no stay apart; a worker that dies mid-batch — or holds its job and goes silent until its lease runs
 * out — is taken over without any line refunded twice, while a live worker renews its lease through a long
 * batch and is not taken over; a line that keeps throwing is tried MAX_LINE_ATTEMPTS times and then given up
 * as SYSTEM_ERROR, so the batch completes; and a batch of 1000 lines comes out right.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { MAX_LINE_ATTEMPTS, processBatch } from '../../src/core/batch-processing.js';
import { findBatch } from '../../src/store/sql/batches.js';
import { listJobs } from '../../src/store/sql/jobs.js';
import type { JobOutcome } from '../../src/worker/worker.js';
import { runBatch, submitBatch } from '../support/batch-flow.js';
import { describeEachEngine } from '../support/engines.js';
import { testWorkers } from '../support/test-workers.js';
import { useHarness, newMerchant, newTrade, assertAdminError } from '../support/harness.js';
import { startNotifyReceiver } from '../support/notify-receiver.js';

describeEachEngine('batch processing', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual', merchant: { balance: '100000.00' } });

  const trade = (body: Record<string, unknown> = {}) => newTrade(harness, kit, { total_amount: '100.00', ...body }).then((t) => t.trade_no as string);
  const refundsOf = async (tradeNo: string) => (await harness.adminOk('GET', `/refunds?trade_no=${tradeNo}`)).refunds as Array<Record<string, any>>;

  describe('each line has its own outcome; one failure does not stop the others', () => {
    it('SUCCESS, and NOT_THIS_SELLER_TRADE for an unknown trade or another seller’s, side by side', async () => {
      const good = await trade();
      const other = await newMerchant(harness);
      const foreign = (await newTrade(harness, other)).trade_no as string;
      const unknown = '2026112322001000000000000000';
      const batch = await runBatch(harness, kit, {
        lines: [
          { tradeNo: unknown, amount: '1.00' },
          { tradeNo: good, amount: '10.00' },
          { tradeNo: foreign, amount: '1.00' },
        ],
      });
      assert.equal(batch.status, 'completed');
      assert.equal(batch.success_num, 1);
      assert.equal(batch.result_details, `${unknown}^1.00^NOT_THIS_SELLER_TRADE#${good}^10.00^SUCCESS#${foreign}^1.00^NOT_THIS_SELLER_TRADE`);
      assert.equal((await harness.adminOk('GET', `/trades/${good}`)).refunded_amount, '10.00');
      assert.equal((await refundsOf(foreign)).length, 0);
    });

    it('NOT_THIS_PARTNERS_TRADE: an authorised partner may refund only the trades it made', async () => {
      const seller = await newMerchant(harness);
      await harness.adminOk('POST', '/app-auth-tokens', { app_id: kit.appId, pid: seller.pid });
      const sellersOwn = (await newTrade(harness, seller)).trade_no as string;
      const madeByPartner = (await harness.adminOk('POST', '/trades', { app_id: kit.appId, seller_id: seller.pid, total_amount: '50.00' })).trade_no as string;
      const batch = await runBatch(harness, kit, {
        seller,
        params: { seller_user_id: seller.pid },
        lines: [
          { tradeNo: sellersOwn, amount: '1.00' },
          { tradeNo: madeByPartner, amount: '2.00' },
        ],
      });
      assert.equal(batch.result_details, `${sellersOwn}^1.00^NOT_THIS_PARTNERS_TRADE#${madeByPartner}^2.00^SUCCESS`);
    });

    it('TRADE_STATUS_ERROR: unpaid, frozen, or with 99 refunds already', async () => {
      const unpaid = await trade({ status: 'WAIT_BUYER_PAY' });
      const frozen = await trade();
      await harness.adminOk('PATCH', `/trades/${frozen}`, { frozen: true });
      const busy = await trade({ total_amount: '1000.00' });
      for (let i = 0; i < 99; i++) {
        const reply = await kit.sdk.exec('alipay.trade.refund', { bizContent: { trade_no: busy, refund_amount: '0.01', out_request_no: `N${i}` } });
        assert.equal(reply.code, '10000');
      }
      const batch = await runBatch(harness, kit, {
        lines: [
          { tradeNo: unpaid, amount: '1.00' },
          { tradeNo: frozen, amount: '1.00' },
          { tradeNo: busy, amount: '1.00' },
        ],
      });
      assert.equal(batch.result_details, `${unpaid}^1.00^TRADE_STATUS_ERROR#${frozen}^1.00^TRADE_STATUS_ERROR#${busy}^1.00^TRADE_STATUS_ERROR`);
      assert.equal(batch.success_num, 0);
    });

    it('REFUND_AMOUNT_NOT_VALID (zero, or more than the trade) and REASON_TRADE_REFUND_FEE_ERR (more than is left after earlier refunds, OpenAPI ones included)', async () => {
      const zero = await trade();
      const over = await trade();
      const partly = await trade();
      const reply = await kit.sdk.exec('alipay.trade.refund', { bizContent: { trade_no: partly, refund_amount: '60.00', out_request_no: 'OPENAPI-1' } });
      assert.equal(reply.fund_change, 'Y');
      const batch = await runBatch(harness, kit, {
        lines: [
          { tradeNo: zero, amount: '0.00' },
          { tradeNo: over, amount: '100.01' },
          { tradeNo: partly, amount: '40.01' },
        ],
      });
      assert.equal(batch.result_details, `${zero}^0.00^REFUND_AMOUNT_NOT_VALID#${over}^100.01^REFUND_AMOUNT_NOT_VALID#${partly}^40.01^REASON_TRADE_REFUND_FEE_ERR`);
      assert.equal((await harness.adminOk('GET', `/trades/${partly}`)).refunded_amount, '60.00');
      const exact = await runBatch(harness, kit, { lines: [{ tradeNo: partly, amount: '40.00' }] });
      assert.equal(exact.result_details, `${partly}^40.00^SUCCESS`);
      assert.equal((await harness.adminOk('GET', `/trades/${partly}`)).trade_status, 'TRADE_CLOSED');
    });

    it('REASON_HAS_REFUND_FEE_NOT_MATCH: the batch_no already used as an OpenAPI out_request_no with another amount', async () => {
      const tradeNo = await trade();
      const batch = await runBatch(harness, kit, {
        lines: [{ tradeNo, amount: '5.00' }],
        afterSubmit: async (submitted) => {
          const reply = await kit.sdk.exec('alipay.trade.refund', { bizContent: { trade_no: tradeNo, refund_amount: '3.00', out_request_no: submitted.params.batch_no } });
          assert.equal(reply.fund_change, 'Y');
        },
      });
      assert.equal(batch.result_details, `${tradeNo}^5.00^REASON_HAS_REFUND_FEE_NOT_MATCH`);
    });

    it('TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH: the seller’s balance cannot cover the line', async () => {
      const poor = await newMerchant(harness, { balance: '0.00' });
      const tradeNo = (await newTrade(harness, poor, { total_amount: '100.00' })).trade_no as string;
      await harness.adminOk('POST', `/merchants/${poor.pid}/balance`, { set: '5.00' });
      const batch = await runBatch(harness, poor, {
        lines: [{ tradeNo, amount: '20.00' }],
      });
      assert.equal(batch.result_details, `${tradeNo}^20.00^TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH`);
      const ledger = await harness.adminOk('GET', `/merchants/${poor.pid}/ledger`);
      assert.equal(ledger.balance, '5.00');
    });

    it('REASON_REFUND_AMOUNT_LESS_THAN_COUPON_FEE: part of a red packet', async () => {
      const tradeNo = await trade({ fund_bill_list: [{ fund_channel: 'ALIPAYACCOUNT', amount: '90.00' }, { fund_channel: 'COUPON', amount: '10.00' }] });
      const batch = await runBatch(harness, kit, { lines: [{ tradeNo, amount: '95.00' }] });
      assert.equal(batch.result_details, `${tradeNo}^95.00^REASON_REFUND_AMOUNT_LESS_THAN_COUPON_FEE`);
    });

    it('TRADE_PRODUCT_TYPE_NOT_ALLOW_REFUND: a trade whose product allows no refund', async () => {
      const tradeNo = await trade();
      await harness.adminOk('PATCH', `/trades/${tradeNo}`, { refund_allowed: false });
      const batch = await runBatch(harness, kit, { lines: [{ tradeNo, amount: '1.00' }] });
      assert.equal(batch.result_details, `${tradeNo}^1.00^TRADE_PRODUCT_TYPE_NOT_ALLOW_REFUND`);
    });

    it('TXN_RESULT_ACCOUNT_STATUS_NOT_VALID: the seller’s account is frozen (an admin setting), for every line until it is normal again', async () => {
      const frozen = await newMerchant(harness);
      const tradeNos = await Promise.all([newTrade(harness, frozen), newTrade(harness, frozen)]).then((ts) => ts.map((t) => t.trade_no as string));
      assert.equal((await harness.adminOk('GET', `/merchants/${frozen.pid}`)).account_status, 'normal');
      assert.equal((await harness.adminOk('PATCH', `/merchants/${frozen.pid}`, { account_status: 'frozen' })).account_status, 'frozen');
      assert.equal((await harness.adminOk('GET', `/merchants/${frozen.pid}`)).account_status, 'frozen');
      assertAdminError(await harness.admin('PATCH', `/merchants/${frozen.pid}`, { account_status: 'closed' }), 400, 'invalid_request');
      const balance = (await harness.adminOk('GET', `/merchants/${frozen.pid}`)).balance;
      const refused = await runBatch(harness, frozen, { lines: tradeNos.map((tradeNo) => ({ tradeNo, amount: '1.00' })) });
      assert.equal(refused.result_details, tradeNos.map((tradeNo) => `${tradeNo}^1.00^TXN_RESULT_ACCOUNT_STATUS_NOT_VALID`).join('#'));
      assert.equal(refused.success_num, 0);
      assert.equal((await refundsOf(tradeNos[0]!)).length, 0);
      assert.equal((await harness.adminOk('GET', `/merchants/${frozen.pid}`)).balance, balance);
      await harness.adminOk('PATCH', `/merchants/${frozen.pid}`, { account_status: 'normal' });
      const accepted = await runBatch(harness, frozen, { lines: [{ tradeNo: tradeNos[0]!, amount: '1.00' }] });
      assert.equal(accepted.result_details, `${tradeNos[0]}^1.00^SUCCESS`);
    });

    it('BUYER_ERROR: the trade’s buyer account is frozen (an admin setting); the batch’s other lines go on', async () => {
      const blocked = await trade();
      const fine = await trade();
      assert.equal((await harness.adminOk('GET', `/trades/${blocked}`)).buyer_account_status, 'normal');
      assert.equal((await harness.adminOk('PATCH', `/trades/${blocked}`, { buyer_account_status: 'frozen' })).buyer_account_status, 'frozen');
      assertAdminError(await harness.admin('PATCH', `/trades/${blocked}`, { buyer_account_status: 'gone' }), 400, 'invalid_request');
      const batch = await runBatch(harness, kit, {
        lines: [
          { tradeNo: blocked, amount: '1.00' },
          { tradeNo: fine, amount: '1.00' },
        ],
      });
      assert.equal(batch.result_details, `${blocked}^1.00^BUYER_ERROR#${fine}^1.00^SUCCESS`);
      assert.equal(batch.success_num, 1);
      assert.equal((await refundsOf(blocked)).length, 0);
    });

    it('the merchant’s fee given back is reported after $: email^pid^fee^SUCCESS', async () => {
      const feeKit = await newMerchant(harness);
      await harness.adminOk('PATCH', `/merchants/${feeKit.pid}`, { fee_rate: '0.006' });
      const tradeNo = (await newTrade(harness, feeKit, { total_amount: '100.00' })).trade_no as string;
      const batch = await runBatch(harness, feeKit, { lines: [{ tradeNo, amount: '50.00' }] });
      assert.equal(batch.result_details, `${tradeNo}^50.00^SUCCESS$${feeKit.email}^${feeKit.pid}^0.30^SUCCESS`);
    });
  });

  describe('result_details echoes each amount as the request wrote it', () => {
    it('80, 0.5, 12.30 and 100.1 come back as written — in the admin view and in batch_refund_notify — while the money moves in fen', async () => {
      const receiver = await startNotifyReceiver('success');
      try {
        const [whole, half, two, over] = [await trade(), await trade(), await trade(), await trade()];
        const batch = await runBatch(harness, kit, {
          lines: [
            { tradeNo: whole, amount: '80' },
            { tradeNo: half, amount: '0.5' },
            { tradeNo: two, amount: '12.30' },
            { tradeNo: over, amount: '100.1' },
          ],
          notifyUrl: receiver.url,
        });
        const expected = `${whole}^80^SUCCESS#${half}^0.5^SUCCESS#${two}^12.30^SUCCESS#${over}^100.1^REFUND_AMOUNT_NOT_VALID`;
        assert.equal(batch.result_details, expected, 'not ^80.00^, ^0.50^ or ^100.10^');
        assert.equal(batch.success_num, 3);
        assert.equal(receiver.received.length, 1);
        assert.equal(receiver.received[0]?.fields.result_details, expected, 'the merchant is told the same');
        for (const [tradeNo, refunded] of [
          [whole, '80.00'],
          [half, '0.50'],
          [two, '12.30'],
          [over, '0.00'],
        ] as const) {
          assert.equal((await harness.adminOk('GET', `/trades/${tradeNo}`)).refunded_amount, refunded);
        }
      } finally {
        await receiver.close();
      }
    });
  });

  describe('the limits hold across batches and OpenAPI refunds', () => {
    it('a second batch cannot refund what the first one did', async () => {
      const tradeNo = await trade();
      const first = await runBatch(harness, kit, { lines: [{ tradeNo, amount: '70.00' }] });
      assert.equal(first.success_num, 1);
      const second = await runBatch(harness, kit, { lines: [{ tradeNo, amount: '30.01' }] });
      assert.equal(second.result_details, `${tradeNo}^30.01^REASON_TRADE_REFUND_FEE_ERR`);
      const refunds = await refundsOf(tradeNo);
      assert.equal(refunds.length, 1);
      assert.equal(refunds[0]!.source, 'batch');
      assert.equal(refunds[0]!.out_request_no, first.batch_no);
    });
  });

  describe('batch_no is unique per partner only', () => {
    it('a seller’s batch and its authorised partner’s batch with the same batch_no on the same trades are separate refunds', async () => {
      const seller = await newMerchant(harness);
      await harness.adminOk('POST', '/app-auth-tokens', { app_id: kit.appId, pid: seller.pid });
      // Trades the partner made for the seller: both may refund them.
      const [same, other] = await Promise.all(
        [1, 2].map(async () => (await harness.adminOk('POST', '/trades', { app_id: kit.appId, seller_id: seller.pid, total_amount: '50.00' })).trade_no as string),
      );
      const own = await runBatch(harness, seller, {
        lines: [
          { tradeNo: same!, amount: '5.00' },
          { tradeNo: other!, amount: '5.00' },
        ],
      });
      assert.equal(own.result_details, `${same}^5.00^SUCCESS#${other}^5.00^SUCCESS`);
      // The same batch_no from the partner: the same amount must move money again, another amount is no mismatch.
      const byPartner = await runBatch(harness, kit, {
        seller,
        params: { seller_user_id: seller.pid, batch_no: own.batch_no },
        lines: [
          { tradeNo: same!, amount: '5.00' },
          { tradeNo: other!, amount: '3.00' },
        ],
      });
      assert.equal(byPartner.batch_no, own.batch_no);
      assert.equal(byPartner.result_details, `${same}^5.00^SUCCESS#${other}^3.00^SUCCESS`);
      assert.equal((await harness.adminOk('GET', `/trades/${same}`)).refunded_amount, '10.00');
      assert.equal((await harness.adminOk('GET', `/trades/${other}`)).refunded_amount, '8.00');
      const keys = (await refundsOf(same!)).map((refund) => refund.out_request_no).sort();
      assert.deepEqual(keys, [own.batch_no, `${own.batch_no}@${kit.pid}`].sort(), 'the seller’s batch keeps its batch_no; the partner’s adds its pid');
    });
  });

  describe('a worker that dies mid-batch', () => {
    it('resumes without refunding any line twice', async () => {
      const trades = await Promise.all(Array.from({ length: 6 }, () => trade()));
      await harness.tuikuan.worker.stop();
      try {
        const half = await runBatch(harness, kit, {
          lines: trades.map((tradeNo) => ({ tradeNo, amount: '10.00' })),
          process: async (submitted) => {
            const batch = await findBatch(harness.tuikuan.services.store.db, kit.pid, submitted.params.batch_no!);
            assert.equal(batch?.status, 'processing');
            // The "worker" dies after the third line.
            await assert.rejects(
              processBatch(harness.tuikuan.services, batch!.id, {
                afterLine: (position) => {
                  if (position === 2) throw new Error('worker died');
                },
              }),
              /worker died/,
            );
          },
        });
        assert.equal(half.status, 'processing');
        assert.deepEqual(half.lines.map((l: Record<string, any>) => l.result), ['SUCCESS', 'SUCCESS', 'SUCCESS', null, null, null]);
      } finally {
        harness.tuikuan.worker.start();
      }
      // Another worker takes the batch job over.
      await harness.adminOk('POST', '/clock', { advance_seconds: 3600 });
      for (const tradeNo of trades) {
        assert.equal((await refundsOf(tradeNo)).length, 1, 'refunded exactly once');
        assert.equal((await harness.adminOk('GET', `/trades/${tradeNo}`)).refunded_amount, '10.00');
      }
      const ledger = await harness.adminOk('GET', `/merchants/${kit.pid}/ledger`);
      assert.equal(ledger.balance, ledger.entries_sum);
    });

    it('one that claimed the batch job and went silent is taken over once its lease runs out, and its late return refunds nothing twice', async () => {
      const trades = await Promise.all(Array.from({ length: 6 }, () => trade()));
      const { services } = harness.tuikuan;
      // Leases on a clock of their own run out without waiting for real time.
      const workers = await testWorkers(services);
      const { handlers, leaseClock, leaseMs: LEASE_MS } = workers;
      let reachedThirdLine!: () => void;
      const atThirdLine = new Promise<void>((resolve) => (reachedThirdLine = resolve));
      let wakeUp!: () => void;
      const silence = new Promise<void>((resolve) => (wakeUp = resolve));
      const silent = workers.pausedWorker({
        handlers: {
          ...handlers,
          // After the third line this worker stops answering — a paused or partitioned process — holding its job.
          batch: async (subject) => {
            const progress = await processBatch(services, Number(subject), {
              afterLine: async (position) => {
                if (position !== 2) return;
                reachedThirdLine();
                await silence;
              },
            });
            assert.equal(progress.kind, 'completed');
            return { kind: 'done' };
          },
        },
      });
      const other = workers.worker();

      await harness.tuikuan.worker.stop();
      let silentRun: Promise<void> | null = null;
      try {
        const done = await runBatch(harness, kit, {
          lines: trades.map((tradeNo) => ({ tradeNo, amount: '10.00' })),
          process: async (submitted) => {
            silentRun = silent.drain();
            await atThirdLine;
            const held = (await listJobs(services.store.db)).find((job) => job.kind === 'batch');
            assert.equal(held?.lockedBy, silent.id, 'the silent worker holds the batch job');
            assert.equal(held?.lockedUntil, leaseClock.now() + LEASE_MS);

            await other.drain();
            assert.equal((await harness.adminOk('GET', `/batches/${submitted.params.batch_no}`)).status, 'processing', 'within the lease no one else takes the job');

            leaseClock.set(leaseClock.now() + LEASE_MS + 1);
            await other.drain();
          },
        });
        const batchNo = done.batch_no as string;
        assert.equal(done.status, 'completed');
        assert.equal(done.success_num, 6);
        assert.equal((await listJobs(services.store.db)).filter((job) => job.kind === 'batch').length, 0, 'the job is done and gone');

        // The silent worker comes back and carries on with the lines it had read as not done.
        wakeUp();
        await silentRun;
        silentRun = null;
        const after = await harness.adminOk('GET', `/batches/${batchNo}`);
        assert.equal(after.result_details, done.result_details);
        assert.deepEqual(after.lines.map((line: Record<string, any>) => line.refund_id), done.lines.map((line: Record<string, any>) => line.refund_id));
      } finally {
        wakeUp();
        await silentRun;
        harness.tuikuan.worker.start();
      }
      for (const tradeNo of trades) {
        assert.equal((await refundsOf(tradeNo)).length, 1, 'refunded exactly once');
        assert.equal((await harness.adminOk('GET', `/trades/${tradeNo}`)).refunded_amount, '10.00');
      }
      const ledger = await harness.adminOk('GET', `/merchants/${kit.pid}/ledger`);
      assert.equal(ledger.balance, ledger.entries_sum);
    });

    it('a line whose refund committed but whose outcome was not recorded is answered as the repeat it is', async () => {
      const tradeNo = await trade();
      const batch = await runBatch(harness, kit, {
        lines: [{ tradeNo, amount: '10.00' }],
        afterSubmit: async (submitted) => {
          // The same refund the line will ask for, already done (as if the worker died after its commit).
          const done = await kit.sdk.exec('alipay.trade.refund', { bizContent: { trade_no: tradeNo, refund_amount: '10.00', out_request_no: submitted.params.batch_no } });
          assert.equal(done.fund_change, 'Y');
        },
      });
      assert.equal(batch.result_details, `${tradeNo}^10.00^SUCCESS`);
      assert.equal((await refundsOf(tradeNo)).length, 1);
      assert.equal((await harness.adminOk('GET', `/trades/${tradeNo}`)).refunded_amount, '10.00');
    });
  });

  describe('a line that keeps throwing', () => {
    /** Makes the store refuse every refund of `tradeNo`: an unexpected failure inside the line's refund. */
    async function breakRefundsOf(tradeNo: string): Promise<() => Promise<void>> {
      const db = harness.tuikuan.services.store.db;
      if (engine === 'sqlite') {
        await sql.raw(`create trigger provoke_failure before insert on refunds when new.trade_no = '${tradeNo}' begin select raise(abort, 'provoked failure'); end`).execute(db);
        return async () => void (await sql.raw('drop trigger provoke_failure').execute(db));
      }
      await sql
        .raw(
          `create function provoke_failure() returns trigger language plpgsql as $$ begin if new.trade_no = '${tradeNo}' then raise exception 'provoked failure'; end if; return new; end $$`,
        )
        .execute(db);
      await sql.raw('create trigger provoke_failure before insert on refunds for each row execute function provoke_failure()').execute(db);
      return async () => {
        await sql.raw('drop trigger provoke_failure on refunds').execute(db);
        await sql.raw('drop function provoke_failure()').execute(db);
      };
    }

    it(`does not stop the others, is tried ${MAX_LINE_ATTEMPTS} times, then is SYSTEM_ERROR: the batch completes and is notified`, async () => {
      const receiver = await startNotifyReceiver('success');
      const [before, broken, afterIt] = [await trade(), await trade(), await trade()];
      const repair = await breakRefundsOf(broken);
      try {
        const batch = await runBatch(harness, kit, {
          lines: [before, broken, afterIt].map((tradeNo) => ({ tradeNo, amount: '10.00' })),
          notifyUrl: receiver.url,
        });
        assert.equal(batch.status, 'processing', 'the broken line is still to be done');
        assert.deepEqual(batch.lines.map((l: Record<string, any>) => l.result), ['SUCCESS', null, 'SUCCESS'], 'the others went on');
        assert.equal(batch.lines[1].attempts, 1);
        assert.match(batch.lines[1].last_error, /provoked failure/);
        const job = (await harness.adminOk('GET', '/jobs')).jobs.find((j: Record<string, any>) => j.kind === 'batch');
        assert.equal(job.status, 'waiting', 'the batch job waits to try the line again');
        assert.match(job.last_error, /line 2 \(\d+\): provoked failure/);

        await harness.adminOk('POST', '/clock', { advance_seconds: 86_400 });
        const done = await harness.adminOk('GET', `/batches/${batch.batch_no}?partner=${kit.pid}`);
        assert.equal(done.status, 'completed');
        assert.equal(done.lines[1].attempts, MAX_LINE_ATTEMPTS);
        assert.equal(done.success_num, 2);
        assert.equal(done.result_details, `${before}^10.00^SUCCESS#${broken}^10.00^SYSTEM_ERROR#${afterIt}^10.00^SUCCESS`);
        assert.equal((await refundsOf(broken)).length, 0, 'nothing of the broken line was written');
        assert.equal((await harness.adminOk('GET', '/jobs')).jobs.filter((j: Record<string, any>) => j.kind === 'batch').length, 0);
        const [notified] = receiver.received;
        assert.equal(notified?.fields.result_details, done.result_details, 'the merchant is told');
      } finally {
        await repair();
        await receiver.close();
      }
    });
  });

  describe('a live worker on a long batch', () => {
    it('renews its lease line after line, so another worker never takes the batch over', async () => {
      const trades = await Promise.all(Array.from({ length: 6 }, () => trade()));
      const { services } = harness.tuikuan;
      // Leases on a clock of their own: most of a lease passes at every line.
      const workers = await testWorkers(services);
      const { handlers, leaseClock, leaseMs: LEASE_MS } = workers;
      let othersBatchRuns = 0;
      const other = workers.worker({
        handlers: {
          ...handlers,
          batch: async (): Promise<JobOutcome> => {
            othersBatchRuns++;
            return { kind: 'done' };
          },
        },
      });
      const batchJob = async () => (await listJobs(services.store.db)).find((job) => job.kind === 'batch');
      let lines = 0;
      const live = workers.worker({
        renewEveryMs: 10,
        handlers: {
          ...handlers,
          batch: async (subject): Promise<JobOutcome> => {
            const progress = await processBatch(services, Number(subject), {
              afterLine: async () => {
                lines++;
                // Most of a lease passes on every line: six lines outlive the first lease three times over.
                leaseClock.set(leaseClock.now() + LEASE_MS * 0.6);
                const renewedTo = leaseClock.now() + LEASE_MS;
                for (const end = Date.now() + 10_000; ((await batchJob())?.lockedUntil ?? 0) < renewedTo; ) {
                  if (Date.now() > end) assert.fail('the lease was not renewed');
                  await new Promise((resolve) => setTimeout(resolve, 5));
                }
                await other.drain();
              },
            });
            return progress.kind === 'completed' ? { kind: 'done' } : { kind: 'retry', at: progress.retryAt };
          },
        },
      });

      await harness.tuikuan.worker.stop();
      try {
        const done = await runBatch(harness, kit, { lines: trades.map((tradeNo) => ({ tradeNo, amount: '10.00' })), process: () => live.drain() });
        assert.equal(lines, 6);
        assert.equal(othersBatchRuns, 0, 'the other worker never took the batch job');
        assert.equal(done.status, 'completed');
        assert.equal(done.success_num, 6);
      } finally {
        harness.tuikuan.worker.start();
      }
      for (const tradeNo of trades) assert.equal((await refundsOf(tradeNo)).length, 1, 'refunded exactly once');
    });
  });

  describe('a batch of 1000 lines', () => {
    it('is processed with every line’s outcome right', async () => {
      const big = await newMerchant(harness, { balance: '100000.00' });
      const tradeNos: string[] = [];
      for (let i = 0; i < 1000; i += 25) {
        const created = await Promise.all(Array.from({ length: 25 }, () => newTrade(harness, big, { total_amount: '2.00' })));
        tradeNos.push(...created.map((t) => t.trade_no as string));
      }
      // Every 100th line asks for more than its trade.
      const lines = tradeNos.map((tradeNo, i) => ({ tradeNo, amount: i % 100 === 99 ? '2.01' : '1.00', reason: `第${i}笔` }));
      const batch = await runBatch(harness, big, { lines });
      const posted = await submitBatch(harness, big, { lines: lines.slice(0, 1), how: 'POST' });
      assert.match(posted.location ?? '', /^\/cashier\/batches\//, 'the same request may come as a POSTed form');
      assert.equal(batch.status, 'completed');
      assert.equal(batch.batch_num, 1000);
      assert.equal(batch.success_num, 990);
      const expected = lines.map((line, i) => `${line.tradeNo}^${line.amount}^${i % 100 === 99 ? 'REFUND_AMOUNT_NOT_VALID' : 'SUCCESS'}`).join('#');
      assert.equal(batch.result_details, expected);
      const ledger = await harness.adminOk('GET', `/merchants/${big.pid}/ledger`);
      assert.equal(ledger.balance, ledger.entries_sum);
      assert.equal(ledger.balance, (100000 + 2000 - 990).toFixed(2));
    });
  });
});
