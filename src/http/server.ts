/**
 * The fastify app: the gateway, the admin API, the cashier pages, the console, health and metrics. Routing and wiring only — every
 * decision is made below, in methods/ and core/.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { DeliveryOptions } from '../worker/deliver-notification.js';
import type { Worker } from '../worker/worker.js';
import type { OpenApiGateway } from '../methods/openapi-gateway.js';
import type { OpenApiV3Gateway } from '../methods/openapi-v3-gateway.js';
import type { MapiGateway } from '../methods/mapi-gateway.js';
import { qrCodeRoutes } from './qr-code-routes.js';
import { cashierRoutes } from './cashier-routes.js';
import { consoleRoutes } from './console/console-routes.js';
import type { Services } from '../methods/services.js';
import type { OpenApiMethod } from '../methods/openapi-method.js';
import { adminError, adminRoutes } from './admin-routes.js';
import { gatewayClientErrorHandler, gatewayRoutes } from './gateway-routes.js';
import { gatewayV3Routes } from './gateway-v3-routes.js';
import type { Metrics } from './metrics.js';
import type { PlatformView } from './admin-views.js';
import type { WorldGate } from '../core/world-gate.js';
import type { WorldSnapshots } from '../core/world-snapshots.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route closes the world gate itself (reset, snapshots): it does not hold it open like other requests. */
    outsideWorldGate?: boolean;
  }
}

export interface ServerOptions {
  services: Services;
  mapi: MapiGateway;
  methods: readonly OpenApiMethod[];
  openApi: OpenApiGateway;
  v3: OpenApiV3Gateway;
  metrics: Metrics;
  logger: Logger;
  adminToken: string;
  platform: PlatformView;
  worker: Worker;
  /** How a notification re-sent by hand is delivered: as the worker delivers. */
  delivery: DeliveryOptions;
  /** How long a client may take, and an idle connection may stay. (Default: see HttpLimits) */
  limits?: Partial<HttpLimits>;
  /** Runs before every request: reads the shared virtual clock. (Default: nothing) */
  beforeRequest?: () => Promise<void>;
  /** Produces /metrics. (Default: this process's registry) */
  metricsText?: () => Promise<string>;
  /** The largest gateway request body, in bytes. (Default: 4 MiB) */
  gatewayBodyLimit?: number;
  /** The gate every request holds open while it runs, so that a snapshot or restore sees the world at rest. */
  gate: WorldGate;
  /** Reset and snapshots of the whole world. */
  world: WorldSnapshots;
}

/**
 * The HTTP server's limits: a client that trickles its request in is cut off, and idle connections do not
 * pile up. Each may be set in the environment (the name in brackets).
 */
export interface HttpLimits {
  /** The whole request, body included, must arrive within this. [TUIKUAN_REQUEST_TIMEOUT_MS] (Default: 30 s) */
  requestTimeoutMs: number;
  /** The request line and headers must arrive within this. [TUIKUAN_HEADERS_TIMEOUT_MS] (Default: 20 s) */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. [TUIKUAN_KEEP_ALIVE_TIMEOUT_MS] (Default: 72 s, past the 60 s of common load balancers) */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { requestTimeoutMs: 30_000, headersTimeoutMs: 20_000, keepAliveTimeoutMs: 72_000 };

/** The limits given, else from the environment, else the defaults. */
export function httpLimitsFrom(given: Partial<HttpLimits> = {}, env: NodeJS.ProcessEnv = process.env): HttpLimits {
  const fromEnv = (name: string): number | undefined => {
    const value = Number(env[name]);
    return Number.isFinite(value) && value > 0 ? value : undefined;
  };
  return {
    requestTimeoutMs: given.requestTimeoutMs ?? fromEnv('TUIKUAN_REQUEST_TIMEOUT_MS') ?? DEFAULT_HTTP_LIMITS.requestTimeoutMs,
    headersTimeoutMs: given.headersTimeoutMs ?? fromEnv('TUIKUAN_HEADERS_TIMEOUT_MS') ?? DEFAULT_HTTP_LIMITS.headersTimeoutMs,
    keepAliveTimeoutMs: given.keepAliveTimeoutMs ?? fromEnv('TUIKUAN_KEEP_ALIVE_TIMEOUT_MS') ?? DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs,
  };
}

const ADMIN_PREFIX = '/admin/v1';

/** A URL the router could not take apart: the admin API's shape under its prefix, Fastify's elsewhere. */
function answerUnroutableUrl(error: FastifyError, url: string, reply: FastifyReply): FastifyReply {
  const path = url.split('?', 1)[0] ?? '';
  if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return reply.code(400).send(adminError('invalid_request', error.message));
  const status = error.statusCode ?? 400;
  return reply.code(status).send({ error: 'Bad Request', code: error.code, message: error.message, statusCode: status });
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const limits = httpLimitsFrom(options.limits);
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // One log line per request would cost more than the request on the hot path; metrics count them.
    logController: new LogController({ disableRequestLogging: true }),
    // Gateway bodies are limited in their own context; admin JSON is small.
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // A HEAD is answered by its own route or not at all: never by running a GET's handler (a HEAD of a
    // signed alipay.trade.refund must not refund).
    exposeHeadRoutes: false,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      // A MAPI batch of 1000 lines arrives as one long signed URL (seed 002's example is a GET).
      maxHeaderSize: 256 * 1024,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      // Node looks for requests past their time only this often (its default, 30 s, would double a 30 s limit).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.requestTimeoutMs / 10))),
    },
    // A longer URL is answered as the gateway answers bad input, not with a 431.
    clientErrorHandler: gatewayClientErrorHandler(options.metrics),
    // A URL the router cannot take apart (bad percent-encoding, a path parameter over 100 characters) never
    // reaches a route: the admin API still answers in its own shape.
    frameworkErrors: (error, request, reply) => answerUnroutableUrl(error, request.url, reply as FastifyReply),
  });

  // No reply leaves before what it may show is on disk (group commit, store.ts).
  app.addHook('onSend', async () => options.services.store.durable());

  // Every request holds the world gate from when its body has arrived (a slow client holds nothing) until its
  // response is over, finished or abandoned; a snapshot, restore or reset waits for them, and new ones wait for it.
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.outsideWorldGate) return;
    const leave = await options.gate.enter();
    reply.raw.once('close', leave);
  });

  const beforeRequest = options.beforeRequest;
  if (beforeRequest) app.addHook('onRequest', async () => beforeRequest());

  await app.register(gatewayRoutes, {
    openApi: options.openApi,
    mapi: options.mapi,
    metrics: options.metrics,
    ...(options.gatewayBodyLimit !== undefined && { bodyLimit: options.gatewayBodyLimit }),
  });
  await app.register(gatewayV3Routes, {
    v3: options.v3,
    metrics: options.metrics,
    ...(options.gatewayBodyLimit !== undefined && { bodyLimit: options.gatewayBodyLimit }),
  });
  await app.register(adminRoutes, {
    prefix: ADMIN_PREFIX,
    services: options.services,
    methods: options.methods,
    worker: options.worker,
    delivery: options.delivery,
    adminToken: options.adminToken,
    platform: options.platform,
    metrics: options.metrics,
    world: options.world,
  });

  await app.register(cashierRoutes, { prefix: '/cashier', services: options.services, platformKey: options.delivery.platformKey });
  await app.register(qrCodeRoutes);

  await app.register(consoleRoutes, {
    prefix: '/console',
    services: options.services,
    worker: options.worker,
    methods: options.methods,
    adminToken: options.adminToken,
    platform: options.platform,
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/healthz',
    handler: async (_request, reply) => {
      try {
        await options.services.store.db.selectFrom('platform').select('id').limit(1).execute();
        return { status: 'ok', clock: options.services.clock.kind };
      } catch {
        return reply.code(503).send({ status: 'unavailable' });
      }
    },
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.metrics.registry.contentType);
    return options.metricsText ? options.metricsText() : options.metrics.registry.metrics();
  });

  return app;
}
