/**
 * Provoked failures, for testing a merchant's error handling: the next `times` calls of a method answer
 * with a chosen error — `before` the method runs (nothing happens), or `after` it has run and committed
 * (the outcome is unknown to the caller, as when Alipay answers ACQ.SYSTEM_ERROR to a refund that went through).
 */
import { countArmedFaults, deleteFaults, insertFault, listFaults, takeFault, type Fault } from '../store/sql/faults.js';
import { SystemClock, type Clock } from './clock.js';
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

/**
 * Tells the gateway whether a call must fail, without a database query per call while none is armed:
 * whether any fault is armed is read at most every `ttlMs` (a fault armed through another process takes
 * effect within that time; one armed through this process, at once).
 */
export class FaultWatch {
  readonly #deps: CoreDeps;
  readonly #realClock: Clock;
  readonly #ttlMs: number;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #armed = false;

  /** `ttlMs` (Default: 250) */
  constructor(deps: CoreDeps, { ttlMs = 250, realClock = new SystemClock() }: { ttlMs?: number; realClock?: Clock } = {}) {
    this.#deps = deps;
    this.#ttlMs = ttlMs;
    this.#realClock = realClock;
  }

  async arm(request: FaultRequest): Promise<Fault> {
    const fault = await armFault(this.#deps, request);
    this.#armed = true;
    this.#checkedAt = this.#realClock.now();
    return fault;
  }

  /** Reads whether any fault is armed again at the next call (the faults table may hold other rows now: a restore). */
  forget(): void {
    this.#checkedAt = Number.NEGATIVE_INFINITY;
  }

  /** Takes one use of a fault armed for `method`, if any. */
  async next(method: string): Promise<Fault | null> {
    const now = this.#realClock.now();
    if (now - this.#checkedAt > this.#ttlMs) {
      this.#armed = (await countArmedFaults(this.#deps.store.db)) > 0;
      this.#checkedAt = now;
    }
    return this.#armed ? takeFault(this.#deps.store.db, method) : null;
  }
}
