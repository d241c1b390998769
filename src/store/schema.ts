/**
 * The tables as Kysely sees them. Columns are snake_case in the database and camelCase here
 * (Kysely's CamelCasePlugin translates). Money is integer fen, time is epoch milliseconds, flags
 * are 0/1 integers and lists are JSON text, so that one set of queries serves SQLite and PostgreSQL.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** An auto-increment id: the database assigns it, reads return a number. */
type Id = Generated<number>;

export interface PlatformTable {
  id: number;
  privateKeyPem: string;
  publicKeyPem: string;
  /** The virtual clock's reading, shared by every process; null while the clock is real. */
  virtualNow: number | null;
  createdAt: number;
  /** The certificate authority's key (PKCS#8 PEM) and certificates; null until first made. */
  caKeyPem: ColumnType<string | null, string | null | undefined, string | null>;
  rootCertPem: ColumnType<string | null, string | null | undefined, string | null>;
  rootCertSn: ColumnType<string | null, string | null | undefined, string | null>;
  appIssuerCertPem: ColumnType<string | null, string | null | undefined, string | null>;
  /** The platform's public-key certificate file (leaf, then its issuer) and the leaf's SN. */
  platformCertPem: ColumnType<string | null, string | null | undefined, string | null>;
  platformCertSn: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MerchantTable {
  pid: string;
  name: string;
  email: string;
  md5Key: string;
  loginPasswordHash: string;
  paymentPasswordHash: string;
  balance: number;
  feeRatePpm: number;
  refundWindowDays: number;
  pwdRefundEnabled: number;
  defaultFundMix: string;
  dbackDelaySeconds: number;
  dbackOutcome: string;
  mapiRsaPublicKey: string | null;
  mapiDsaPublicKey: string | null;
  /** `normal` or `frozen` (admin-set): a frozen seller's batch lines fail TXN_RESULT_ACCOUNT_STATUS_NOT_VALID. */
  accountStatus: ColumnType<string, string | undefined, string>;
  createdAt: number;
}

export interface AppTable {
  appId: string;
  pid: string;
  appPublicKey: string | null;
  rsaPublicKey: string | null;
  createdAt: number;
  /** `public_key` or `cert`. */
  keyMode: ColumnType<string, string | undefined, string>;
  appCertPem: ColumnType<string | null, string | null | undefined, string | null>;
  appCertSn: ColumnType<string | null, string | null | undefined, string | null>;
  /** Base64 AES key for content encryption; null when the app has none. */
  aesKey: ColumnType<string | null, string | null | undefined, string | null>;
  /** The app's application gateway (应用网关), where message notifications go. */
  messageUrl: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AppAuthTokenTable {
  token: string;
  appId: string;
  pid: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface TradeTable {
  tradeNo: string;
  outTradeNo: string;
  sellerPid: string;
  appId: string;
  subject: string;
  body: string | null;
  productCode: string;
  totalAmount: number;
  receiptAmount: number;
  buyerPayAmount: number;
  pointAmount: number;
  invoiceAmount: number;
  discountAmount: number;
  mdiscountAmount: number;
  voucherDetailList: string;
  buyerUserId: string;
  buyerLogonId: string;
  status: string;
  frozen: number;
  refundAllowed: number;
  feeRatePpm: number;
  chargeAmount: number;
  refundedAmount: number;
  refundedChargeFee: number;
  refundedSendBackFee: number;
  pendingRefundAmount: number;
  refundCount: number;
  notifyUrl: string | null;
  charset: string;
  storeId: string | null;
  terminalId: string | null;
  operatorId: string | null;
  dbackOutcome: string | null;
  gmtCreate: number;
  gmtPayment: number | null;
  gmtClose: number | null;
  /** `normal` or `frozen` (admin-set): a batch line on a trade whose buyer's account is frozen fails BUYER_ERROR. */
  buyerAccountStatus: ColumnType<string, string | undefined, string>;
}

export interface TradeFundBillTable {
  tradeNo: string;
  position: number;
  fundChannel: string;
  fundType: string | null;
  bankCode: string | null;
  amount: number;
  realAmount: number;
  refundedAmount: number;
}

export interface RefundTable {
  id: Id;
  tradeNo: string;
  outRequestNo: string;
  refundAmount: number;
  status: string;
  refundReason: string | null;
  source: string;
  batchNo: string | null;
  operatorId: string | null;
  storeId: string | null;
  terminalId: string | null;
  sendBackFee: number;
  refundChargeFee: number;
  gmtRefundPay: number | null;
  attempts: number;
  lastError: string | null;
  /** When an asynchronous refund was (last) accepted: its retries are given up 3 days later. */
  acceptedAt: number | null;
  nextAttemptAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface FundAllocationTable {
  refundId: number;
  position: number;
  fundChannel: string;
  fundType: string | null;
  bankCode: string | null;
  amount: number;
  realAmount: number;
  dbackStatus: string | null;
  bankAckTime: number | null;
  estBankReceiptTime: number | null;
  /**
   * Where a bank-card refund's money finally went once the bank answered: the card's own channel on `S`,
   * `ALIPAYACCOUNT` (the buyer's balance) on `F`; null until then, and for every other channel.
   */
  returnedTo: string | null;
}

export interface LedgerEntryTable {
  id: Id;
  pid: string;
  amount: number;
  kind: string;
  tradeNo: string | null;
  refundId: number | null;
  memo: string | null;
  createdAt: number;
}

export interface JobTable {
  id: Id;
  kind: string;
  subject: string;
  runAt: number;
  attempts: ColumnType<number, number | undefined, number>;
  lastError: string | null;
  lockedBy: string | null;
  lockedUntil: number | null;
  /** Bumped each time the job is scheduled again: a run only completes the revision it claimed. */
  revision: ColumnType<number, number | undefined, number>;
  /** When the job was given up after too many failed runs; null while it is live. */
  deadAt: ColumnType<number | null, number | null | undefined, number | null>;
  createdAt: number;
}

export interface NotificationTable {
  id: Id;
  notifyId: string;
  kind: string;
  pid: string;
  appId: string | null;
  url: string;
  charset: string;
  /** Rows owed before migration 0007: the encoded sign type and parameters; empty for rows with facts. */
  signType: string;
  params: string;
  /** The facts the notification reports (JSON), encoded when sent; null for rows owed before migration 0007. */
  facts: ColumnType<string | null, string | null | undefined, string | null>;
  status: string;
  attempts: number;
  nextAttemptAt: number | null;
  acknowledgedAt: number | null;
  tradeNo: string | null;
  refundId: number | null;
  batchNo: string | null;
  createdAt: number;
}

export interface NotificationAttemptTable {
  id: Id;
  notificationId: number;
  attempt: number;
  startedAt: number;
  url: string;
  requestBody: string;
  httpStatus: number | null;
  responseBody: string | null;
  error: string | null;
  delivered: number;
  /** 1 for an attempt made by hand through the admin API, outside the schedule. */
  manual: number;
  nextAttemptAt: number | null;
}

export interface FaultTable {
  id: Id;
  method: string;
  subCode: string;
  phase: string;
  remaining: number;
  createdAt: number;
}

export interface BatchTable {
  id: Id;
  batchNo: string;
  partnerPid: string;
  sellerPid: string;
  /** Names the batch in the seller's cashier URLs, so that they cannot be guessed from the batch_no. */
  token: string;
  status: string;
  charset: string;
  signType: string;
  notifyUrl: string | null;
  returnUrl: string | null;
  refundDate: string;
  batchNum: number;
  pwdFailures: number;
  /** Wrong login passwords on the batch's cashier pages, whichever session they came from. */
  loginFailures: number;
  successNum: number | null;
  resultDetails: string | null;
  createdAt: number;
  confirmedAt: number | null;
  completedAt: number | null;
}

export interface BatchLineTable {
  batchId: number;
  position: number;
  tradeNo: string;
  amount: number;
  amountText: string;
  reason: string;
  /** `SUCCESS` or the line's error code; null until processed. */
  result: string | null;
  refundId: number | null;
  chargeFee: number | null;
  processedAt: number | null;
  /** Runs of the line that threw, and the last one's error. */
  attempts: ColumnType<number, number | undefined, number>;
  lastError: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CashierSessionTable {
  id: string;
  batchId: number;
  csrfToken: string;
  loggedIn: number;
  createdAt: number;
  expiresAt: number;
}

export interface Database {
  platform: PlatformTable;
  merchants: MerchantTable;
  apps: AppTable;
  appAuthTokens: AppAuthTokenTable;
  trades: TradeTable;
  tradeFundBills: TradeFundBillTable;
  refunds: RefundTable;
  fundAllocations: FundAllocationTable;
  ledgerEntries: LedgerEntryTable;
  jobs: JobTable;
  notifications: NotificationTable;
  notificationAttempts: NotificationAttemptTable;
  faults: FaultTable;
  batches: BatchTable;
  batchLines: BatchLineTable;
  cashierSessions: CashierSessionTable;
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
export type JobRow = Selectable<JobTable>;
export type NotificationRow = Selectable<NotificationTable>;
export type NotificationAttemptRow = Selectable<NotificationAttemptTable>;
