/**
 * Fills a tuikuan database with succeeded refunds (and their trades and fund allocations) for the
 * query-scaling part of the benchmark: written straight through the store, many rows per statement.
 */
import { randomInt } from 'node:crypto';
import { sql, type Insertable } from 'kysely';
import type { RefundTable, TradeTable } from '../src/store/schema.js';
import { openStore } from '../src/store/store.js';

export interface SeedOptions {
  sellerPid: string;
  appId: string;
  /** Refunds already stored by earlier calls. */
  from: number;
  /** Refunds stored when done. */
  to: number;
}

export interface StoredRefund {
  tradeNo: string;
  outRequestNo: string;
}

const PER_TRADE = 90;

function tradeNo(index: number): string {
  return `20261123220019${String(index).padStart(14, '0')}`;
}

/** Stores refunds number `from` to `to`; returns 2000 of all stored so far, spread over the range. */
export async function seedRefunds(db: string, options: SeedOptions): Promise<StoredRefund[]> {
  const store = openStore({ location: db });
  const now = Date.now();
  try {
    const firstTrade = Math.floor(options.from / PER_TRADE);
    const lastTrade = Math.ceil(options.to / PER_TRADE);
    for (let t = firstTrade; t < lastTrade; t += 100) {
      const rows: Array<Insertable<TradeTable>> = [];
      for (let i = t; i < Math.min(t + 100, lastTrade); i++) {
        if (i * PER_TRADE < options.from) continue; // the trade exists from an earlier call
        rows.push({
          tradeNo: tradeNo(i),
          outTradeNo: `SEED${i}`,
          sellerPid: options.sellerPid,
          appId: options.appId,
          subject: 'seed',
          body: null,
          productCode: 'FACE_TO_FACE_PAYMENT',
          totalAmount: 100_000_00,
          receiptAmount: 100_000_00,
          buyerPayAmount: 100_000_00,
          pointAmount: 0,
          invoiceAmount: 100_000_00,
          discountAmount: 0,
          mdiscountAmount: 0,
          voucherDetailList: '[]',
          buyerUserId: '2088000000000001',
          buyerLogonId: '159****0001',
          status: 'TRADE_SUCCESS',
          frozen: 0,
          refundAllowed: 1,
          feeRatePpm: 0,
          chargeAmount: 0,
          refundedAmount: PER_TRADE,
          refundedChargeFee: 0,
          refundedSendBackFee: PER_TRADE,
          pendingRefundAmount: 0,
          refundCount: PER_TRADE,
          notifyUrl: null,
          charset: 'utf-8',
          storeId: null,
          terminalId: null,
          operatorId: null,
          dbackOutcome: null,
          gmtCreate: now,
          gmtPayment: now,
          gmtClose: null,
        });
      }
      if (rows.length === 0) continue;
      await store.transaction(async (trx) => {
        await trx.insertInto('trades').values(rows).execute();
        await trx
          .insertInto('tradeFundBills')
          .values(
            rows.map((row) => ({
              tradeNo: row.tradeNo,
              position: 0,
              fundChannel: 'ALIPAYACCOUNT',
              fundType: null,
              bankCode: null,
              amount: 100_000_00,
              realAmount: 100_000_00,
              refundedAmount: PER_TRADE,
            })),
          )
          .execute();
      });
    }
    for (let n = options.from; n < options.to; n += 500) {
      const refunds: Array<Insertable<RefundTable>> = [];
      for (let i = n; i < Math.min(n + 500, options.to); i++) {
        refunds.push({
          tradeNo: tradeNo(Math.floor(i / PER_TRADE)),
          outRequestNo: `S${i}`,
          refundAmount: 1,
          status: 'succeeded',
          refundReason: null,
          source: 'refund',
          batchNo: null,
          operatorId: null,
          storeId: null,
          terminalId: null,
          sendBackFee: 1,
          refundChargeFee: 0,
          gmtRefundPay: now,
          attempts: 0,
          lastError: null,
          acceptedAt: null,
          nextAttemptAt: null,
          createdAt: now,
          updatedAt: now,
        });
      }
      await store.transaction(async (trx) => {
        const ids = await trx.insertInto('refunds').values(refunds).returning('id').execute();
        await trx
          .insertInto('fundAllocations')
          .values(
            ids.map(({ id }) => ({
              refundId: id,
              position: 0,
              fundChannel: 'ALIPAYACCOUNT',
              fundType: null,
              bankCode: null,
              amount: 1,
              realAmount: 1,
              dbackStatus: null,
              bankAckTime: null,
              estBankReceiptTime: null,
            })),
          )
          .execute();
      });
    }
    // A database that grew over months has been vacuumed and analysed; one filled in a minute has not, and
    // autovacuum would otherwise do it in the middle of the measurement.
    if (store.engine === 'postgres') {
      for (const table of ['trades', 'trade_fund_bills', 'refunds', 'fund_allocations']) await sql.raw(`vacuum analyze ${table}`).execute(store.db);
    }
    return Array.from({ length: 2000 }, () => {
      const i = randomInt(0, options.to);
      return { tradeNo: tradeNo(Math.floor(i / PER_TRADE)), outRequestNo: `S${i}` };
    });
  } finally {
    await store.close();
  }
}
