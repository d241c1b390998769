/**
 * The admin API's JSON, as types: what each call takes (the admin API's own body schemas, as their input
 * types) and what it answers (written out here from the views in src/http/, field for field). Amounts are
 * strings such as "12.34"; times are China time `yyyy-MM-dd HH:mm:ss`, or null; `*_ms` are epoch milliseconds.
 */
import type { z } from 'zod';
import type {
  appBody,
  appSettingsBody,
  balanceBody,
  faultBody,
  merchantBody,
  settingsBody,
  tokenBody,
  tradeBody,
  tradeSettingsBody,
} from '../http/admin-bodies.js';
import type { buyerBody, buyerChangeBody } from '../http/admin-buyer-bodies.js';

export type NewMerchantBody = z.input<typeof merchantBody>;
export type MerchantSettingsBody = z.input<typeof settingsBody>;
export type BalanceChangeBody = z.input<typeof balanceBody>;
export type NewAppBody = z.input<typeof appBody>;
export type AppSettingsBody = z.input<typeof appSettingsBody>;
export type AppAuthTokenBody = z.input<typeof tokenBody>;
export type NewTradeBody = z.input<typeof tradeBody>;
export type TradeSettingsBody = z.input<typeof tradeSettingsBody>;
export type FaultBody = z.input<typeof faultBody>;
export type NewBuyerBody = z.input<typeof buyerBody>;
export type BuyerChangeBody = z.input<typeof buyerChangeBody>;

export type AccountStatus = 'normal' | 'frozen';

export interface Merchant {
  pid: string;
  name: string;
  email: string;
  md5_key: string;
  balance: string;
  fee_rate: string;
  refund_window_days: number;
  pwd_refund_enabled: boolean;
  default_fund_mix: Array<{ fund_channel: string; percent: number; fund_type?: string; bank_code?: string }>;
  dback_delay_seconds: number;
  dback_outcome: 'S' | 'F';
  account_status: AccountStatus;
  mapi_rsa_public_key: string | null;
  mapi_dsa_public_key: string | null;
  created_at: string;
}

/** A merchant as created: its passwords are shown this once. */
export interface CreatedMerchant extends Merchant {
  login_password: string;
  payment_password: string;
}

export interface LedgerEntry {
  id: number;
  kind: string;
  amount: string;
  trade_no: string | null;
  refund_id: number | null;
  created_at: string;
}

export interface Ledger {
  pid: string;
  balance: string;
  /** Always equal to `balance`. */
  entries_sum: string;
  entries: LedgerEntry[];
}

export interface Platform {
  /** What merchants configure as `alipayPublicKey`. */
  public_key: string;
  alipay_public_cert: string;
  alipay_cert_sn: string;
  alipay_root_cert: string;
  alipay_root_cert_sn: string;
}

export interface App {
  app_id: string;
  pid: string;
  app_public_key: string | null;
  rsa_public_key: string | null;
  platform_public_key: string;
  key_mode: 'public_key' | 'cert';
  /** Certificate mode only. */
  app_cert?: string;
  app_cert_sn?: string;
  alipay_public_cert?: string;
  alipay_cert_sn?: string;
  alipay_root_cert?: string;
  alipay_root_cert_sn?: string;
  aes_key: string | null;
  message_url: string | null;
  created_at: string;
}

/** An app as created: when tuikuan made its key pair, the private key is shown this once. */
export interface CreatedApp extends App {
  app_private_key?: string;
}

export interface AppAuthToken {
  app_auth_token: string;
  app_id: string;
  pid: string;
}

export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED';

export interface Trade {
  trade_no: string;
  out_trade_no: string;
  seller_id: string;
  app_id: string;
  subject: string;
  product_code: string;
  trade_status: TradeStatus;
  total_amount: string;
  receipt_amount: string;
  buyer_pay_amount: string;
  point_amount: string;
  invoice_amount: string;
  discount_amount: string;
  mdiscount_amount: string;
  fund_bill_list: Array<{
    fund_channel: string;
    amount: string;
    real_amount: string;
    fund_type: string | null;
    bank_code: string | null;
    refunded_amount: string;
  }>;
  voucher_detail_list: Array<Record<string, string>>;
  buyer_user_id: string;
  buyer_logon_id: string;
  fee_rate: string;
  charge_amount: string;
  refunded_amount: string;
  refunded_charge_fee: string;
  refunded_send_back_fee: string;
  pending_refund_amount: string;
  refund_count: number;
  frozen: boolean;
  refund_allowed: boolean;
  dback_outcome: 'S' | 'F' | null;
  buyer_account_status: AccountStatus;
  notify_url: string | null;
  gmt_create: string | null;
  gmt_payment: string | null;
  gmt_close: string | null;
}

export type RefundStatus = 'accepted' | 'waiting_for_funds' | 'succeeded' | 'failed';

export interface Refund {
  id: number;
  trade_no: string;
  out_request_no: string;
  refund_amount: string;
  status: RefundStatus;
  refund_status: 'REFUND_SUCCESS' | null;
  refund_reason: string | null;
  /** Which call made it: `refund`, `refund.apply`, or a batch. */
  source: string;
  batch_no: string | null;
  send_back_fee: string;
  refund_charge_fee: string;
  gmt_refund_pay: string | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  fund_allocations: Array<{
    fund_channel: string;
    fund_type: string | null;
    bank_code: string | null;
    amount: string;
    dback_status: string | null;
    bank_ack_time: string | null;
    est_bank_receipt_time: string | null;
    returned_to: string | null;
  }>;
}

export interface RefundFilter {
  trade_no?: string;
  out_request_no?: string;
  batch_no?: string;
  status?: RefundStatus;
}

export type NotificationKind = 'trade_status_sync' | 'batch_refund_notify' | 'alipay.trade.refund.depositback.completed';

export interface NotificationAttempt {
  attempt: number;
  /** Sent by hand (`resend`), outside the schedule. */
  manual: boolean;
  at: string;
  url: string;
  request_body: string;
  http_status: number | null;
  response_body: string | null;
  error: string | null;
  delivered: boolean;
  next_attempt_at: string | null;
}

export interface Notification {
  notify_id: string;
  kind: NotificationKind;
  pid: string;
  app_id: string | null;
  url: string;
  charset: string;
  sign_type: string;
  /** `pending` while attempts go on, `delivered` once answered `success`, `given_up` after the last attempt. */
  status: 'pending' | 'delivered' | 'given_up';
  attempts: number;
  next_attempt_at: string | null;
  acknowledged_at: string | null;
  trade_no: string | null;
  batch_no: string | null;
  /** The fields sent, as the merchant's notify_url receives them. */
  params: Record<string, string>;
  created_at: string;
  attempt_log: NotificationAttempt[];
}

export interface NotificationFilter {
  trade_no?: string;
  notify_id?: string;
  batch_no?: string;
  kind?: NotificationKind;
  pid?: string;
}

export interface BatchLine {
  trade_no: string;
  amount: string;
  reason: string;
  result: string | null;
  refund_id: number | null;
  charge_fee: string | null;
  processed_at: string | null;
  attempts: number;
  last_error: string | null;
}

export interface Batch {
  batch_no: string;
  partner: string;
  seller_user_id: string;
  status: string;
  charset: string;
  sign_type: string;
  notify_url: string | null;
  return_url: string | null;
  refund_date: string;
  batch_num: number;
  pwd_failures: number;
  login_failures: number;
  success_num: number | null;
  result_details: string | null;
  created_at: string;
  confirmed_at: string | null;
  completed_at: string | null;
  /** The seller's cashier page, relative to the server. */
  cashier_url: string;
  lines: BatchLine[];
}

export interface BuyerFunds {
  balance: string;
  yuebao: string;
  huabei_limit: string;
  huabei_used: string;
  huabei_available: string;
  points: string;
  bank_cards: Array<{ position: number; bank_code: string; fund_type: string; card_tail: string; available: string | null }>;
  coupons: Array<{
    voucher_id: string;
    fund_channel: 'COUPON' | 'MCOUPON' | 'MDISCOUNT';
    name: string;
    merchant_pid: string | null;
    amount: string;
    remaining: string;
    whole_only: boolean;
    expires_at: string | null;
    usable: boolean;
  }>;
}

export interface Buyer {
  buyer_user_id: string;
  logon_id: string;
  name: string;
  account_status: AccountStatus;
  funds: BuyerFunds;
  payment_password_failures: number;
  payment_password_locked_until: string | null;
  created_at: string;
}

/** A buyer as created: its passwords are shown this once. */
export interface CreatedBuyer extends Buyer {
  login_password: string;
  payment_password: string;
}

export interface Clock {
  kind: 'real' | 'virtual';
  now: string;
  now_ms: number;
}

/** One job run: how it ended, and when it runs next. */
export interface JobRun {
  id: number;
  kind: Job['kind'];
  subject: string;
  /** `done`; `retry` (it asked to run again); `failed` (it threw, and runs again); `dead` (given up). */
  outcome: 'done' | 'retry' | 'failed' | 'dead';
  at: string;
  next_run_at: string | null;
  error: string | null;
}

/** The clock after a move, and every job that ran on the way (in this server process). */
export interface ClockMove extends Clock {
  ran: JobRun[];
}

export interface Job {
  id: number;
  kind: 'refund' | 'notify' | 'deposit_back' | 'batch';
  subject: string;
  status: 'waiting' | 'running' | 'dead';
  run_at: string;
  attempts: number;
  last_error: string | null;
  dead_at: string | null;
  locked_by: string | null;
  locked_until: string | null;
}

export interface Fault {
  id: number;
  method: string;
  sub_code: string;
  phase: 'before' | 'after';
  remaining: number;
}

export interface Snapshot {
  snapshot_id: string;
  /** Real time. */
  taken_at: string;
  /** The clock's reading it brings back. */
  clock_at: string;
  clock_at_ms: number;
  /** Rows it holds, by table. */
  rows: Record<string, number>;
}

/** A snapshot restored: the clock is back at its reading. */
export interface RestoredSnapshot extends Snapshot {
  now: string;
  now_ms: number;
}

/** The world after a reset: the clock where it stood at start, and the rows the seed made, by table. */
export interface ResetWorld {
  now: string;
  now_ms: number;
  rows: Record<string, number>;
}
