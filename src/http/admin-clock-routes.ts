/** Admin API: the clock (advanced by hand when virtual, by seconds or to the next job, answering what ran) and the jobs waiting for it, dead ones run again by hand. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { formatChinaTime } from '../protocol/china-time.js';
import { VirtualClock } from '../core/clock.js';
import { DomainError } from '../core/domain-error.js';
import type { Services } from '../methods/services.js';
import { time } from './admin-views.js';
import { allJobs, retryDead, type Job } from '../core/job-journal.js';
import { advanceClock, advanceToNextJob, runsDuring } from '../worker/advance-clock.js';
import type { JobRun, Worker } from '../worker/worker.js';

const advanceBody = z.union([
  z.object({
    advance_seconds: z
      .number()
      .min(0)
      .max(366 * 86400),
  }),
  z.object({ to_next_job: z.literal(true) }),
]);

/** A job run as the clock's answer lists it: what ran, how it ended, and when it runs next. */
function runView(run: JobRun): Record<string, unknown> {
  return {
    id: run.id,
    kind: run.kind,
    subject: run.subject,
    outcome: run.outcome,
    at: formatChinaTime(run.at),
    next_run_at: time(run.nextRunAt),
    error: run.error,
  };
}

export async function adminClockRoutes(app: FastifyInstance, options: { services: Services; worker: Worker }): Promise<void> {
  const { services } = options;
  const view = () => ({ kind: services.clock.kind, now: formatChinaTime(services.clock.now()), now_ms: services.clock.now() });

  app.get('/clock', async () => view());

  app.post('/clock', async (request) => {
    const parsed = advanceBody.safeParse(request.body ?? {});
    if (!parsed.success) throw new DomainError('invalid_request', 'advance_seconds: a number of seconds, 0 or more (or to_next_job: true)');
    const clock = services.clock;
    if (!(clock instanceof VirtualClock)) {
      throw new DomainError('clock_not_virtual', 'the clock is real; start tuikuan with --clock virtual to advance it');
    }
    const move = parsed.data;
    const ran = await runsDuring(options.worker, () =>
      'to_next_job' in move
        ? advanceToNextJob(services.store, clock, options.worker)
        : advanceClock(services.store, clock, options.worker, move.advance_seconds),
    );
    // What ran on the way, in this process (a separate worker process's runs are in GET /jobs and the notifications).
    return { ...view(), ran: ran.map(runView) };
  });

  const jobView = (job: Job) => ({
    id: job.id,
    kind: job.kind,
    subject: job.subject,
    // dead: given up after too many failed runs; running: a worker holds it (until locked_until); waiting: due at run_at.
    status: job.deadAt !== null ? 'dead' : job.lockedBy !== null ? 'running' : 'waiting',
    run_at: formatChinaTime(job.runAt),
    attempts: job.attempts,
    last_error: job.lastError,
    dead_at: time(job.deadAt),
    locked_by: job.lockedBy,
    locked_until: time(job.lockedUntil),
  });

  app.get('/jobs', async () => ({ jobs: (await allJobs(services)).map(jobView) }));

  app.post<{ Params: { id: string } }>('/jobs/:id/retry', async (request) => {
    const job = await retryDead(services, request.params.id);
    options.worker.wake();
    return jobView(job);
  });
}
