/**
 * The money invariants, checked over one snapshot of the store (chaos-store.ts) against what tuikuan
 * acknowledged and what the merchant's notify_url received before that snapshot was taken. Each check is named
 * for the rule it guards (chaos-record.ts INVARIANTS) and records every breach it finds, with the rows involved.
 */
import type { AcknowledgedPayment, AcknowledgedRefund, Breach, Fen, Invariant, Violations } from './chaos-record.js';
import { refundKey } from './chaos-record.js';
import type { OpeningFunds } from './chaos-buyers.js';
import { checkPayments } from './chaos-payment-invariants.js';
import type { ReceivedNotification } from './chaos-receiver.js';
import { groupBy, sum } from './chaos-tally.js';
import type { RefundRecord, StoreSnapshot } from './chaos-store.js';

export interface CheckInput {
  snapshot: StoreSnapshot;
  /** Taken before the snapshot: each was committed before the store was read. */
  acknowledged: readonly AcknowledgedRefund[];
  /** The payments acknowledged (cashier returns, alipay.trade.pay answers), taken before the snapshot too. */
  payments: readonly AcknowledgedPayment[];
  /** The buyers the harness made, with the funds they opened with. */
  buyers: readonly OpeningFunds[];
  received: readonly ReceivedNotification[];
  /** At the end, once the clock has gone far enough and the jobs have drained. */
  settled: boolean;
  /** Where in the run the check was made, for the violation's detail. */
  moment: string;
}

const PENDING = new Set(['accepted', 'waiting_for_funds']);
const REFUND_STATES = new Set(['accepted', 'waiting_for_funds', 'succeeded', 'failed']);

export function checkInvariants(input: CheckInput, violations: Violations): void {
  const breach = (invariant: Invariant, detail: string) => violations.record(invariant, detail, input.moment);
  checkTrades(input.snapshot, breach);
  checkRefundIdentity(input.snapshot, breach);
  checkAllocations(input.snapshot, breach);
  checkLedger(input.snapshot, breach);
  checkNotifications(input.snapshot, input.received, breach);
  checkAcknowledged(input.snapshot, input.acknowledged, input.settled, breach);
  checkOwedWork(input.snapshot, breach);
  checkPayments(input.snapshot, { payments: input.payments, received: input.received, buyers: input.buyers }, breach);
  if (input.settled) checkSettled(input.snapshot, breach);
}

/** A trade's totals against the refunds that make them up. */
function checkTrades({ trades, refunds }: StoreSnapshot, breach: Breach): void {
  const refundsOf = groupBy(refunds, (r) => r.tradeNo);
  for (const trade of trades) {
    const own = refundsOf.get(trade.tradeNo) ?? [];
    const succeeded = own.filter((r) => r.status === 'succeeded');
    const pending = own.filter((r) => PENDING.has(r.status));
    const label = `trade ${trade.tradeNo} (total ${trade.totalAmount})`;
    if (trade.refundedAmount < 0 || trade.pendingRefundAmount < 0 || trade.refundedAmount + trade.pendingRefundAmount > trade.totalAmount) {
      breach('refunded + reserved ≤ total', `${label}: refunded ${trade.refundedAmount} + reserved ${trade.pendingRefundAmount}`);
    }
    const succeededSum = sum(succeeded, (r) => r.refundAmount);
    if (trade.refundedAmount !== succeededSum) {
      breach(
        'refunded = Σ succeeded refunds',
        `${label}: refunded ${trade.refundedAmount}, succeeded refunds sum to ${succeededSum} (${succeeded.length} refunds)`,
      );
    }
    const pendingSum = sum(pending, (r) => r.refundAmount);
    if (trade.pendingRefundAmount !== pendingSum) {
      breach('reserved = Σ pending applies', `${label}: reserved ${trade.pendingRefundAmount}, accepted/waiting applies sum to ${pendingSum}`);
    }
    const live = own.filter((r) => r.status !== 'failed').length;
    if (trade.refundCount !== live) breach('refund count = live refunds', `${label}: refund_count ${trade.refundCount}, ${live} refunds not failed`);
    const sendBack = sum(succeeded, (r) => r.sendBackFee);
    const chargeBack = sum(succeeded, (r) => r.refundChargeFee);
    if (trade.refundedSendBackFee !== sendBack || trade.refundedChargeFee !== chargeBack) {
      breach(
        'money moved once per payment and refund',
        `${label}: refunded_send_back_fee ${trade.refundedSendBackFee} / refunded_charge_fee ${trade.refundedChargeFee}, its refunds sum to ${sendBack} / ${chargeBack}`,
      );
    }
  }
}

function checkRefundIdentity({ refunds }: StoreSnapshot, breach: Breach): void {
  for (const [key, same] of groupBy(refunds, (r) => refundKey(r.tradeNo, r.outRequestNo))) {
    if (same.length > 1) breach('one refund per (trade, out_request_no)', `${key}: ${same.length} refunds (ids ${same.map((r) => r.id).join(', ')})`);
  }
}

/** Each refund's split across the fund bill, and each fund bill line's refunded total. */
function checkAllocations({ refunds, allocations, fundBills }: StoreSnapshot, breach: Breach): void {
  const allocationsOf = groupBy(allocations, (a) => a.refundId);
  const refundsById = new Map(refunds.map((r) => [r.id, r]));
  for (const refund of refunds) {
    const own = allocationsOf.get(refund.id) ?? [];
    const allocated = sum(own, (a) => a.amount);
    if (refund.status === 'succeeded' ? allocated !== refund.refundAmount : own.length > 0) {
      breach(
        'allocations = refund amount',
        `refund ${refund.id} (${refund.status}, ${refund.refundAmount}): allocations sum to ${allocated} over ${own.length} lines`,
      );
    }
  }
  for (const refundId of allocationsOf.keys()) {
    if (!refundsById.has(refundId)) breach('allocations = refund amount', `allocations of refund ${refundId}, which does not exist`);
  }
  // What the succeeded refunds of each trade took from each line of its fund bill.
  const taken = new Map<string, Fen>();
  for (const allocation of allocations) {
    const refund = refundsById.get(allocation.refundId);
    if (refund?.status !== 'succeeded') continue;
    const key = `${refund.tradeNo}#${allocation.position}`;
    taken.set(key, (taken.get(key) ?? 0) + allocation.amount);
  }
  for (const bill of fundBills) {
    const key = `${bill.tradeNo}#${bill.position}`;
    const allocated = taken.get(key) ?? 0;
    if (bill.refundedAmount !== allocated || bill.refundedAmount > bill.amount || bill.refundedAmount < 0) {
      breach(
        'fund bill refunded = Σ allocations',
        `fund bill ${key} (amount ${bill.amount}): refunded ${bill.refundedAmount}, allocations sum to ${allocated}`,
      );
    }
  }
}

/** The ledger: each balance is its entries' sum, never negative; each payment and refund moves money once. */
function checkLedger({ merchants, ledgerEntries, refunds, trades }: StoreSnapshot, breach: Breach): void {
  const entriesOf = groupBy(ledgerEntries, (e) => e.pid);
  for (const merchant of merchants) {
    const entriesSum = sum(entriesOf.get(merchant.pid), (e) => e.amount);
    if (entriesSum !== merchant.balance)
      breach('balance = Σ ledger entries', `merchant ${merchant.pid}: balance ${merchant.balance}, entries sum to ${entriesSum}`);
    if (merchant.balance < 0) breach('balance ≥ 0', `merchant ${merchant.pid}: balance ${merchant.balance}`);
  }
  const byRefund = groupBy(
    ledgerEntries.filter((e) => e.refundId !== null),
    (e) => e.refundId as number,
  );
  const refundsById = new Map(refunds.map((r) => [r.id, r]));
  for (const refund of refunds) checkRefundEntries(refund, byRefund.get(refund.id) ?? [], breach);
  for (const refundId of byRefund.keys()) {
    if (!refundsById.has(refundId)) breach('money moved once per payment and refund', `ledger entries for refund ${refundId}, which does not exist`);
  }
  const paymentsOf = groupBy(
    ledgerEntries.filter((e) => e.kind === 'payment' || e.kind === 'fee'),
    (e) => `${e.tradeNo}|${e.kind}`,
  );
  for (const trade of trades) {
    const payments = paymentsOf.get(`${trade.tradeNo}|payment`)?.length ?? 0;
    const fees = paymentsOf.get(`${trade.tradeNo}|fee`)?.length ?? 0;
    // A trade waiting for its buyer (gmt_payment null) has credited nothing yet; a receipt of nothing (a trade
    // paid wholly with the merchant's own coupons) writes no entry.
    const paid = trade.gmtPayment !== null;
    const expected = paid && trade.receiptAmount !== 0 ? 1 : 0;
    if (payments !== expected || fees > (paid ? 1 : 0))
      breach(
        'money moved once per payment and refund',
        `trade ${trade.tradeNo} (${trade.status}, receipt ${trade.receiptAmount}): ${payments} payment entries (${expected} expected), ${fees} fee entries`,
      );
  }
}

/** A succeeded refund debits its send_back_fee once and credits its fee back once; any other refund moved nothing. */
function checkRefundEntries(refund: RefundRecord, entries: readonly { kind: string; amount: Fen }[], breach: Breach): void {
  const of = (kind: string) => entries.filter((e) => e.kind === kind);
  const debits = of('refund');
  const feeBacks = of('fee_refund');
  const others = entries.length - debits.length - feeBacks.length;
  const label = `refund ${refund.id} (${refund.status}, amount ${refund.refundAmount}, send_back_fee ${refund.sendBackFee}, fee back ${refund.refundChargeFee})`;
  const expectedDebits = refund.status === 'succeeded' && refund.sendBackFee !== 0 ? 1 : 0;
  const expectedFeeBacks = refund.status === 'succeeded' && refund.refundChargeFee !== 0 ? 1 : 0;
  const debited = -sum(debits, (e) => e.amount);
  const feeBack = sum(feeBacks, (e) => e.amount);
  const fine =
    others === 0 &&
    debits.length === expectedDebits &&
    feeBacks.length === expectedFeeBacks &&
    debited === (expectedDebits ? refund.sendBackFee : 0) &&
    feeBack === (expectedFeeBacks ? refund.refundChargeFee : 0);
  if (!fine)
    breach(
      'money moved once per payment and refund',
      `${label}: ${debits.length} refund entries (−${debited}), ${feeBacks.length} fee_refund entries (+${feeBack}), ${others} others`,
    );
}

/** The outbox: one notification per payment and per succeeded refund, each with its own notify_id. */
function checkNotifications({ notifications, refunds, trades }: StoreSnapshot, received: readonly ReceivedNotification[], breach: Breach): void {
  for (const [notifyId, same] of groupBy(notifications, (n) => n.notifyId)) {
    if (same.length > 1) breach('notify_id unique', `notify_id ${notifyId} on ${same.length} notifications`);
  }
  const syncs = notifications.filter((n) => n.kind === 'trade_status_sync');
  const ofRefund = groupBy(
    syncs.filter((n) => n.refundId !== null),
    (n) => n.refundId as number,
  );
  const ofPayment = groupBy(
    syncs.filter((n) => n.refundId === null),
    (n) => n.tradeNo,
  );
  const tradesByNo = new Map(trades.map((t) => [t.tradeNo, t]));
  const refundsById = new Map(refunds.map((r) => [r.id, r]));
  for (const refund of refunds) {
    const notifying = tradesByNo.get(refund.tradeNo)?.notifyUrl != null;
    const expected = refund.status === 'succeeded' && notifying ? 1 : 0;
    const owed = ofRefund.get(refund.id) ?? [];
    if (owed.length !== expected) {
      breach(
        'one notification per event',
        `refund ${refund.id} (${refund.status}) of trade ${refund.tradeNo}: ${owed.length} trade_status_sync notifications, ${expected} expected`,
      );
    }
    if (owed.some((n) => n.tradeNo !== refund.tradeNo)) breach('one notification per event', `refund ${refund.id}: a notification names another trade`);
  }
  for (const refundId of ofRefund.keys()) {
    if (!refundsById.has(refundId)) breach('one notification per event', `a notification for refund ${refundId}, which does not exist`);
  }
  // A payment through alipay.trade.pay owes one notification; a trade made through the admin API owes none.
  for (const trade of trades) {
    const count = ofPayment.get(trade.tradeNo)?.length ?? 0;
    const most = trade.notifyUrl !== null ? 1 : 0;
    if (count > most) breach('one notification per event', `trade ${trade.tradeNo}: ${count} payment notifications, at most ${most} expected`);
  }

  const byNotifyId = new Map(notifications.map((n) => [n.notifyId, n]));
  const receivedIds = new Set<string>();
  for (const seen of received) {
    receivedIds.add(seen.notifyId);
    const stored = byNotifyId.get(seen.notifyId);
    const sameEvent = stored && stored.tradeNo === seen.tradeNo && (stored.refundId === null) === (seen.outBizNo === null);
    if (!sameEvent) {
      breach(
        'receiver and store agree on notifications',
        `received notify_id ${seen.notifyId} (trade ${seen.tradeNo}, out_biz_no ${seen.outBizNo}) is ${stored ? `stored for trade ${stored.tradeNo}, refund ${stored.refundId}` : 'not in the store'}`,
      );
    }
  }
  for (const notification of notifications) {
    // Delivered means the merchant answered `success`: the receiver recorded it before answering.
    if (notification.status === 'delivered' && !receivedIds.has(notification.notifyId)) {
      breach('receiver and store agree on notifications', `notification ${notification.notifyId} is delivered but was never received`);
    }
  }
}

/** Every refund answered 10000 is still there: succeeded when alipay.trade.refund said so. */
function checkAcknowledged({ refunds }: StoreSnapshot, acknowledged: readonly AcknowledgedRefund[], settled: boolean, breach: Breach): void {
  const byKey = new Map(refunds.map((r) => [refundKey(r.tradeNo, r.outRequestNo), r]));
  for (const ack of acknowledged) {
    const refund = byKey.get(refundKey(ack.tradeNo, ack.outRequestNo));
    const label = `${ack.way} ${ack.tradeNo}/${ack.outRequestNo} (${ack.amount}) answered 10000`;
    if (!refund) {
      breach('acknowledged refunds kept', `${label}: no such refund in the store`);
      continue;
    }
    if (refund.refundAmount !== ack.amount) breach('acknowledged refunds kept', `${label}: stored with amount ${refund.refundAmount}`);
    if (ack.way === 'refund' && refund.status !== 'succeeded') breach('acknowledged refunds kept', `${label}: stored as ${refund.status}`);
    if (ack.way === 'apply' && !REFUND_STATES.has(refund.status)) breach('acknowledged refunds kept', `${label}: stored as ${refund.status}`);
    if (settled && ack.way === 'apply' && refund.status !== 'succeeded' && refund.status !== 'failed') {
      breach('settled: applies ended succeeded or failed', `${label}: still ${refund.status}`);
    }
  }
}

/**
 * What is still owed has a job to do it: a pending notification (its next attempt), an accepted or waiting
 * apply (its next try), a bank-card refund the bank has not answered. Each job is written with its cause and
 * removed only once the work is finished, so a missing one is work that will never be done.
 */
function checkOwedWork({ notifications, refunds, allocations, jobs }: StoreSnapshot, breach: Breach): void {
  const jobFor = new Set(jobs.map((j) => `${j.kind}|${j.subject}`));
  for (const notification of notifications) {
    if (notification.status === 'pending' && !jobFor.has(`notify|${notification.id}`)) {
      breach(
        'owed work has its job',
        `notification ${notification.notifyId} (id ${notification.id}, trade ${notification.tradeNo}) is pending and has no notify job`,
      );
    }
  }
  for (const refund of refunds) {
    if (PENDING.has(refund.status) && !jobFor.has(`refund|${refund.id}`)) {
      breach('owed work has its job', `refund ${refund.id} ${refund.tradeNo}/${refund.outRequestNo} is ${refund.status} and has no refund job`);
    }
  }
  const refundsById = new Map(refunds.map((r) => [r.id, r]));
  for (const refundId of new Set(allocations.filter((a) => a.dbackStatus === 'P').map((a) => a.refundId))) {
    if (!jobFor.has(`deposit_back|${refundId}`)) {
      breach('owed work has its job', `refund ${refundId} (${refundsById.get(refundId)?.status}) waits for the bank (dback P) and has no deposit_back job`);
    }
  }
}

function checkSettled({ refunds, jobs, notifications, trades }: StoreSnapshot, breach: Breach): void {
  for (const refund of refunds) {
    if (PENDING.has(refund.status))
      breach('settled: applies ended succeeded or failed', `refund ${refund.id} ${refund.tradeNo}/${refund.outRequestNo}: still ${refund.status}`);
  }
  // A trade still waiting for its buyer owes its expiry (page orders wait 15 days, more than the settling).
  const unpaid = new Set(trades.filter((t) => t.status === 'WAIT_BUYER_PAY').map((t) => t.tradeNo));
  for (const job of jobs) {
    if (job.kind === 'trade_expiry' && unpaid.has(job.subject)) continue;
    breach(
      'settled: jobs drained',
      `job ${job.id} ${job.kind} ${job.subject}: run_at ${job.runAt}, ${job.attempts} attempts, last error ${job.lastError ?? '-'}, held by ${job.lockedBy ?? '-'}`,
    );
  }
  for (const notification of notifications) {
    if (notification.status === 'pending')
      breach('settled: notifications finished', `notification ${notification.notifyId} (trade ${notification.tradeNo}) still pending`);
  }
}
