/**
 * The refund's one write: every effect of a refund that moved money, in the refund's transaction, after its
 * locked read (lock-refund-context.ts) — the merchant's balance, the refund row, its fund allocations, the fund
 * bill's refunded amounts, the trade's totals, the ledger entries, the notification owed and its job, and the
 * bank deposit-back's job.
 *
 * The balance moves first, and is the guard: it moves only if it stays at or above zero (the conditional update
 * that stops two refunds of one merchant on different trades from overdrawing it), and when it refuses nothing
 * else is written. Its entries are the ledger's `fee_refund` (the fee given back) and `refund` (−send_back_fee),
 * in that order, as apply-ledger-entry.ts writes them; the balance moves by both at once, so a merchant holding
 * exactly what the trade left it (receipt less fee) can refund the trade in full. A refund that already has a
 * row (an accepted refund.apply, or a refund that failed and is tried again) is written only if its row is still
 * as the read saw it.
 *
 * On PostgreSQL it is one statement of data-modifying CTEs, each gated on the guard, which *fails* (with
 * `tuikuan_refuse`, migration 0013) when the guard refuses: then the transaction can only roll back, and the
 * write may carry its transaction's commit (`endsTransaction`; postgres-client.ts), committed exactly when it
 * succeeds. On SQLite — which has no data-modifying CTEs, and where `begin immediate` already holds the
 * database — it is the same writes as a few prepared statements, the guard first.
 */
import type { Fen, FundAllocation, Refund, RefundStatus, TradeStatus } from '../../interfaces.js';
import { onSqlite, refusalOf, sqlStatement, statementPair } from '../sql-statement.js';
import type { Trx } from '../store.js';
import { addJob } from './jobs.js';
import { insertNotification, type NewNotification } from './notifications.js';
import { insertAllocations, refundParams, saveRefund } from './refunds.js';
import { setFundBillRefunded, updateTrade } from './trades.js';

/** The trade's totals after the refund (refunded-trade.ts computes them). */
export interface TradeTotals {
  refundedAmount: Fen;
  refundedSendBackFee: Fen;
  refundedChargeFee: Fen;
  pendingRefundAmount: Fen;
  refundCount: number;
  status: TradeStatus;
  gmtClose: number | null;
}

export interface RefundWrite {
  /** The refund as it now is (succeeded); id 0 when it has no row yet. */
  refund: Extract<Refund, { status: 'succeeded' }>;
  /** The refund's row as the read saw it, when it has one: the write happens only if it is unchanged. */
  readAs: { status: RefundStatus; updatedAt: number } | null;
  allocations: readonly FundAllocation[];
  /** The fund bill lines whose refunded amount changed, with their new amount. */
  changedBills: ReadonlyArray<{ position: number; refundedAmount: Fen }>;
  trade: TradeTotals;
  /** The seller's ledger entries: the fee given back (≥ 0) and the refund (−send_back_fee); a zero is no entry. */
  ledger: { pid: string; feeRefund: Fen; refund: Fen };
  /** The notification owed, if any; it is due at once and names the refund. */
  notification: Omit<NewNotification, 'refundId' | 'nextAttemptAt'> | null;
  /** When the bank answers a bank-card allocation (its deposit-back job), if the refund has one. */
  depositBackAt: number | null;
  now: number;
  /**
   * Nothing runs after this write in its transaction: on PostgreSQL it carries the commit (the write fails, and
   * the commit becomes a rollback, when it refuses). A batch line, which records its outcome after it, says no.
   */
  endsTransaction: boolean;
}

export type RefundWritten =
  | { kind: 'written'; refundId: number }
  /** The balance would go below zero: nothing was written. */
  | { kind: 'balance_not_enough' }
  /** The refund's row changed since the read (the transaction must start again). */
  | { kind: 'refund_changed' };

export function writeRefund(trx: Trx, write: RefundWrite): Promise<RefundWritten> {
  return onSqlite(trx) ? writeOnSqlite(trx, write) : writeOnPostgres(trx, write);
}

// ------------------------------------------------------------------------------------------------ PostgreSQL

const REFUND_VALUES = `:tradeNo, :outRequestNo, :refundAmount, 'succeeded', :refundReason, :source, :batchNo, :operatorId, :storeId, :terminalId,
    :sendBackFee, :refundChargeFee, :gmtRefundPay, :attempts, :lastError, :acceptedAt, null, :createdAt, :updatedAt`;

const NEW_REFUND = `refund as (
  insert into refunds (trade_no, out_request_no, refund_amount, status, refund_reason, source, batch_no, operator_id, store_id, terminal_id,
    send_back_fee, refund_charge_fee, gmt_refund_pay, attempts, last_error, accepted_at, next_attempt_at, created_at, updated_at)
  select ${REFUND_VALUES} from guard
  returning id
)`;

const EXISTING_REFUND = `refund as (
  update refunds set refund_amount = :refundAmount, status = 'succeeded', refund_reason = :refundReason, source = :source, batch_no = :batchNo,
    operator_id = :operatorId, store_id = :storeId, terminal_id = :terminalId, send_back_fee = :sendBackFee, refund_charge_fee = :refundChargeFee,
    gmt_refund_pay = :gmtRefundPay, attempts = :attempts, last_error = :lastError, accepted_at = :acceptedAt, next_attempt_at = null,
    updated_at = :updatedAt
  where id = :refundId and status = :readStatus and updated_at = :readUpdatedAt and exists (select 1 from guard)
  returning id
)`;

function postgresText(refund: string): string {
  return `with moved as (
  update merchants set balance = balance + :balanceDelta::bigint
  where pid = :pid and :moves::boolean and balance + :balanceDelta::bigint >= 0
  returning pid
), guard as (
  select 1 where not :moves::boolean or exists (select 1 from moved)
), ${refund}, allocations as (
  insert into fund_allocations (refund_id, position, fund_channel, fund_type, bank_code, amount, real_amount, dback_status, bank_ack_time,
    est_bank_receipt_time, returned_to)
  select refund.id, a.position, a.fund_channel, a.fund_type, a.bank_code, a.amount, a.real_amount, a.dback_status, null, a.est_bank_receipt_time, null
  from refund, json_to_recordset(:allocations::json)
    as a(position integer, fund_channel text, fund_type text, bank_code text, amount bigint, real_amount bigint, dback_status text,
      est_bank_receipt_time bigint)
), bills as (
  update trade_fund_bills b set refunded_amount = v.refunded_amount
  from refund, json_to_recordset(:bills::json) as v(position integer, refunded_amount bigint)
  where b.trade_no = :tradeNo and b.position = v.position
), trade as (
  update trades set refunded_amount = :tradeRefundedAmount, refunded_send_back_fee = :tradeRefundedSendBackFee,
    refunded_charge_fee = :tradeRefundedChargeFee, pending_refund_amount = :tradePendingRefundAmount, refund_count = :tradeRefundCount,
    status = :tradeStatus, gmt_close = :tradeGmtClose
  from refund where trades.trade_no = :tradeNo
), ledger as (
  insert into ledger_entries (pid, amount, kind, trade_no, refund_id, memo, created_at)
  select :pid, e.amount, e.kind, :tradeNo, refund.id, null, :now
  from refund, (values (:feeRefund::bigint, 'fee_refund', 1), (:refundEntry::bigint, 'refund', 2)) as e(amount, kind, entry)
  where e.amount <> 0 order by e.entry
), notification as (
  insert into notifications (notify_id, kind, pid, app_id, url, charset, sign_type, params, status, attempts, next_attempt_at, acknowledged_at,
    trade_no, refund_id, batch_no, created_at, facts)
  select :notifyId, :notifyKind, :pid, :notifyAppId, :notifyUrl, :notifyCharset, '', '', 'pending', 0, :now, null,
    :tradeNo, refund.id, :batchNo, :now, :notifyFacts
  from refund where :notifyId::text is not null
  returning id
), notify_job as (
  insert into jobs (kind, subject, run_at, attempts, last_error, locked_by, locked_until, revision, dead_at, created_at)
  select 'notify', notification.id::text, :now, 0, null, null, null, 0, null, :now from notification
), deposit_back_job as (
  insert into jobs (kind, subject, run_at, attempts, last_error, locked_by, locked_until, revision, dead_at, created_at)
  select 'deposit_back', refund.id::text, :depositBackAt::bigint, 0, null, null, null, 0, null, :now from refund where :depositBackAt::bigint is not null
  on conflict (kind, subject) do update set
    run_at = case when jobs.dead_at is null and jobs.run_at < excluded.run_at then jobs.run_at else excluded.run_at end,
    revision = jobs.revision + 1, attempts = case when jobs.dead_at is null then jobs.attempts else 0 end, dead_at = null
)
select coalesce((select id from refund), tuikuan_refuse(case when exists (select 1 from guard) then 'refund_changed' else 'balance_not_enough' end))
  as refund_id`;
}

type Written = { refundId: number };
/** Each text twice: as the statement that ends its transaction (see RefundWrite#endsTransaction), and not. */
const postgresWrites = {
  new: statementPair<Record<string, unknown>, Written>(postgresText(NEW_REFUND)),
  existing: statementPair<Record<string, unknown>, Written>(postgresText(EXISTING_REFUND)),
};

async function writeOnPostgres(trx: Trx, write: RefundWrite): Promise<RefundWritten> {
  const { refund, readAs, allocations, changedBills, trade, ledger, notification } = write;
  const params: Record<string, unknown> = {
    ...balanceChange(write),
    pid: ledger.pid,
    feeRefund: ledger.feeRefund,
    refundEntry: ledger.refund,
    ...refundParams(refund),
    now: write.now,
    // As JSON, one parameter each (keys as the recordsets' columns), not an array per column.
    allocations: JSON.stringify(
      allocations.map((a) => ({
        position: a.position,
        fund_channel: a.fundChannel,
        fund_type: a.fundType,
        bank_code: a.bankCode,
        amount: a.amount,
        real_amount: a.realAmount,
        dback_status: a.dbackStatus,
        est_bank_receipt_time: a.estBankReceiptTime,
      })),
    ),
    bills: JSON.stringify(changedBills.map((b) => ({ position: b.position, refunded_amount: b.refundedAmount }))),
    tradeRefundedAmount: trade.refundedAmount,
    tradeRefundedSendBackFee: trade.refundedSendBackFee,
    tradeRefundedChargeFee: trade.refundedChargeFee,
    tradePendingRefundAmount: trade.pendingRefundAmount,
    tradeRefundCount: trade.refundCount,
    tradeStatus: trade.status,
    tradeGmtClose: trade.gmtClose,
    notifyId: notification?.notifyId ?? null,
    notifyKind: notification?.kind ?? null,
    notifyAppId: notification?.appId ?? null,
    notifyUrl: notification?.url ?? null,
    notifyCharset: notification?.charset ?? null,
    notifyFacts: notification ? JSON.stringify(notification.facts) : null,
    depositBackAt: write.depositBackAt,
  };
  const statement = (readAs ? postgresWrites.existing : postgresWrites.new)[write.endsTransaction ? 'ending' : 'within'];
  if (readAs) Object.assign(params, { refundId: refund.id, readStatus: readAs.status, readUpdatedAt: readAs.updatedAt });
  const written = await refusalOf(statement(trx, params), ['balance_not_enough', 'refund_changed'] as const);
  if ('refused' in written) return { kind: written.refused };
  return { kind: 'written', refundId: Number(written.rows[0]?.refundId) };
}

/** The balance moves by both entries at once; it does not move (nor is it locked) when neither is owed. */
function balanceChange({ ledger }: RefundWrite): { balanceDelta: Fen; moves: boolean } {
  return { balanceDelta: ledger.feeRefund + ledger.refund, moves: ledger.feeRefund !== 0 || ledger.refund !== 0 };
}

// ------------------------------------------------------------------------------------------------ SQLite

const moveBalance = sqlStatement<{ pid: string; balanceDelta: Fen }, { pid: string }>(
  'update merchants set balance = balance + :balanceDelta where pid = :pid and balance + :balanceDelta >= 0 returning pid',
);
const insertLedgerEntries = sqlStatement<{ pid: string; tradeNo: string; refundId: number; feeRefund: Fen; refundEntry: Fen; now: number }, never>(
  `insert into ledger_entries (pid, amount, kind, trade_no, refund_id, memo, created_at)
  select :pid, e.amount, e.kind, :tradeNo, :refundId, null, :now
  from (select :feeRefund as amount, 'fee_refund' as kind, 1 as entry union all select :refundEntry, 'refund', 2) e
  where e.amount <> 0 order by e.entry`,
);

async function writeOnSqlite(trx: Trx, write: RefundWrite): Promise<RefundWritten> {
  const { refund, readAs, allocations, changedBills, trade, ledger, notification, now } = write;
  // `begin immediate` has held the database since the read: the refund's row is as it saw it.
  const { balanceDelta, moves } = balanceChange(write);
  if (moves && (await moveBalance(trx, { pid: ledger.pid, balanceDelta })).length === 0) return { kind: 'balance_not_enough' };
  const refundId = await saveRefund(trx, refund, readAs !== null);
  await insertAllocations(trx, refundId, [...allocations]);
  for (const bill of changedBills) await setFundBillRefunded(trx, refund.tradeNo, bill.position, bill.refundedAmount);
  await updateTrade(trx, refund.tradeNo, { ...trade });
  if (moves)
    await insertLedgerEntries(trx, { pid: ledger.pid, tradeNo: refund.tradeNo, refundId, feeRefund: ledger.feeRefund, refundEntry: ledger.refund, now });
  if (notification) {
    const notificationId = await insertNotification(trx, { ...notification, refundId, nextAttemptAt: now });
    await addJob(trx, { kind: 'notify', subject: String(notificationId), runAt: now, now });
  }
  if (write.depositBackAt !== null) await addJob(trx, { kind: 'deposit_back', subject: String(refundId), runAt: write.depositBackAt, now });
  return { kind: 'written', refundId };
}
