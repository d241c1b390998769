/**
 * The buyer on the cashier of an order (page.pay, wap.pay, a scanned QR code, a create order): logs in with the
 * logon id and login password (wrong ones counted on the order, whichever browser session they come from; five
 * lock the order's login) — from then on the order's trade waits for this buyer (waiting-trade.ts) — sees what
 * each channel the order allows holds and which coupons apply, and pays with the payment password (counted and
 * locked for the day as buyer-passwords.ts does). The payment pays the trade: in one transaction with the order,
 * from the buyer's funds as chosen (trades.ts, the payer path), owing its trade_status_sync to the notify_url.
 */
import { findMerchant } from '../store/sql/merchants.js';
import { findPayOrderById, updatePayOrder } from '../store/sql/pay-orders.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import { buyerByLogonId, buyerByUserId, isLogonId } from './buyers.js';
import { verifyBuyerLoginPassword, verifyBuyerPaymentPassword, lockedUntil } from './buyer-passwords.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './domain-error.js';
import { appById } from './apps.js';
import type { Buyer, BuyerCoupon, Merchant, PayOrder, Trade } from '../interfaces.js';
import type { Fen } from './money.js';
import { applicableCoupons, drawPayment, huabeiAvailable, type PaymentChoice, type PaymentRefusal } from './payment-draw.js';
import { payOrderStatusAt } from './pay-orders.js';
import { payTradeIn } from './trades.js';
import { ANY_CHANNEL, payChannelPolicy, type PayChannelPolicy } from './pay-channel-policy.js';
import { awaitBuyerIn } from './waiting-trade.js';

/** Wrong login passwords on an order's cashier after which it takes no more logins. */
export const MAX_BUYER_LOGIN_FAILURES = 5;

export type BuyerLoginOutcome =
  | { kind: 'logged_in'; buyer: Buyer; jobsOwed: boolean }
  | { kind: 'wrong'; remaining: number }
  | { kind: 'locked' }
  /** A create order is for another buyer (ACQ.TRADE_BUYER_NOT_MATCH). */
  | { kind: 'buyer_mismatch' }
  | { kind: 'not_payable' };

/** Whether the order still takes logins: it is waiting and has not seen five wrong ones. */
export function loginLocked(order: PayOrder): boolean {
  return order.loginFailures >= MAX_BUYER_LOGIN_FAILURES;
}

export async function logInBuyer(deps: CoreDeps, order: PayOrder, logonId: string, password: string): Promise<BuyerLoginOutcome> {
  const buyer = isLogonId(logonId.trim()) ? await buyerByLogonId(deps, logonId.trim()) : undefined;
  // An unknown logon id costs a try like a wrong password, and takes as long (no account discovery).
  const right = buyer ? await verifyBuyerLoginPassword(deps, buyer.buyerUserId, password) : false;
  return deps.store.transaction(async (trx): Promise<BuyerLoginOutcome> => {
    const current = await findPayOrderById(trx, order.id, true);
    if (!current) throw new Error(`pay order ${order.id} vanished`);
    if (payOrderStatusAt(current, deps.clock.now()) !== 'WAIT_BUYER_PAY') return { kind: 'not_payable' };
    if (loginLocked(current)) return { kind: 'locked' };
    if (right && buyer) {
      // Logging in is the buyer's act (for a QR code, the scan): the order's trade now waits for this buyer.
      const waiting = await awaitBuyerIn(trx, current, buyer, deps.clock.now());
      if (waiting.kind !== 'waiting') return waiting;
      return { kind: 'logged_in', buyer, jobsOwed: waiting.jobsOwed };
    }
    const failures = current.loginFailures + 1;
    await updatePayOrder(trx, current.id, { loginFailures: failures });
    return failures >= MAX_BUYER_LOGIN_FAILURES ? { kind: 'locked' } : { kind: 'wrong', remaining: MAX_BUYER_LOGIN_FAILURES - failures };
  });
}

/** What the buyer may pay with, as the cashier shows it. */
export interface PaymentOptions {
  buyer: Buyer;
  balance: Fen;
  yuebao: Fen;
  huabeiAvailable: Fen;
  points: Fen;
  bankCards: Buyer['funds']['bankCards'];
  /** The coupons that apply to this order's merchant now, in the order they are drawn. */
  coupons: BuyerCoupon[];
  /** When the payment password stops being locked; null when it is not. */
  paymentLockedUntil: number | null;
  /** The channels the order may be paid with. */
  policy: PayChannelPolicy;
}

/** The order's limits on how it may be paid (pay-channel-policy.ts); they were checked when it was opened. */
export function orderPolicy(order: PayOrder): PayChannelPolicy {
  return payChannelPolicy(order) ?? ANY_CHANNEL;
}

export async function paymentOptions(deps: CoreDeps, order: PayOrder, buyerUserId: string): Promise<PaymentOptions | undefined> {
  const buyer = await buyerByUserId(deps, buyerUserId);
  if (!buyer) return undefined;
  const now = deps.clock.now();
  const { funds } = buyer;
  const policy = orderPolicy(order);
  return {
    policy,
    buyer,
    balance: funds.balance,
    yuebao: funds.yuebao,
    huabeiAvailable: huabeiAvailable(funds),
    points: funds.points,
    bankCards: funds.bankCards,
    coupons: applicableCoupons(funds, order.sellerPid, now, policy),
    paymentLockedUntil: lockedUntil(buyer, now),
  };
}

/** The merchant the cashier names: whom the buyer pays. */
export function orderSeller(deps: CoreDeps, order: PayOrder): Promise<Merchant | undefined> {
  return findMerchant(deps.store.db, order.sellerPid);
}

export type BuyerPaymentOutcome =
  | { kind: 'paid'; order: PayOrder; trade: Trade }
  | { kind: 'refused'; refusal: PaymentRefusal }
  | { kind: 'wrong_password'; attemptsLeft: number }
  | { kind: 'password_locked'; lockedUntil: number }
  /** Paid, closed or expired meanwhile, or its out_trade_no taken by another trade. */
  | { kind: 'not_payable'; order: PayOrder };

/**
 * The buyer pays the order as chosen: first whether the chosen funds can pay (a refusal costs no password try),
 * then the payment password, then — in one transaction with the order — the trade, paid from the buyer's funds.
 */
export async function payOrderAsBuyer(
  deps: CoreDeps,
  order: PayOrder,
  buyerUserId: string,
  choice: PaymentChoice,
  paymentPassword: string,
): Promise<BuyerPaymentOutcome> {
  const buyer = await buyerByUserId(deps, buyerUserId);
  if (!buyer) throw new DomainError('buyer_not_found', `no buyer ${buyerUserId}`);
  if (payOrderStatusAt(order, deps.clock.now()) !== 'WAIT_BUYER_PAY') return { kind: 'not_payable', order };
  if (order.method === 'alipay.trade.create' && order.buyerUserId !== buyerUserId) return { kind: 'not_payable', order };
  if (buyer.accountStatus !== 'normal') return { kind: 'refused', refusal: { reason: 'account_frozen' } };
  const policy = orderPolicy(order);
  const draw = drawPayment(buyer.funds, choice, { sellerPid: order.sellerPid, total: order.totalAmount, now: deps.clock.now(), policy });
  if (!draw.ok) return { kind: 'refused', refusal: draw.refusal };
  const check = await verifyBuyerPaymentPassword(deps, buyerUserId, paymentPassword);
  if (check.outcome === 'wrong') return { kind: 'wrong_password', attemptsLeft: check.attemptsLeft };
  if (check.outcome === 'locked') return { kind: 'password_locked', lockedUntil: check.lockedUntil };
  const app = await appById(deps, order.appId);
  if (!app) throw new Error(`app ${order.appId} of pay order ${order.id} vanished`);
  const attempt = () =>
    deps.store.transaction(async (trx): Promise<BuyerPaymentOutcome> => {
      const now = deps.clock.now();
      const current = await findPayOrderById(trx, order.id, true);
      if (!current) throw new Error(`pay order ${order.id} vanished`);
      if (payOrderStatusAt(current, now) !== 'WAIT_BUYER_PAY') return { kind: 'not_payable', order: current };
      const outcome = await payTradeIn(
        trx,
        {
          app,
          sellerPid: current.sellerPid,
          outTradeNo: current.outTradeNo,
          totalAmount: current.totalAmount,
          subject: current.subject,
          body: current.body,
          productCode: current.productCode,
          notifyUrl: current.notifyUrl,
          charset: current.charset,
          payer: { buyerUserId, choice, policy },
        },
        now,
      );
      if (outcome.kind !== 'paid') return { kind: 'not_payable', order: current };
      const paid: PayOrder = { ...current, status: 'TRADE_SUCCESS', tradeNo: outcome.trade.tradeNo, paidAt: now };
      await updatePayOrder(trx, current.id, { status: paid.status, tradeNo: paid.tradeNo, paidAt: now });
      return { kind: 'paid', order: paid, trade: outcome.trade };
    });
  try {
    return await attempt();
  } catch (error) {
    if (isUniqueViolation(error)) return attempt();
    // The funds changed between the look and the payment (another payment of the buyer's): refused as they are now.
    if (error instanceof DomainError && error.code === 'invalid_request') {
      const now = await buyerByUserId(deps, buyerUserId);
      const again = now && drawPayment(now.funds, choice, { sellerPid: order.sellerPid, total: order.totalAmount, now: deps.clock.now(), policy });
      if (again && !again.ok) return { kind: 'refused', refusal: again.refusal };
    }
    throw error;
  }
}
