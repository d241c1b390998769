/**
 * The refund tests' vocabulary: the three refund methods called through the official alipay-sdk (always
 * with `validateSign: true`, so every reply's signature is checked), the virtual clock, and the admin views
 * a refund test reads (trade, refunds, ledger, notifications).
 */
import assert from 'node:assert/strict';
import type { Harness, MerchantKit } from './harness.js';

/** A parsed gateway reply (the `<method>_response` node, keys as sent). */
export type Reply = Record<string, any>;

export type Biz = Record<string, unknown>;

/** Any OpenAPI method, through the SDK, with the public notify_url when given. */
export async function exec(kit: MerchantKit, method: string, bizContent: Biz, notifyUrl?: string): Promise<Reply> {
  return (await kit.sdk.exec(method, { bizContent, ...(notifyUrl && { notify_url: notifyUrl }) }, { validateSign: true })) as Reply;
}

/** alipay.trade.query by out_trade_no */
export function queryTrade(kit: MerchantKit, outTradeNo: string): Promise<Reply> {
  return exec(kit, 'alipay.trade.query', { out_trade_no: outTradeNo });
}

/** alipay.trade.refund */
export function refund(kit: MerchantKit, biz: Biz): Promise<Reply> {
  return exec(kit, 'alipay.trade.refund', biz);
}

/** alipay.trade.refund.apply */
export function refundApply(kit: MerchantKit, biz: Biz): Promise<Reply> {
  return exec(kit, 'alipay.trade.refund.apply', biz);
}

/** alipay.trade.fastpay.refund.query */
export function refundQuery(kit: MerchantKit, biz: Biz): Promise<Reply> {
  return exec(kit, 'alipay.trade.fastpay.refund.query', biz);
}

/** Every query option the refund query understands. */
export const ALL_QUERY_OPTIONS = ['gmt_refund_pay', 'refund_detail_item_list', 'deposit_back_info', 'deposit_back_info_list', 'refund_voucher_detail_list'];

/** Asserts a 40004 business failure with exactly this sub_code and sub_msg. */
export function assertBusinessError(reply: Reply, subCode: string, subMsg: string): void {
  assert.equal(reply.code, '40004', `expected 40004 ${subCode}, got ${JSON.stringify(reply)}`);
  assert.equal(reply.msg, 'Business Failed');
  assert.equal(reply.sub_code, subCode);
  assert.equal(reply.sub_msg, subMsg);
}

/** Asserts a 10000 success. */
export function assertSuccess(reply: Reply): void {
  assert.equal(reply.code, '10000', `expected 10000, got ${JSON.stringify(reply)}`);
  assert.equal(reply.msg, 'Success');
}

/** Moves the virtual clock; every job that falls due on the way has run when this returns. */
export async function advanceClock(harness: Harness, seconds: number): Promise<Reply> {
  return harness.adminOk('POST', '/clock', { advance_seconds: seconds });
}

/** Runs the jobs already due, without moving the clock. */
export function runDueJobs(harness: Harness): Promise<Reply> {
  return advanceClock(harness, 0);
}

/** The virtual clock's reading, in ms. */
export async function clockNow(harness: Harness): Promise<number> {
  return (await harness.adminOk('GET', '/clock')).now_ms as number;
}

export function getTrade(harness: Harness, tradeNo: string): Promise<Reply> {
  return harness.adminOk('GET', `/trades/${tradeNo}`);
}

export async function refundsOf(harness: Harness, tradeNo: string): Promise<Reply[]> {
  return (await harness.adminOk('GET', `/refunds?trade_no=${encodeURIComponent(tradeNo)}`)).refunds as Reply[];
}

export async function refundOf(harness: Harness, tradeNo: string, outRequestNo: string): Promise<Reply> {
  const found = (await harness.adminOk('GET', `/refunds?trade_no=${encodeURIComponent(tradeNo)}&out_request_no=${encodeURIComponent(outRequestNo)}`))
    .refunds as Reply[];
  assert.equal(found.length, 1, `one refund ${outRequestNo} on ${tradeNo}`);
  return found[0] as Reply;
}

export function ledgerOf(harness: Harness, pid: string): Promise<Reply> {
  return harness.adminOk('GET', `/merchants/${pid}/ledger`);
}

export async function notificationsOf(harness: Harness, tradeNo: string): Promise<Reply[]> {
  return (await harness.adminOk('GET', `/notifications?trade_no=${encodeURIComponent(tradeNo)}`)).notifications as Reply[];
}

export async function setBalance(harness: Harness, pid: string, balance: string): Promise<void> {
  await harness.adminOk('POST', `/merchants/${pid}/balance`, { set: balance });
}

/** Yuan strings to fen, for sums (`"12.34"` → 1234). */
export function fen(yuan: string): number {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(yuan);
  assert.ok(match, `an amount with two decimals: ${yuan}`);
  const value = Number(match[2]) * 100 + Number(match[3]);
  return match[1] ? -value : value;
}

/** Fen to a yuan string with two decimals. */
export function yuan(fenAmount: number): string {
  const sign = fenAmount < 0 ? '-' : '';
  const abs = Math.abs(fenAmount);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Parses a China-time `yyyy-MM-dd HH:mm:ss[.SSS]` into epoch ms. */
export function chinaTimeMs(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?$/.exec(text);
  assert.ok(match, `a China time: ${text}`);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(year, month - 1, day, hour, minute, second, Number(match[7] ?? 0)) - 8 * 3600_000;
}
