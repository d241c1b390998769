/**
 * The trade of an order before it is paid (protocol-notes §12.6, §12.8): page.pay, wap.pay and precreate make
 * it when the buyer acts on the cashier — logs in; for a QR code, scans it — and `create` makes it at once, for
 * the buyer it names. It waits (WAIT_BUYER_PAY) until the buyer pays, the merchant closes or cancels it, or its
 * order's timeout passes: then the expiry job closes it (TRADE_CLOSED, notified as Alipay notifies a close).
 * An app may ask for the WAIT_BUYER_PAY notification Alipay once sent for a scan (App.notifyWaitBuyerPay).
 */
import { findApp } from '../store/sql/apps.js';
import { addJob } from '../store/sql/jobs.js';
import { findPayOrder, updatePayOrder } from '../store/sql/pay-orders.js';
import { findTrade, findTradeByNo, updateTrade } from '../store/sql/trades.js';
import type { Trx } from '../store/store.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import type { Buyer, PayOrder, Trade } from '../interfaces.js';
import { buyerByLogonId, buyerByUserId, maskedLogonId } from './buyers.js';
import { closeUnpaid } from './close-trade.js';
import type { CoreDeps } from './deps.js';
import { oweTradeStatusSync } from './notifications.js';
import { openPayOrderIn, payOrderStatusAt, type OpenOutcome, type PayOrderRequest } from './pay-orders.js';
import { lockTradeWithSeller } from './trade-lookup.js';
import { recordWaitingTrade } from './trades.js';

export type AwaitOutcome =
  | { kind: 'waiting'; order: PayOrder; trade: Trade; jobsOwed: boolean }
  /** A create order is for another buyer (ACQ.TRADE_BUYER_NOT_MATCH). */
  | { kind: 'buyer_mismatch' }
  /** Paid, closed or expired meanwhile, or its out_trade_no taken by a trade of another kind. */
  | { kind: 'not_payable' };

/**
 * The order's trade, waiting for `buyer`, in the caller's transaction under the order's lock: made when the
 * order has none (with its expiry job, and the WAIT_BUYER_PAY notification when the app asks for it); handed
 * to `buyer` when another buyer acted on it before (the buyer who acts last is the one the trade waits for).
 */
export async function awaitBuyerIn(trx: Trx, order: PayOrder, buyer: Buyer, now: number): Promise<AwaitOutcome> {
  if (payOrderStatusAt(order, now) !== 'WAIT_BUYER_PAY') return { kind: 'not_payable' };
  if (order.method === 'alipay.trade.create' && order.buyerUserId !== null && order.buyerUserId !== buyer.buyerUserId) return { kind: 'buyer_mismatch' };
  const buyerLogonId = maskedLogonId(buyer.logonId);
  if (order.tradeNo) {
    const trade = await findTradeByNo(trx, order.tradeNo, true);
    if (trade?.status !== 'WAIT_BUYER_PAY') return { kind: 'not_payable' };
    if (trade.buyerUserId === buyer.buyerUserId) return { kind: 'waiting', order, trade, jobsOwed: false };
    await updateTrade(trx, trade.tradeNo, { buyerUserId: buyer.buyerUserId, buyerLogonId });
    await updatePayOrder(trx, order.id, { buyerUserId: buyer.buyerUserId });
    return {
      kind: 'waiting',
      order: { ...order, buyerUserId: buyer.buyerUserId },
      trade: { ...trade, buyerUserId: buyer.buyerUserId, buyerLogonId },
      jobsOwed: false,
    };
  }
  if (await findTrade(trx, { sellerPid: order.sellerPid, outTradeNo: order.outTradeNo })) return { kind: 'not_payable' };
  const app = await findApp(trx, order.appId);
  if (!app) throw new Error(`app ${order.appId} of pay order ${order.id} vanished`);
  const { trade, seller } = await recordWaitingTrade(
    trx,
    {
      app,
      sellerPid: order.sellerPid,
      outTradeNo: order.outTradeNo,
      totalAmount: order.totalAmount,
      subject: order.subject,
      body: order.body,
      productCode: order.productCode,
      notifyUrl: order.notifyUrl,
      charset: order.charset,
      passbackParams: order.passbackParams,
      expiresAt: order.expiresAt,
      awaiting: { buyerUserId: buyer.buyerUserId, buyerLogonId },
    },
    now,
  );
  await addJob(trx, { kind: 'trade_expiry', subject: trade.tradeNo, runAt: order.expiresAt, now });
  if (app.notifyWaitBuyerPay) await oweTradeStatusSync(trx, trade, seller, null, now);
  const waiting: PayOrder = { ...order, tradeNo: trade.tradeNo, buyerUserId: buyer.buyerUserId };
  await updatePayOrder(trx, order.id, { tradeNo: trade.tradeNo, buyerUserId: buyer.buyerUserId });
  // The expiry job is owed at least: the worker learns of its time.
  return { kind: 'waiting', order: waiting, trade, jobsOwed: true };
}

/** How `alipay.trade.create` names its buyer: the buyer id (2088…) or the logon id. */
export type BuyerReference = { buyerUserId: string } | { logonId: string };

export type CreateOutcome =
  | OpenOutcome
  | { kind: 'waiting'; order: PayOrder; trade: Trade }
  /** No such buyer (ACQ.INVALID_PARAMETER). */
  | { kind: 'buyer_not_found' }
  /** The buyer's account is frozen (ACQ.BUYER_ENABLE_STATUS_FORBID). */
  | { kind: 'buyer_frozen' }
  /** The buyer is the seller (ACQ.BUYER_SELLER_EQUAL). */
  | { kind: 'buyer_is_seller' }
  /** The out_trade_no's order is for another buyer (ACQ.TRADE_BUYER_NOT_MATCH). */
  | { kind: 'buyer_mismatch' };

/**
 * `alipay.trade.create`: the order and its trade, waiting for the buyer named, at once — the trade_no a mini
 * program would pay. The same request again answers the same trade; the order's cashier is where a test pays it.
 */
export async function createTradeForBuyer(deps: CoreDeps, request: Omit<PayOrderRequest, 'buyerUserId'>, reference: BuyerReference): Promise<CreateOutcome> {
  if ('buyerUserId' in reference && reference.buyerUserId === request.sellerPid) return { kind: 'buyer_is_seller' };
  const buyer = 'buyerUserId' in reference ? await buyerByUserId(deps, reference.buyerUserId) : await buyerByLogonId(deps, reference.logonId);
  if (!buyer) return { kind: 'buyer_not_found' };
  if (buyer.buyerUserId === request.sellerPid) return { kind: 'buyer_is_seller' };
  if (buyer.accountStatus !== 'normal') return { kind: 'buyer_frozen' };
  const attempt = () =>
    deps.store.transaction(async (trx): Promise<CreateOutcome> => {
      const now = deps.clock.now();
      const existing = await findPayOrder(trx, request.sellerPid, request.outTradeNo, true);
      if (existing && existing.buyerUserId !== buyer.buyerUserId && payOrderStatusAt(existing, now) === 'WAIT_BUYER_PAY') return { kind: 'buyer_mismatch' };
      const opened = await openPayOrderIn(trx, { ...request, buyerUserId: buyer.buyerUserId }, now);
      if (opened.kind !== 'opened') return opened;
      const waiting = await awaitBuyerIn(trx, opened.order, buyer, now);
      if (waiting.kind === 'buyer_mismatch') return waiting;
      if (waiting.kind === 'not_payable') return { kind: 'closed' };
      return { kind: 'waiting', order: waiting.order, trade: waiting.trade };
    });
  try {
    return await attempt();
  } catch (error) {
    if (isUniqueViolation(error)) return attempt();
    throw error;
  }
}

/**
 * The expiry job: a trade still waiting for its buyer at its expiry closes (TRADE_CLOSED, notified), and its
 * order with it. A trade paid, closed or cancelled meanwhile is left as it is.
 */
export async function closeExpiredTrade(deps: CoreDeps, tradeNo: string): Promise<{ kind: 'closed' | 'left' }> {
  return deps.store.transaction(async (trx) => {
    const trade = await findTradeByNo(trx, tradeNo);
    if (!trade) return { kind: 'left' };
    const locked = await lockTradeWithSeller(trx, { sellerPid: trade.sellerPid, tradeNo });
    const now = deps.clock.now();
    if (locked?.trade.status !== 'WAIT_BUYER_PAY' || locked.trade.expiresAt === null || now < locked.trade.expiresAt) return { kind: 'left' };
    await closeUnpaid(trx, locked.trade, locked.seller, now, null);
    return { kind: 'closed' };
  });
}
