/**
 * The chaos harness reads the store directly — not through tuikuan, whose answers are what is being judged:
 * the SQLite file opened read-only with better-sqlite3, or PostgreSQL with pg. Each read is one consistent
 * snapshot (a single read transaction; REPEATABLE READ on PostgreSQL), taken while the load goes on, so
 * totals and the rows they sum are seen at the same instant. Columns as in src/store/migrations/.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { Fen } from './chaos-record.js';

export interface MerchantRecord {
  pid: string;
  balance: Fen;
}

export interface TradeRecord {
  tradeNo: string;
  outTradeNo: string;
  sellerPid: string;
  totalAmount: Fen;
  /** What the merchant was credited: the total less the merchant's own discounts (MCOUPON, MDISCOUNT). */
  receiptAmount: Fen;
  /** The fee the payment cost the merchant. */
  chargeAmount: Fen;
  /** A registered buyer's id when a buyer paid from their funds; else one tuikuan made up. */
  buyerUserId: string;
  /** Null while the trade waits for the buyer (WAIT_BUYER_PAY): it has drawn and credited nothing. */
  gmtPayment: number | null;
  productCode: string;
  /** voucher_detail_list: the coupons the payment used, by voucher id. */
  vouchers: VoucherRecord[];
  refundedAmount: Fen;
  pendingRefundAmount: Fen;
  refundCount: number;
  refundedSendBackFee: Fen;
  refundedChargeFee: Fen;
  notifyUrl: string | null;
  status: string;
}

export interface VoucherRecord {
  id: string;
  amount: Fen;
  merchantContribute: Fen;
  otherContribute: Fen;
}

export interface FundBillRecord {
  tradeNo: string;
  position: number;
  /** ALIPAYACCOUNT, FINANCEACCOUNT, PCREDIT, POINT, BANKCARD, COUPON, MCOUPON, MDISCOUNT, … */
  fundChannel: string;
  /** A BANKCARD line's bank: which of the buyer's cards paid (the harness gives each buyer's cards distinct banks). */
  bankCode: string | null;
  amount: Fen;
  refundedAmount: Fen;
}

export interface RefundRecord {
  id: number;
  tradeNo: string;
  outRequestNo: string;
  refundAmount: Fen;
  /** accepted, waiting_for_funds, succeeded, failed */
  status: string;
  sendBackFee: Fen;
  refundChargeFee: Fen;
}

export interface AllocationRecord {
  refundId: number;
  position: number;
  fundChannel: string;
  amount: Fen;
  /** Where the money went back: the channel itself, or ALIPAYACCOUNT for a bank card the bank refused (F). */
  returnedTo: string | null;
  /** P while the simulated bank has not answered a bank-card refund; S or F after; null for other channels. */
  dbackStatus: string | null;
}

export interface LedgerEntryRecord {
  pid: string;
  amount: Fen;
  kind: string;
  tradeNo: string | null;
  refundId: number | null;
}

export interface NotificationRecord {
  id: number;
  notifyId: string;
  kind: string;
  tradeNo: string | null;
  refundId: number | null;
  /** pending, delivered, given_up */
  status: string;
}

export interface JobRecord {
  id: number;
  kind: string;
  subject: string;
  runAt: number;
  attempts: number;
  lastError: string | null;
  lockedBy: string | null;
}

export interface BuyerRecord {
  buyerUserId: string;
  balance: Fen;
  yuebao: Fen;
  huabeiLimit: Fen;
  huabeiUsed: Fen;
  points: Fen;
}

export interface BankCardRecord {
  buyerUserId: string;
  position: number;
  bankCode: string;
  /** Null: the simulated bank always pays. */
  available: Fen | null;
}

export interface CouponRecord {
  voucherId: string;
  buyerUserId: string;
  fundChannel: string;
  amount: Fen;
  remaining: Fen;
}

export interface PayOrderRecord {
  sellerPid: string;
  outTradeNo: string;
  totalAmount: Fen;
  /** WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_CLOSED */
  status: string;
  tradeNo: string | null;
}

export interface StoreSnapshot {
  merchants: MerchantRecord[];
  buyers: BuyerRecord[];
  bankCards: BankCardRecord[];
  coupons: CouponRecord[];
  payOrders: PayOrderRecord[];
  trades: TradeRecord[];
  fundBills: FundBillRecord[];
  refunds: RefundRecord[];
  allocations: AllocationRecord[];
  ledgerEntries: LedgerEntryRecord[];
  notifications: NotificationRecord[];
  jobs: JobRecord[];
}

export interface StoreReader {
  read(): Promise<StoreSnapshot>;
  close(): Promise<void>;
}

/** A row as either driver returns it: PostgreSQL's bigint arrives as a string. */
type RawRow = Record<string, unknown>;

const num = (value: unknown): number => Number(value);
const text = (value: unknown): string => String(value);
const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** voucher_detail_list as stored: a JSON array of the Voucher interface (src/interfaces.ts). */
function vouchersOf(value: unknown): VoucherRecord[] {
  const parsed: unknown = JSON.parse(text(value));
  if (!Array.isArray(parsed)) return [];
  return parsed.map((v: Record<string, unknown>) => ({
    id: text(v.id),
    amount: num(v.amount),
    merchantContribute: num(v.merchantContribute),
    otherContribute: num(v.otherContribute),
  }));
}

/** Each table's query and how its rows become records; the same SQL serves both engines. */
const QUERIES = {
  merchants: {
    sql: 'select pid, balance from merchants',
    row: (r: RawRow): MerchantRecord => ({ pid: text(r.pid), balance: num(r.balance) }),
  },
  buyers: {
    sql: 'select buyer_user_id, balance, yuebao, huabei_limit, huabei_used, points from buyers',
    row: (r: RawRow): BuyerRecord => ({
      buyerUserId: text(r.buyer_user_id),
      balance: num(r.balance),
      yuebao: num(r.yuebao),
      huabeiLimit: num(r.huabei_limit),
      huabeiUsed: num(r.huabei_used),
      points: num(r.points),
    }),
  },
  bankCards: {
    sql: 'select buyer_user_id, position, bank_code, available from buyer_bank_cards',
    row: (r: RawRow): BankCardRecord => ({
      buyerUserId: text(r.buyer_user_id),
      position: num(r.position),
      bankCode: text(r.bank_code),
      available: numOrNull(r.available),
    }),
  },
  coupons: {
    sql: 'select voucher_id, buyer_user_id, fund_channel, amount, remaining from buyer_coupons',
    row: (r: RawRow): CouponRecord => ({
      voucherId: text(r.voucher_id),
      buyerUserId: text(r.buyer_user_id),
      fundChannel: text(r.fund_channel),
      amount: num(r.amount),
      remaining: num(r.remaining),
    }),
  },
  payOrders: {
    sql: 'select seller_pid, out_trade_no, total_amount, status, trade_no from pay_orders',
    row: (r: RawRow): PayOrderRecord => ({
      sellerPid: text(r.seller_pid),
      outTradeNo: text(r.out_trade_no),
      totalAmount: num(r.total_amount),
      status: text(r.status),
      tradeNo: textOrNull(r.trade_no),
    }),
  },
  trades: {
    sql: `select trade_no, out_trade_no, seller_pid, total_amount, receipt_amount, charge_amount, buyer_user_id, gmt_payment,
                 product_code, voucher_detail_list, refunded_amount, pending_refund_amount, refund_count,
                 refunded_send_back_fee, refunded_charge_fee, notify_url, status from trades`,
    row: (r: RawRow): TradeRecord => ({
      tradeNo: text(r.trade_no),
      outTradeNo: text(r.out_trade_no),
      sellerPid: text(r.seller_pid),
      totalAmount: num(r.total_amount),
      receiptAmount: num(r.receipt_amount),
      chargeAmount: num(r.charge_amount),
      buyerUserId: text(r.buyer_user_id),
      gmtPayment: numOrNull(r.gmt_payment),
      productCode: text(r.product_code),
      vouchers: vouchersOf(r.voucher_detail_list),
      refundedAmount: num(r.refunded_amount),
      pendingRefundAmount: num(r.pending_refund_amount),
      refundCount: num(r.refund_count),
      refundedSendBackFee: num(r.refunded_send_back_fee),
      refundedChargeFee: num(r.refunded_charge_fee),
      notifyUrl: textOrNull(r.notify_url),
      status: text(r.status),
    }),
  },
  fundBills: {
    sql: 'select trade_no, position, fund_channel, bank_code, amount, refunded_amount from trade_fund_bills',
    row: (r: RawRow): FundBillRecord => ({
      tradeNo: text(r.trade_no),
      position: num(r.position),
      fundChannel: text(r.fund_channel),
      bankCode: textOrNull(r.bank_code),
      amount: num(r.amount),
      refundedAmount: num(r.refunded_amount),
    }),
  },
  refunds: {
    sql: 'select id, trade_no, out_request_no, refund_amount, status, send_back_fee, refund_charge_fee from refunds',
    row: (r: RawRow): RefundRecord => ({
      id: num(r.id),
      tradeNo: text(r.trade_no),
      outRequestNo: text(r.out_request_no),
      refundAmount: num(r.refund_amount),
      status: text(r.status),
      sendBackFee: num(r.send_back_fee),
      refundChargeFee: num(r.refund_charge_fee),
    }),
  },
  allocations: {
    sql: 'select refund_id, position, fund_channel, amount, returned_to, dback_status from fund_allocations',
    row: (r: RawRow): AllocationRecord => ({
      refundId: num(r.refund_id),
      position: num(r.position),
      fundChannel: text(r.fund_channel),
      amount: num(r.amount),
      returnedTo: textOrNull(r.returned_to),
      dbackStatus: textOrNull(r.dback_status),
    }),
  },
  ledgerEntries: {
    sql: 'select pid, amount, kind, trade_no, refund_id from ledger_entries',
    row: (r: RawRow): LedgerEntryRecord => ({
      pid: text(r.pid),
      amount: num(r.amount),
      kind: text(r.kind),
      tradeNo: textOrNull(r.trade_no),
      refundId: numOrNull(r.refund_id),
    }),
  },
  notifications: {
    sql: 'select id, notify_id, kind, trade_no, refund_id, status from notifications',
    row: (r: RawRow): NotificationRecord => ({
      id: num(r.id),
      notifyId: text(r.notify_id),
      kind: text(r.kind),
      tradeNo: textOrNull(r.trade_no),
      refundId: numOrNull(r.refund_id),
      status: text(r.status),
    }),
  },
  jobs: {
    sql: 'select id, kind, subject, run_at, attempts, last_error, locked_by from jobs',
    row: (r: RawRow): JobRecord => ({
      id: num(r.id),
      kind: text(r.kind),
      subject: text(r.subject),
      runAt: num(r.run_at),
      attempts: num(r.attempts),
      lastError: textOrNull(r.last_error),
      lockedBy: textOrNull(r.locked_by),
    }),
  },
} as const;

type Table = keyof typeof QUERIES;
const TABLES = Object.keys(QUERIES) as Table[];

function snapshotFrom(rowsOf: (table: Table) => RawRow[]): StoreSnapshot {
  return {
    merchants: rowsOf('merchants').map(QUERIES.merchants.row),
    buyers: rowsOf('buyers').map(QUERIES.buyers.row),
    bankCards: rowsOf('bankCards').map(QUERIES.bankCards.row),
    coupons: rowsOf('coupons').map(QUERIES.coupons.row),
    payOrders: rowsOf('payOrders').map(QUERIES.payOrders.row),
    trades: rowsOf('trades').map(QUERIES.trades.row),
    fundBills: rowsOf('fundBills').map(QUERIES.fundBills.row),
    refunds: rowsOf('refunds').map(QUERIES.refunds.row),
    allocations: rowsOf('allocations').map(QUERIES.allocations.row),
    ledgerEntries: rowsOf('ledgerEntries').map(QUERIES.ledgerEntries.row),
    notifications: rowsOf('notifications').map(QUERIES.notifications.row),
    jobs: rowsOf('jobs').map(QUERIES.jobs.row),
  };
}

/** The SQLite file, read-only. A fresh connection per read: nothing is held between checks. */
export function sqliteReader(file: string): StoreReader {
  return {
    async read() {
      const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
      try {
        db.pragma('busy_timeout = 10000');
        // One read transaction: every table from the same snapshot of the write-ahead log.
        const readAll = db.transaction(() => {
          const rows = new Map<Table, RawRow[]>();
          for (const table of TABLES) rows.set(table, db.prepare(QUERIES[table].sql).all() as RawRow[]);
          return rows;
        });
        const rows = readAll();
        return snapshotFrom((table) => rows.get(table) ?? []);
      } finally {
        db.close();
      }
    },
    async close() {},
  };
}

export function postgresReader(url: string): StoreReader {
  const client = new pg.Client({ connectionString: url });
  const connected = client.connect();
  return {
    async read() {
      await connected;
      await client.query('begin isolation level repeatable read read only');
      try {
        const rows = new Map<Table, RawRow[]>();
        for (const table of TABLES) rows.set(table, (await client.query<RawRow>(QUERIES[table].sql)).rows);
        return snapshotFrom((table) => rows.get(table) ?? []);
      } finally {
        await client.query('commit');
      }
    },
    async close() {
      await connected.catch(() => {});
      await client.end().catch(() => {});
    },
  };
}
