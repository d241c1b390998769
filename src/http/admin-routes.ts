/**
 * The admin API (`/admin/v1`, JSON, bearer token): its guard, its errors, and its resources' routes (one file
 * each: admin-*-routes.ts). Bad input is a 400 with a stable code and message, an unknown thing a 404 — never a 500.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DOMAIN_ERROR_CODES, DomainError } from '../core/domain-error.js';
import { hasUnstorableText } from '../core/storable-text.js';
import type { OpenApiMethod } from '../methods/openapi-method.js';
import type { Services } from '../methods/services.js';
import type { DeliveryOptions } from '../worker/deliver-notification.js';
import type { Worker } from '../worker/worker.js';
import { adminAppRoutes } from './admin-app-routes.js';
import { adminBatchRoutes } from './admin-batch-routes.js';
import { adminBuyerRoutes } from './admin-buyer-routes.js';
import { adminClockRoutes } from './admin-clock-routes.js';
import { adminFaultRoutes } from './admin-fault-routes.js';
import { adminMerchantRoutes } from './admin-merchant-routes.js';
import { adminNotificationRoutes } from './admin-notification-routes.js';
import { adminRefundRoutes } from './admin-refund-routes.js';
import { adminTradeRoutes } from './admin-trade-routes.js';
import { adminWorldRoutes } from './admin-world-routes.js';
import type { WorldSnapshots } from '../core/world-snapshots.js';
import { platformView, type PlatformView } from './admin-views.js';
import type { Metrics } from './metrics.js';

export interface AdminRoutesOptions {
  services: Services;
  worker: Worker;
  delivery: DeliveryOptions;
  /** The OpenAPI methods, whose error tables provoked failures are checked against. */
  methods: readonly OpenApiMethod[];
  adminToken: string;
  platform: PlatformView;
  metrics: Metrics;
  /** Reset and snapshots of the whole world. */
  world: WorldSnapshots;
}

/** The admin API's error body: a stable code and a message. */
export function adminError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function bearerMatches(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function adminRoutes(app: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const { services } = options;

  app.addHook('onRequest', async (request, reply) => {
    if (!bearerMatches(request, options.adminToken)) {
      return reply.code(401).send({ error: { code: 'unauthorized', message: 'a valid admin bearer token is required' } });
    }
  });

  // Every filter takes one value: `?trade_no=a&trade_no=b` is a mistake to point out, not a list to guess at.
  // And no text with U+0000 reaches the store, in the path, the query or the body.
  app.addHook('preHandler', async (request) => {
    for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      if (Array.isArray(value)) throw new DomainError('invalid_request', `${name}: given more than once`);
    }
    if (hasUnstorableText([request.params, request.query, request.body])) {
      throw new DomainError('invalid_request', 'text may not contain U+0000');
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    options.metrics.adminRequests.inc({ route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof DomainError) {
      return reply.code(DOMAIN_ERROR_CODES[error.code]).send(adminError(error.code, error.message));
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send(adminError('invalid_request', (error as Error).message));
    }
    request.log.error({ err: error }, 'admin request failed');
    return reply.code(500).send(adminError('internal_error', 'internal error'));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(adminError('not_found', `no such call: ${request.method} ${(request.url.split('?', 1)[0] ?? '').slice(0, 200)}`)),
  );

  await app.register(adminMerchantRoutes, { services });
  await app.register(adminBuyerRoutes, { services });
  await app.register(adminAppRoutes, { services, platform: options.platform });
  await app.register(adminTradeRoutes, { services });
  await app.register(adminFaultRoutes, { services, methods: options.methods });
  await app.register(adminRefundRoutes, { services });
  await app.register(adminBatchRoutes, { services });
  await app.register(adminNotificationRoutes, { services, delivery: options.delivery });
  await app.register(adminClockRoutes, { services, worker: options.worker });
  await app.register(adminWorldRoutes, { world: options.world });

  app.get('/platform', async () => platformView(options.platform));
}
