/**
 * The only way a merchant's balance changes: one ledger entry and the balance it moves, in the caller's
 * transaction. The balance never goes below zero — the conditional update is what refuses, so two
 * refunds racing on different trades of one merchant cannot overdraw it.
 */
import { sql } from 'kysely';
import type { Fen } from '../../interfaces.js';
import { firstRow, prepareQuery } from '../prepared-query.js';
import type { Db } from '../store.js';

export type LedgerEntryKind = 'opening' | 'adjustment' | 'payment' | 'fee' | 'refund' | 'fee_refund';

export interface LedgerEntry {
  pid: string;
  amount: Fen;
  kind: LedgerEntryKind;
  tradeNo?: string | null;
  refundId?: number | null;
  memo?: string | null;
  createdAt: number;
}

const balanceOf = prepareQuery((db, p: { pid: string }) => db.selectFrom('merchants').select('balance').where('pid', '=', p.pid));
const moveBalance = prepareQuery((db, p: { pid: string; amount: Fen }) =>
  db
    .updateTable('merchants')
    .set({ balance: sql<number>`balance + ${p.amount}` })
    .where('pid', '=', p.pid)
    .where(sql<boolean>`balance + ${p.amount} >= 0`)
    .returning('balance'),
);
const insertLedgerEntry = prepareQuery((db, p: Required<LedgerEntry>) => db.insertInto('ledgerEntries').values(p));

/** Returns the new balance, or null (and writes nothing) when the entry would make it negative. */
export async function applyLedgerEntry(db: Db, entry: LedgerEntry): Promise<Fen | null> {
  if (entry.amount === 0) {
    const row = await firstRow(balanceOf, db, { pid: entry.pid });
    return row ? row.balance : null;
  }
  const updated = await firstRow(moveBalance, db, { pid: entry.pid, amount: entry.amount });
  if (!updated) return null;
  await insertLedgerEntry(db, {
    pid: entry.pid,
    amount: entry.amount,
    kind: entry.kind,
    tradeNo: entry.tradeNo ?? null,
    refundId: entry.refundId ?? null,
    memo: entry.memo ?? null,
    createdAt: entry.createdAt,
  });
  return updated.balance;
}

export async function sumLedgerEntries(db: Db, pid: string): Promise<Fen> {
  const row = await db.selectFrom('ledgerEntries').select(sql<number>`coalesce(sum(amount), 0)`.as('total')).where('pid', '=', pid).executeTakeFirstOrThrow();
  return Number(row.total);
}

export interface LedgerEntryRow extends LedgerEntry {
  id: number;
}

export async function listLedgerEntries(db: Db, pid: string, limit = 1000): Promise<LedgerEntryRow[]> {
  const rows = await db.selectFrom('ledgerEntries').selectAll().where('pid', '=', pid).orderBy('id').limit(limit).execute();
  return rows.map((row) => ({ ...row, kind: row.kind as LedgerEntryKind }));
}
