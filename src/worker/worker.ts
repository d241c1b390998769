/**
 * The worker: claims due jobs from the jobs table and runs them. A job's failure is data — its next
 * run time and last error are written back — and a worker that dies leaves its jobs to be taken over
 * once their lease runs out. Any number of workers, in any number of processes, share the table.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { nextJobRetry } from '../core/retry-schedules.js';
import { claimJobs, completeJob, hasClaimableJob, killJob, renewLease, rescheduleJob, type Job, type JobKind } from '../store/sql/jobs.js';
import type { Store } from '../store/store.js';

export type JobOutcome = { kind: 'done' } | { kind: 'retry'; at: number; error?: string };

export type JobHandlers = Record<JobKind, (subject: string) => Promise<JobOutcome>>;

/** One run of a job, as this worker recorded it: done, to run again at `nextRunAt` (`retry`, or `failed` when it threw), or `dead`. */
export interface JobRun {
  id: number;
  kind: JobKind;
  subject: string;
  outcome: 'done' | 'retry' | 'failed' | 'dead';
  /** Business time when the run was recorded. */
  at: number;
  nextRunAt: number | null;
  error: string | null;
}

/** Runs of a job that may throw before it is dead. */
export const MAX_JOB_ATTEMPTS = 10;

export interface WorkerOptions {
  store: Store;
  /** Business time: when jobs are due. */
  clock: Clock;
  /** Real time: leases. */
  realClock: Clock;
  handlers: JobHandlers;
  logger: Logger;
  /** How long a claimed job is this worker's before others may take it over; renewed while it runs. (Default: 60 s) */
  leaseMs?: number;
  /** How often to look for due jobs when not woken. (Default: 200 ms) */
  pollMs?: number;
  /** Jobs run side by side at most; a slot freed by one is taken by the next due job at once. (Default: 16) */
  batchSize?: number;
  /**
   * While jobs run, free slots that a claim waits for: under load each job's end (and each wake by a refund.apply)
   * would otherwise be a claim of its own — two statements, on SQLite a write transaction — taking one job.
   * With nothing running, a claim takes what is due at once. (Default: 4)
   */
  claimAtLeast?: number;
  /** Runs of a job that may throw before it is dead (kept, with its last error, until run again by hand). (Default: 10) */
  maxAttempts?: number;
  /** How often a running job's lease is renewed, in real time. (Default: a third of the lease) */
  renewEveryMs?: number;
  /** Runs before each claim: reads the shared virtual clock, which another process may have moved. (Default: nothing) */
  beforeClaim?: () => Promise<void>;
}

export class Worker {
  readonly id = `worker-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly #options: Required<Omit<WorkerOptions, 'handlers' | 'logger' | 'beforeClaim' | 'renewEveryMs'>> &
    Pick<WorkerOptions, 'handlers' | 'logger' | 'beforeClaim' | 'renewEveryMs'>;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #stopping = false;
  #draining: Promise<void> | null = null;
  #again = false;
  /** Resolves the wait of a drain that has free slots, when new jobs may be due. */
  #nudge: (() => void) | null = null;
  readonly #observers = new Set<(run: JobRun) => void>();

  constructor(options: WorkerOptions) {
    this.#options = { leaseMs: 60_000, pollMs: 200, batchSize: 16, claimAtLeast: 4, maxAttempts: MAX_JOB_ATTEMPTS, ...options };
  }

  /** Whether it looks for due jobs by itself (started, not stopped). */
  get running(): boolean {
    return this.#running;
  }

  /** Calls `observer` after every run this worker records (what `POST /admin/v1/clock` answers ran); returns what stops it. */
  onRun(observer: (run: JobRun) => void): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  #report(job: Job, outcome: JobRun['outcome'], nextRunAt: number | null, error: string | null): void {
    const run: JobRun = { id: job.id, kind: job.kind, subject: job.subject, outcome, at: this.#options.clock.now(), nextRunAt, error };
    for (const observer of this.#observers) observer(run);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = false;
    this.#schedule(0);
  }

  /** Stops looking for jobs, claims nothing more and waits for the jobs in hand. A drain asked for later still runs. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#nudge?.();
    await this.#draining;
    this.#stopping = false;
  }

  /** Looks for due jobs now rather than at the next poll (after a change that owes work). */
  wake(): void {
    this.#again = true;
    this.#nudge?.();
    if (this.#running && !this.#draining) this.#schedule(0);
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
   * Runs due jobs until none is left and none is running. One drain at a time per worker: a call during a
   * drain waits for it and then drains again, so jobs that fell due meanwhile are not missed.
   */
  async drain(): Promise<void> {
    if (this.#draining) {
      this.#again = true;
      this.#nudge?.();
      await this.#draining;
      if (!this.#again) return;
    }
    this.#draining = this.#drainLoop().finally(() => {
      this.#draining = null;
    });
    await this.#draining;
  }

  /**
   * Jobs run side by side, each in a slot of its own: a freed slot is filled by the next due job without
   * waiting for the others, so one merchant's slow notify_url holds up one slot, not everyone's notifications.
   */
  async #drainLoop(): Promise<void> {
    const running = new Set<Promise<void>>();
    for (;;) {
      this.#again = false;
      const free = this.#options.batchSize - running.size;
      const waitForSlots = running.size > 0 && free < Math.min(this.#options.claimAtLeast, this.#options.batchSize);
      const claimed = this.#stopping || waitForSlots ? [] : await this.#claim(free);
      for (const job of claimed) {
        const run: Promise<void> = this.#run(job).finally(() => running.delete(run));
        running.add(run);
      }
      if (running.size === 0 && claimed.length === 0 && !this.#again) return;
      // Full, or nothing more due for now: wait for a slot to free, a wake, or the next poll.
      await this.#waitForChange(running);
    }
  }

  async #claim(free: number): Promise<Job[]> {
    if (free <= 0) return [];
    await this.#options.beforeClaim?.();
    const now = this.#options.clock.now();
    const realNow = this.#options.realClock.now();
    if (!(await hasClaimableJob(this.#options.store.db, { now, realNow }))) return [];
    return claimJobs(this.#options.store.db, { workerId: this.id, now, realNow, leaseMs: this.#options.leaseMs, limit: free });
  }

  async #waitForChange(running: Set<Promise<void>>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const nudged = new Promise<void>((resolve) => {
      this.#nudge = resolve;
      // With jobs in hand, look for newly due ones at the poll interval; with none, the drain ends instead.
      if (running.size > 0) timer = setTimeout(resolve, this.#options.pollMs);
      else resolve();
    });
    await Promise.race([nudged, ...running]);
    clearTimeout(timer);
    this.#nudge = null;
  }

  /** Runs one job and records its outcome; never rejects (a store that cannot record it leaves the lease to run out). */
  async #run(job: Job): Promise<void> {
    try {
      await this.#runAndRecord(job);
    } catch (error) {
      this.#options.logger.error({ err: error, job: job.id, kind: job.kind }, 'could not record a job run');
    }
  }

  async #runAndRecord(job: Job): Promise<void> {
    const db = this.#options.store.db;
    const renewal = this.#keepLease(job);
    let outcome: JobOutcome;
    try {
      outcome = await this.#options.handlers[job.kind](job.subject);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#options.logger.error({ err: error, job: job.id, kind: job.kind, attempts: job.attempts + 1 }, 'job failed');
      const now = this.#options.clock.now();
      if (job.attempts + 1 >= this.#options.maxAttempts) {
        await killJob(db, job, this.id, { now, error: message });
        this.#report(job, 'dead', null, message);
      } else {
        const at = nextJobRetry(job.attempts, now);
        await rescheduleJob(db, job, this.id, at, message);
        this.#report(job, 'failed', at, message);
      }
      return;
    } finally {
      clearInterval(renewal);
    }
    // Both only touch the revision claimed: a job scheduled again while it ran (a refund revived by a new
    // refund.apply just after this run gave it up) is run again, not deleted.
    if (outcome.kind === 'done') {
      await completeJob(db, job, this.id);
      this.#report(job, 'done', null, null);
    } else {
      await rescheduleJob(db, job, this.id, outcome.at, outcome.error ?? null);
      this.#report(job, 'retry', outcome.at, outcome.error ?? null);
    }
  }

  /** Renews the job's lease while it runs (a 1,000-line batch outlives one lease), so a live worker is not taken over. */
  #keepLease(job: Job): NodeJS.Timeout {
    const every = this.#options.renewEveryMs ?? Math.max(50, Math.floor(this.#options.leaseMs / 3));
    const timer = setInterval(() => {
      renewLease(this.#options.store.db, job, this.id, this.#options.realClock.now() + this.#options.leaseMs)
        .then((kept) => {
          if (!kept) {
            clearInterval(timer);
            this.#options.logger.warn({ job: job.id, kind: job.kind }, 'job taken over by another worker');
          }
        })
        .catch((error: unknown) => this.#options.logger.warn({ err: error, job: job.id }, 'could not renew a job lease'));
    }, every);
    timer.unref();
    return timer;
  }
}
