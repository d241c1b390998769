/**
 * The OpenAPI v3 gateway (`/v3/alipay/trade/...`, protocol-notes §9): the same methods as v1, called as
 * `POST <path>` with a JSON body (`GET` with a query string for the queries older Java v3 SDKs send), the
 * request authorized by the `authorization` header, the reply's fields at the top level of the JSON body and
 * signed in the `alipay-timestamp` / `alipay-nonce` / `alipay-signature` headers over the exact body bytes.
 * Errors are an HTTP status with `{"code","message"}`, mapped once from the v1 errors (v3-errors.ts). Whatever
 * arrives, the answer is one of these: never a 5xx for bad input, never a stack trace.
 *
 * Checks run: the authorization header, app_id, the timestamp window (real time: it is the client's clock, not
 * the business clock, that it bounds), the path's method, certificate mode, the signature, the app auth token,
 * the AES encryption the request asks for, the body, then the method.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { merchantForToken } from '../core/apps.js';
import type { Clock } from '../core/clock.js';
import type { App } from '../interfaces.js';
import { isNotifyUrl } from '../core/notify-url.js';
import type { PlatformCertificates } from '../core/platform.js';
import { hasUnstorableText, isStorableText } from '../core/storable-text.js';
import { aesDecrypt, aesEncrypt, parseAesKey } from '../protocol/aes-content.js';
import { parseAuthorization, replySignContent, requestSignContent, v3Path, type Authorization } from '../protocol/openapi-v3/authorization.js';
import { encodeV3Error, v3ErrorOf, type V3Error } from '../protocol/openapi-v3/v3-errors.js';
import { gatewayError, type GatewayErrorName } from '../protocol/openapi/gateway-errors.js';
import { parsePublicKey, replySigner, rsaVerify, type ReplySigning } from '../protocol/signing.js';
import type { AppDirectory } from '../core/app-directory.js';
import type { MethodContext, OpenApiMethod } from './openapi-method.js';
import { runMethod } from './run-method.js';
import type { Services } from './services.js';

export interface V3Request {
  httpMethod: string;
  /** The request target exactly as sent: path and query. */
  requestTarget: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
  /** Where the caller reached this server (`http://host:port`). */
  origin: string;
}

export interface V3Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** For metrics and logs. */
  method: string;
  code: string;
}

export interface OpenApiV3Gateway {
  handle(request: V3Request): Promise<V3Reply>;
  /** The answer to a request whose body could not be read (too large, aborted): 400 invalid-parameter, signed. */
  unreadable(request: V3Request): Promise<V3Reply>;
}

export interface OpenApiV3GatewayOptions {
  services: Services;
  platformKey: KeyObject;
  certificates?: PlatformCertificates | null;
  methods: readonly OpenApiMethod[];
  apps: AppDirectory;
  /** Real time: the timestamp window and the reply's alipay-timestamp. */
  realClock: Clock;
  /** Where replies are signed. (Default: thread-pool) */
  replySigning?: ReplySigning;
  logger: Logger;
  /** How far a request's timestamp may be from now, unless it says `expired_seconds`. (Default: 10 minutes) */
  timestampWindowMs?: number;
}

/** The live v3 gateway refuses a request more than ten minutes old (notes §9.2). */
export const V3_TIMESTAMP_WINDOW_MS = 10 * 60_000;

function header(request: V3Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A query string as a body: each parameter once, `query_options` a list (comma-separated or repeated). */
function queryAsBody(query: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    if (key === 'query_options') body.query_options = [...((body.query_options as string[] | undefined) ?? []), ...value.split(',').filter(Boolean)];
    else body[key] = value;
  }
  return body;
}

type Refusal = { error: V3Error } | { v1: GatewayErrorName; detail?: string };

export function createOpenApiV3Gateway(options: OpenApiV3GatewayOptions): OpenApiV3Gateway {
  const methodsByPath = new Map(options.methods.filter((method) => !method.page).map((method) => [v3Path(method.name), method]));
  const sign = replySigner(options.platformKey, options.replySigning ?? 'thread-pool');
  const windowMs = options.timestampWindowMs ?? V3_TIMESTAMP_WINDOW_MS;
  const certificates = options.certificates ?? null;

  /** Signs and sends: every reply, errors too, carries the headers an SDK verifies (Java's v3 SDK checks 4xx when signed). */
  async function answer(
    status: number,
    body: Buffer,
    app: App | null,
    request: V3Request,
    label: string,
    code: string,
    contentType = 'application/json; charset=utf-8',
  ): Promise<V3Reply> {
    const timestamp = String(options.realClock.now());
    const nonce = randomBytes(16).toString('hex');
    const headers: Record<string, string> = {
      'content-type': contentType,
      'alipay-timestamp': timestamp,
      'alipay-nonce': nonce,
      'alipay-signature': await sign(replySignContent(timestamp, nonce, body), 'RSA2'),
      'alipay-trace-id':
        header(request, 'alipay-request-id')
          ?.slice(0, 64)
          .replace(/[^\w-]/g, '') || randomBytes(16).toString('hex'),
    };
    if (app?.keyMode === 'cert' && certificates) headers['alipay-sn'] = certificates.platformCertSn;
    return { status, headers, body, method: label, code };
  }

  function refuse(refusal: Refusal, app: App | null, request: V3Request, label: string): Promise<V3Reply> {
    const error = 'error' in refusal ? refusal.error : v3ErrorOf(gatewayError(refusal.v1, refusal.detail));
    return answer(error.status, encodeV3Error(error), app, request, label, error.code);
  }

  /** Why the authorization is not acceptable, before any key is looked at: null when it may be verified. */
  function authorizationRefusal(authorization: Authorization | null): Refusal | null {
    // Without an authorization there is no timestamp: what the live gateway answers (notes §9.4).
    if (!authorization) return { v1: 'isv.missing-timestamp' };
    if (!authorization.fields.get('app_id')) return { v1: 'isv.missing-app-id' };
    const timestamp = authorization.fields.get('timestamp');
    if (!timestamp) return { v1: 'isv.missing-timestamp' };
    if (!/^\d{10,16}$/.test(timestamp)) return { v1: 'isv.invalid-timestamp' };
    const expiresIn = Number(authorization.fields.get('expired_seconds'));
    const allowed = Number.isFinite(expiresIn) && expiresIn > 0 ? Math.min(expiresIn * 1000, windowMs) : windowMs;
    if (Math.abs(options.realClock.now() - Number(timestamp)) > allowed) return { v1: 'isv.invalid-timestamp', detail: '，请求时间戳已过期' };
    if (!authorization.fields.get('nonce')) return { v1: 'isv.invalid-parameter', detail: '：nonce' };
    return null;
  }

  /** Certificate mode over v3 (notes §10.3.3): `app_cert_sn` in the authorization, `alipay-root-cert-sn` as a header. */
  function certificateRefusal(app: App, authorization: Authorization, request: V3Request): Refusal | null {
    const appCertSn = authorization.fields.get('app_cert_sn');
    if (app.keyMode !== 'cert' || !certificates) return appCertSn ? { v1: 'isv.app-cert-not-exist' } : null;
    if (!appCertSn) return { v1: 'isv.missing-app-cert-sn' };
    if (appCertSn !== app.appCertSn) return { v1: 'isv.app-cert-not-exist' };
    const rootCertSn = header(request, 'alipay-root-cert-sn');
    if (!rootCertSn) return { v1: 'isv.missing-alipay-root-cert-sn' };
    if (rootCertSn !== certificates.rootCertSn) return { v1: 'isv.invalid-alipay-root-cert-sn' };
    return null;
  }

  async function handle(request: V3Request): Promise<V3Reply> {
    const [path = '', query = ''] = request.requestTarget.split('?', 2);
    const target = methodsByPath.get(path);
    const label = target?.name ?? '(invalid)';

    const authorization = parseAuthorization(header(request, 'authorization'));
    const unauthorized = authorizationRefusal(authorization);
    if (unauthorized || !authorization) return refuse(unauthorized ?? { v1: 'isv.missing-timestamp' }, null, request, label);
    const appId = authorization.fields.get('app_id') ?? '';
    const app = isStorableText(appId) ? await options.apps(appId) : undefined;
    if (!app) return refuse({ v1: 'isv.invalid-app-id' }, null, request, label);
    const fail = (refusal: Refusal) => refuse(refusal, app, request, label);

    if (!target) return fail({ v1: 'isv.invalid-method' });
    const certificateError = certificateRefusal(app, authorization, request);
    if (certificateError) return fail(certificateError);

    const appAuthToken = header(request, 'alipay-app-auth-token') ?? null;
    const key = app.appPublicKey ? parsePublicKey(app.appPublicKey) : null;
    if (!key) return fail({ v1: 'isv.missing-signature-config' });
    const content = requestSignContent({
      authString: authorization.authString,
      httpMethod: request.httpMethod,
      requestTarget: request.requestTarget,
      body: request.body,
      appAuthToken,
    });
    if (!rsaVerify(content, authorization.sign, key, 'RSA2')) return fail({ v1: 'isv.invalid-signature' });

    let sellerPid = app.pid;
    if (appAuthToken) {
      const authorising = isStorableText(appAuthToken) ? await merchantForToken(options.services, app, appAuthToken) : null;
      if (!authorising) return fail({ v1: 'aop.invalid-app-auth-token' });
      sellerPid = authorising;
    }

    // `alipay-encrypt-type: AES` says the body is ciphertext, and asks for the reply encrypted (notes §11.3).
    const encryptType = header(request, 'alipay-encrypt-type');
    let aesKey: Buffer | null = null;
    let bodyText = request.body.toString('utf8');
    if (encryptType !== undefined) {
      if (encryptType.toUpperCase() !== 'AES') return fail({ v1: 'isv.invalid-encrypt-type' });
      aesKey = app.aesKey ? parseAesKey(app.aesKey) : null;
      if (!aesKey) return fail({ v1: 'isv.decryption-error-not-valid-encrypt-key' });
      if (bodyText.trim() !== '') {
        const plain = aesDecrypt(bodyText, aesKey);
        if (!plain) return fail({ v1: 'isv.decryption-error-unknown' });
        bodyText = plain.toString('utf8');
      }
    }

    let biz: unknown = request.httpMethod.toUpperCase() === 'GET' ? queryAsBody(query) : {};
    if (bodyText.trim() !== '') {
      try {
        biz = JSON.parse(bodyText);
      } catch {
        return fail({ v1: aesKey ? 'isv.decryption-error-unknown' : 'isv.invalid-parameter' });
      }
    }
    if (typeof biz !== 'object' || biz === null || Array.isArray(biz) || hasUnstorableText(biz)) return fail({ v1: 'isv.invalid-parameter' });

    // v3 carries notify_url in the body (the Java v3 models' `notify_url`), under the same rule as v1's parameter.
    const { notify_url: notifyField, ...fields } = biz as Record<string, unknown>;
    if (notifyField !== undefined && notifyField !== null && (typeof notifyField !== 'string' || (notifyField !== '' && !isNotifyUrl(notifyField)))) {
      return fail({ v1: 'isv.invalid-parameter', detail: '：notify_url' });
    }
    const notifyUrl = typeof notifyField === 'string' && notifyField !== '' ? notifyField : null;

    const context: MethodContext = { services: options.services, app, sellerPid, notifyUrl, returnUrl: null, charset: 'utf-8', origin: request.origin };
    const result = await runMethod(target, fields, context, options.logger);
    if (!result.ok) return fail({ error: v3ErrorOf(result.error) });
    const json = Buffer.from(JSON.stringify(result.fields), 'utf8');
    // Encrypted, the body is the base64 ciphertext itself, and the signature covers it (notes §11.3).
    if (aesKey) return answer(200, Buffer.from(aesEncrypt(json, aesKey), 'utf8'), app, request, label, '10000', 'text/plain; charset=utf-8');
    return answer(200, json, app, request, label, '10000');
  }

  return {
    async handle(request) {
      try {
        return await handle(request);
      } catch (error) {
        options.logger.error({ err: error }, 'v3 gateway failed');
        return refuse({ v1: 'isp.unknow-error' }, null, request, '(error)');
      }
    },
    unreadable: (request) => refuse({ v1: 'isv.invalid-parameter' }, null, request, '(unreadable)'),
  };
}
