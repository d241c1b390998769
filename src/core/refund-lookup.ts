/** Refunds as they are read back by filter (trade, out_request_no, batch, status), each with its allocations. */
import { listRefunds, type RefundFilter } from '../store/sql/refunds.js';
import type { CoreDeps } from './deps.js';
import type { Refund } from '../interfaces.js';

export type { RefundFilter };

export function findRefunds(deps: CoreDeps, filter: RefundFilter): Promise<Refund[]> {
  return listRefunds(deps.store.db, filter);
}
