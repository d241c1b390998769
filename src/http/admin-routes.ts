/**
 * The admin API (`/admin/v1`, JSON, bearer token): merchants, apps and keys, auth tokens, trades and
 * balances. Bad input is a 400 with a stable code and message, an unknown thing a 404 — never a 500.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { changeAppSettings, createApp, issueAppAuthToken, requireApp, revokeToken } from '../core/apps.js';
import { hasUnstorableText } from '../core/storable-text.js';
import { DOMAIN_ERROR_CODES, DomainError } from '../core/domain-error.js';
import { adjustBalance, changeMerchantSettings, createMerchant, requireMerchant } from '../core/merchants.js';
import { parseSignedYuan } from '../protocol/yuan.js';
import { changeTradeSettings, createTrade } from '../core/trades.js';
import { tradeStatusAt } from '../core/trade-status.js';
import { findMerchant } from '../store/sql/merchants.js';
import { findTradeByNo } from '../store/sql/trades.js';
import type { Services } from '../methods/services.js';
import type { DeliveryOptions } from '../worker/deliver-notification.js';
import type { Worker } from '../worker/worker.js';
import {
  appBody,
  appSettingsBody,
  balanceBody,
  faultBody,
  merchantBody,
  parse,
  settingsBody,
  toNewMerchant,
  toSettingsChange,
  toTradeDraft,
  tokenBody,
  tradeBody,
  tradeSettingsBody,
  yuan,
} from './admin-bodies.js';
import { adminBatchRoutes } from './admin-batch-routes.js';
import { adminClockRoutes } from './admin-clock-routes.js';
import { adminNotificationRoutes } from './admin-notification-routes.js';
import { adminRefundRoutes } from './admin-refund-routes.js';
import type { OpenApiMethod } from '../methods/openapi-method.js';
import { armedFaults, clearFaults, type Fault } from '../core/faults.js';
import { appView, merchantView, platformView, tradeView, type PlatformView } from './admin-views.js';
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
}

function faultView(fault: Fault): Record<string, unknown> {
  return { id: fault.id, method: fault.method, sub_code: fault.subCode, phase: fault.phase, remaining: fault.remaining };
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

  app.setNotFoundHandler((request, reply) => reply.code(404).send(adminError('not_found', `no such call: ${request.method} ${(request.url.split('?', 1)[0] ?? '').slice(0, 200)}`)));

  await app.register(adminRefundRoutes, { services });
  await app.register(adminBatchRoutes, { services });
  await app.register(adminNotificationRoutes, { services, delivery: options.delivery });
  await app.register(adminClockRoutes, { services, worker: options.worker });

  app.get('/platform', async () => platformView(options.platform));

  app.post('/merchants', async (request, reply) => {
    const body = parse(merchantBody, request.body);
    const created = await createMerchant(services, toNewMerchant(body));
    return reply.code(201).send({
      ...merchantView(created.merchant),
      login_password: created.loginPassword,
      payment_password: created.paymentPassword,
    });
  });

  app.get<{ Params: { pid: string } }>('/merchants/:pid', async (request) => merchantView(await requireMerchant(services, request.params.pid)));

  app.patch<{ Params: { pid: string } }>('/merchants/:pid', async (request) => {
    const body = parse(settingsBody, request.body);
    const merchant = await changeMerchantSettings(services, request.params.pid, toSettingsChange(body));
    return merchantView(merchant);
  });

  app.post<{ Params: { pid: string } }>('/merchants/:pid/balance', async (request) => {
    const body = parse(balanceBody, request.body);
    if ('delta' in body) {
      const delta = parseSignedYuan(body.delta);
      if (delta === null) throw new DomainError('invalid_request', 'delta: a signed amount such as "+100.00" or "-5.00"');
      return merchantView(await adjustBalance(services, request.params.pid, { delta }));
    }
    return merchantView(await adjustBalance(services, request.params.pid, { set: yuan(body.set, 'set') }));
  });

  app.post('/apps', async (request, reply) => {
    const body = parse(appBody, request.body);
    const created = await createApp(services, {
      pid: body.pid,
      ...(body.app_public_key !== undefined && { appPublicKey: body.app_public_key }),
      ...(body.rsa_public_key !== undefined && { rsaPublicKey: body.rsa_public_key }),
      ...(body.key_mode !== undefined && { keyMode: body.key_mode }),
    });
    const view = appView(created.app, options.platform);
    return reply.code(201).send(created.appPrivateKey ? { ...view, app_private_key: created.appPrivateKey } : view);
  });

  app.get<{ Params: { appId: string } }>('/apps/:appId', async (request) =>
    appView(await requireApp(services, request.params.appId), options.platform),
  );

  app.patch<{ Params: { appId: string } }>('/apps/:appId', async (request) => {
    const body = parse(appSettingsBody, request.body);
    const changed = await changeAppSettings(services, request.params.appId, {
      ...(body.aes_key !== undefined && { aesKey: body.aes_key }),
      ...(body.message_url !== undefined && { messageUrl: body.message_url }),
    });
    return appView(changed, options.platform);
  });

  app.post('/app-auth-tokens', async (request, reply) => {
    const body = parse(tokenBody, request.body);
    const token = await issueAppAuthToken(services, body.app_id, body.pid);
    return reply.code(201).send({ app_auth_token: token, app_id: body.app_id, pid: body.pid });
  });

  app.delete<{ Params: { token: string } }>('/app-auth-tokens/:token', async (request, reply) => {
    await revokeToken(services, request.params.token);
    return reply.code(204).send();
  });

  app.post('/trades', async (request, reply) => {
    const body = parse(tradeBody, request.body);
    const owner = await requireApp(services, body.app_id);
    const draft = { ...toTradeDraft(body, owner.pid), app: owner };
    const sellerPid = draft.sellerPid;
    const trade = await createTrade(services, draft);
    const merchant = await findMerchant(services.store.db, sellerPid);
    return reply.code(201).send(tradeView(trade, tradeStatusAt(trade, merchant?.refundWindowDays ?? 365, services.clock.now())));
  });

  app.get<{ Params: { tradeNo: string } }>('/trades/:tradeNo', async (request) => {
    const trade = await findTradeByNo(services.store.db, request.params.tradeNo);
    if (!trade) throw new DomainError('trade_not_found', `no trade ${request.params.tradeNo}`);
    const merchant = await findMerchant(services.store.db, trade.sellerPid);
    return tradeView(trade, tradeStatusAt(trade, merchant?.refundWindowDays ?? 365, services.clock.now()));
  });

  app.patch<{ Params: { tradeNo: string } }>('/trades/:tradeNo', async (request) => {
    const body = parse(tradeSettingsBody, request.body);
    const trade = await changeTradeSettings(services, request.params.tradeNo, {
      ...(body.frozen !== undefined && { frozen: body.frozen }),
      ...(body.refund_allowed !== undefined && { refundAllowed: body.refund_allowed }),
      ...(body.dback_outcome !== undefined && { dbackOutcome: body.dback_outcome }),
      ...(body.buyer_account_status !== undefined && { buyerAccountStatus: body.buyer_account_status }),
    });
    const merchant = await findMerchant(services.store.db, trade.sellerPid);
    return tradeView(trade, tradeStatusAt(trade, merchant?.refundWindowDays ?? 365, services.clock.now()));
  });

  app.post('/faults', async (request, reply) => {
    const body = parse(faultBody, request.body);
    const method = options.methods.find((m) => m.name === body.method);
    if (!method) throw new DomainError('invalid_request', `method: ${body.method} is not served here`);
    if (body.sub_code !== 'isp.unknow-error' && !method.errors.find(body.sub_code)) {
      throw new DomainError('invalid_request', `sub_code: one of isp.unknow-error, ${method.errors.names.join(', ')}`);
    }
    const fault = await services.faults.arm({
      method: body.method,
      subCode: body.sub_code,
      ...(body.times !== undefined && { times: body.times }),
      ...(body.phase !== undefined && { phase: body.phase }),
    });
    return reply.code(201).send(faultView(fault));
  });

  app.get('/faults', async () => ({ faults: (await armedFaults(services)).map(faultView) }));

  app.delete('/faults', async (_request, reply) => {
    await clearFaults(services);
    return reply.code(204).send();
  });
}
