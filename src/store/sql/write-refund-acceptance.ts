/**
 * refund.apply's one write, after the refund's locked read (lock-refund-context.ts): the refund accepted (a new
 * row, or the row of a refund that failed before, kept with its id), its amount reserved on the trade, and the
 * job by which the worker carries it out. One statement of data-modifying CTEs on PostgreSQL, the last of its
 * transaction (it carries the commit, and fails when the refund's row changed since the read); a few prepared
 * statements on SQLite, where `begin immediate` already holds the database.
 */
import type { Fen, Refund, RefundStatus } from '../../interfaces.js';
import { onSqlite, refusalOf, sqlStatement } from '../sql-statement.js';
import type { Trx } from '../store.js';
import { addJob } from './jobs.js';
import { refundParams, saveRefund } from './refunds.js';
import { updateTrade } from './trades.js';

export interface RefundAcceptance {
  /** The refund accepted; id 0 when it has no row yet. */
  refund: Extract<Refund, { status: 'accepted' }>;
  /** The refund's row as the read saw it, when it has one: the write happens only if it is unchanged. */
  readAs: { status: RefundStatus; updatedAt: number } | null;
  /** The trade's reservation and refund count after it. */
  trade: { pendingRefundAmount: Fen; refundCount: number };
  now: number;
}

/** The refund's id; null when its row changed since the read (the transaction must start again). */
export function writeRefundAcceptance(trx: Trx, acceptance: RefundAcceptance): Promise<number | null> {
  return onSqlite(trx) ? acceptOnSqlite(trx, acceptance) : acceptOnPostgres(trx, acceptance);
}

const COLUMNS = `refund_amount, status, refund_reason, source, batch_no, operator_id, store_id, terminal_id, send_back_fee,
    refund_charge_fee, gmt_refund_pay, attempts, last_error, accepted_at, next_attempt_at, updated_at`;

function postgresText(refund: string): string {
  return `with ${refund}, trade as (
  update trades set pending_refund_amount = :pendingRefundAmount, refund_count = :refundCount from refund where trades.trade_no = :tradeNo
), job as (
  insert into jobs (kind, subject, run_at, attempts, last_error, locked_by, locked_until, revision, dead_at, created_at)
  select 'refund', refund.id::text, :now, 0, null, null, null, 0, null, :now from refund
  on conflict (kind, subject) do update set
    run_at = case when jobs.dead_at is null and jobs.run_at < excluded.run_at then jobs.run_at else excluded.run_at end,
    revision = jobs.revision + 1, attempts = case when jobs.dead_at is null then jobs.attempts else 0 end, dead_at = null
)
select coalesce((select id from refund), tuikuan_refuse('refund_changed')) as id`;
}

const VALUES = `:refundAmount, 'accepted', :refundReason, :source, :batchNo, :operatorId, :storeId, :terminalId, :sendBackFee,
    :refundChargeFee, null, :attempts, :lastError, :acceptedAt, :nextAttemptAt, :updatedAt`;
// Nothing runs after the acceptance in its transaction: it carries the commit (postgres-client.ts).
const newRefund = sqlStatement<Record<string, unknown>, { id: number }>(
  postgresText(`refund as (
  insert into refunds (trade_no, out_request_no, created_at, ${COLUMNS}) values (:tradeNo, :outRequestNo, :createdAt, ${VALUES}) returning id
)`),
  { endsTransaction: true },
);
const existingRefund = sqlStatement<Record<string, unknown>, { id: number }>(
  postgresText(`refund as (
  update refunds set (${COLUMNS}) = (${VALUES})
  where id = :refundId and status = :readStatus and updated_at = :readUpdatedAt
  returning id
)`),
  { endsTransaction: true },
);

async function acceptOnPostgres(trx: Trx, { refund, readAs, trade, now }: RefundAcceptance): Promise<number | null> {
  const params: Record<string, unknown> = {
    ...refundParams(refund),
    now,
    pendingRefundAmount: trade.pendingRefundAmount,
    refundCount: trade.refundCount,
  };
  const written = await refusalOf(
    readAs
      ? existingRefund(trx, { ...params, refundId: refund.id, readStatus: readAs.status, readUpdatedAt: readAs.updatedAt })
      : newRefund(trx, { ...params, outRequestNo: refund.outRequestNo, createdAt: refund.createdAt }),
    ['refund_changed'] as const,
  );
  return 'refused' in written ? null : Number(written.rows[0]?.id);
}

async function acceptOnSqlite(trx: Trx, { refund, readAs, trade, now }: RefundAcceptance): Promise<number> {
  const refundId = await saveRefund(trx, refund, readAs !== null);
  await updateTrade(trx, refund.tradeNo, trade);
  await addJob(trx, { kind: 'refund', subject: String(refundId), runAt: now, now });
  return refundId;
}
