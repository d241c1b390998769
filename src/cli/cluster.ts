/**
 * `serve --processes N`: a node:cluster of N processes sharing the port (and one database). The primary
 * prepares once — migrations, the platform key, the virtual clock, the admin token, the demo — then forks,
 * restarts a process that dies, aggregates /metrics across processes, and stops them all on SIGINT/SIGTERM.
 */
import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry } from 'prom-client';
import type { ReplySigning } from '../protocol/signing.js';
import { prepareTuikuan, startTuikuan, type Role } from '../tuikuan.js';
import type { NotifyPolicy } from '../worker/notify-destination.js';
import type { DeclaredWorld } from '../seed-file.js';

export interface ClusterOptions {
  port: number;
  host: string;
  db?: string;
  dataDir: string;
  clock: 'real' | 'virtual';
  role: Role;
  processes: number;
  notifyPolicy: NotifyPolicy;
  notifyAllow?: string;
  /** Applied once, by the primary, before any process starts. (Default: none) */
  seeds?: readonly DeclaredWorld[];
}

/**
 * Where the processes of a cluster of `processes` sign: on the thread pool while there are spare cores; in
 * line once there is a process per core, where the pool would only add context switches.
 */
export function replySigningFor(processes: number): ReplySigning {
  return processes >= availableParallelism() ? 'event-loop' : 'thread-pool';
}

/** How long a scrape waits for a process that is starting. */
const STARTING_WAIT_MS = 10_000;

type ChildMessage = { type: 'tuikuan:ready'; url: string } | { type: 'tuikuan:metrics'; id: number };
type PrimaryMessage = { type: 'tuikuan:metrics'; id: number; text: string };

/** In the primary: prepare, fork, supervise. Resolves with the first child's URL once all are ready. */
export async function runPrimary(options: ClusterOptions, onStop: () => void): Promise<{ url: string; adminToken: string; close(): Promise<void> }> {
  const prepared = await prepareTuikuan({
    dataDir: options.dataDir,
    clock: options.clock,
    ...(options.db !== undefined && { db: options.db }),
    ...(options.seeds && { seeds: options.seeds }),
  });
  await prepared.store.close();
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let url = '';
  // A process still starting has not yet attached prom-client's handler: asked for its metrics, it never answers
  // and the whole scrape waits out prom-client's 5 s timeout, then comes back empty. Scrapes wait until it is ready
  // (for at most STARTING_WAIT_MS: one that hangs while starting must not hold every scrape).
  const starting = new Set<number>();
  let whenStarted: Array<() => void> = [];
  const started = (id: number) => {
    starting.delete(id);
    if (starting.size > 0) return;
    for (const resolve of whenStarted) resolve();
    whenStarted = [];
  };
  const noneStarting = () =>
    starting.size === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          whenStarted.push(resolve);
          setTimeout(resolve, STARTING_WAIT_MS).unref();
        });

  const fork = () => {
    const child = cluster.fork({ TUIKUAN_ADMIN_TOKEN: prepared.adminToken });
    starting.add(child.id);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'tuikuan:ready') started(child.id);
      if (message.type === 'tuikuan:metrics') {
        noneStarting()
          .then(() => aggregator.clusterMetrics())
          .then((text) => child.send({ type: 'tuikuan:metrics', id: message.id, text } satisfies PrimaryMessage))
          .catch(() => child.send({ type: 'tuikuan:metrics', id: message.id, text: '' } satisfies PrimaryMessage));
      }
    });
    return child;
  };

  cluster.on('exit', (child, code, signal) => {
    started(child.id);
    if (stopping) return;
    console.error(`tuikuan process ${child.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(() => fork(), 500);
  });

  const children: ClusterWorker[] = [];
  const ready = Array.from({ length: options.processes }, () => {
    const child = fork();
    children.push(child);
    return new Promise<void>((resolve) => {
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'tuikuan:ready') {
          url ||= message.url;
          resolve();
        }
      });
    });
  });
  await Promise.all(ready);

  const close = async () => {
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((child): child is ClusterWorker => child !== undefined);
    await Promise.all(
      alive.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    onStop();
  };
  return { url, adminToken: prepared.adminToken, close };
}

/** In a child: serve, report ready, answer /metrics with the primary's aggregate. */
export async function runChild(options: ClusterOptions): Promise<void> {
  let nextId = 0;
  const pending = new Map<number, (text: string) => void>();
  process.on('message', (message: PrimaryMessage) => {
    if (message?.type === 'tuikuan:metrics') {
      pending.get(message.id)?.(message.text);
      pending.delete(message.id);
    }
  });
  const tuikuan = await startTuikuan({
    port: options.port,
    host: options.host,
    dataDir: options.dataDir,
    clock: options.clock,
    role: options.role,
    ...(options.db !== undefined && { db: options.db }),
    notifyPolicy: options.notifyPolicy,
    ...(options.notifyAllow !== undefined && { notifyAllow: options.notifyAllow }),
    replySigning: replySigningFor(options.processes),
    metricsText: () =>
      new Promise<string>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        process.send?.({ type: 'tuikuan:metrics', id } satisfies ChildMessage);
      }),
  });
  process.send?.({ type: 'tuikuan:ready', url: tuikuan.url } satisfies ChildMessage);
  const stop = () => void tuikuan.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', () => {}); // the primary decides; Ctrl-C reaches every process of the group
}
