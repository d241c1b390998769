/**
 * The orders the buyer pays on the cashier: what the merchant asked the buyer to pay (page.pay, wap.pay, a
 * precreate QR code, a create JSAPI order). page.pay, wap.pay and precreate make no trade until the buyer acts
 * on the cashier (waiting-trade.ts): `alipay.trade.query` answers ACQ.TRADE_NOT_EXIST until then (protocol-notes
 * §12.1, §12.6). The same request again reopens the order (a QR code at most 20 times, as Alipay gives no more);
 * one with other params is refused, as is one for a paid or closed order (§12.4). An order past its expiry, or
 * closed by `alipay.trade.close` / `alipay.trade.cancel`, can no longer be paid.
 */
import { findTrade } from '../store/sql/trades.js';
import { findPayOrder, findPayOrderById, findPayOrderByToken, insertPayOrder, updatePayOrder, type NewPayOrder } from '../store/sql/pay-orders.js';
import type { Trx } from '../store/store.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import type { CoreDeps } from './deps.js';
import { newSecret } from './identifiers.js';
import type { PayOrder, PayOrderStatus, Trade } from '../interfaces.js';
import { isNotifyUrl } from './notify-url.js';
import { DomainError } from './domain-error.js';
import { isStorableText } from './storable-text.js';

/** What a page request asks for; the order's state, token and times are the core's. */
export type PayOrderRequest = Omit<NewPayOrder, 'token' | 'status' | 'tradeNo' | 'loginFailures' | 'createdAt' | 'closedAt' | 'paidAt' | 'requestCount'>;

/** Requests for one QR code after which precreate gives no more (ACQ.APPLY_PC_MERCHANT_CODE_ERROR). */
export const MAX_QR_CODE_REQUESTS = 20;

export type OpenOutcome =
  | { kind: 'opened'; order: PayOrder }
  /** Paid already (ACQ.TRADE_HAS_SUCCESS). */
  | { kind: 'paid' }
  /** Closed or expired (ACQ.TRADE_HAS_CLOSE). */
  | { kind: 'closed' }
  /** Another request with this out_trade_no (ACQ.CONTEXT_INCONSISTENT). */
  | { kind: 'inconsistent' }
  /** A QR code asked for more than MAX_QR_CODE_REQUESTS times (ACQ.APPLY_PC_MERCHANT_CODE_ERROR). */
  | { kind: 'too_many_requests' };

/** The order's state now: one waiting past its expiry is closed. */
export function payOrderStatusAt(order: PayOrder, now: number): PayOrderStatus {
  return order.status === 'WAIT_BUYER_PAY' && now >= order.expiresAt ? 'TRADE_CLOSED' : order.status;
}

/** Records the order, or reopens the same one; a repeat takes the request's return, notify and quit URLs. */
export async function openPayOrder(deps: CoreDeps, request: PayOrderRequest): Promise<OpenOutcome> {
  checkUrls(request);
  const attempt = () => deps.store.transaction((trx) => openPayOrderIn(trx, request, deps.clock.now()));
  try {
    return await attempt();
  } catch (error) {
    // Two first requests raced: the second answers as a repeat.
    if (isUniqueViolation(error)) return attempt();
    throw error;
  }
}

export function checkUrls(request: Pick<PayOrderRequest, 'returnUrl' | 'notifyUrl' | 'quitUrl'>): void {
  for (const url of [request.returnUrl, request.notifyUrl, request.quitUrl]) {
    if (url && !isNotifyUrl(url)) throw new DomainError('invalid_request', 'an absolute http(s) URL of at most 256 characters');
  }
}

/** openPayOrder's work in the caller's transaction, the order locked; a unique violation is the caller's to retry. */
export async function openPayOrderIn(trx: Trx, request: PayOrderRequest, now: number): Promise<OpenOutcome> {
  const trade = await findTrade(trx, { sellerPid: request.sellerPid, outTradeNo: request.outTradeNo });
  const existing = await findPayOrder(trx, request.sellerPid, request.outTradeNo, true);
  if (trade && !existing) {
    // A trade of another kind (alipay.trade.pay, the admin API) has this out_trade_no.
    if (trade.status === 'TRADE_CLOSED') return { kind: 'closed' };
    return trade.status === 'WAIT_BUYER_PAY' ? { kind: 'inconsistent' } : { kind: 'paid' };
  }
  if (existing) {
    const status = payOrderStatusAt(existing, now);
    if (status === 'TRADE_SUCCESS') return { kind: 'paid' };
    if (status === 'TRADE_CLOSED') return { kind: 'closed' };
    if (existing.fingerprint !== request.fingerprint || existing.appId !== request.appId) return { kind: 'inconsistent' };
    if (existing.method === 'alipay.trade.precreate' && existing.requestCount >= MAX_QR_CODE_REQUESTS) return { kind: 'too_many_requests' };
    const change = { returnUrl: request.returnUrl, notifyUrl: request.notifyUrl, quitUrl: request.quitUrl, requestCount: existing.requestCount + 1 };
    await updatePayOrder(trx, existing.id, change);
    return { kind: 'opened', order: { ...existing, ...change } };
  }
  const order = await insertPayOrder(trx, {
    ...request,
    token: newSecret(18),
    status: 'WAIT_BUYER_PAY',
    tradeNo: null,
    loginFailures: 0,
    requestCount: 1,
    createdAt: now,
    closedAt: null,
    paidAt: null,
  });
  return { kind: 'opened', order };
}

export function findPayOrderForCashier(deps: CoreDeps, token: string): Promise<PayOrder | undefined> {
  return isStorableText(token) ? findPayOrderByToken(deps.store.db, token) : Promise.resolve(undefined);
}

/**
 * The cashier token of the order a trade was made for, while the trade waits for its buyer: where a test pays
 * a create order (what a mini program's `my.tradePay` would do). Undefined for any other trade.
 */
export async function waitingOrderToken(deps: CoreDeps, trade: Pick<Trade, 'sellerPid' | 'outTradeNo' | 'tradeNo'>): Promise<string | undefined> {
  const order = await findPayOrder(deps.store.db, trade.sellerPid, trade.outTradeNo);
  if (!order || order.tradeNo !== trade.tradeNo || payOrderStatusAt(order, deps.clock.now()) !== 'WAIT_BUYER_PAY') return undefined;
  return order.token;
}

export function reloadPayOrder(deps: CoreDeps, order: PayOrder): Promise<PayOrder | undefined> {
  return findPayOrderById(deps.store.db, order.id);
}

/**
 * Closes the seller's order with this out_trade_no if it waits for the buyer, in the caller's transaction: with
 * its trade (close, cancel, expiry), or before it has one — `alipay.trade.close` / `cancel` of an order the buyer
 * has not acted on, which still answer as for no trade, as Alipay does before a scan (§12.6). True when an order
 * waiting for the buyer was closed.
 */
export async function closeWaitingPayOrder(trx: Trx, sellerPid: string, outTradeNo: string, now: number): Promise<boolean> {
  const order = await findPayOrder(trx, sellerPid, outTradeNo, true);
  // An order past its expiry reads closed already; it is closed in the store too.
  if (order?.status !== 'WAIT_BUYER_PAY') return false;
  await updatePayOrder(trx, order.id, { status: 'TRADE_CLOSED', closedAt: now });
  return true;
}
