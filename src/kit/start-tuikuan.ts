/**
 * The test kit: `import { startTuikuan } from 'tuikuan'` in a merchant's own test suite starts tuikuan in the
 * test's process — on a free port, in a temporary data dir, with a virtual clock and the demo world by default —
 * and hands back what a test needs: the URLs to point an SDK at, the demo's credentials, a typed admin client,
 * the clock, the notifications sent, and reset, snapshot and restore between tests.
 *
 * Everything but `clock.now()` goes through the admin API over HTTP, as the CLI and the console do: a test
 * sees exactly what they see, and two kits in one process share nothing but the process.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { z } from 'zod';
import { demoWorld, ensureDemo, type DemoCredentials } from '../cli/demo.js';
import { declaredWorld, readSeedFile, type DeclaredWorld, type seedFileSchema } from '../seed-file.js';
import { startTuikuan as startServer } from '../tuikuan.js';
import type { ClockMove, Notification, NotificationFilter, ResetWorld, RestoredSnapshot, Snapshot } from './admin-api.js';
import { adminClient, type AdminClient } from './admin-client.js';
import { parseDuration } from './duration.js';

/** A declared world, as a seed file's JSON holds it (see the README's *A declared world*). */
export type SeedObject = z.input<typeof seedFileSchema>;

/** What a kit starts with: the built-in demo world, a seed file's path, or a seed file's content. */
export type Seed = 'demo' | string | SeedObject;

export interface StartOptions {
  /** Where the SQLite database, the admin token and demo.json live. (Default: a new temporary directory, removed by `close()`) */
  dataDir?: string;
  /** A SQLite file path or a postgres:// URL (an empty database, or one this kit's seed made). (Default: `<dataDir>/tuikuan.db`) */
  db?: string;
  /** `virtual` stands still until `clock.advance()`; `real` is the system's. (Default: virtual) */
  clock?: 'virtual' | 'real';
  /** The world to start with, and that `reset()` goes back to: `'demo'`, a seed file's path, a seed object, several of them, or `null` for an empty world. (Default: 'demo') */
  seed?: Seed | readonly Seed[] | null;
  /** (Default: 0, a free port) */
  port?: number;
  /** (Default: 127.0.0.1) */
  host?: string;
  /** The admin API's bearer token. (Default: a random one) */
  adminToken?: string;
  /** The server's log level: `silent`, `error`, `warn`, `info`, `debug`. (Default: TUIKUAN_LOG_LEVEL, else silent) */
  logLevel?: string;
}

export interface WaitForOptions {
  /** How long to wait, in real milliseconds. (Default: 5000) */
  timeout?: number;
  /** Which notifications to look at. (Default: all) */
  filter?: NotificationFilter;
}

export interface TuikuanKit {
  /** The OpenAPI v1 gateway, alipay-sdk's `gateway`: `http://127.0.0.1:<port>/gateway.do`. */
  gateway: string;
  /** The OpenAPI v3 base URL, alipay-sdk's `endpoint`. */
  endpoint: string;
  /** The web console. */
  consoleUrl: string;
  /** The admin API's base URL (`…/admin/v1`) and token, for tools of your own. */
  adminUrl: string;
  adminToken: string;
  /** What merchants configure as `alipayPublicKey`. */
  platformPublicKey: string;
  /** The demo's credentials (demo.json's content) when the demo world is the seed, else null. */
  demo: DemoCredentials | null;
  dataDir: string;
  /** A typed client of the whole admin API. */
  admin: AdminClient;
  clock: {
    /** The server's "now". */
    now(): Date;
    /** Moves the virtual clock (seconds, or `'1h'`, `'30m'`, `'1d12h'`…); every job due on the way runs before this resolves. */
    advance(by: number | string): Promise<ClockMove>;
    /** Moves the virtual clock to the next job's time and runs what is due then; nothing moves when no job waits. */
    toNextJob(): Promise<ClockMove>;
  };
  notifications: {
    /** Every notification owed (to a notify_url or an app's message gateway), with every attempt. */
    list(filter?: NotificationFilter): Promise<Notification[]>;
    /** Resolves with the first notification `predicate` accepts, looking again until it does or `timeout` passes (then rejects). */
    waitFor(predicate: (notification: Notification) => boolean, options?: WaitForOptions): Promise<Notification>;
  };
  /** Empties the world back to its seed, the clock back to where it stood at start. */
  reset(): Promise<ResetWorld>;
  /** Captures every row and the clock; kept in the server's memory until `close()`. */
  snapshot(): Promise<Snapshot>;
  /** Brings back a snapshot's rows and clock (it can be restored again). */
  restore(snapshot: Snapshot | string): Promise<RestoredSnapshot>;
  /** Stops the server; removes the data dir when the kit made it. */
  close(): Promise<void>;
}

function declaredWorlds(seed: StartOptions['seed']): { worlds: DeclaredWorld[]; demo: boolean } {
  const seeds = seed === undefined ? ['demo'] : seed === null ? [] : Array.isArray(seed) ? seed : [seed];
  const worlds = seeds.map((one: Seed) => (one === 'demo' ? demoWorld() : typeof one === 'string' ? readSeedFile(one) : declaredWorld(one)));
  return { worlds, demo: seeds.includes('demo') };
}

/** Waits `ms` of real time: for notifications the worker delivers on its own, while a test waits for them. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startTuikuan(options: StartOptions = {}): Promise<TuikuanKit> {
  const { worlds, demo: withDemo } = declaredWorlds(options.seed);
  const madeDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tuikuan-kit-'));
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      dataDir,
      ...(options.db !== undefined && { db: options.db }),
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      clock: options.clock ?? 'virtual',
      adminToken: options.adminToken ?? randomBytes(16).toString('hex'),
      logger: pino({ level: options.logLevel ?? process.env.TUIKUAN_LOG_LEVEL ?? 'silent' }),
      seeds: worlds,
    });
  } catch (error) {
    if (madeDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const admin = adminClient({ url: server.adminUrl, token: server.adminToken });
  const demo = withDemo ? (await ensureDemo(server)).demo : null;

  const advance = (by: number | string) => {
    const seconds = typeof by === 'number' ? by : parseDuration(by);
    if (seconds === null || !Number.isFinite(seconds) || seconds < 0)
      throw new Error(`clock.advance: ${String(by)} is not a duration (e.g. 90, '15m', '1h30m')`);
    return admin.clock.advance(seconds);
  };

  async function waitFor(predicate: (notification: Notification) => boolean, waitOptions: WaitForOptions = {}): Promise<Notification> {
    const timeout = waitOptions.timeout ?? 5000;
    const deadline = Date.now() + timeout;
    for (;;) {
      const seen = await admin.notifications.list(waitOptions.filter);
      const found = seen.find(predicate);
      if (found) return found;
      if (Date.now() >= deadline) {
        const summary = seen.map((n) => `${n.kind} ${n.trade_no ?? n.batch_no ?? ''} ${n.status} after ${n.attempts} attempt(s)`).join('; ');
        throw new Error(`notifications.waitFor: none matched within ${timeout} ms (seen: ${summary || 'none'})`);
      }
      await pause(Math.min(25, Math.max(1, deadline - Date.now())));
    }
  }

  return {
    gateway: server.gateway,
    endpoint: server.url,
    consoleUrl: `${server.url}/console`,
    adminUrl: server.adminUrl,
    adminToken: server.adminToken,
    platformPublicKey: server.platformPublicKey,
    demo,
    dataDir,
    admin,
    clock: {
      now: () => new Date(server.services.clock.now()),
      advance,
      toNextJob: () => admin.clock.toNextJob(),
    },
    notifications: { list: (filter) => admin.notifications.list(filter), waitFor },
    reset: () => admin.reset(),
    snapshot: () => admin.snapshots.take(),
    restore: (snapshot) => admin.snapshots.restore(typeof snapshot === 'string' ? snapshot : snapshot.snapshot_id),
    async close() {
      await server.close();
      if (madeDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
