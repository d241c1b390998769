/** Provoked failures: armed through the admin API, each taken by one matching gateway call. */
import { sql } from 'kysely';
import type { Db } from '../store.js';

export interface Fault {
  id: number;
  method: string;
  subCode: string;
  phase: 'before' | 'after';
  remaining: number;
  createdAt: number;
}

export async function insertFault(db: Db, fault: Omit<Fault, 'id'>): Promise<number> {
  const row = await db.insertInto('faults').values(fault).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function listFaults(db: Db): Promise<Fault[]> {
  const rows = await db.selectFrom('faults').selectAll().where('remaining', '>', 0).orderBy('id').execute();
  return rows.map((row) => ({ ...row, phase: row.phase === 'after' ? 'after' : 'before' }));
}

export async function deleteFaults(db: Db): Promise<void> {
  await db.deleteFrom('faults').execute();
}

/**
 * Takes one use of the oldest fault armed for `method`, if any. The conditional decrement makes two
 * concurrent calls take two uses, never the same one.
 */
export async function takeFault(db: Db, method: string): Promise<Fault | null> {
  for (;;) {
    const candidate = await db
      .selectFrom('faults')
      .selectAll()
      .where('method', '=', method)
      .where('remaining', '>', 0)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (!candidate) return null;
    const taken = await db
      .updateTable('faults')
      .set({ remaining: sql<number>`remaining - 1` })
      .where('id', '=', candidate.id)
      .where('remaining', '>', 0)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) return { ...candidate, phase: candidate.phase === 'after' ? 'after' : 'before' };
  }
}

export async function countArmedFaults(db: Db): Promise<number> {
  const row = await db.selectFrom('faults').select(sql<number>`count(*)`.as('count')).where('remaining', '>', 0).executeTakeFirstOrThrow();
  return Number(row.count);
}
