/**
 * The jobs table: background work due at `run_at` (business time, the Clock's), claimed under a lease
 * (`locked_until`, real time: a lease is about a process being alive, not about the business day).
 * Claiming uses `for update skip locked` on PostgreSQL so any number of workers share the table.
 *
 * A job may be scheduled again while a worker runs it (a refund.apply reviving the refund that run has just
 * given up). Each scheduling bumps the job's `revision`, and a run completes or reschedules only the revision
 * it claimed: a job re-armed meanwhile is let go, due at once, instead of being deleted.
 *
 * A job whose runs keep throwing is dead (`dead_at`) once the worker gives up on it: it stays in the table,
 * with its last error, unclaimed, until it is run again by hand (`retryDeadJob`) or scheduled again.
 */
import { sql, type RawBuilder } from 'kysely';
import type { JobRow } from '../schema.js';
import { allRows, prepareQuery } from '../prepared-query.js';
import type { Db } from '../store.js';

/** `trade_expiry`: a trade waiting for its buyer closes when its order's timeout passes (waiting-trade.ts). */
export type JobKind = 'refund' | 'notify' | 'deposit_back' | 'batch' | 'trade_expiry';

export interface Job {
  id: number;
  kind: JobKind;
  subject: string;
  runAt: number;
  attempts: number;
  lastError: string | null;
  /** The worker holding the job, and until when (real time); null when no one does. */
  lockedBy: string | null;
  lockedUntil: number | null;
  /** How many times the job has been scheduled again since it was first added. */
  revision: number;
  /** When the worker gave the job up after too many failed runs; null while it is live. */
  deadAt: number | null;
}

/** What a worker knows of a job it claimed: which job, and which revision of it. */
export type ClaimedJob = Pick<Job, 'id' | 'revision'>;

/**
 * Schedules `kind` for `subject` at `runAt`. One job per (kind, subject): scheduling it again moves the
 * existing job to the earlier of the two times and bumps its revision, so that a run in progress does not
 * complete it. A dead job scheduled again lives again, with its failures forgotten: there is new work.
 */
export async function addJob(db: Db, job: { kind: JobKind; subject: string; runAt: number; now: number }): Promise<void> {
  await upsertJob(db, job);
}

const upsertJob = prepareQuery((db, p: { kind: JobKind; subject: string; runAt: number; now: number }) =>
  db
    .insertInto('jobs')
    .values({
      kind: p.kind,
      subject: p.subject,
      runAt: p.runAt,
      attempts: 0,
      lastError: null,
      lockedBy: null,
      lockedUntil: null,
      revision: 0,
      deadAt: null,
      createdAt: p.now,
    })
    .onConflict((oc) =>
      oc.columns(['kind', 'subject']).doUpdateSet({
        runAt: sql<number>`case when jobs.dead_at is null and jobs.run_at < excluded.run_at then jobs.run_at else excluded.run_at end`,
        revision: sql<number>`jobs.revision + 1`,
        attempts: sql<number>`case when jobs.dead_at is null then jobs.attempts else 0 end`,
        deadAt: null,
      }),
    ),
);

export interface ClaimOptions {
  workerId: string;
  /** Business time: jobs with run_at at or before it are due. */
  now: number;
  /** Real time, for leases. */
  realNow: number;
  leaseMs: number;
  limit: number;
}

/**
 * Whether a due job that no live worker holds exists: a read, to look before claiming, since a claim is a
 * write (on SQLite the database's write lock and a sync) and most wakes and polls find nothing to do.
 */
export async function hasClaimableJob(db: Db, at: { now: number; realNow: number }): Promise<boolean> {
  return (await allRows(claimableJob, db, at)).length > 0;
}

const claimableJob = prepareQuery((db, p: { now: number; realNow: number }) =>
  db
    .selectFrom('jobs')
    .select('id')
    .where('runAt', '<=', p.now)
    .where('deadAt', 'is', null)
    .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<', p.realNow)]))
    .limit(1),
);

/** Claims up to `limit` due jobs that no live worker holds, oldest first. */
export async function claimJobs(db: Db, options: ClaimOptions): Promise<Job[]> {
  const rows = await allRows(claimDueJobs, db, {
    workerId: options.workerId,
    now: options.now,
    realNow: options.realNow,
    lockedUntil: options.realNow + options.leaseMs,
    limit: options.limit,
  });
  return rows.sort((a, b) => a.runAt - b.runAt || a.id - b.id).map(toJob);
}

const claimDueJobs = prepareQuery((db, p: { workerId: string; now: number; realNow: number; lockedUntil: number; limit: number }) => {
  const due = db
    .selectFrom('jobs')
    .select('id')
    .where('runAt', '<=', p.now)
    .where('deadAt', 'is', null)
    .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<', p.realNow)]))
    .orderBy('runAt')
    .orderBy('id')
    .limit(p.limit)
    .forUpdate()
    .skipLocked();
  return db.updateTable('jobs').set({ lockedBy: p.workerId, lockedUntil: p.lockedUntil }).where('id', 'in', due).returningAll();
});

/**
 * The run is done: the job leaves the table — unless it was scheduled again while it ran, when it is let go
 * to run again at its (earlier) due time. Only its holder can complete it.
 */
export async function completeJob(db: Db, job: ClaimedJob, workerId: string): Promise<void> {
  const claim = { id: job.id, revision: job.revision, workerId };
  await deleteClaimedJob(db, claim);
  // Still there and still ours only if re-armed (another revision): it owes another run.
  await releaseRearmedJob(db, claim);
}

/**
 * The job is no longer owed (a trade paid or closed before its expiry): it leaves the table unless a worker is
 * running it, which then finds nothing to do.
 */
export async function dropJob(db: Db, kind: JobKind, subject: string): Promise<void> {
  await db.deleteFrom('jobs').where('kind', '=', kind).where('subject', '=', subject).where('lockedBy', 'is', null).execute();
}

type Claim = { id: number; revision: number; workerId: string };
const deleteClaimedJob = prepareQuery((db, p: Claim) =>
  db.deleteFrom('jobs').where('id', '=', p.id).where('lockedBy', '=', p.workerId).where('revision', '=', p.revision),
);
const releaseRearmedJob = prepareQuery((db, p: Claim) =>
  db
    .updateTable('jobs')
    .set({ lockedBy: null, lockedUntil: null })
    .where('id', '=', p.id)
    .where('lockedBy', '=', p.workerId)
    .where('revision', '<>', p.revision),
);

/**
 * The job runs again at `runAt`; a failure is kept as data (attempts, last_error). A job scheduled again
 * while it ran keeps the earlier of its due time and `runAt`.
 */
export async function rescheduleJob(db: Db, job: ClaimedJob, workerId: string, runAt: number, error: string | null): Promise<void> {
  const claim = { id: job.id, revision: job.revision, workerId, runAt };
  await (error === null ? rescheduleWaitingJob(db, claim) : rescheduleFailedJob(db, { ...claim, error }));
}

// A job that waits (its handler asked to run later) keeps its attempts; a failure counts one more.
const rescheduleWaitingJob = prepareQuery((db, p: Claim & { runAt: number }) => rescheduleQuery(db, p, null, sql<number>`attempts`));
const rescheduleFailedJob = prepareQuery((db, p: Claim & { runAt: number; error: string }) => rescheduleQuery(db, p, p.error, sql<number>`attempts + 1`));

function rescheduleQuery(db: Db, p: Claim & { runAt: number }, lastError: string | null, attempts: RawBuilder<number>) {
  return db
    .updateTable('jobs')
    .set({
      runAt: sql<number>`case when revision = ${p.revision} or run_at > ${p.runAt} then ${p.runAt} else run_at end`,
      lockedBy: null,
      lockedUntil: null,
      lastError,
      attempts,
    })
    .where('id', '=', p.id)
    .where('lockedBy', '=', p.workerId);
}

/**
 * The run threw once too often: the job is dead, kept with its last error and not claimed again — unless it
 * was scheduled again while it ran (another revision), when that new work is owed and it runs at once.
 */
export async function killJob(db: Db, job: ClaimedJob, workerId: string, at: { now: number; error: string }): Promise<void> {
  await killClaimedJob(db, { id: job.id, revision: job.revision, workerId, now: at.now, error: at.error });
}

const killClaimedJob = prepareQuery((db, p: Claim & { now: number; error: string }) =>
  db
    .updateTable('jobs')
    .set({
      deadAt: sql<number | null>`case when revision = ${p.revision} then cast(${p.now} as bigint) else null end`,
      attempts: sql<number>`case when revision = ${p.revision} then attempts + 1 else 0 end`,
      lockedBy: null,
      lockedUntil: null,
      lastError: p.error,
    })
    .where('id', '=', p.id)
    .where('lockedBy', '=', p.workerId),
);

/** Runs a dead job again, due at `now`, its failures forgotten (its last error kept); false when it is not dead. */
export async function retryDeadJob(db: Db, id: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ deadAt: null, attempts: 0, runAt: now, revision: sql<number>`revision + 1` })
    .where('id', '=', id)
    .where('deadAt', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The worker running a long job keeps it: its lease is moved to `lockedUntil`. False when the job is no
 * longer this worker's (its lease ran out and another took it over): the run's work is then the other's.
 */
export async function renewLease(db: Db, job: ClaimedJob, workerId: string, lockedUntil: number): Promise<boolean> {
  const rows = await allRows(renewClaimedLease, db, { id: job.id, workerId, lockedUntil });
  return rows.length === 1;
}

const renewClaimedLease = prepareQuery((db, p: { id: number; workerId: string; lockedUntil: number }) =>
  db.updateTable('jobs').set({ lockedUntil: p.lockedUntil }).where('id', '=', p.id).where('lockedBy', '=', p.workerId).returning('id'),
);

/** When the next live job falls due (business time), locked or not; null when there is none. */
export async function nextJobTime(db: Db): Promise<number | null> {
  const row = await db.selectFrom('jobs').select(sql<number | null>`min(run_at)`.as('next')).where('deadAt', 'is', null).executeTakeFirst();
  return row?.next === null || row?.next === undefined ? null : Number(row.next);
}

export async function countDueJobs(db: Db, now: number): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select(sql<number>`count(*)`.as('count'))
    .where('runAt', '<=', now)
    .where('deadAt', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function listJobs(db: Db): Promise<Job[]> {
  const rows = await db.selectFrom('jobs').selectAll().orderBy('runAt').orderBy('id').execute();
  return rows.map(toJob);
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    subject: row.subject,
    runAt: row.runAt,
    attempts: row.attempts,
    lastError: row.lastError,
    lockedBy: row.lockedBy,
    lockedUntil: row.lockedUntil,
    revision: row.revision,
    deadAt: row.deadAt === null ? null : Number(row.deadAt),
  };
}

export async function findJob(db: Db, id: number): Promise<Job | undefined> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toJob(row);
}
