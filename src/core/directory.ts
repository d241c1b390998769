/** Everything an operator browses, a page at a time, newest first: merchants, apps, buyers and batches. */
import { findApp } from '../store/sql/apps.js';
import { findBatchById } from '../store/sql/batches.js';
import { listAppIds, listBatchIds, listBuyerUserIds, listMerchantPids } from '../store/sql/directory-listings.js';
import { findMerchant } from '../store/sql/merchants.js';
import type { App, Batch, Buyer, Merchant } from '../interfaces.js';
import { buyerByUserId } from './buyers.js';
import type { CoreDeps } from './deps.js';

/** How many of a kind one page shows. (Default: 200) */
const PAGE = 200;

/** What exists among the keys read: a row deleted between the two reads is simply not shown. */
function present<T>(values: ReadonlyArray<T | undefined>): T[] {
  return values.filter((value): value is T => value !== undefined);
}

export async function listMerchants(deps: CoreDeps, limit = PAGE): Promise<Merchant[]> {
  const pids = await listMerchantPids(deps.store.db, limit);
  return present(await Promise.all(pids.map((pid) => findMerchant(deps.store.db, pid))));
}

export async function listApps(deps: CoreDeps, filter: { pid?: string | undefined } = {}, limit = PAGE): Promise<App[]> {
  const ids = await listAppIds(deps.store.db, { pid: filter.pid, limit });
  return present(await Promise.all(ids.map((id) => findApp(deps.store.db, id))));
}

export async function listBuyers(deps: CoreDeps, limit = PAGE): Promise<Buyer[]> {
  const ids = await listBuyerUserIds(deps.store.db, limit);
  return present(await Promise.all(ids.map((id) => buyerByUserId(deps, id))));
}

export async function listBatches(deps: CoreDeps, limit = PAGE): Promise<Batch[]> {
  const ids = await listBatchIds(deps.store.db, limit);
  return present(await Promise.all(ids.map((id) => findBatchById(deps.store.db, id))));
}

/** One batch by its id (batch_no is unique only per partner). */
export function batchById(deps: CoreDeps, id: number): Promise<Batch | undefined> {
  return findBatchById(deps.store.db, id);
}
