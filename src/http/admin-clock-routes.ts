/** Admin API: the clock (advanced by hand when virtual) and the jobs waiting for it. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { formatChinaTime } from '../core/china-time.js';
import { VirtualClock } from '../core/clock.js';
import { DomainError } from '../core/domain-error.js';
import type { Services } from '../methods/services.js';
import { time } from './admin-views.js';
import { listJobs } from '../store/sql/jobs.js';
import { advanceClock } from '../worker/advance-clock.js';
import type { Worker } from '../worker/worker.js';

const advanceBody = z.object({ advance_seconds: z.number().min(0).max(366 * 86400) });

export async function adminClockRoutes(app: FastifyInstance, options: { services: Services; worker: Worker }): Promise<void> {
  const { services } = options;
  const view = () => ({ kind: services.clock.kind, now: formatChinaTime(services.clock.now()), now_ms: services.clock.now() });

  app.get('/clock', async () => view());

  app.post('/clock', async (request) => {
    const parsed = advanceBody.safeParse(request.body ?? {});
    if (!parsed.success) throw new DomainError('invalid_request', 'advance_seconds: a number of seconds, 0 or more');
    if (!(services.clock instanceof VirtualClock)) {
      throw new DomainError('clock_not_virtual', 'the clock is real; start tuikuan with --clock virtual to advance it');
    }
    await advanceClock(services.store, services.clock, options.worker, parsed.data.advance_seconds);
    return view();
  });

  app.get('/jobs', async () => ({
    jobs: (await listJobs(services.store.db)).map((job) => ({
      id: job.id,
      kind: job.kind,
      subject: job.subject,
      run_at: formatChinaTime(job.runAt),
      attempts: job.attempts,
      last_error: job.lastError,
      locked_by: job.lockedBy,
      locked_until: time(job.lockedUntil),
    })),
  }));
}
