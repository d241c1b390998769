/**
 * Starting tuikuan: open and migrate the store, choose the clock, load the platform key, wire the gateway,
 * admin API and worker, and listen. The CLI's `serve` and the integration tests both start it here.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { SystemClock, VirtualClock, type Clock } from './core/clock.js';
import { newSecret } from './core/identifiers.js';
import { loadPlatformKey } from './core/platform.js';
import { buildServer } from './http/server.js';
import { createMetrics } from './http/metrics.js';
import { mapiServices, openApiMethods } from './methods/registry.js';
import { createMapiGateway } from './methods/mapi-gateway.js';
import { createOpenApiGateway } from './methods/openapi-gateway.js';
import type { Services } from './methods/services.js';
import { migrateToLatest } from './store/migrate.js';
import { startVirtualClock } from './store/sql/platform.js';
import { jobHandlers } from './worker/job-handlers.js';
import { Worker } from './worker/worker.js';
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
}

export interface Tuikuan {
  /** e.g. `http://127.0.0.1:9080` */
  url: string;
  gateway: string;
  adminUrl: string;
  adminToken: string;
  platformPublicKey: string;
  dataDir: string;
  services: Services;
  server: FastifyInstance;
  worker: Worker;
  logger: Logger;
  close(): Promise<void>;
}

/** The admin token: given, from the environment, kept in the data dir, or generated and kept there. */
function resolveAdminToken(dataDir: string, given: string | undefined): string {
  const fromEnv = given ?? process.env.TUIKUAN_ADMIN_TOKEN;
  if (fromEnv) return fromEnv;
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = newSecret(24);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

async function chooseClock(store: Store, kind: 'real' | 'virtual'): Promise<Clock> {
  if (kind === 'real') return new SystemClock();
  // The virtual clock starts at the real time of its first start and is kept in the database from then on.
  return new VirtualClock(await startVirtualClock(store.db, Date.now()));
}

export async function startTuikuan(options: TuikuanOptions = {}): Promise<Tuikuan> {
  const dataDir = options.dataDir ?? '.tuikuan';
  mkdirSync(dataDir, { recursive: true });
  const logger = options.logger ?? pino({ level: process.env.TUIKUAN_LOG_LEVEL ?? 'info' });
  const store = openStore({ location: options.db ?? join(dataDir, 'tuikuan.db') });
  try {
    await migrateToLatest(store);
    const bootClock = new SystemClock();
    const platform = await loadPlatformKey({ store, clock: bootClock });
    const clock = await chooseClock(store, options.clock ?? 'real');
    const worker = new Worker({
      store,
      clock,
      realClock: new SystemClock(),
      logger,
      handlers: jobHandlers({ store, clock, platformKey: platform.privateKey }),
    });
    const services: Services = { store, clock, jobsAdded: () => worker.wake() };
    const metrics = createMetrics();
    const adminToken = resolveAdminToken(dataDir, options.adminToken);
    const openApi = createOpenApiGateway({ services, platformKey: platform.privateKey, methods: openApiMethods, logger });
    const mapi = createMapiGateway({ services, mapiServices, logger });
    const server = await buildServer({
      services,
      methods: openApiMethods,
      openApi,
      mapi,
      metrics,
      logger,
      adminToken,
      platformPublicKey: platform.publicKeyPem,
      worker,
      platformKey: platform.privateKey,
    });
    const host = options.host ?? '127.0.0.1';
    await server.listen({ port: options.port ?? 9080, host });
    worker.start();
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : (options.port ?? 9080);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return {
      url,
      gateway: `${url}/gateway.do`,
      adminUrl: `${url}/admin/v1`,
      adminToken,
      platformPublicKey: platform.publicKeyPem,
      dataDir,
      services,
      server,
      logger,
      worker,
      async close() {
        await server.close();
        await worker.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
