/**
 * The orders of the page APIs (`alipay.trade.page.pay`, `alipay.trade.wap.pay`): what the merchant asked the
 * buyer to pay, awaiting the buyer on the cashier. No trade exists before the buyer pays (protocol-notes §12.1):
 * `alipay.trade.query` answers ACQ.TRADE_NOT_EXIST until then. The same request again reopens the order; one
 * with other params is refused, as is one for a paid or closed order (§12.4). An order past its expiry, or
 * closed by `alipay.trade.close`, can no longer be paid.
 */
import { findTrade } from '../store/sql/trades.js';
import { findPayOrder, findPayOrderById, findPayOrderByToken, insertPayOrder, updatePayOrder, type NewPayOrder } from '../store/sql/pay-orders.js';
import type { Trx } from '../store/store.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import type { CoreDeps } from './deps.js';
import { newSecret } from './identifiers.js';
import type { PayOrder, PayOrderStatus } from '../interfaces.js';
import { isNotifyUrl } from './notify-url.js';
import { DomainError } from './domain-error.js';
import { isStorableText } from './storable-text.js';

/** What a page request asks for; the order's state, token and times are the core's. */
export type PayOrderRequest = Omit<NewPayOrder, 'token' | 'status' | 'tradeNo' | 'loginFailures' | 'createdAt' | 'closedAt' | 'paidAt'>;

export type OpenOutcome =
  | { kind: 'opened'; order: PayOrder }
  /** Paid already (ACQ.TRADE_HAS_SUCCESS). */
  | { kind: 'paid' }
  /** Closed or expired (ACQ.TRADE_HAS_CLOSE). */
  | { kind: 'closed' }
  /** Another request with this out_trade_no (ACQ.CONTEXT_INCONSISTENT). */
  | { kind: 'inconsistent' };

/** The order's state now: one waiting past its expiry is closed. */
export function payOrderStatusAt(order: PayOrder, now: number): PayOrderStatus {
  return order.status === 'WAIT_BUYER_PAY' && now >= order.expiresAt ? 'TRADE_CLOSED' : order.status;
}

/** Records the order, or reopens the same one; a repeat takes the request's return, notify and quit URLs. */
export async function openPayOrder(deps: CoreDeps, request: PayOrderRequest): Promise<OpenOutcome> {
  for (const url of [request.returnUrl, request.notifyUrl, request.quitUrl]) {
    if (url && !isNotifyUrl(url)) throw new DomainError('invalid_request', 'an absolute http(s) URL of at most 256 characters');
  }
  const attempt = () =>
    deps.store.transaction(async (trx): Promise<OpenOutcome> => {
      const now = deps.clock.now();
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
        const urls = { returnUrl: request.returnUrl, notifyUrl: request.notifyUrl, quitUrl: request.quitUrl };
        await updatePayOrder(trx, existing.id, urls);
        return { kind: 'opened', order: { ...existing, ...urls } };
      }
      const order = await insertPayOrder(trx, {
        ...request,
        token: newSecret(18),
        status: 'WAIT_BUYER_PAY',
        tradeNo: null,
        loginFailures: 0,
        createdAt: now,
        closedAt: null,
        paidAt: null,
      });
      return { kind: 'opened', order };
    });
  try {
    return await attempt();
  } catch (error) {
    // Two first requests raced: the second answers as a repeat.
    if (isUniqueViolation(error)) return attempt();
    throw error;
  }
}

export function findPayOrderForCashier(deps: CoreDeps, token: string): Promise<PayOrder | undefined> {
  return isStorableText(token) ? findPayOrderByToken(deps.store.db, token) : Promise.resolve(undefined);
}

export function reloadPayOrder(deps: CoreDeps, order: PayOrder): Promise<PayOrder | undefined> {
  return findPayOrderById(deps.store.db, order.id);
}

/**
 * `alipay.trade.close` of an out_trade_no that has an order but no trade yet, in the close's transaction: the
 * order is closed and can no longer be paid (the close itself still answers ACQ.TRADE_NOT_EXIST, as Alipay does
 * before the buyer has acted, §12.6). True when an order waiting for the buyer was closed.
 */
export async function closeWaitingPayOrder(trx: Trx, sellerPid: string, outTradeNo: string, now: number): Promise<boolean> {
  const order = await findPayOrder(trx, sellerPid, outTradeNo, true);
  if (!order || payOrderStatusAt(order, now) !== 'WAIT_BUYER_PAY') return false;
  await updatePayOrder(trx, order.id, { status: 'TRADE_CLOSED', closedAt: now });
  return true;
}
