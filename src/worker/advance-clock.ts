/**
 * Moving the virtual clock: every job that falls due on the way runs, in order, at its own time, before
 * the call returns — so a test can advance 25 hours and find all eight notification attempts made.
 */
import type { VirtualClock } from '../core/clock.js';
import { countDueJobs, nextJobTime } from '../store/sql/jobs.js';
import { writeVirtualNow } from '../store/sql/platform.js';
import type { Store } from '../store/store.js';
import type { JobRun, Worker } from './worker.js';

const WAIT_FOR_OTHERS_MS = 20;

export async function advanceClock(store: Store, clock: VirtualClock, worker: Worker, seconds: number): Promise<number> {
  const target = clock.now() + Math.round(seconds * 1000);
  const moveTo = async (ms: number) => {
    clock.set(ms);
    await writeVirtualNow(store.db, ms);
  };
  await runDue(store, clock, worker);
  for (;;) {
    const next = await nextJobTime(store.db);
    if (next === null || next > target) break;
    if (next > clock.now()) await moveTo(next);
    await runDue(store, clock, worker);
  }
  await moveTo(target);
  await runDue(store, clock, worker);
  return clock.now();
}

/**
 * Moves the virtual clock to the next job's time (not at all when one is due already) and runs what is due then.
 * Resolves false, leaving the clock where it is, when no job waits.
 */
export async function advanceToNextJob(store: Store, clock: VirtualClock, worker: Worker): Promise<boolean> {
  const next = await nextJobTime(store.db);
  if (next === null) return false;
  await advanceClock(store, clock, worker, Math.max(0, next - clock.now()) / 1000);
  return true;
}

/** Runs `work` and gives back every job run this process's worker recorded meanwhile, in order. */
export async function runsDuring(worker: Worker, work: () => Promise<unknown>): Promise<JobRun[]> {
  const runs: JobRun[] = [];
  const stop = worker.onRun((run) => runs.push(run));
  try {
    await work();
  } finally {
    stop();
  }
  return runs;
}

/** Runs every job due now; jobs held by another process are waited for (their lease bounds the wait). */
async function runDue(store: Store, clock: VirtualClock, worker: Worker): Promise<void> {
  await worker.drain();
  while ((await countDueJobs(store.db, clock.now())) > 0) {
    await new Promise((resolve) => setTimeout(resolve, WAIT_FOR_OTHERS_MS));
    await worker.drain();
  }
}
