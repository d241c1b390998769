/**
 * The payment invariants, over one snapshot of the store, beside the refund invariants (chaos-invariants.ts):
 *
 * - **acknowledged payments: one paid trade each** — every payment tuikuan acknowledged (the cashier's redirect
 *   to return_url or its paid page, alipay.trade.pay's 10000, a payment's trade_status_sync received) is exactly
 *   one trade of its merchant's out_trade_no, paid (gmt_payment set), with the trade_no, total and buyer
 *   acknowledged; and no out_trade_no of a merchant has two trades.
 * - **pay order and its trade agree** — a cashier order TRADE_SUCCESS names its paid trade (same merchant,
 *   out_trade_no, total); a paid trade of the page APIs (FAST_INSTANT_TRADE_PAY, QUICK_WAP_WAY) has its order,
 *   TRADE_SUCCESS and naming it.
 * - **buyer funds conserved** — for every buyer the harness made, with P its paid trades and R the succeeded
 *   refunds of P (their fund allocations):
 *     balance    = opening − Σ P's ALIPAYACCOUNT lines + Σ R's ALIPAYACCOUNT allocations
 *                  + Σ R's BANKCARD allocations the bank refused (dback F: to the balance instead)
 *     yuebao     = opening − Σ FINANCEACCOUNT lines + Σ FINANCEACCOUNT allocations
 *     huabei_used = opening + Σ PCREDIT lines − Σ PCREDIT allocations (nothing is repaid in the run, so nothing
 *                  of a Huabei refund goes to the balance); huabei_limit = opening
 *     points     = opening − Σ POINT lines + Σ POINT allocations
 *     per coupon channel (COUPON, MCOUPON, MDISCOUNT): Σ remaining of the buyer's coupons = Σ their face values
 *                  − Σ P's lines of that channel + Σ R's allocations of it
 *     per bank card with a limit: available = opening − Σ P's BANKCARD lines of its bank (a refund to the card,
 *                  dback S, is the bank's: tuikuan does not give the limit back, by design — buyer-credit.ts)
 *   A trade's vouchers (voucher_detail_list) are the buyer's own coupons, and sum per channel to its coupon lines.
 * - **payments credited = Σ receipts** — each paid trade's receipt is its total less its merchant-funded
 *   lines (MCOUPON, MDISCOUNT); its one payment entry credits exactly that, its fee entry debits its
 *   charge_amount; per merchant, payment entries sum to its paid trades' receipts.
 * - **fund bill = total** — a paid trade's fund bill lines are positive and sum to its total.
 */
import type { OpeningFunds } from './chaos-buyers.js';
import type { ReceivedNotification } from './chaos-receiver.js';
import type { AcknowledgedPayment, Breach, Fen } from './chaos-record.js';
import type { AllocationRecord, FundBillRecord, StoreSnapshot, TradeRecord } from './chaos-store.js';
import { groupBy, sum } from './chaos-tally.js';

/** What the payments are judged against, besides the store: all of it taken before the snapshot was read. */
export interface PaymentWitnesses {
  /** The cashier's returns and paid pages, alipay.trade.pay's 10000s. */
  payments: readonly AcknowledgedPayment[];
  /** What the merchant's notify_url received: a payment's trade_status_sync acknowledges it too. */
  received: readonly ReceivedNotification[];
  /** The buyers the harness made, with the funds they opened with. */
  buyers: readonly OpeningFunds[];
}

const COUPON_CHANNELS = ['COUPON', 'MCOUPON', 'MDISCOUNT'] as const;
const MERCHANT_FUNDED = new Set(['MCOUPON', 'MDISCOUNT']);
const PAGE_PRODUCTS = new Set(['FAST_INSTANT_TRADE_PAY', 'QUICK_WAP_WAY']);

const paid = (trade: TradeRecord) => trade.gmtPayment !== null;
const orderKey = (sellerPid: string, outTradeNo: string) => `${sellerPid}|${outTradeNo}`;

export function checkPayments(snapshot: StoreSnapshot, witnesses: PaymentWitnesses, breach: Breach): void {
  const acknowledged = [...witnesses.payments, ...paymentsNotified(witnesses.received)];
  checkAcknowledgedPayments(snapshot, acknowledged, breach);
  checkPayOrders(snapshot, breach);
  checkBuyerFunds(snapshot, witnesses.buyers, breach);
  checkReceipts(snapshot, breach);
  checkFundBillTotals(snapshot, breach);
}

/** A payment's trade_status_sync that reached the receiver acknowledges that payment too. */
function paymentsNotified(received: readonly ReceivedNotification[]): AcknowledgedPayment[] {
  return received
    .filter((n) => n.outBizNo === null && n.tradeStatus === 'TRADE_SUCCESS' && n.totalAmount !== null)
    .map((n) => ({ sellerPid: n.sellerId, outTradeNo: n.outTradeNo, tradeNo: n.tradeNo, total: n.totalAmount as Fen, buyerUserId: null, how: 'notification' }));
}

function checkAcknowledgedPayments({ trades }: StoreSnapshot, acknowledged: readonly AcknowledgedPayment[], breach: Breach): void {
  const byOrder = groupBy(trades, (t) => orderKey(t.sellerPid, t.outTradeNo));
  for (const [key, same] of byOrder) {
    if (same.length > 1)
      breach('acknowledged payments: one paid trade each', `out_trade_no ${key}: ${same.length} trades (${same.map((t) => t.tradeNo).join(', ')})`);
  }
  for (const ack of acknowledged) {
    const label = `${ack.how} ${ack.outTradeNo} (trade ${ack.tradeNo}, ${ack.total}) acknowledged`;
    const found = byOrder.get(orderKey(ack.sellerPid, ack.outTradeNo)) ?? [];
    const trade = found[0];
    if (!trade) {
      breach('acknowledged payments: one paid trade each', `${label}: no such trade in the store`);
      continue;
    }
    const wrong = [
      !paid(trade) && `not paid (${trade.status})`,
      trade.tradeNo !== ack.tradeNo && `trade_no ${trade.tradeNo}`,
      trade.totalAmount !== ack.total && `total ${trade.totalAmount}`,
      ack.buyerUserId !== null && trade.buyerUserId !== ack.buyerUserId && `paid by ${trade.buyerUserId}, not ${ack.buyerUserId}`,
    ].filter((w): w is string => typeof w === 'string');
    if (wrong.length > 0) breach('acknowledged payments: one paid trade each', `${label}: stored ${wrong.join(', ')}`);
  }
}

function checkPayOrders({ payOrders, trades }: StoreSnapshot, breach: Breach): void {
  const tradesByNo = new Map(trades.map((t) => [t.tradeNo, t]));
  const orders = new Map(payOrders.map((o) => [orderKey(o.sellerPid, o.outTradeNo), o]));
  for (const order of payOrders) {
    if (order.status !== 'TRADE_SUCCESS') continue;
    const trade = order.tradeNo === null ? undefined : tradesByNo.get(order.tradeNo);
    const label = `pay order ${order.outTradeNo} (TRADE_SUCCESS, trade ${order.tradeNo})`;
    if (!trade) breach('pay order and its trade agree', `${label}: no such trade`);
    else if (trade.sellerPid !== order.sellerPid || trade.outTradeNo !== order.outTradeNo || trade.totalAmount !== order.totalAmount || !paid(trade)) {
      breach(
        'pay order and its trade agree',
        `${label}: the trade is ${trade.sellerPid}/${trade.outTradeNo}, total ${trade.totalAmount} (order ${order.totalAmount}), ${trade.status}`,
      );
    }
  }
  for (const trade of trades) {
    if (!paid(trade) || !PAGE_PRODUCTS.has(trade.productCode)) continue;
    const order = orders.get(orderKey(trade.sellerPid, trade.outTradeNo));
    if (order?.status !== 'TRADE_SUCCESS' || order.tradeNo !== trade.tradeNo) {
      breach(
        'pay order and its trade agree',
        `trade ${trade.tradeNo} (${trade.outTradeNo}, ${trade.productCode}, paid): its pay order is ${order ? `${order.status}, naming ${order.tradeNo}` : 'missing'}`,
      );
    }
  }
}

/** Σ of the lines (or allocations) of one channel. */
function channelSum<T extends { fundChannel: string; amount: Fen }>(items: readonly T[], channel: string): Fen {
  return sum(
    items.filter((i) => i.fundChannel === channel),
    (i) => i.amount,
  );
}

function checkBuyerFunds(snapshot: StoreSnapshot, openings: readonly OpeningFunds[], breach: Breach): void {
  const buyersById = new Map(snapshot.buyers.map((b) => [b.buyerUserId, b]));
  const cardsOf = groupBy(snapshot.bankCards, (c) => c.buyerUserId);
  const couponsOf = groupBy(snapshot.coupons, (c) => c.buyerUserId);
  const tradesOf = groupBy(snapshot.trades.filter(paid), (t) => t.buyerUserId);
  const billsOf = groupBy(snapshot.fundBills, (b) => b.tradeNo);
  const succeeded = new Map(snapshot.refunds.filter((r) => r.status === 'succeeded').map((r) => [r.id, r]));
  const allocationsOf = groupBy(
    snapshot.allocations.filter((a) => succeeded.has(a.refundId)),
    (a) => succeeded.get(a.refundId)?.tradeNo ?? '',
  );
  for (const opening of openings) {
    const buyer = buyersById.get(opening.buyerUserId);
    const label = `buyer ${opening.buyerUserId}`;
    if (!buyer) {
      breach('buyer funds conserved', `${label}: not in the store`);
      continue;
    }
    const trades = tradesOf.get(buyer.buyerUserId) ?? [];
    const bills: FundBillRecord[] = trades.flatMap((t) => billsOf.get(t.tradeNo) ?? []);
    const back: AllocationRecord[] = trades.flatMap((t) => allocationsOf.get(t.tradeNo) ?? []);
    const drawn = (channel: string) => channelSum(bills, channel);
    const returned = (channel: string) => channelSum(back, channel);
    const refusedByBank = sum(
      back.filter((a) => a.fundChannel === 'BANKCARD' && a.dbackStatus === 'F'),
      (a) => a.amount,
    );
    const expected: Array<[string, Fen, Fen]> = [
      ['balance', opening.balance - drawn('ALIPAYACCOUNT') + returned('ALIPAYACCOUNT') + refusedByBank, buyer.balance],
      ['yuebao', opening.yuebao - drawn('FINANCEACCOUNT') + returned('FINANCEACCOUNT'), buyer.yuebao],
      ['huabei_used', opening.huabeiUsed + drawn('PCREDIT') - returned('PCREDIT'), buyer.huabeiUsed],
      ['huabei_limit', opening.huabeiLimit, buyer.huabeiLimit],
      ['points', opening.points - drawn('POINT') + returned('POINT'), buyer.points],
    ];
    const coupons = couponsOf.get(buyer.buyerUserId) ?? [];
    for (const channel of COUPON_CHANNELS) {
      const face = sum(
        opening.coupons.filter((c) => c.fundChannel === channel),
        (c) => c.amount,
      );
      const remaining = sum(
        coupons.filter((c) => c.fundChannel === channel),
        (c) => c.remaining,
      );
      expected.push([`${channel} coupons remaining`, face - drawn(channel) + returned(channel), remaining]);
    }
    const cards = cardsOf.get(buyer.buyerUserId) ?? [];
    for (const card of opening.bankCards) {
      if (card.available === null) continue;
      const now = cards.find((c) => c.position === card.position)?.available ?? null;
      const fromCard = sum(
        bills.filter((b) => b.fundChannel === 'BANKCARD' && b.bankCode === card.bankCode),
        (b) => b.amount,
      );
      expected.push([`card ${card.position} (${card.bankCode}) available`, card.available - fromCard, now ?? Number.NaN]);
    }
    for (const [what, should, is] of expected) {
      if (should !== is)
        breach(
          'buyer funds conserved',
          `${label}: ${what} ${is}, expected ${should} (${trades.length} paid trades, ${new Set(back.map((a) => a.refundId)).size} succeeded refunds)`,
        );
    }
    checkVouchers(trades, billsOf, new Set(coupons.map((c) => c.voucherId)), breach);
  }
}

/** A buyer's trade names only the buyer's own coupons, and its vouchers add up to its coupon lines. */
function checkVouchers(trades: readonly TradeRecord[], billsOf: Map<string, FundBillRecord[]>, own: Set<string>, breach: Breach): void {
  for (const trade of trades) {
    const bills = billsOf.get(trade.tradeNo) ?? [];
    const strangers = trade.vouchers.filter((v) => !own.has(v.id));
    const merchantLines = sum(
      bills.filter((b) => MERCHANT_FUNDED.has(b.fundChannel)),
      (b) => b.amount,
    );
    const otherLines = channelSum(bills, 'COUPON');
    const merchantVouchers = sum(trade.vouchers, (v) => v.merchantContribute);
    const otherVouchers = sum(trade.vouchers, (v) => v.otherContribute);
    if (strangers.length > 0 || merchantLines !== merchantVouchers || otherLines !== otherVouchers) {
      breach(
        'buyer funds conserved',
        `trade ${trade.tradeNo} of buyer ${trade.buyerUserId}: vouchers ${strangers.length} not the buyer's; merchant-funded ${merchantVouchers} vs lines ${merchantLines}, others ${otherVouchers} vs COUPON lines ${otherLines}`,
      );
    }
  }
}

function checkReceipts({ trades, fundBills, ledgerEntries, merchants }: StoreSnapshot, breach: Breach): void {
  const billsOf = groupBy(fundBills, (b) => b.tradeNo);
  const entriesOf = groupBy(
    ledgerEntries.filter((e) => e.kind === 'payment' || e.kind === 'fee'),
    (e) => `${e.tradeNo}|${e.kind}`,
  );
  const receiptsOf = new Map<string, Fen>();
  for (const trade of trades) {
    if (!paid(trade)) continue;
    receiptsOf.set(trade.sellerPid, (receiptsOf.get(trade.sellerPid) ?? 0) + trade.receiptAmount);
    const merchantFunded = sum(
      (billsOf.get(trade.tradeNo) ?? []).filter((b) => MERCHANT_FUNDED.has(b.fundChannel)),
      (b) => b.amount,
    );
    const credited = sum(entriesOf.get(`${trade.tradeNo}|payment`), (e) => e.amount);
    const fee = -sum(entriesOf.get(`${trade.tradeNo}|fee`), (e) => e.amount);
    if (trade.receiptAmount !== trade.totalAmount - merchantFunded || credited !== trade.receiptAmount || fee !== trade.chargeAmount) {
      breach(
        'payments credited = Σ receipts',
        `trade ${trade.tradeNo} (total ${trade.totalAmount}, merchant-funded ${merchantFunded}): receipt ${trade.receiptAmount}, credited ${credited}; fee ${trade.chargeAmount}, debited ${fee}`,
      );
    }
  }
  const tradeNos = new Set(trades.map((t) => t.tradeNo));
  for (const merchant of merchants) {
    const payments = ledgerEntries.filter((e) => e.pid === merchant.pid && e.kind === 'payment');
    const credited = sum(payments, (e) => e.amount);
    const receipts = receiptsOf.get(merchant.pid) ?? 0;
    const orphans = payments.filter((e) => e.tradeNo === null || !tradeNos.has(e.tradeNo)).length;
    if (credited !== receipts || orphans > 0) {
      breach(
        'payments credited = Σ receipts',
        `merchant ${merchant.pid}: payment entries ${credited} (${orphans} of no trade), receipts of its paid trades ${receipts}`,
      );
    }
  }
}

function checkFundBillTotals({ trades, fundBills }: StoreSnapshot, breach: Breach): void {
  const billsOf = groupBy(fundBills, (b) => b.tradeNo);
  for (const trade of trades) {
    if (!paid(trade)) continue;
    const bills = billsOf.get(trade.tradeNo) ?? [];
    const total = sum(bills, (b) => b.amount);
    if (total !== trade.totalAmount || bills.some((b) => b.amount <= 0)) {
      breach(
        'fund bill = total',
        `trade ${trade.tradeNo} (total ${trade.totalAmount}): ${bills.length} lines sum to ${total} (${bills.map((b) => `${b.fundChannel} ${b.amount}`).join(', ')})`,
      );
    }
  }
}
