/**
 * Provoked failures, for testing a merchant's error handling: the next `times` calls of a method answer
 * with a chosen error — `before` the method runs (nothing happens), or `after` it has run and committed
 * (the outcome is unknown to the caller, as when Alipay answers ACQ.SYSTEM_ERROR to a refund that went through).
 */
import { deleteFaults, insertFault, listFaults, takeFault, type Fault } from '../store/sql/faults.js';
import type { CoreDeps } from './deps.js';

export type { Fault };

export interface FaultRequest {
  method: string;
  subCode: string;
  /** How many calls fail. (Default: 1) */
  times?: number;
  /** (Default: before) */
  phase?: 'before' | 'after';
}

export async function armFault(deps: CoreDeps, request: FaultRequest): Promise<Fault> {
  const fault = {
    method: request.method,
    subCode: request.subCode,
    phase: request.phase ?? 'before',
    remaining: request.times ?? 1,
    createdAt: deps.clock.now(),
  };
  return { id: await insertFault(deps.store.db, fault), ...fault };
}

export function armedFaults(deps: CoreDeps): Promise<Fault[]> {
  return listFaults(deps.store.db);
}

export function clearFaults(deps: CoreDeps): Promise<void> {
  return deleteFaults(deps.store.db);
}

export function nextFault(deps: CoreDeps, method: string): Promise<Fault | null> {
  return takeFault(deps.store.db, method);
}
