/**
 * Where the money of a refund's bank-card allocations finally went, once the bank answered
 * (`fund_allocations.returned_to`): back to the card on `S`; to the buyer's Alipay balance on `F`, the bank
 * having refused it.
 */
import { sql } from 'kysely';
import type { Db } from '../store.js';

/** The channel a refused deposit-back is returned to instead: the buyer's Alipay balance. */
export const REFUSED_DEPOSIT_BACK_CHANNEL = 'ALIPAYACCOUNT';

/** Records, for each settled bank-card allocation of the refund not yet recorded, where its money went. */
export async function recordDepositBackReturns(db: Db, refundId: number): Promise<void> {
  await db
    .updateTable('fundAllocations')
    .set({ returnedTo: sql<string>`case when dback_status = 'F' then ${REFUSED_DEPOSIT_BACK_CHANNEL} else fund_channel end` })
    .where('refundId', '=', refundId)
    .where('dbackStatus', 'in', ['S', 'F'])
    .where('returnedTo', 'is', null)
    .execute();
}

/** Where each settled allocation of these refunds went, by refund id and then fund-bill position. */
export async function findDepositBackReturns(db: Db, refundIds: readonly number[]): Promise<Map<number, Map<number, string>>> {
  const found = new Map<number, Map<number, string>>();
  if (refundIds.length === 0) return found;
  const rows = await db
    .selectFrom('fundAllocations')
    .select(['refundId', 'position', 'returnedTo'])
    .where('refundId', 'in', [...refundIds])
    .where('returnedTo', 'is not', null)
    .execute();
  for (const row of rows) {
    if (row.returnedTo === null) continue;
    const byPosition = found.get(row.refundId) ?? new Map<number, string>();
    byPosition.set(row.position, row.returnedTo);
    found.set(row.refundId, byPosition);
  }
  return found;
}
