/**
 * The keys of everything the console lists — merchants, apps, buyers, batches — newest first, a page at a time.
 * The rows themselves are read through each table's own finder, so each mapping from row to domain type stays
 * in one place.
 */
import type { Db } from '../store.js';

export async function listMerchantPids(db: Db, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('merchants').select('pid').orderBy('createdAt', 'desc').orderBy('pid').limit(limit).execute();
  return rows.map((row) => row.pid);
}

export async function listAppIds(db: Db, filter: { pid?: string | undefined; limit: number }): Promise<string[]> {
  let query = db.selectFrom('apps').select('appId').orderBy('createdAt', 'desc').orderBy('appId').limit(filter.limit);
  if (filter.pid) query = query.where('pid', '=', filter.pid);
  return (await query.execute()).map((row) => row.appId);
}

export async function listBuyerUserIds(db: Db, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('buyers').select('buyerUserId').orderBy('createdAt', 'desc').orderBy('buyerUserId').limit(limit).execute();
  return rows.map((row) => row.buyerUserId);
}

export async function listBatchIds(db: Db, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('batches').select('id').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((row) => row.id);
}
