/**
 * The worker: claims due jobs from the jobs table and runs them. A job's failure is data — its next
 * run time and last error are written back — and a worker that dies leaves its jobs to be taken over
 * once their lease runs out. Any number of workers, in any number of processes, share the table.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { nextJobRetry } from '../core/retry-schedules.js';
import { claimJobs, completeJob, hasClaimableJob, rescheduleJob, type Job, type JobKind } from '../store/sql/jobs.js';
import type { Store } from '../store/store.js';

export type JobOutcome = { kind: 'done' } | { kind: 'retry'; at: number; error?: string };

export type JobHandlers = Record<JobKind, (subject: string) => Promise<JobOutcome>>;

export interface WorkerOptions {
  store: Store;
  /** Business time: when jobs are due. */
  clock: Clock;
  /** Real time: leases. */
  realClock: Clock;
  handlers: JobHandlers;
  logger: Logger;
  /** How long a claimed job is this worker's before others may take it over. (Default: 60 s) */
  leaseMs?: number;
  /** How often to look for due jobs when not woken. (Default: 200 ms) */
  pollMs?: number;
  /** Jobs claimed, and run side by side, at a time. (Default: 16) */
  batchSize?: number;
  /** Runs before each claim: reads the shared virtual clock, which another process may have moved. (Default: nothing) */
  beforeClaim?: () => Promise<void>;
}

export class Worker {
  readonly id = `worker-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly #options: Required<Omit<WorkerOptions, 'handlers' | 'logger' | 'beforeClaim'>> & Pick<WorkerOptions, 'handlers' | 'logger' | 'beforeClaim'>;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #draining: Promise<void> | null = null;
  #again = false;

  constructor(options: WorkerOptions) {
    this.#options = { leaseMs: 60_000, pollMs: 200, batchSize: 16, ...options };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#draining;
  }

  /** Looks for due jobs now rather than at the next poll (after a change that owes work). */
  wake(): void {
    if (this.#running) this.#schedule(0);
  }

  #schedule(delay: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.drain()
        .catch((error: unknown) => this.#options.logger.error({ err: error }, 'worker poll failed'))
        .finally(() => {
          if (this.#running && !this.#timer) this.#schedule(this.#options.pollMs);
        });
    }, delay);
  }

  /**
   * Runs due jobs until none is left. One drain at a time per worker: a call during a drain waits for it
   * and then drains again, so jobs that fell due meanwhile are not missed.
   */
  async drain(): Promise<void> {
    if (this.#draining) {
      this.#again = true;
      await this.#draining;
      if (!this.#again) return;
    }
    this.#draining = this.#drainLoop().finally(() => {
      this.#draining = null;
    });
    await this.#draining;
  }

  async #drainLoop(): Promise<void> {
    do {
      this.#again = false;
      for (;;) {
        await this.#options.beforeClaim?.();
        const now = this.#options.clock.now();
        const realNow = this.#options.realClock.now();
        if (!(await hasClaimableJob(this.#options.store.db, { now, realNow }))) break;
        const jobs = await claimJobs(this.#options.store.db, {
          workerId: this.id,
          now,
          realNow,
          leaseMs: this.#options.leaseMs,
          limit: this.#options.batchSize,
        });
        if (jobs.length === 0) break;
        // Claimed jobs run side by side: one merchant's slow notify_url must not hold up everyone else's.
        await Promise.all(jobs.map((job) => this.#run(job)));
      }
    } while (this.#again);
  }

  async #run(job: Job): Promise<void> {
    const db = this.#options.store.db;
    let outcome: JobOutcome;
    try {
      outcome = await this.#options.handlers[job.kind](job.subject);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#options.logger.error({ err: error, job: job.id, kind: job.kind }, 'job failed');
      await rescheduleJob(db, job, this.id, nextJobRetry(job.attempts, this.#options.clock.now()), message);
      return;
    }
    // Both only touch the revision claimed: a job scheduled again while it ran (a refund revived by a new
    // refund.apply just after this run gave it up) is run again, not deleted.
    if (outcome.kind === 'done') await completeJob(db, job, this.id);
    else await rescheduleJob(db, job, this.id, outcome.at, outcome.error ?? null);
  }
}
