/**
 * The refund's one locked read: the trade under its lock (`for update of` the trade on PostgreSQL; on SQLite
 * the transaction's `begin immediate` already holds the database), with everything the refund rules and the
 * refund's effects need — its fund bill, its seller, the refund already under this out_request_no (and its
 * fund allocations), the app's key flags (which the trade's notification reports) and whether the trade's
 * buyer is a registered buyer (whose channels the refund credits, refund-to-buyer.ts) — in one statement.
 *
 * One statement means one snapshot. Under PostgreSQL's read committed, a statement that waited for the trade's
 * lock gets the trade's newest row, but reads the other tables as they were when it started: a refund committed
 * by the transaction it waited for would be missing. Every change of a trade's refunds or fund bill also updates
 * the trade's row, so the read compares the locked row with the row its snapshot has (`xmin`, the transaction
 * that wrote it): when they differ, it reads again — now under the lock, with a snapshot that sees everything.
 */
import type { Merchant, Refund, Trade } from '../../interfaces.js';
import type { FundAllocationRow, RefundRow, TradeFundBillRow, TradeRow } from '../schema.js';
import { sqlStatement, type SqlStatement } from '../sql-statement.js';
import type { Trx } from '../store.js';
import { toMerchant, type MerchantRecordRow } from './merchants.js';
import { toRefund } from './refunds.js';
import { toTrade } from './trades.js';

export interface RefundContext {
  trade: Trade;
  seller: Merchant;
  /** The refund under the request's out_request_no (or the refund asked for by id), with its allocations. */
  existing: Refund | undefined;
  /** Which of the app's keys exist: the trade's notification is signed to match. */
  appKeys: { rsa2: boolean; rsa: boolean };
  /** The merchant whose app the trade was made through (null when the app is gone): a partner's batch may refund it. */
  appPid: string | null;
  /** Whether the trade's buyer is a registered buyer, whose own channels a refund gives back to. */
  buyerRegistered: boolean;
}

/** `columns`, checked to name every key of `Row`: a column a migration adds is then not silently left out. */
function everyColumn<Row>() {
  return <const C extends ReadonlyArray<keyof Row>>(
    columns: C & ([Exclude<keyof Row, C[number]>] extends [never] ? unknown : { missing: Exclude<keyof Row, C[number]> }),
  ): C => columns;
}

const TRADE_COLUMNS = everyColumn<TradeRow>()([
  'appId',
  'body',
  'buyerAccountStatus',
  'buyerLogonId',
  'buyerPayAmount',
  'buyerUserId',
  'chargeAmount',
  'charset',
  'dbackOutcome',
  'discountAmount',
  'expiresAt',
  'feeRatePpm',
  'frozen',
  'gmtClose',
  'gmtCreate',
  'gmtPayment',
  'invoiceAmount',
  'mdiscountAmount',
  'notifyUrl',
  'operatorId',
  'outTradeNo',
  'passbackParams',
  'pendingRefundAmount',
  'pointAmount',
  'productCode',
  'receiptAmount',
  'refundAllowed',
  'refundCount',
  'refundedAmount',
  'refundedChargeFee',
  'refundedSendBackFee',
  'sellerPid',
  'status',
  'storeId',
  'subject',
  'terminalId',
  'totalAmount',
  'tradeNo',
  'voucherDetailList',
]);
const MERCHANT_COLUMNS = [
  'pid',
  'name',
  'email',
  'md5Key',
  'balance',
  'feeRatePpm',
  'refundWindowDays',
  'pwdRefundEnabled',
  'defaultFundMix',
  'dbackDelaySeconds',
  'dbackOutcome',
  'accountStatus',
  'nonRefundableProducts',
  'mapiRsaPublicKey',
  'mapiDsaPublicKey',
  'createdAt',
] as const satisfies ReadonlyArray<keyof MerchantRecordRow>;
const REFUND_COLUMNS = [
  'id',
  'tradeNo',
  'outRequestNo',
  'refundAmount',
  'status',
  'refundReason',
  'source',
  'batchNo',
  'operatorId',
  'storeId',
  'terminalId',
  'sendBackFee',
  'refundChargeFee',
  'gmtRefundPay',
  'attempts',
  'lastError',
  'acceptedAt',
  'nextAttemptAt',
  'createdAt',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof RefundRow>;
const FUND_BILL_COLUMNS = ['position', 'fundChannel', 'fundType', 'bankCode', 'amount', 'realAmount', 'refundedAmount'] as const satisfies ReadonlyArray<
  keyof TradeFundBillRow
>;
const ALLOCATION_COLUMNS = [
  'refundId',
  'position',
  'fundChannel',
  'fundType',
  'bankCode',
  'amount',
  'realAmount',
  'dbackStatus',
  'bankAckTime',
  'estBankReceiptTime',
  'returnedTo',
] as const satisfies ReadonlyArray<keyof FundAllocationRow>;

type Engine = 'postgres' | 'sqlite';
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A JSON object of `pairs` (key, SQL expression). SQLite's `json()` keeps a nested value JSON, not a string. */
function jsonOf(engine: Engine, pairs: ReadonlyArray<readonly [string, string]>): string {
  const args = pairs.map(([key, value]) => `'${key}', ${value}`).join(', ');
  return engine === 'postgres' ? `json_build_object(${args})` : `json_object(${args})`;
}

/** The columns of `alias` as a JSON object keyed in camelCase. */
function rowJson(engine: Engine, alias: string, columns: readonly string[]): string {
  return jsonOf(
    engine,
    columns.map((column) => [column, `${alias}.${snake(column)}`]),
  );
}

/** The rows of `from` (which names its rows `alias`) as a JSON array of objects in `order`. */
function rowsJson(engine: Engine, alias: string, columns: readonly string[], from: string, order: string): string {
  const object = rowJson(engine, alias, columns);
  return engine === 'postgres'
    ? `(select coalesce(json_agg(${object} order by ${order}), '[]') ${from})`
    : `json((select json_group_array(${object}) from (select ${alias}.* ${from} order by ${order}) ${alias}))`;
}

/**
 * The read's text for a trade `t` found by `from` and `where`, and a refund `r` named by `refundIs`. The whole
 * context comes back as one JSON text (one column for the driver to take apart, not fifty), and `fresh`.
 */
function contextSql(engine: Engine, { from, where, refundIs }: { from: string; where: string; refundIs: string }): string {
  const existing = `from refunds r where r.trade_no = t.trade_no and ${refundIs}`;
  const allocations = `from fund_allocations a join refunds r on r.id = a.refund_id where r.trade_no = t.trade_no and ${refundIs}`;
  const refund = `(select ${rowJson(engine, 'r', REFUND_COLUMNS)} ${existing})`;
  const context = jsonOf(engine, [
    ['trade', rowJson(engine, 't', TRADE_COLUMNS)],
    ['fundBills', rowsJson(engine, 'b', FUND_BILL_COLUMNS, 'from trade_fund_bills b where b.trade_no = t.trade_no', 'b.position')],
    ['seller', rowJson(engine, 'm', MERCHANT_COLUMNS)],
    ['refund', engine === 'postgres' ? refund : `json(${refund})`],
    ['allocations', rowsJson(engine, 'a', ALLOCATION_COLUMNS, allocations, 'a.position')],
    ['appRsa2', 'ap.app_public_key is not null'],
    ['appRsa', 'ap.rsa_public_key is not null'],
    ['appPid', 'ap.pid'],
    ['buyerRegistered', 'exists (select 1 from buyers bu where bu.buyer_user_id = t.buyer_user_id)'],
  ]);
  // The row the statement's snapshot has: the same as the locked one unless the statement waited for the lock.
  const fresh = engine === 'postgres' ? 't.xmin = (select s.xmin from trades s where s.trade_no = t.trade_no)' : '1';
  return `select ${engine === 'postgres' ? `${context}::text` : context} as context, ${fresh} as fresh
from ${from}
join merchants m on m.pid = t.seller_pid
left join apps ap on ap.app_id = t.app_id
where ${where}${engine === 'postgres' ? '\nfor update of t' : ''}`;
}

interface ContextRow {
  context: string;
  fresh: boolean | number;
}

interface ContextJson {
  trade: TradeRow;
  fundBills: TradeFundBillRow[];
  seller: MerchantRecordRow;
  refund: RefundRow | null;
  allocations: FundAllocationRow[];
  /** Booleans on PostgreSQL, 1 and 0 on SQLite. */
  appRsa2: boolean | number;
  appRsa: boolean | number;
  appPid: string | null;
  buyerRegistered: boolean | number;
}

type ByTrade = { sellerPid: string; tradeNo: string; outRequestNo: string | null };
type ByOutTradeNo = { sellerPid: string; outTradeNo: string; outRequestNo: string | null };
type ByRefundId = { refundId: number };

function statement<P extends object>(shape: { from: string; where: string; refundIs: string }): SqlStatement<P, ContextRow> {
  return sqlStatement<P, ContextRow>({ postgres: contextSql('postgres', shape), sqlite: contextSql('sqlite', shape) });
}

// Without an out_request_no, the refund is keyed by the trade's out_trade_no.
const byRequestNo = 'r.out_request_no = coalesce(:outRequestNo, t.out_trade_no)';
const byTradeNo = statement<ByTrade>({ from: 'trades t', where: 't.seller_pid = :sellerPid and t.trade_no = :tradeNo', refundIs: byRequestNo });
const byOutTradeNo = statement<ByOutTradeNo>({
  from: 'trades t',
  where: 't.seller_pid = :sellerPid and t.out_trade_no = :outTradeNo',
  refundIs: byRequestNo,
});
const byRefundId = statement<ByRefundId>({
  from: 'refunds k join trades t on t.trade_no = k.trade_no',
  where: 'k.id = :refundId',
  refundIs: 'r.id = :refundId',
});

export interface RefundContextKey {
  sellerPid: string;
  tradeNo?: string | undefined;
  outTradeNo?: string | undefined;
  /** (Default: the trade's out_trade_no) */
  outRequestNo?: string | undefined;
}

/** The seller's trade (trade_no wins over out_trade_no) under its lock, with the refund under out_request_no. */
export async function lockRefundContext(trx: Trx, key: RefundContextKey): Promise<RefundContext | undefined> {
  const { sellerPid, tradeNo, outTradeNo, outRequestNo } = key;
  if (tradeNo) return lockedContext(trx, byTradeNo, { sellerPid, tradeNo, outRequestNo: outRequestNo ?? null });
  if (outTradeNo) return lockedContext(trx, byOutTradeNo, { sellerPid, outTradeNo, outRequestNo: outRequestNo ?? null });
  return undefined;
}

/** The trade of the refund `refundId` under its lock, with that refund (the worker's carry-out). */
export async function lockRefundContextById(trx: Trx, refundId: number): Promise<RefundContext | undefined> {
  return lockedContext(trx, byRefundId, { refundId });
}

async function lockedContext<P extends object>(trx: Trx, read: SqlStatement<P, ContextRow>, params: P): Promise<RefundContext | undefined> {
  let [row] = await read(trx, params);
  // Waited for the lock: read again, the lock held, with a snapshot that sees what the other transaction wrote.
  if (row && !row.fresh) [row] = await read(trx, params);
  return row && toContext(row);
}

function toContext(row: ContextRow): RefundContext {
  const context = JSON.parse(row.context) as ContextJson;
  return {
    trade: toTrade(context.trade, context.fundBills),
    seller: toMerchant(context.seller),
    existing: context.refund ? toRefund(context.refund, context.allocations) : undefined,
    appKeys: { rsa2: Boolean(context.appRsa2), rsa: Boolean(context.appRsa) },
    appPid: context.appPid,
    buyerRegistered: Boolean(context.buyerRegistered),
  };
}
