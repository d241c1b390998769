/** The jobs as they are read back, and a dead one (given up after too many failed runs) made due again by hand. */
import { findJob, listJobs, retryDeadJob, type Job } from '../store/sql/jobs.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './domain-error.js';

export type { Job };

export function allJobs(deps: CoreDeps): Promise<Job[]> {
  return listJobs(deps.store.db);
}

/** A dead job made due again, now; `job_not_found` or `job_not_dead` otherwise. */
export async function retryDead(deps: CoreDeps, idText: string): Promise<Job> {
  const id = Number(idText);
  const job = Number.isSafeInteger(id) ? await findJob(deps.store.db, id) : undefined;
  if (!job) throw new DomainError('job_not_found', `no job ${idText}`);
  if (!(await retryDeadJob(deps.store.db, job.id, deps.clock.now()))) throw new DomainError('job_not_dead', `job ${job.id} is not dead`);
  return (await findJob(deps.store.db, job.id)) ?? job;
}
