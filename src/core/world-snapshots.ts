/**
 * Snapshots of the whole world — every row and the virtual clock — taken and restored between a merchant's
 * tests, and the reset that empties the world back to its seed (`POST /admin/v1/snapshots`, `…/:id/restore`,
 * `POST /admin/v1/reset`, and the test kit's `snapshot()`, `restore()`, `reset()`).
 *
 * The design, and why:
 * - **An image of rows, kept in this process's memory** (store/store-image.ts): the same on SQLite and
 *   PostgreSQL, one transaction to restore, milliseconds for a test-sized world. Snapshots are gone when the
 *   server stops: they are for the tests of one run, not backups (those are the database's business).
 * - **Taken and restored at rest**: through the WorldGate, after the requests inside have finished and before
 *   the next ones start, with the worker stopped (its jobs in hand finished). So no refund is cut between two
 *   of its transactions, no job runs on rows that are being replaced, and a snapshot is never of half a request.
 * - **The clock goes back with the data**: the virtual clock is set in the restore's transaction and in this
 *   process's clock, so nothing in the store is dated after "now". (A real clock cannot go back: its data is
 *   restored and its time goes on.)
 * - **What was read before is forgotten**: caches of what the store held (the gateways' apps and keys, whether
 *   a fault is armed) are dropped after a restore, so the next request reads the restored world. Armed faults
 *   and jobs are rows, and come back with the rest.
 * - **Reset is a restore of the seed**: the first reset empties every table, puts the clock back to where it
 *   stood when the server started and applies the declared worlds again; what that made is kept as an image,
 *   and later resets restore it — as fast as any restore, and the same world byte for byte every time. The
 *   platform's keys and certificates are never part of it: what merchants configured keeps working.
 */
import { randomBytes } from 'node:crypto';
import { EMPTY_IMAGE, imageRowCounts, readStoreImage, replaceWithImage, type StoreImage } from '../store/store-image.js';
import { setVirtualNow } from '../store/sql/platform.js';
import type { Store } from '../store/store.js';
import { SystemClock, VirtualClock, type Clock } from './clock.js';
import { DomainError } from './domain-error.js';
import type { WorldGate } from './world-gate.js';

/** What a snapshot is, as it is listed. */
export interface SnapshotSummary {
  id: string;
  /** When it was taken, in real time. */
  takenAt: number;
  /** The clock's reading it brings back. */
  clockAt: number;
  /** Rows it holds, by table. */
  rows: Record<string, number>;
}

/** What a reset or a restore leaves: the clock's reading, and the rows there are now, by table. */
export interface WorldState {
  clockAt: number;
  rows: Record<string, number>;
}

export interface WorldSnapshotsOptions {
  store: Store;
  clock: Clock;
  gate: WorldGate;
  /** Stops the background work (the worker) and waits for what it has in hand; resolves with what starts it again. */
  pauseBackground(): Promise<() => void>;
  /** Drops what this process keeps of the store's rows (caches): they may be other rows now. */
  forgetCaches(): void;
  /** Applies the declared worlds (seed files, the demo) to the store. (Default: none) */
  applySeeds?: () => Promise<void>;
  /** Snapshots kept at most; taking one more drops the oldest. (Default: 100) */
  keep?: number;
  /** For `takenAt`. (Default: the system clock) */
  realClock?: Clock;
}

interface Snapshot {
  summary: SnapshotSummary;
  image: StoreImage;
}

export class WorldSnapshots {
  readonly #options: WorldSnapshotsOptions;
  readonly #snapshots = new Map<string, Snapshot>();
  /** Where the clock stood when the server started: a reset puts it back there. */
  readonly #startedAt: number;
  /** The world its seeds make, once a reset has made it. */
  #seedImage: StoreImage | null = null;

  constructor(options: WorldSnapshotsOptions) {
    this.#options = options;
    this.#startedAt = options.clock.now();
  }

  async take(): Promise<SnapshotSummary> {
    return this.#atRest(async () => {
      const image = await readStoreImage(this.#options.store);
      const summary: SnapshotSummary = {
        id: `snap_${randomBytes(6).toString('hex')}`,
        takenAt: (this.#options.realClock ?? new SystemClock()).now(),
        clockAt: this.#options.clock.now(),
        rows: imageRowCounts(image),
      };
      this.#snapshots.set(summary.id, { summary, image });
      const keep = this.#options.keep ?? 100;
      for (const id of this.#snapshots.keys()) {
        if (this.#snapshots.size <= keep) break;
        this.#snapshots.delete(id);
      }
      return summary;
    });
  }

  /** Brings back the rows and the clock of snapshot `id`; it stays, to be restored again. */
  async restore(id: string): Promise<SnapshotSummary> {
    const snapshot = this.#find(id);
    await this.#atRest(() => this.#write(snapshot.image, snapshot.summary.clockAt));
    return snapshot.summary;
  }

  /** Empties the world back to what its seeds make, the clock back to where it stood at start. */
  async reset(): Promise<WorldState> {
    return this.#atRest(async () => {
      if (this.#seedImage) {
        await this.#write(this.#seedImage, this.#startedAt);
      } else {
        await this.#write(EMPTY_IMAGE, this.#startedAt);
        await this.#options.applySeeds?.();
        this.#seedImage = await readStoreImage(this.#options.store);
      }
      return { clockAt: this.#options.clock.now(), rows: imageRowCounts(this.#seedImage) };
    });
  }

  list(): SnapshotSummary[] {
    return [...this.#snapshots.values()].map((snapshot) => snapshot.summary);
  }

  drop(id: string): void {
    this.#find(id);
    this.#snapshots.delete(id);
  }

  #find(id: string): Snapshot {
    const snapshot = this.#snapshots.get(id);
    if (!snapshot) throw new DomainError('snapshot_not_found', `no snapshot ${id.slice(0, 100)} (snapshots live as long as the server that took them)`);
    return snapshot;
  }

  async #write(image: StoreImage, clockAt: number): Promise<void> {
    const { store, clock } = this.#options;
    await store.transaction(async (trx) => {
      await replaceWithImage(trx, store.engine, image);
      if (clock instanceof VirtualClock) await setVirtualNow(trx, clockAt);
    });
    if (clock instanceof VirtualClock) clock.rewind(clockAt);
  }

  /** Runs `work` with no request inside and the worker stopped; the caches are dropped and the worker started again after it. */
  #atRest<T>(work: () => Promise<T>): Promise<T> {
    return this.#options.gate.alone(async () => {
      const resume = await this.#options.pauseBackground();
      try {
        return await work();
      } finally {
        this.#options.forgetCaches();
        resume();
      }
    });
  }
}
