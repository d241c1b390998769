/**
 * The refund's one locked read and one write, at the store: the read brings the trade with its fund bill, its
 * seller, the refund under the out_request_no with its allocations, the app's key flags and whether the buyer
 * is registered; the write moves the balance as its guard and, when the balance refuses, writes nothing. On
 * PostgreSQL a read that waited for the trade's lock sees what the transaction it waited for committed — a
 * refund under the same out_request_no too, though its statement's snapshot predates it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { insertApp } from '../../../src/store/sql/apps.js';
import { lockRefundContext } from '../../../src/store/sql/lock-refund-context.js';
import { insertMerchant } from '../../../src/store/sql/merchants.js';
import { insertTrade } from '../../../src/store/sql/trades.js';
import { writeRefund, type RefundWrite } from '../../../src/store/sql/write-refund.js';
import type { Store } from '../../../src/store/store.js';
import { refund as refundRecord, trade as tradeRecord } from '../../support/domain-records.js';
import { describeEachEngine } from '../../support/engines.js';
import { useTestStore } from '../../support/store.js';

const PID = '2088000000000001';
const APP = '2021000000000001';
const NOW = Date.UTC(2026, 5, 1);
let trades = 0;

async function seed(store: Store, balance: number): Promise<string> {
  const pid = `20880000${String(++trades).padStart(8, '0')}`;
  await insertMerchant(store.db, {
    pid,
    name: 'm',
    email: `${pid}@example.com`,
    md5Key: 'k',
    loginPasswordHash: 'x',
    paymentPasswordHash: 'x',
    feeRatePpm: 0,
    refundWindowDays: 365,
    pwdRefundEnabled: true,
    defaultFundMix: [],
    dbackDelaySeconds: 3600,
    dbackOutcome: 'S',
    accountStatus: 'normal',
    nonRefundableProducts: [],
    mapiRsaPublicKey: null,
    mapiDsaPublicKey: null,
    createdAt: NOW,
  });
  await store.db.updateTable('merchants').set({ balance }).where('pid', '=', pid).execute();
  const appId = `${APP.slice(0, 8)}${String(trades).padStart(8, '0')}`;
  await insertApp(store.db, {
    appId,
    pid,
    appPublicKey: 'pem',
    rsaPublicKey: null,
    createdAt: NOW,
    keyMode: 'public_key',
    appCertPem: null,
    appCertSn: null,
    aesKey: null,
    messageUrl: null,
    notifyWaitBuyerPay: false,
  });
  const tradeNo = `202601012200100000000000${String(trades).padStart(4, '0')}`;
  await insertTrade(store.db, tradeRecord({ tradeNo, sellerPid: pid, appId, outTradeNo: `ORDER-${trades}` }));
  return tradeNo;
}

function refundWrite(tradeNo: string, pid: string, amount: number): RefundWrite {
  const done = refundRecord({ id: 0, tradeNo, outRequestNo: 'R1', refundAmount: amount, sendBackFee: amount, createdAt: NOW, updatedAt: NOW });
  if (done.status !== 'succeeded') throw new Error('a succeeded refund');
  const allocation = { position: 0, fundChannel: 'ALIPAYACCOUNT', fundType: null, bankCode: null, amount, realAmount: amount };
  return {
    refund: { ...done, gmtRefundPay: NOW },
    readAs: null,
    allocations: [{ ...allocation, dbackStatus: null, bankAckTime: null, estBankReceiptTime: null, returnedTo: null }],
    changedBills: [{ position: 0, refundedAmount: amount }],
    trade: {
      refundedAmount: amount,
      refundedSendBackFee: amount,
      refundedChargeFee: 0,
      pendingRefundAmount: 0,
      refundCount: 1,
      status: 'TRADE_SUCCESS',
      gmtClose: null,
    },
    ledger: { pid, feeRefund: 0, refund: -amount },
    notification: null,
    depositBackAt: null,
    now: NOW,
    endsTransaction: false,
  };
}

describeEachEngine('the refund read and write', (engine) => {
  const store = useTestStore(engine, 'ledgerEntries');

  it('reads the trade, its fund bill, its seller and the app key flags in one read', async () => {
    const tradeNo = await seed(store(), 50_00);
    const context = await store().transaction((trx) => lockRefundContext(trx, { sellerPid: `20880000${String(trades).padStart(8, '0')}`, tradeNo }));
    assert.ok(context);
    assert.equal(context.trade.tradeNo, tradeNo);
    assert.deepEqual(
      context.trade.fundBills.map((b) => [b.fundChannel, b.amount, b.refundedAmount]),
      [['ALIPAYACCOUNT', 100_00, 0]],
    );
    assert.equal(context.seller.balance, 50_00);
    assert.equal(context.existing, undefined);
    assert.deepEqual(context.appKeys, { rsa2: true, rsa: false });
    assert.equal(context.buyerRegistered, false);
    assert.equal(await store().transaction((trx) => lockRefundContext(trx, { sellerPid: PID.replace('1', '9'), tradeNo })), undefined);
  });

  it('writes every effect, and the refund is read back with its allocations', async () => {
    const tradeNo = await seed(store(), 50_00);
    const pid = `20880000${String(trades).padStart(8, '0')}`;
    const written = await store().transaction((trx) => writeRefund(trx, refundWrite(tradeNo, pid, 10_00)));
    assert.equal(written.kind, 'written');
    const context = await store().transaction((trx) => lockRefundContext(trx, { sellerPid: pid, tradeNo, outRequestNo: 'R1' }));
    assert.equal(context?.existing?.status, 'succeeded');
    assert.deepEqual(
      context?.existing?.allocations.map((a) => [a.fundChannel, a.amount]),
      [['ALIPAYACCOUNT', 10_00]],
    );
    assert.equal(context?.seller.balance, 40_00);
    assert.equal(context?.trade.refundedAmount, 10_00);
    assert.equal(context?.trade.fundBills[0]?.refundedAmount, 10_00);
    const entries = await store().db.selectFrom('ledgerEntries').selectAll().where('pid', '=', pid).execute();
    assert.deepEqual(
      entries.map((e) => [e.kind, e.amount]),
      [['refund', -10_00]],
    );
  });

  it('writes nothing when the balance refuses', async () => {
    const tradeNo = await seed(store(), 5_00);
    const pid = `20880000${String(trades).padStart(8, '0')}`;
    const written = await store().transaction((trx) => writeRefund(trx, refundWrite(tradeNo, pid, 10_00)));
    assert.equal(written.kind, 'balance_not_enough');
    assert.equal((await store().db.selectFrom('refunds').selectAll().where('tradeNo', '=', tradeNo).execute()).length, 0);
    const row = await store().db.selectFrom('trades').select('refundedAmount').where('tradeNo', '=', tradeNo).executeTakeFirstOrThrow();
    assert.equal(row.refundedAmount, 0);
  });

  describe('a write that ends its transaction (it carries the commit on PostgreSQL)', () => {
    it('commits every effect', async () => {
      const tradeNo = await seed(store(), 50_00);
      const pid = `20880000${String(trades).padStart(8, '0')}`;
      const written = await store().transaction((trx) => writeRefund(trx, { ...refundWrite(tradeNo, pid, 10_00), endsTransaction: true }));
      assert.equal(written.kind, 'written');
      const context = await store().transaction((trx) => lockRefundContext(trx, { sellerPid: pid, tradeNo, outRequestNo: 'R1' }));
      assert.equal(context?.existing?.status, 'succeeded');
      assert.equal(context?.seller.balance, 40_00);
      assert.equal(context?.trade.fundBills[0]?.refundedAmount, 10_00);
    });

    it('takes back what its transaction wrote before it when the balance refuses', async () => {
      const tradeNo = await seed(store(), 5_00);
      const pid = `20880000${String(trades).padStart(8, '0')}`;
      // As the refund core does: something written first (a registered buyer's funds), then the refusal rolls all back.
      const outcome = await store()
        .transaction(async (trx) => {
          await trx.updateTable('trades').set({ body: 'written before the write' }).where('tradeNo', '=', tradeNo).execute();
          const written = await writeRefund(trx, { ...refundWrite(tradeNo, pid, 10_00), endsTransaction: true });
          if (written.kind !== 'written') throw new Error(written.kind);
          return written.kind;
        })
        .catch((error: Error) => error.message);
      assert.equal(outcome, 'balance_not_enough');
      const row = await store().db.selectFrom('trades').select(['body', 'refundedAmount']).where('tradeNo', '=', tradeNo).executeTakeFirstOrThrow();
      assert.deepEqual(row, { body: null, refundedAmount: 0 });
      assert.equal((await store().db.selectFrom('refunds').selectAll().where('tradeNo', '=', tradeNo).execute()).length, 0);
      const merchant = await store().db.selectFrom('merchants').select('balance').where('pid', '=', pid).executeTakeFirstOrThrow();
      assert.equal(merchant.balance, 5_00);
    });
  });

  if (engine === 'postgres') {
    describe('a read that waited for the lock', () => {
      it('sees the refund the transaction it waited for committed', async () => {
        const tradeNo = await seed(store(), 50_00);
        const pid = `20880000${String(trades).padStart(8, '0')}`;
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const first = new Promise<void>((resolve) => (locked = resolve));
        const writer = store().transaction(async (trx) => {
          await lockRefundContext(trx, { sellerPid: pid, tradeNo, outRequestNo: 'R1' });
          await writeRefund(trx, refundWrite(tradeNo, pid, 10_00));
          locked();
          await held;
        });
        await first;
        const reader = store().transaction((trx) => lockRefundContext(trx, { sellerPid: pid, tradeNo, outRequestNo: 'R1' }));
        // Let the reader's statement start (and wait for the lock) before the writer commits.
        await new Promise((resolve) => setTimeout(resolve, 200));
        release();
        await writer;
        const context = await reader;
        assert.equal(context?.existing?.status, 'succeeded');
        assert.equal(context?.trade.refundedAmount, 10_00);
        assert.equal(context?.trade.fundBills[0]?.refundedAmount, 10_00);
      });
    });
  }
});
