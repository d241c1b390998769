/**
 * Workers of a test's own, beside (or instead of) the harness's: the real job handlers, on the harness's store
 * and business clock, with leases on a virtual clock of their own — so a test can let a lease run out, or hold a
 * worker "paused" (renewing nothing), without waiting for real time.
 */
import { createPrivateKey } from 'node:crypto';
import { pino } from 'pino';
import { VirtualClock } from '../../src/core/clock.js';
import type { Services } from '../../src/methods/services.js';
import { getPlatformKeys } from '../../src/store/sql/platform.js';
import { jobHandlers } from '../../src/worker/job-handlers.js';
import { Worker, type JobHandlers, type WorkerOptions } from '../../src/worker/worker.js';

export interface TestWorkers {
  /** The real handlers, as tuikuan runs them. */
  handlers: JobHandlers;
  /** The clock leases are measured on: move it past a lease to let it run out. */
  leaseClock: VirtualClock;
  leaseMs: number;
  /** A worker with the real handlers, or with some of them replaced. */
  worker(options?: Partial<Omit<WorkerOptions, 'store' | 'clock' | 'realClock' | 'logger' | 'leaseMs'>>): Worker;
  /** A worker that is paused: it renews no lease, as a stopped or partitioned process would not. */
  pausedWorker(options?: Partial<Omit<WorkerOptions, 'store' | 'clock' | 'realClock' | 'logger' | 'leaseMs'>>): Worker;
}

export async function testWorkers(services: Services, leaseMs = 5_000): Promise<TestWorkers> {
  const keys = await getPlatformKeys(services.store.db);
  if (!keys) throw new Error('the platform key is made at start');
  const handlers = jobHandlers({ store: services.store, clock: services.clock, platformKey: createPrivateKey(keys.privateKeyPem) });
  const leaseClock = new VirtualClock(Date.now());
  const worker: TestWorkers['worker'] = (options = {}) =>
    new Worker({ store: services.store, clock: services.clock, realClock: leaseClock, logger: pino({ level: 'silent' }), leaseMs, handlers, ...options });
  return { handlers, leaseClock, leaseMs, worker, pausedWorker: (options = {}) => worker({ renewEveryMs: 3_600_000, ...options }) };
}
