/**
 * Starting tuikuan: open and migrate the store, choose the clock, load the platform key, wire the gateway,
 * admin API and worker, and listen. The CLI's `serve` and the integration tests both start it here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { SystemClock, VirtualClock, type Clock } from './core/clock.js';
import { newSecret } from './core/identifiers.js';
import { makePrivateDir, tightenPrivateFiles, writePrivateFile } from './private-files.js';
import { FaultWatch } from './core/faults.js';
import { loadPlatformKey, type DeclaredPlatform, type PlatformKey } from './core/platform.js';
import { applyWorldSeed, WorldConflict } from './core/world-seed.js';
import { WorldGate } from './core/world-gate.js';
import { WorldSnapshots } from './core/world-snapshots.js';
import type { DeclaredWorld } from './seed-file.js';
import type { PlatformView } from './http/admin-views.js';
import { buildServer, type HttpLimits } from './http/server.js';
import { createMetrics } from './http/metrics.js';
import { mapiServices, openApiMethods } from './methods/registry.js';
import { createMapiGateway } from './methods/mapi-gateway.js';
import { appDirectory } from './core/app-directory.js';
import { createOpenApiGateway } from './methods/openapi-gateway.js';
import { createOpenApiV3Gateway } from './methods/openapi-v3-gateway.js';
import type { Services } from './methods/services.js';
import { migrateToLatest } from './store/migrate.js';
import { readVirtualNow, startVirtualClock } from './store/sql/platform.js';
import { jobHandlers } from './worker/job-handlers.js';
import type { DeliveryOptions } from './worker/deliver-notification.js';
import { parseNotifyAllow, parseNotifyPolicy, type NotifyDestinationRules, type NotifyPolicy } from './worker/notify-destination.js';
import type { NotifyResolver } from './worker/notify-transport.js';
import { Worker } from './worker/worker.js';
import type { ReplySigning } from './protocol/signing.js';
import { openStore, type Store } from './store/store.js';

export interface TuikuanOptions {
  /** A SQLite file path or a postgres:// URL. (Default: `<dataDir>/tuikuan.db`) */
  db?: string;
  /** Where the SQLite database, the admin token and demo.json live. (Default: `.tuikuan`) */
  dataDir?: string;
  /** (Default: 9080; 0 picks a free port) */
  port?: number;
  /** (Default: 127.0.0.1) */
  host?: string;
  /** `virtual` stands still until advanced through the admin API. (Default: real) */
  clock?: 'real' | 'virtual';
  /** The admin API's bearer token. (Default: TUIKUAN_ADMIN_TOKEN, else one generated and kept in the data dir) */
  adminToken?: string;
  /** (Default: pino at info on stdout) */
  logger?: Logger;
  /**
   * What this process does: `gateway` serves HTTP, `worker` runs background jobs, `all` both. (Default: all)
   * A gateway still runs due jobs itself when it advances the virtual clock.
   */
  role?: Role;
  /**
   * Where replies are signed: on libuv's thread pool, so a lone process signs on every core, or in line on the
   * event loop, best when a cluster already runs a process per core. (Default: thread-pool)
   */
  replySigning?: ReplySigning;
  /** How long a claimed job belongs to its worker before another may take it over. (Default: TUIKUAN_JOB_LEASE_MS, else 60 s) */
  leaseMs?: number;
  /** Produces /metrics; in a cluster, the primary's aggregate of every process. (Default: this process's registry) */
  metricsText?: () => Promise<string>;
  /**
   * Where notifications may be delivered: `any`, or `public` — never to loopback, link-local, private or
   * unique-local addresses, nor to tuikuan itself. (Default: TUIKUAN_NOTIFY_POLICY, else `any`)
   */
  notifyPolicy?: NotifyPolicy;
  /** Exceptions to the `public` policy: comma-separated host names, addresses and CIDRs. (Default: TUIKUAN_NOTIFY_ALLOW, else none) */
  notifyAllow?: string;
  /** Resolves notify_url host names; tests put a resolver of their own here. (Default: the system resolver) */
  notifyResolver?: NotifyResolver;
  /** How long to wait for a merchant's answer to a notification. (Default: 10 s) */
  notifyTimeoutMs?: number;
  /** The HTTP server's timeouts. (Default: TUIKUAN_REQUEST_TIMEOUT_MS etc., else those of DEFAULT_HTTP_LIMITS) */
  httpLimits?: Partial<HttpLimits>;
  /**
   * Declared worlds (seed files, the demo), applied in order at start: what exists is kept, what is missing is
   * made, a contradiction fails the start. (Default: none)
   */
  seeds?: readonly DeclaredWorld[];
}

export type Role = 'all' | 'gateway' | 'worker';

export interface Tuikuan {
  /** e.g. `http://127.0.0.1:9080` (empty for a worker-only process) */
  url: string;
  gateway: string;
  adminUrl: string;
  adminToken: string;
  platformPublicKey: string;
  /** The platform's public key and certificates, as merchants are given them. */
  platform: PlatformView;
  dataDir: string;
  services: Services;
  /** Absent in a worker-only process. */
  server?: FastifyInstance;
  worker: Worker;
  /** Reset and snapshots of the whole world (this process's requests and worker are held while they run). */
  world: WorldSnapshots;
  logger: Logger;
  close(): Promise<void>;
}

/** The admin token: given, from the environment, kept in the data dir, or generated and kept there. */
function resolveAdminToken(dataDir: string, given: string | undefined): string {
  const fromEnv = given ?? process.env.TUIKUAN_ADMIN_TOKEN;
  if (fromEnv) return fromEnv;
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) {
    tightenPrivateFiles([file]);
    return readFileSync(file, 'utf8').trim();
  }
  const token = newSecret(24);
  writePrivateFile(file, `${token}\n`);
  return token;
}

async function chooseClock(store: Store, kind: 'real' | 'virtual'): Promise<Clock> {
  if (kind === 'real') return new SystemClock();
  // The virtual clock starts at the real time of its first start and is kept in the database from then on.
  return new VirtualClock(await startVirtualClock(store.db, Date.now()));
}

/** Reads the shared virtual clock, which another process may have moved. */
function clockSync(store: Store, clock: Clock): (() => Promise<void>) | undefined {
  if (!(clock instanceof VirtualClock)) return undefined;
  return async () => {
    const now = await readVirtualNow(store.db);
    if (now !== null) clock.set(now);
  };
}

/** What the worlds declare of the platform; two that declare different keys contradict each other. */
function declaredPlatform(seeds: readonly DeclaredWorld[]): DeclaredPlatform {
  const declared: DeclaredPlatform = {};
  for (const { platform } of seeds) {
    for (const key of ['privateKeyPem', 'caPrivateKeyPem'] as const) {
      const value = platform[key];
      if (value === undefined) continue;
      if (declared[key] !== undefined && declared[key] !== value)
        throw new WorldConflict(`two declared worlds give the platform different ${key === 'privateKeyPem' ? 'private keys' : 'certificate authority keys'}`);
      declared[key] = value;
    }
    if (platform.certificateValidity) declared.certificateValidity = platform.certificateValidity;
  }
  return declared;
}

export interface Prepared {
  store: Store;
  platform: PlatformKey;
  clock: Clock;
  adminToken: string;
  dataDir: string;
}

/** Opens and migrates the store, loads (or makes) the platform key, starts the chosen clock, finds the admin token. */
export async function prepareTuikuan(options: TuikuanOptions = {}): Promise<Prepared> {
  const dataDir = options.dataDir ?? '.tuikuan';
  makePrivateDir(dataDir);
  const store = openStore({ location: options.db ?? join(dataDir, 'tuikuan.db') });
  try {
    await migrateToLatest(store);
    const seeds = options.seeds ?? [];
    const platform = await loadPlatformKey({ store, clock: new SystemClock() }, declaredPlatform(seeds));
    const clock = await chooseClock(store, options.clock ?? 'real');
    for (const seed of seeds) await applyWorldSeed({ store, clock }, seed.world);
    return { store, platform, clock, adminToken: resolveAdminToken(dataDir, options.adminToken), dataDir };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The notify policy and allow list given, else from the environment; a bad one fails the start with its name. */
function notifyDestinations(options: TuikuanOptions, ownPort: () => number | null): NotifyDestinationRules {
  const policy = options.notifyPolicy ?? parseNotifyPolicy(process.env.TUIKUAN_NOTIFY_POLICY);
  if (policy === null) throw new Error(`TUIKUAN_NOTIFY_POLICY: ${process.env.TUIKUAN_NOTIFY_POLICY} is neither any nor public`);
  return { policy, allow: parseNotifyAllow(options.notifyAllow ?? process.env.TUIKUAN_NOTIFY_ALLOW), ownPort };
}

export async function startTuikuan(options: TuikuanOptions = {}): Promise<Tuikuan> {
  const logger = options.logger ?? pino({ level: process.env.TUIKUAN_LOG_LEVEL ?? 'info' });
  // Before anything is opened: a bad policy is a configuration error, not a store to clean up.
  let listeningPort: number | null = options.role === 'worker' ? (options.port ?? 9080) : null;
  const destinations = notifyDestinations(options, () => listeningPort);
  const { store, platform, clock, adminToken, dataDir } = await prepareTuikuan(options);
  const role = options.role ?? 'all';
  const backgroundStore = openBackgroundStore(store, options.db ?? join(dataDir, 'tuikuan.db'), role);
  try {
    const syncClock = clockSync(store, clock);
    const realClock = new SystemClock();
    const envLease = Number(process.env.TUIKUAN_JOB_LEASE_MS);
    const delivery: DeliveryOptions = {
      store,
      clock,
      platformKey: platform.privateKey,
      destinations,
      ...(options.notifyResolver && { resolver: options.notifyResolver }),
      ...(options.notifyTimeoutMs !== undefined && { timeoutMs: options.notifyTimeoutMs }),
    };
    const worker = new Worker({
      store: backgroundStore,
      clock,
      realClock,
      logger,
      // The worker's deliveries record their attempts on its own store (the admin API's re-sends on the gateway's).
      handlers: jobHandlers({ store: backgroundStore, clock, platformKey: platform.privateKey, delivery: deliveryRules(delivery) }),
      leaseMs: options.leaseMs ?? (envLease > 0 ? envLease : 60_000),
      ...(syncClock && { beforeClaim: syncClock }),
    });
    const faults = new FaultWatch({ store, clock });
    const services: Services = { store, clock, jobsAdded: () => worker.wake(), faults };
    const apps = appDirectory(store, realClock);
    const gate = new WorldGate();
    const world = new WorldSnapshots({
      store,
      clock,
      gate,
      async pauseBackground() {
        const wasRunning = worker.running;
        await worker.stop();
        return () => {
          if (wasRunning) worker.start();
        };
      },
      forgetCaches() {
        apps.forget();
        faults.forget();
      },
      async applySeeds() {
        for (const seed of options.seeds ?? []) await applyWorldSeed({ store, clock }, seed.world);
      },
    });
    const close = async (server?: FastifyInstance) => {
      await server?.close();
      await worker.stop();
      if (backgroundStore !== store) await backgroundStore.close();
      await store.close();
    };
    const base = {
      adminToken,
      platformPublicKey: platform.publicKeyPem,
      platform: { publicKeyPem: platform.publicKeyPem, certificates: platform.certificates },
      dataDir,
      services,
      logger,
      worker,
      world,
    };
    if (role === 'worker') {
      worker.start();
      return { ...base, url: '', gateway: '', adminUrl: '', close: () => close() };
    }
    const metrics = createMetrics();
    const gatewayCommon = {
      services,
      platformKey: platform.privateKey,
      certificates: platform.certificates,
      apps,
      ...(options.replySigning && { replySigning: options.replySigning }),
      methods: openApiMethods,
      logger,
    };
    const openApi = createOpenApiGateway(gatewayCommon);
    const v3 = createOpenApiV3Gateway({ ...gatewayCommon, realClock });
    const mapi = createMapiGateway({ services, mapiServices, logger });
    const server = await buildServer({
      services,
      methods: openApiMethods,
      openApi,
      v3,
      mapi,
      metrics,
      logger,
      adminToken,
      platform,
      worker,
      delivery,
      gate,
      world,
      ...(options.httpLimits && { limits: options.httpLimits }),
      ...(syncClock && { beforeRequest: syncClock }),
      ...(options.metricsText && { metricsText: options.metricsText }),
    });
    const host = options.host ?? '127.0.0.1';
    await server.listen({ port: options.port ?? 9080, host });
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : (options.port ?? 9080);
    listeningPort = port;
    if (role === 'all') worker.start();
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return { ...base, url, gateway: `${url}/gateway.do`, adminUrl: `${url}/admin/v1`, server, close: () => close(server) };
  } catch (error) {
    if (backgroundStore !== store) await backgroundStore.close();
    await store.close();
    throw error;
  }
}

/** How notifications are delivered, less what the worker's own deps give (its store, clock and key). */
function deliveryRules({
  store: _store,
  clock: _clock,
  platformKey: _key,
  ...rules
}: DeliveryOptions): Omit<DeliveryOptions, 'store' | 'clock' | 'platformKey'> {
  return rules;
}

/** Connections of the worker's own on PostgreSQL, beside the gateway's pool. (Default: 3) */
const BACKGROUND_POOL_SIZE = 3;

/**
 * The store the worker runs jobs on. On PostgreSQL, in a process that also serves the gateway, a pool of its
 * own: the worker's carry-outs (each holding a connection while it waits for a merchant's balance row that
 * other carry-outs hold) then wait for each other, never in the gateway's queue for a connection — which is
 * what held refund.apply's p99 up. SQLite has one connection per process either way, and a worker-only process
 * has no gateway to yield to.
 */
function openBackgroundStore(store: Store, location: string, role: 'all' | 'gateway' | 'worker'): Store {
  if (store.engine !== 'postgres' || role !== 'all') return store;
  return openStore({ location, poolSize: BACKGROUND_POOL_SIZE });
}
