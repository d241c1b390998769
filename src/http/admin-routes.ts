/**
 * The admin API (`/admin/v1`, JSON, bearer token): merchants, apps and keys, auth tokens, trades and
 * balances. Bad input is a 400 with a stable code and message, an unknown thing a 404 — never a 500.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { changeAppSettings, createApp, issueAppAuthToken, requireApp, revokeToken } from '../core/apps.js';
import { newSecret } from '../core/identifiers.js';
import { hasUnstorableText } from '../core/storable-text.js';
import { DOMAIN_ERROR_CODES, DomainError } from '../core/domain-error.js';
import { BANK_FUND_TYPES, FUND_CHANNELS, isDiscountChannel } from '../core/fund-bill.js';
import type { FundBill, FundMixShare, TradeStatus, Voucher } from '../core/interfaces.js';
import { ACCOUNT_STATUSES, KEY_MODES, TRADE_STATUSES } from '../core/interfaces.js';
import { adjustBalance, changeMerchantSettings, createMerchant, requireMerchant } from '../core/merchants.js';
import { isNotifyUrl, OPENAPI_NOTIFY_URL_MAX } from '../core/notify-url.js';
import { parseRate, parseSignedYuan, parseYuan, parsePositiveYuan } from '../core/money.js';
import { changeTradeSettings, createTrade } from '../core/trades.js';
import { tradeStatusAt } from '../core/trade-status.js';
import { findMerchant } from '../store/sql/merchants.js';
import { findTradeByNo } from '../store/sql/trades.js';
import type { Services } from '../methods/services.js';
import type { DeliveryOptions } from '../worker/deliver-notification.js';
import type { Worker } from '../worker/worker.js';
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

/**
 * Parses a JSON body against a schema; a mismatch is a 400 naming the first field that is wrong. No body at
 * all is an empty object; a JSON `null` is not.
 */
function parse<Schema extends z.ZodType>(schema: Schema, value: unknown): z.infer<Schema> {
  const result = schema.safeParse(value === undefined ? {} : value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new DomainError('invalid_request', `${where}${issue?.message ?? 'invalid request'}`);
}

/** Refines a yuan string field into fen, or fails with a 400 naming it. */
function yuan(value: string | number, field: string, { positive = false } = {}): number {
  const fen = positive ? parsePositiveYuan(value) : parseYuan(value);
  if (fen === null) throw new DomainError('invalid_request', `${field}: not an amount in yuan with at most two decimals`);
  return fen;
}

const amountText = z.union([z.string(), z.number()]);
const publicKeyText = z.string().min(1).max(8192);

const merchantBody = z.object({
  name: z.string().min(1).max(128).optional(),
  email: z.string().min(3).max(100).optional(),
  balance: amountText.optional(),
  md5_key: z.string().regex(/^[0-9A-Za-z]{1,64}$/).optional(),
  login_password: z.string().min(1).max(64).optional(),
  payment_password: z.string().min(1).max(64).optional(),
});

const fundMixBody = z
  .array(
    z.object({
      fund_channel: z.enum(FUND_CHANNELS),
      percent: z.number().int().min(1).max(100),
      fund_type: z.enum(BANK_FUND_TYPES).optional(),
      bank_code: z.string().max(32).optional(),
    }),
  )
  .min(1)
  .refine((mix) => mix.reduce((sum, share) => sum + share.percent, 0) === 100, 'percents must add up to 100')
  .refine((mix) => mix.every((share) => !isDiscountChannel(share.fund_channel)), 'a fund mix names buyer channels; discounts come from vouchers');

const settingsBody = z.object({
  name: z.string().min(1).max(128).optional(),
  fee_rate: amountText.optional(),
  refund_window_days: z.number().int().min(0).max(3650).optional(),
  pwd_refund_enabled: z.boolean().optional(),
  default_fund_mix: fundMixBody.optional(),
  dback_delay_seconds: z.number().int().min(0).max(30 * 86400).optional(),
  dback_outcome: z.enum(['S', 'F']).optional(),
  mapi_rsa_public_key: publicKeyText.nullable().optional(),
  mapi_dsa_public_key: publicKeyText.nullable().optional(),
  md5_key: z.string().regex(/^[0-9A-Za-z]{1,64}$/).optional(),
  login_password: z.string().min(1).max(64).optional(),
  payment_password: z.string().min(1).max(64).optional(),
  account_status: z.enum(ACCOUNT_STATUSES).optional(),
});

const balanceBody = z.union([z.object({ delta: amountText }).strict(), z.object({ set: amountText }).strict()]);

const appBody = z.object({
  pid: z.string().min(1).max(16),
  key_mode: z.enum(KEY_MODES).optional(),
  app_public_key: publicKeyText.optional(),
  rsa_public_key: publicKeyText.optional(),
});

const appSettingsBody = z.object({
  aes_key: z.string().min(1).max(64).nullable().optional(),
  message_url: z.string().max(1024).nullable().optional(),
});

const tokenBody = z.object({ app_id: z.string().min(1).max(32), pid: z.string().min(1).max(16) });

const tradeBody = z.object({
  app_id: z.string().min(1).max(32),
  seller_id: z.string().min(1).max(16).optional(),
  out_trade_no: z.string().min(1).max(64).optional(),
  total_amount: amountText,
  subject: z.string().min(1).max(256).optional(),
  notify_url: z
    .string()
    .refine((url) => isNotifyUrl(url, OPENAPI_NOTIFY_URL_MAX), `an absolute http(s) URL of at most ${OPENAPI_NOTIFY_URL_MAX} characters`)
    .nullable()
    .optional(),
  status: z.enum(TRADE_STATUSES as [TradeStatus, ...TradeStatus[]]).optional(),
  fund_bill_list: z
    .array(
      z.object({
        fund_channel: z.enum(FUND_CHANNELS),
        amount: amountText,
        real_amount: amountText.optional(),
        fund_type: z.enum(BANK_FUND_TYPES).optional(),
        bank_code: z.string().max(32).optional(),
      }),
    )
    .min(1)
    .max(20)
    .optional(),
  voucher_detail_list: z
    .array(
      z.object({
        id: z.string().min(1).max(32).optional(),
        name: z.string().max(64).optional(),
        type: z.string().max(32).optional(),
        amount: amountText,
        merchant_contribute: amountText.optional(),
        other_contribute: amountText.optional(),
        memo: z.string().max(256).optional(),
        template_id: z.string().max(64).optional(),
      }),
    )
    .max(20)
    .optional(),
});

const faultBody = z.object({
  method: z.string().min(1).max(128),
  sub_code: z.string().min(1).max(64),
  times: z.number().int().min(1).max(1_000_000).optional(),
  phase: z.enum(['before', 'after']).optional(),
});

function faultView(fault: Fault): Record<string, unknown> {
  return { id: fault.id, method: fault.method, sub_code: fault.subCode, phase: fault.phase, remaining: fault.remaining };
}

const tradeSettingsBody = z.object({
  frozen: z.boolean().optional(),
  refund_allowed: z.boolean().optional(),
  dback_outcome: z.enum(['S', 'F']).nullable().optional(),
  buyer_account_status: z.enum(ACCOUNT_STATUSES).optional(),
});

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
    const created = await createMerchant(services, {
      ...(body.name !== undefined && { name: body.name }),
      ...(body.email !== undefined && { email: body.email }),
      ...(body.balance !== undefined && { balance: yuan(body.balance, 'balance') }),
      ...(body.md5_key !== undefined && { md5Key: body.md5_key }),
      ...(body.login_password !== undefined && { loginPassword: body.login_password }),
      ...(body.payment_password !== undefined && { paymentPassword: body.payment_password }),
    });
    return reply.code(201).send({
      ...merchantView(created.merchant),
      login_password: created.loginPassword,
      payment_password: created.paymentPassword,
    });
  });

  app.get<{ Params: { pid: string } }>('/merchants/:pid', async (request) => merchantView(await requireMerchant(services, request.params.pid)));

  app.patch<{ Params: { pid: string } }>('/merchants/:pid', async (request) => {
    const body = parse(settingsBody, request.body);
    let feeRatePpm: number | undefined;
    if (body.fee_rate !== undefined) {
      const parsed = parseRate(body.fee_rate);
      if (parsed === null) throw new DomainError('invalid_request', 'fee_rate: a rate between 0 and 1 with at most six decimals, such as "0.006"');
      feeRatePpm = parsed;
    }
    const mix: FundMixShare[] | undefined = body.default_fund_mix?.map((share) => ({
      fundChannel: share.fund_channel,
      percent: share.percent,
      ...(share.fund_type && { fundType: share.fund_type }),
      ...(share.bank_code && { bankCode: share.bank_code }),
    }));
    const merchant = await changeMerchantSettings(services, request.params.pid, {
      ...(body.name !== undefined && { name: body.name }),
      ...(feeRatePpm !== undefined && { feeRatePpm }),
      ...(body.refund_window_days !== undefined && { refundWindowDays: body.refund_window_days }),
      ...(body.pwd_refund_enabled !== undefined && { pwdRefundEnabled: body.pwd_refund_enabled }),
      ...(mix && { defaultFundMix: mix }),
      ...(body.dback_delay_seconds !== undefined && { dbackDelaySeconds: body.dback_delay_seconds }),
      ...(body.dback_outcome !== undefined && { dbackOutcome: body.dback_outcome }),
      ...(body.account_status !== undefined && { accountStatus: body.account_status }),
      ...(body.mapi_rsa_public_key !== undefined && { mapiRsaPublicKey: body.mapi_rsa_public_key }),
      ...(body.mapi_dsa_public_key !== undefined && { mapiDsaPublicKey: body.mapi_dsa_public_key }),
      ...(body.md5_key !== undefined && { md5Key: body.md5_key }),
      ...(body.login_password !== undefined && { loginPassword: body.login_password }),
      ...(body.payment_password !== undefined && { paymentPassword: body.payment_password }),
    });
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
    const total = yuan(body.total_amount, 'total_amount', { positive: true });
    const fundBills: FundBill[] | undefined = body.fund_bill_list?.map((bill, i) => {
      const amount = yuan(bill.amount, `fund_bill_list.${i}.amount`, { positive: true });
      return {
        fundChannel: bill.fund_channel,
        amount,
        realAmount: bill.real_amount === undefined ? amount : yuan(bill.real_amount, `fund_bill_list.${i}.real_amount`),
        fundType: bill.fund_channel === 'BANKCARD' ? (bill.fund_type ?? 'DEBIT_CARD') : null,
        bankCode: bill.bank_code ?? null,
      };
    });
    const vouchers: Voucher[] | undefined = body.voucher_detail_list?.map((voucher, i) => {
      const amount = yuan(voucher.amount, `voucher_detail_list.${i}.amount`, { positive: true });
      const merchantContribute = voucher.merchant_contribute === undefined ? null : yuan(voucher.merchant_contribute, `voucher_detail_list.${i}.merchant_contribute`);
      const otherContribute = voucher.other_contribute === undefined ? null : yuan(voucher.other_contribute, `voucher_detail_list.${i}.other_contribute`);
      return {
        id: voucher.id ?? `2026${String(i + 1).padStart(24, '0')}`,
        name: voucher.name ?? '优惠券',
        type: voucher.type ?? 'ALIPAY_FIX_VOUCHER',
        amount,
        merchantContribute: merchantContribute ?? amount - (otherContribute ?? 0),
        otherContribute: otherContribute ?? amount - (merchantContribute ?? amount),
        ...(voucher.memo && { memo: voucher.memo }),
        ...(voucher.template_id && { templateId: voucher.template_id }),
      };
    });
    const sellerPid = body.seller_id ?? owner.pid;
    const trade = await createTrade(services, {
      app: owner,
      sellerPid,
      outTradeNo: body.out_trade_no ?? `T${newSecret(12)}`,
      totalAmount: total,
      subject: body.subject ?? '测试商品',
      ...(fundBills && { fundBills }),
      ...(vouchers && { vouchers }),
      notifyUrl: body.notify_url ?? null,
      ...(body.status && { status: body.status }),
    });
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
