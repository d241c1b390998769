/**
 * The tables as Kysely sees them. Columns are snake_case in the database and camelCase here
 * (Kysely's CamelCasePlugin translates). Money is integer fen, time is epoch milliseconds, flags
 * are 0/1 integers and lists are JSON text, so that one set of queries serves SQLite and PostgreSQL.
 *
 * The types are not written by hand: kysely-codegen generates them from the migrated schema into
 * generated-tables.ts (`npm run schema:dump`; test/store/schema.test.ts fails while it is out of date), so a
 * column exists here exactly when a migration made it, with the database's nullability, and `Generated` (optional
 * on insert) exactly when it has a default or is assigned by the database.
 *
 * What the database cannot say is said here, in one place: a column that holds one of the domain's string
 * unions (a status, a mode) is narrowed to that union. `Narrowed` checks that each narrowing names a column of
 * the generated table and stays within its type (what it reads, takes on insert and takes on update), so a
 * migration that drops or retypes a narrowed column fails to compile here instead of drifting.
 */
import type { ColumnType, Insertable, InsertType, Selectable, SelectType, Updateable, UpdateType } from 'kysely';
import type {
  AccountStatus,
  BatchStatus,
  PayOrderMethod,
  PayOrderStatus,
  BuyerCouponChannel,
  DbackStatus,
  KeyMode,
  Merchant,
  RefundSource,
  RefundStatus,
  Trade,
  TradeStatus,
} from '../interfaces.js';
import type * as Tables from './generated-tables.js';
import type { Generated } from './generated-tables.js';

/** A type for a column within the generated `Column`'s: reads, inserts and updates each no wider. */
type Within<Column> = ColumnType<SelectType<Column>, InsertType<Column>, UpdateType<Column>> | SelectType<Column>;

/** `Table` with the columns of `Columns` narrowed; each must be a column of `Table`, and narrower. */
type Narrowed<Table, Columns extends { [K in keyof Columns]: K extends keyof Table ? Within<Table[K]> : never }> = {
  [K in keyof Table]: K extends keyof Columns ? Columns[K] : Table[K];
};

/**
 * `virtual_now`: the virtual clock's reading, shared by every process; null while the clock is real.
 * `ca_key_pem`, `root_cert_*`, `app_issuer_cert_pem`: the certificate authority's key (PKCS#8 PEM) and
 * certificates; `platform_cert_*`: the platform's public-key certificate file (leaf, then its issuer) and the
 * leaf's SN. Null until first made.
 */
export type PlatformTable = Tables.Platform;

/** `account_status`: set by the admin API; a frozen seller's batch lines fail TXN_RESULT_ACCOUNT_STATUS_NOT_VALID. */
export type MerchantTable = Narrowed<Tables.Merchants, { accountStatus: Generated<AccountStatus>; dbackOutcome: Generated<Merchant['dbackOutcome']> }>;

/** `aes_key`: base64, for content encryption. `message_url`: the app's application gateway (应用网关). */
export type AppTable = Narrowed<Tables.Apps, { keyMode: Generated<KeyMode> }>;

export type AppAuthTokenTable = Tables.AppAuthTokens;

/** `buyer_account_status`: a batch line on a trade whose buyer's account is frozen fails BUYER_ERROR. */
export type TradeTable = Narrowed<Tables.Trades, { status: TradeStatus; dbackOutcome: Trade['dbackOutcome']; buyerAccountStatus: Generated<AccountStatus> }>;

export type TradeFundBillTable = Tables.TradeFundBills;

/** `accepted_at`: when an asynchronous refund was (last) accepted; its retries are given up 3 days later. */
export type RefundTable = Narrowed<Tables.Refunds, { status: RefundStatus; source: RefundSource }>;

/**
 * `returned_to`: where a bank-card refund's money finally went once the bank answered: the card's own channel
 * on `S`, `ALIPAYACCOUNT` (the buyer's balance) on `F`; null until then, and for every other channel.
 */
export type FundAllocationTable = Narrowed<Tables.FundAllocations, { dbackStatus: DbackStatus | null }>;

export type LedgerEntryTable = Tables.LedgerEntries;

/**
 * `revision`: bumped each time the job is scheduled again; a run only completes the revision it claimed.
 * `dead_at`: when the job was given up after too many failed runs; null while it is live.
 */
export type JobTable = Tables.Jobs;

/**
 * `sign_type`, `params`: for rows owed before migration 0007, the encoded notification; empty for rows with
 * facts. `facts`: what the notification reports (JSON), encoded when sent; null for rows owed before 0007.
 */
export type NotificationTable = Tables.Notifications;

/** `manual`: 1 for an attempt made by hand through the admin API, outside the schedule. */
export type NotificationAttemptTable = Tables.NotificationAttempts;

export type FaultTable = Tables.Faults;

/**
 * `token`: names the batch in the seller's cashier URLs, so that they cannot be guessed from the batch_no.
 * `login_failures`: wrong login passwords on the batch's cashier pages, whichever session they came from.
 */
export type BatchTable = Narrowed<Tables.Batches, { status: BatchStatus }>;

/** `result`: `SUCCESS` or the line's error code; null until processed. `attempts`, `last_error`: runs that threw. */
export type BatchLineTable = Tables.BatchLines;

/** A session is a batch's (the seller's) or a pay order's (the buyer's, naming the buyer once logged in). */
export type CashierSessionTable = Tables.CashierSessions;

/**
 * `fingerprint`: the request's method and biz params, canonical; `token`: names the order in the buyer's cashier
 * URL; `login_failures`: wrong login passwords on its cashier; `trade_no`: the trade its payment made.
 */
export type PayOrderTable = Narrowed<Tables.PayOrders, { status: PayOrderStatus; method: PayOrderMethod }>;

/**
 * `huabei_limit`, `huabei_used`: the Huabei credit limit and what of it is used, in fen; `points`: 集分宝 (1 fen
 * each). `payment_password_failures`: wrong payment passwords, counted until `payment_password_failures_reset_at`
 * (the next China midnight after the first of them); at five the payment password is locked until then.
 */
export type BuyerTable = Narrowed<Tables.Buyers, { accountStatus: Generated<AccountStatus> }>;

/** `available`: what the bank lets the card pay; null when the simulated bank always pays. */
export type BuyerBankCardTable = Tables.BuyerBankCards;

/**
 * `merchant_pid`: the merchant funding an MCOUPON/MDISCOUNT coupon, whose trades alone it applies to (null for
 * COUPON). `remaining`: what is left to use; `whole_only`: 1 when a payment must take all of it at once.
 */
export type BuyerCouponTable = Narrowed<Tables.BuyerCoupons, { fundChannel: BuyerCouponChannel }>;

/**
 * Every table a migration made (extending the generated `DB`, a new table is here without a word), with the
 * narrowed ones; each narrowed table must still be assignable to its generated one.
 */
export interface Database extends Tables.DB {
  merchants: MerchantTable;
  apps: AppTable;
  trades: TradeTable;
  refunds: RefundTable;
  fundAllocations: FundAllocationTable;
  batches: BatchTable;
  payOrders: PayOrderTable;
  buyers: BuyerTable;
  buyerCoupons: BuyerCouponTable;
}

export type MerchantRow = Selectable<MerchantTable>;
export type AppRow = Selectable<AppTable>;
export type TradeRow = Selectable<TradeTable>;
export type NewTrade = Insertable<TradeTable>;
export type TradeUpdate = Updateable<TradeTable>;
export type TradeFundBillRow = Selectable<TradeFundBillTable>;
export type RefundRow = Selectable<RefundTable>;
export type FundAllocationRow = Selectable<FundAllocationTable>;
export type BatchRow = Selectable<BatchTable>;
export type BuyerRow = Selectable<BuyerTable>;
export type BuyerBankCardRow = Selectable<BuyerBankCardTable>;
export type BuyerCouponRow = Selectable<BuyerCouponTable>;
export type JobRow = Selectable<JobTable>;
export type NotificationRow = Selectable<NotificationTable>;
export type NotificationAttemptRow = Selectable<NotificationAttemptTable>;
