/**
 * Group commit for SQLite: commits are not synced one by one (`synchronous = NORMAL`); one fdatasync of the
 * write-ahead log makes every commit made before it durable, and nothing is answered before that.
 *
 * The fdatasync runs on a thread of its own (sqlite-durability-thread.ts), not on the event loop, which
 * would sit idle through it, and not on libuv's pool, where it would queue behind reply signatures. While
 * one sync is under way, the commits that follow gather for the next: the busier the gateway, the more
 * commits one sync covers. The same thread checkpoints the log as commits go on, so that the event loop's
 * connection seldom checkpoints, and then finds little left to copy.
 *
 * Several processes may share the database file, each with a group commit of its own, and a reply may show
 * what another process has committed but not yet synced (a query, an idempotent repeat). So durable() also
 * watches the file for others' commits — SQLite's `data_version` changes when another connection commits —
 * and counts each change as a commit to sync: an fdatasync of the log makes every byte in it durable, whoever
 * wrote it. No process answers with state that is not on disk, its own or another's.
 *
 * A failed fdatasync, or a thread that dies, breaks the group commit for good: what the page cache holds can
 * no longer be trusted to reach the disk (as PostgreSQL concluded of fsync errors), so every durable() after
 * it fails and nothing more is answered as done.
 */
import { Worker } from 'node:worker_threads';
import type { DurabilityThreadData } from './sqlite-durability-thread.js';

export interface GroupCommitOptions {
  /** Commits between passive checkpoints of the log. (Default: 128) */
  checkpointEvery?: number;
}

interface Waiter {
  upTo: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class GroupCommit {
  readonly #thread: Worker | null;
  #committed = 0;
  #synced = 0;
  #syncs = 0;
  #syncing = false;
  #waiters: Waiter[] = [];
  #broken: Error | null = null;
  #othersVersion: (() => number | null) | null = null;
  #lastOthersVersion = 0;

  /** `path` is the database file; ':memory:' makes durable() a no-op. */
  constructor(path: string, options: GroupCommitOptions = {}) {
    if (path === ':memory:') {
      this.#thread = null;
      return;
    }
    const workerData: DurabilityThreadData = { databasePath: path, checkpointEvery: options.checkpointEvery ?? 128 };
    this.#thread = new Worker(new URL('./sqlite-durability-thread.js', import.meta.url), { workerData });
    // The thread keeps the process alive only while a sync is under way.
    this.#thread.unref();
    this.#thread.on('message', (message: { upTo: number; error?: string }) => this.#onSynced(message));
    this.#thread.on('error', (error) => this.#fail(error));
    this.#thread.on('exit', () => this.#fail(new Error('the SQLite durability thread has ended')));
  }

  /** How many fdatasyncs have completed: fewer than the commits they made durable, under load. */
  get syncs(): number {
    return this.#syncs;
  }

  /**
   * Watches for other connections' commits through `readVersion` (SQLite's `pragma data_version` on this
   * process's connection; null once that is closed): each change counts as a commit the next durable() syncs.
   */
  watchOtherWriters(readVersion: () => number | null): void {
    this.#othersVersion = readVersion;
    this.#lastOthersVersion = readVersion() ?? 0;
  }

  /** Counts a commit: the next durable() waits for it. */
  committed(): void {
    this.#committed++;
  }

  /** Resolves once every commit counted so far is on disk. */
  durable(): Promise<void> {
    if (this.#broken) return Promise.reject(this.#broken);
    this.#noticeOtherWriters();
    const upTo = this.#committed;
    if (this.#thread === null || this.#synced >= upTo) {
      this.#synced = Math.max(this.#synced, upTo);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.#waiters.push({ upTo, resolve, reject });
      this.#sync();
    });
  }

  #noticeOtherWriters(): void {
    if (this.#othersVersion === null) return;
    const version = this.#othersVersion();
    if (version === null || version === this.#lastOthersVersion) return;
    this.#lastOthersVersion = version;
    this.#committed++;
  }

  #sync(): void {
    if (this.#syncing || this.#thread === null) return;
    this.#syncing = true;
    this.#thread.ref();
    this.#thread.postMessage({ upTo: this.#committed });
  }

  #onSynced({ upTo, error }: { upTo: number; error?: string }): void {
    this.#syncing = false;
    this.#thread?.unref();
    if (error !== undefined) {
      this.#fail(new Error(`fdatasync of the write-ahead log failed: ${error}`));
      return;
    }
    this.#synced = Math.max(this.#synced, upTo);
    this.#syncs++;
    const waiting: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.upTo <= this.#synced) waiter.resolve();
      else waiting.push(waiter);
    }
    this.#waiters = waiting;
    if (waiting.length > 0) this.#sync();
  }

  #fail(error: Error): void {
    this.#broken ??= error;
    this.#syncing = false;
    this.#thread?.unref();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  async close(): Promise<void> {
    const thread = this.#thread;
    if (thread === null) return;
    if (this.#broken) {
      await thread.terminate();
      return;
    }
    await this.durable();
    await new Promise<void>((resolve) => {
      thread.once('exit', () => resolve());
      thread.ref();
      thread.postMessage({ close: true });
    });
  }
}
