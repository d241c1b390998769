/**
 * Trades come into being three ways: a simulated instant payment (`alipay.trade.pay`), the admin API (tests and
 * demos that need a particular fund mix, vouchers or status), and an order the buyer pays on the cashier — whose
 * trade waits for the buyer (WAIT_BUYER_PAY, no fund bill yet) from the moment the buyer acts until the payment
 * draws the buyer's funds. Each records the trade, its fund bill and — when the buyer has paid — the merchant's
 * receipt and fee in the ledger, in one transaction.
 */
import { applyLedgerEntry } from '../store/sql/apply-ledger-entry.js';
import { dropJob } from '../store/sql/jobs.js';
import { findMerchant } from '../store/sql/merchants.js';
import { findTrade, findTradeByNo, insertTrade, lockTrade, replaceFundBills, updateTrade } from '../store/sql/trades.js';
import type { Trx } from '../store/store.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './domain-error.js';
import { billWithVouchers, fundBillProblem, splitByMix, tradeAmounts } from './fund-bill.js';
import { newBuyerLogonId, newBuyerUserId, newTradeNo } from './identifiers.js';
import type { AccountStatus, App, FundBill, Merchant, Trade, TradeFundBill, TradeStatus, Voucher } from '../interfaces.js';
import type { Fen } from './money.js';
import { isNotifyUrl } from './notify-url.js';
import { debitBuyerFunds } from './buyer-debit.js';
import { loadBuyer } from './buyer-funds.js';
import { maskedLogonId } from './buyers.js';
import type { PayChannelPolicy } from './pay-channel-policy.js';
import type { PaymentChoice } from './payment-draw.js';
import { isPaid, tradeExpired } from './trade-status.js';
import { oweTradeStatusSync } from './notifications.js';

export interface TradeDraft {
  /** A trade_no of its own, as a declared world names it. (Default: a new one) */
  tradeNo?: string;
  app: App;
  sellerPid: string;
  outTradeNo: string;
  totalAmount: Fen;
  subject: string;
  body?: string | null;
  productCode?: string;
  /** The payment's channels; by default the merchant's fund mix (and the vouchers' contributions). */
  fundBills?: FundBill[];
  vouchers?: Voucher[];
  notifyUrl?: string | null;
  charset?: string;
  status?: TradeStatus;
  storeId?: string | null;
  terminalId?: string | null;
  operatorId?: string | null;
  /**
   * A registered buyer who pays from their own funds, as chosen: the fund bill and vouchers follow from the
   * draw (payment-draw.ts) and the funds are debited with the trade. (Default: a made-up buyer, the mix above)
   */
  payer?: { buyerUserId: string; choice: PaymentChoice; policy?: PayChannelPolicy };
  /**
   * The buyer of a trade that waits for their payment (an order on the cashier): it has no fund bill until the
   * payment makes one. (Default: none)
   */
  awaiting?: { buyerUserId: string; buyerLogonId: string };
  /** Echoed in the trade's notifications. (Default: null) */
  passbackParams?: string | null;
  /** When a trade waiting for the buyer closes by itself. (Default: never) */
  expiresAt?: number | null;
}

/** The fund bill, vouchers and buyer of a payment from a registered buyer's funds, debited in `trx`. */
async function payFromBuyer(trx: Trx, payer: NonNullable<TradeDraft['payer']>, sellerPid: string, total: Fen, now: number) {
  const buyer = await loadBuyer(trx, payer.buyerUserId);
  if (!buyer) throw new DomainError('buyer_not_found', `no buyer ${payer.buyerUserId}`);
  const draw = await debitBuyerFunds(trx, payer.buyerUserId, payer.choice, { sellerPid, total, now, ...(payer.policy && { policy: payer.policy }) });
  if (!draw.ok) throw new DomainError('invalid_request', `the buyer cannot pay: ${JSON.stringify(draw.refusal)}`);
  return { fundBills: draw.fundBills, vouchers: draw.vouchers, buyerUserId: buyer.buyerUserId, buyerLogonId: maskedLogonId(buyer.logonId) };
}

/** Records a new trade in `trx`. The caller has checked that its out_trade_no is free. */
async function recordTrade(trx: Trx, merchant: Merchant, draft: TradeDraft, now: number): Promise<Trade> {
  if (draft.notifyUrl && !isNotifyUrl(draft.notifyUrl))
    throw new DomainError('invalid_request', 'notify_url: an absolute http(s) URL of at most 256 characters');
  const status = paidStatus(merchant, draft.productCode ?? 'FACE_TO_FACE_PAYMENT', draft.status ?? 'TRADE_SUCCESS');
  const paid = isPaid(status);
  if (draft.payer && !paid) throw new DomainError('invalid_request', 'buyer_user_id: a buyer pays a paid trade (status TRADE_SUCCESS or TRADE_FINISHED)');
  if (draft.payer && (draft.fundBills || draft.vouchers))
    throw new DomainError('invalid_request', 'buyer_user_id: the buyer’s payment makes the fund bill; give one or the other');
  if (draft.awaiting && status !== 'WAIT_BUYER_PAY') throw new Error('a trade awaiting its buyer is WAIT_BUYER_PAY');
  const fromBuyer = draft.payer ? await payFromBuyer(trx, draft.payer, merchant.pid, draft.totalAmount, now) : null;
  const vouchers = fromBuyer?.vouchers ?? draft.vouchers ?? [];
  const bills = draft.awaiting ? [] : (fromBuyer?.fundBills ?? draft.fundBills ?? defaultBills(merchant, draft.totalAmount, vouchers));
  const problem = draft.awaiting ? null : fundBillProblem(draft.totalAmount, bills, vouchers);
  if (problem) throw new DomainError('invalid_request', problem);
  const amounts = tradeAmounts(draft.totalAmount, bills, merchant.feeRatePpm);
  const trade: Trade = {
    tradeNo: draft.tradeNo ?? newTradeNo(now),
    outTradeNo: draft.outTradeNo,
    sellerPid: merchant.pid,
    appId: draft.app.appId,
    subject: draft.subject,
    body: draft.body ?? null,
    productCode: draft.productCode ?? 'FACE_TO_FACE_PAYMENT',
    totalAmount: draft.totalAmount,
    ...amounts,
    chargeAmount: paid ? amounts.chargeAmount : 0,
    vouchers,
    fundBills: bills.map((bill, position) => ({ ...bill, position, refundedAmount: 0 })),
    buyerUserId: fromBuyer?.buyerUserId ?? draft.awaiting?.buyerUserId ?? newBuyerUserId(),
    buyerLogonId: fromBuyer?.buyerLogonId ?? draft.awaiting?.buyerLogonId ?? newBuyerLogonId(),
    status,
    frozen: false,
    refundAllowed: status !== 'TRADE_FINISHED',
    buyerAccountStatus: 'normal',
    feeRatePpm: merchant.feeRatePpm,
    refundedAmount: 0,
    refundedChargeFee: 0,
    refundedSendBackFee: 0,
    pendingRefundAmount: 0,
    refundCount: 0,
    notifyUrl: draft.notifyUrl ?? null,
    charset: draft.charset ?? 'utf-8',
    storeId: draft.storeId ?? null,
    terminalId: draft.terminalId ?? null,
    operatorId: draft.operatorId ?? null,
    dbackOutcome: null,
    passbackParams: draft.passbackParams ?? null,
    expiresAt: paid ? null : (draft.expiresAt ?? null),
    gmtCreate: now,
    gmtPayment: paid ? now : null,
    gmtClose: status === 'TRADE_CLOSED' ? now : null,
  };
  await insertTrade(trx, trade);
  if (paid) await creditPayment(trx, trade, now);
  return trade;
}

/** A payment's status: TRADE_FINISHED for a product the merchant signed without refunds (notes §12.8). */
function paidStatus(merchant: Merchant, productCode: string, status: TradeStatus): TradeStatus {
  return status === 'TRADE_SUCCESS' && merchant.nonRefundableProducts.includes(productCode) ? 'TRADE_FINISHED' : status;
}

/** A simulated payment's fund bill: the merchant's default mix, less the vouchers' contributions. */
function defaultBills(merchant: Merchant, total: Fen, vouchers: Voucher[]): FundBill[] {
  return vouchers.length > 0 ? billWithVouchers(total, vouchers, merchant.defaultFundMix) : splitByMix(total, merchant.defaultFundMix);
}

/** The merchant receives what it was paid (less its own discounts) and pays its fee. */
async function creditPayment(trx: Trx, trade: Trade, now: number): Promise<void> {
  const entry = { pid: trade.sellerPid, tradeNo: trade.tradeNo, createdAt: now };
  await applyLedgerEntry(trx, { ...entry, amount: trade.receiptAmount, kind: 'payment' });
  await applyLedgerEntry(trx, { ...entry, amount: -trade.chargeAmount, kind: 'fee' });
}

async function requireSeller(trx: Trx, pid: string): Promise<Merchant> {
  const merchant = await findMerchant(trx, pid);
  if (!merchant) throw new DomainError('merchant_not_found', `no merchant ${pid}`);
  return merchant;
}

/** Creates a trade through the admin API; a taken out_trade_no is a conflict. */
export async function createTrade(deps: CoreDeps, draft: TradeDraft): Promise<Trade> {
  try {
    return await deps.store.transaction(async (trx) => {
      const merchant = await requireSeller(trx, draft.sellerPid);
      if (await findTrade(trx, { sellerPid: draft.sellerPid, outTradeNo: draft.outTradeNo })) {
        throw new DomainError('duplicate', `out_trade_no ${draft.outTradeNo} is taken`);
      }
      return recordTrade(trx, merchant, draft, deps.clock.now());
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError('duplicate', `out_trade_no ${draft.outTradeNo} is taken`);
    throw error;
  }
}

/**
 * Records the trade of an order that awaits its buyer, in `trx`: WAIT_BUYER_PAY, the buyer named, no fund bill
 * until the payment. The caller holds the order's lock and has checked that no trade has its out_trade_no.
 */
export async function recordWaitingTrade(
  trx: Trx,
  draft: TradeDraft & Required<Pick<TradeDraft, 'awaiting'>>,
  now: number,
): Promise<{ trade: Trade; seller: Merchant }> {
  const seller = await requireSeller(trx, draft.sellerPid);
  return { trade: await recordTrade(trx, seller, { ...draft, status: 'WAIT_BUYER_PAY' }, now), seller };
}

export type PaymentOutcome =
  | { kind: 'paid'; trade: Trade }
  /** The out_trade_no names a trade that is already paid (ACQ.TRADE_HAS_SUCCESS). */
  | { kind: 'already_paid'; trade: Trade }
  /** The out_trade_no names a closed trade (ACQ.TRADE_HAS_CLOSE). */
  | { kind: 'closed'; trade: Trade }
  /** The out_trade_no names a trade with another amount (ACQ.CONTEXT_INCONSISTENT). */
  | { kind: 'inconsistent'; trade: Trade };

/**
 * The buyer pays at once. A repeated out_trade_no does not pay twice: it answers as Alipay does, and a
 * trade waiting for payment (created through the admin API) is paid by it.
 */
export async function payTrade(deps: CoreDeps, draft: TradeDraft): Promise<PaymentOutcome> {
  const attempt = () => deps.store.transaction((trx) => payTradeIn(trx, draft, deps.clock.now()));
  try {
    return await attempt();
  } catch (error) {
    // Two first payments of one out_trade_no raced (PostgreSQL): the loser answers as a repeat.
    if (isUniqueViolation(error)) return attempt();
    throw error;
  }
}

/**
 * payTrade's work in the caller's transaction `trx`, at `now`: for a payment that must commit with other
 * changes (the cashier's pay order). A unique violation (a racing first payment) is the caller's to retry.
 */
export async function payTradeIn(trx: Trx, draft: TradeDraft, now: number): Promise<PaymentOutcome> {
  const merchant = await requireSeller(trx, draft.sellerPid);
  const existing = await lockTrade(trx, { sellerPid: draft.sellerPid, outTradeNo: draft.outTradeNo });
  if (!existing) {
    const trade = await recordTrade(trx, merchant, draft, now);
    await oweTradeStatusSync(trx, trade, merchant, null, now);
    return { kind: 'paid', trade };
  }
  if (existing.totalAmount !== draft.totalAmount) return { kind: 'inconsistent', trade: existing };
  if (existing.status === 'TRADE_CLOSED' || tradeExpired(existing, now)) return { kind: 'closed', trade: existing };
  if (existing.status !== 'WAIT_BUYER_PAY') return { kind: 'already_paid', trade: existing };
  const paid = await payWaitingTrade(trx, existing, merchant, draft, now);
  await creditPayment(trx, paid, now);
  await oweTradeStatusSync(trx, paid, merchant, null, now);
  return { kind: 'paid', trade: paid };
}

/**
 * The payment of a trade that was waiting, under its lock: from the payer's funds when a buyer pays (the draw
 * makes the fund bill and vouchers, and names the buyer), else with the fund bill it was created with, else
 * the merchant's default mix.
 */
async function payWaitingTrade(trx: Trx, existing: Trade, merchant: Merchant, draft: TradeDraft, now: number): Promise<Trade> {
  const fromBuyer = draft.payer ? await payFromBuyer(trx, draft.payer, merchant.pid, existing.totalAmount, now) : null;
  const keep = !fromBuyer && existing.fundBills.length > 0;
  const vouchers = fromBuyer?.vouchers ?? existing.vouchers;
  const bills: TradeFundBill[] = keep
    ? existing.fundBills
    : (fromBuyer?.fundBills ?? defaultBills(merchant, existing.totalAmount, vouchers)).map((bill, position) => ({ ...bill, position, refundedAmount: 0 }));
  const { chargeAmount, ...amounts } = tradeAmounts(existing.totalAmount, bills, existing.feeRatePpm);
  const paid: Trade = {
    ...existing,
    ...amounts,
    chargeAmount,
    vouchers,
    fundBills: bills,
    buyerUserId: fromBuyer?.buyerUserId ?? existing.buyerUserId,
    buyerLogonId: fromBuyer?.buyerLogonId ?? existing.buyerLogonId,
    status: paidStatus(merchant, existing.productCode, 'TRADE_SUCCESS'),
    gmtPayment: now,
    expiresAt: null,
    notifyUrl: draft.notifyUrl ?? existing.notifyUrl,
  };
  paid.refundAllowed = paid.status !== 'TRADE_FINISHED';
  if (!keep) await replaceFundBills(trx, paid.tradeNo, bills);
  // Paid, it no longer expires.
  if (existing.expiresAt !== null) await dropJob(trx, 'trade_expiry', existing.tradeNo);
  await updateTrade(trx, paid.tradeNo, {
    ...amounts,
    chargeAmount,
    voucherDetailList: JSON.stringify(vouchers),
    buyerUserId: paid.buyerUserId,
    buyerLogonId: paid.buyerLogonId,
    status: paid.status,
    refundAllowed: paid.refundAllowed ? 1 : 0,
    gmtPayment: now,
    expiresAt: null,
    notifyUrl: paid.notifyUrl,
  });
  return paid;
}

export interface TradeSettings {
  frozen?: boolean;
  refundAllowed?: boolean;
  dbackOutcome?: 'S' | 'F' | null;
  buyerAccountStatus?: AccountStatus;
}

/** Freezes or unfreezes a trade, allows or forbids its refunds, sets its simulated bank outcome and its buyer's account status. */
export async function changeTradeSettings(deps: CoreDeps, tradeNo: string, settings: TradeSettings): Promise<Trade> {
  return deps.store.transaction(async (trx) => {
    const trade = await findTradeByNo(trx, tradeNo, true);
    if (!trade) throw new DomainError('trade_not_found', `no trade ${tradeNo}`);
    const update: Parameters<typeof updateTrade>[2] = {};
    if (settings.frozen !== undefined) update.frozen = settings.frozen ? 1 : 0;
    if (settings.refundAllowed !== undefined) update.refundAllowed = settings.refundAllowed ? 1 : 0;
    if (settings.dbackOutcome !== undefined) update.dbackOutcome = settings.dbackOutcome;
    if (settings.buyerAccountStatus !== undefined) update.buyerAccountStatus = settings.buyerAccountStatus;
    if (Object.keys(update).length > 0) await updateTrade(trx, tradeNo, update);
    return { ...trade, ...settings, dbackOutcome: settings.dbackOutcome !== undefined ? settings.dbackOutcome : trade.dbackOutcome };
  });
}
