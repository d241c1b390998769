/**
 * The OpenAPI v1 gateway: from decoded request parameters to the signed reply. Checks run in the order
 * the live gateway shows (protocol-notes §3.1 item 8, §2.2): method and app_id first, an unknown app_id
 * answered unsigned (there is no key to choose), then the remaining required parameters, the method,
 * formats, the signature, the app_auth_token, biz_content, and only then the method itself.
 * Whatever goes wrong, the reply is an Alipay error in an HTTP 200 — never a 5xx, never a stack trace.
 */
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { merchantForToken } from '../core/apps.js';
import { parseChinaTime } from '../core/china-time.js';
import type { App } from '../core/interfaces.js';
import { isNotifyUrl } from '../core/notify-url.js';
import { findApp } from '../store/sql/apps.js';
import { charsetLabel, encodeText, type Charset } from '../protocol/charset.js';
import { gatewayError } from '../protocol/openapi/gateway-errors.js';
import type { OpenApiError } from '../protocol/openapi/openapi-error.js';
import { encodeResponse, ERROR_NODE_NAME, responseNodeName } from '../protocol/openapi/response-envelope.js';
import { hasEmptyValues, requestSignContent } from '../protocol/sign-content.js';
import { parsePublicKey, replySigner, rsaVerify, type ReplySigning, type RsaSignType } from '../protocol/signing.js';
import type { MethodContext, MethodReply, OpenApiMethod } from './openapi-method.js';
import type { Services } from './services.js';

export interface GatewayRequest {
  params: ReadonlyMap<string, string>;
  /** The charset the request named, or null when it named one Alipay does not accept. */
  charset: Charset | null;
}

export interface GatewayReply {
  contentType: string;
  body: Buffer;
  /** For metrics and logs. */
  method: string;
  code: string;
  subCode: string | null;
}

export interface OpenApiGateway {
  handle(request: GatewayRequest): Promise<GatewayReply>;
  /**
   * The answer to a request whose body could not be read (too large, aborted): 40002 isv.invalid-parameter,
   * named after the method and signed for the app its query string names.
   */
  unreadable(query: GatewayRequest): Promise<GatewayReply>;
}

export interface OpenApiGatewayOptions {
  services: Services;
  platformKey: KeyObject;
  /** Where replies are signed. (Default: thread-pool) */
  replySigning?: ReplySigning;
  methods: readonly OpenApiMethod[];
  logger: Logger;
}

export function createOpenApiGateway(options: OpenApiGatewayOptions): OpenApiGateway {
  const methods = new Map(options.methods.map((method) => [method.name, method]));
  const sign = replySigner(options.platformKey, options.replySigning ?? 'thread-pool');
  // Apps never change once created: each is read from the database once.
  const apps = new Map<string, App>();
  const findKnownApp = async (appId: string): Promise<App | undefined> => {
    let app = apps.get(appId);
    if (!app) {
      app = await findApp(options.services.store.db, appId);
      if (app) apps.set(appId, app);
    }
    return app;
  };

  async function reply(nodeName: string, node: Record<string, unknown>, charset: Charset, signType: RsaSignType | null, method: string): Promise<GatewayReply> {
    const signer = signType ? (content: Buffer) => sign(content, signType) : null;
    return {
      contentType: `application/json;charset=${charsetLabel(charset)}`,
      body: await encodeResponse(nodeName, node, charset, signer),
      method,
      code: String(node.code),
      subCode: typeof node.sub_code === 'string' ? node.sub_code : null,
    };
  }

  async function handle(request: GatewayRequest): Promise<GatewayReply> {
    const { params } = request;
    const charset = request.charset ?? 'utf-8';
    const method = params.get('method') ?? '';
    const nodeName = method ? responseNodeName(method) : ERROR_NODE_NAME;
    const label = methods.has(method) ? method : '(invalid)';
    const errorReply = (error: OpenApiError, signType: RsaSignType | null, fields?: Record<string, unknown>) =>
      reply(nodeName, { ...error.toFields(), ...fields }, charset, signType, label);

    if (!method) return errorReply(gatewayError('isv.missing-method'), null);
    const appId = params.get('app_id');
    if (!appId) return errorReply(gatewayError('isv.missing-app-id'), null);
    const app = await findKnownApp(appId);
    if (!app) return errorReply(gatewayError('isv.invalid-app-id'), null);

    // From here on the app is known, so every reply is signed: in the request's algorithm when it names a
    // valid one, otherwise RSA2.
    const requestedSignType = params.get('sign_type');
    const signType: RsaSignType = requestedSignType === 'RSA' ? 'RSA' : 'RSA2';
    const fail = (error: OpenApiError) => errorReply(error, signType);

    const sign = params.get('sign');
    if (!sign) return fail(gatewayError('isv.missing-signature'));
    if (!requestedSignType) return fail(gatewayError('isv.missing-signature-type'));
    const timestamp = params.get('timestamp');
    if (!timestamp) return fail(gatewayError('isv.missing-timestamp'));
    const version = params.get('version');
    if (!version) return fail(gatewayError('isv.missing-version'));
    const target = methods.get(method);
    if (!target) return fail(gatewayError('isv.invalid-method'));
    if (!request.charset) return fail(gatewayError('isv.invalid-charset'));
    if (requestedSignType !== 'RSA2' && requestedSignType !== 'RSA') return fail(gatewayError('isv.invalid-signature-type'));
    const format = params.get('format');
    if (format && format.toLowerCase() !== 'json') return fail(gatewayError('isv.invalid-format'));
    if (parseChinaTime(timestamp) === null) return fail(gatewayError('isv.invalid-timestamp'));
    if (version !== '1.0') return fail(gatewayError('isv.invalid-parameter'));
    if (params.get('encrypt_type')) return fail(gatewayError('isv.invalid-encrypt-type'));

    const signatureError = verifyRequest(app, params, charset, requestedSignType, sign);
    if (signatureError) return fail(signatureError);

    let sellerPid = app.pid;
    const appAuthToken = params.get('app_auth_token');
    if (appAuthToken) {
      const authorising = await merchantForToken(options.services, app, appAuthToken);
      if (!authorising) return fail(gatewayError('aop.invalid-auth-token'));
      sellerPid = authorising;
    }

    // An absolute http(s) URL of at most 256 characters, or nothing is created: Alipay documents no code of
    // its own for a bad notify_url, so it is the public parameters' 40002.
    const notifyUrl = params.get('notify_url') || null;
    if (notifyUrl !== null && !isNotifyUrl(notifyUrl)) return fail(gatewayError('isv.invalid-parameter', '：notify_url'));

    let biz: unknown = {};
    const bizContent = params.get('biz_content');
    if (bizContent) {
      try {
        biz = JSON.parse(bizContent);
      } catch {
        return fail(gatewayError('isv.invalid-parameter'));
      }
      if (typeof biz !== 'object' || biz === null || Array.isArray(biz)) return fail(gatewayError('isv.invalid-parameter'));
    }

    const context: MethodContext = { services: options.services, app, sellerPid, notifyUrl, charset };
    const fault = await options.services.faults.next(method);
    const provoked = fault && (fault.subCode === 'isp.unknow-error' ? gatewayError('isp.unknow-error') : target.errors.find(fault.subCode));
    if (fault?.phase === 'before' && provoked) return errorReply(provoked, signType, await target.failureFields(biz, context));

    let result: MethodReply;
    try {
      result = await target.run(biz, context);
    } catch (error) {
      options.logger.error({ err: error, method }, 'method failed');
      return fail(gatewayError('isp.unknow-error'));
    }
    // An `after` fault: the method has done its work, but the caller is told it failed.
    if (provoked) return errorReply(provoked, signType, await target.failureFields(biz, context));
    if (result.ok) {
      return reply(nodeName, { code: '10000', msg: 'Success', ...result.fields }, charset, signType, method);
    }
    return errorReply(result.error, signType, result.fields);
  }

  /**
   * An error for a request that could not be taken through the checks: named after its method, and signed
   * when its app_id names a known app (RSA if it asked for RSA, else RSA2), because an unsigned error makes
   * a validating SDK throw instead of showing the error (notes §2.2). Unsigned only when there is no app
   * to sign for, or the app or the signature cannot be had.
   */
  async function failedRequest(request: GatewayRequest, error: OpenApiError, label: string): Promise<GatewayReply> {
    const { params } = request;
    const charset = request.charset ?? 'utf-8';
    const method = params.get('method');
    const nodeName = method ? responseNodeName(method) : ERROR_NODE_NAME;
    const appId = params.get('app_id');
    try {
      const app = appId ? await findKnownApp(appId) : undefined;
      if (app) return await reply(nodeName, error.toFields(), charset, params.get('sign_type') === 'RSA' ? 'RSA' : 'RSA2', label);
    } catch (signing) {
      options.logger.error({ err: signing }, 'could not sign an error reply');
    }
    return reply(nodeName, error.toFields(), charset, null, label);
  }

  return {
    async handle(request) {
      try {
        return await handle(request);
      } catch (error) {
        options.logger.error({ err: error }, 'gateway failed');
        return failedRequest(request, gatewayError('isp.unknow-error'), '(error)');
      }
    },
    unreadable: (query) => failedRequest(query, gatewayError('isv.invalid-parameter'), '(unreadable)'),
  };
}

/** Verifies the request signature; empty values kept first (the Node SDK), then dropped (the docs). */
function verifyRequest(app: App, params: ReadonlyMap<string, string>, charset: Charset, signType: RsaSignType, sign: string): OpenApiError | null {
  const keyText = signType === 'RSA2' ? app.appPublicKey : app.rsaPublicKey;
  const key = keyText ? parsePublicKey(keyText) : null;
  if (!key) return gatewayError('isv.missing-signature-config');
  const withEmpty = requestSignContent(params, true);
  if (rsaVerify(encodeText(withEmpty, charset), sign, key, signType)) return null;
  if (hasEmptyValues(params) && rsaVerify(encodeText(requestSignContent(params, false), charset), sign, key, signType)) return null;
  // The live gateway shows the string it verified, '&' escaped as in its HTML-safe sub_msg.
  const shown = withEmpty.length > 2048 ? `${withEmpty.slice(0, 2048)}…` : withEmpty;
  return gatewayError('isv.invalid-signature', `，网关生成的验签字符串为：${shown.replaceAll('&', '&amp;')}`);
}
