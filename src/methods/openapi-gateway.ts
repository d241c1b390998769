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
import { parseChinaTime } from '../protocol/china-time.js';
import { SystemClock } from '../core/clock.js';
import type { App } from '../interfaces.js';
import { isNotifyUrl } from '../core/notify-url.js';
import { hasUnstorableText, isStorableText } from '../core/storable-text.js';
import type { PlatformCertificates } from '../core/platform.js';
import { aesDecrypt, parseAesKey } from '../protocol/aes-content.js';
import { charsetLabel, decodeText, encodeText, type Charset } from '../protocol/charset.js';
import { gatewayError } from '../protocol/openapi/gateway-errors.js';
import type { OpenApiError } from '../protocol/openapi/openapi-error.js';
import { encodeResponse, ERROR_NODE_NAME, responseNodeName, type ResponseExtras } from '../protocol/openapi/response-envelope.js';
import { hasEmptyValues, requestSignContent } from '../protocol/sign-content.js';
import { parsePublicKey, replySigner, rsaVerify, type ReplySigning, type RsaSignType } from '../protocol/signing.js';
import { appDirectory, type AppDirectory } from '../core/app-directory.js';
import type { MethodContext, OpenApiMethod } from './openapi-method.js';
import { runMethod } from './run-method.js';
import type { Services } from './services.js';

export interface GatewayRequest {
  params: ReadonlyMap<string, string>;
  /** The charset the request named, or null when it named one Alipay does not accept. */
  charset: Charset | null;
  /** Where the caller reached this server (`http://host:port`). */
  origin: string;
}

/**
 * A page API's answer (page.pay, wap.pay): the buyer's browser is sent to the cashier, or shown an error page
 * with the code — the sub_code without its `isv.` prefix — and its meaning (protocol-notes §12.4).
 */
export type PageAnswer = { kind: 'redirect'; location: string } | { kind: 'error'; code: string; message: string; returnUrl: string | null };

export interface GatewayReply {
  contentType: string;
  body: Buffer;
  /** Set for a page API: the http layer answers with it instead of `body`. */
  page?: PageAnswer;
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
  /** The platform's certificates: their SNs answer and check apps in certificate mode. (Default: none: no app is in certificate mode) */
  certificates?: PlatformCertificates | null;
  /** Where replies are signed. (Default: thread-pool) */
  replySigning?: ReplySigning;
  methods: readonly OpenApiMethod[];
  logger: Logger;
  /** Where apps are read. (Default: a directory of its own, on the system clock) */
  apps?: AppDirectory;
}

/** How one reply is signed: its algorithm, and what certificate mode and encryption add. */
interface Signing extends ResponseExtras {
  signType: RsaSignType;
}

export function createOpenApiGateway(options: OpenApiGatewayOptions): OpenApiGateway {
  const methods = new Map(options.methods.map((method) => [method.name, method]));
  const sign = replySigner(options.platformKey, options.replySigning ?? 'thread-pool');
  const findKnownApp = options.apps ?? appDirectory(options.services.store, new SystemClock());
  const certificates = options.certificates ?? null;

  async function reply(nodeName: string, node: Record<string, unknown>, charset: Charset, signing: Signing | null, method: string): Promise<GatewayReply> {
    const signer = signing ? (content: Buffer) => sign(content, signing.signType) : null;
    return {
      contentType: `application/json;charset=${charsetLabel(charset)}`,
      body: await encodeResponse(nodeName, node, charset, signer, signing ?? {}),
      method,
      code: String(node.code),
      subCode: typeof node.sub_code === 'string' ? node.sub_code : null,
    };
  }

  /** How replies to `app` are signed: RSA if the request asked for RSA, else RSA2; with the platform SN in cert mode. */
  function signingFor(app: App, params: ReadonlyMap<string, string>): Signing {
    return {
      signType: params.get('sign_type') === 'RSA' ? 'RSA' : 'RSA2',
      ...(app.keyMode === 'cert' && certificates && { alipayCertSn: certificates.platformCertSn }),
    };
  }

  async function handle(request: GatewayRequest): Promise<GatewayReply> {
    const { params } = request;
    const charset = request.charset ?? 'utf-8';
    const method = params.get('method') ?? '';
    const nodeName = method ? responseNodeName(method) : ERROR_NODE_NAME;
    const label = methods.has(method) ? method : '(invalid)';
    const isPage = methods.get(method)?.page === true;
    const errorReply = async (error: OpenApiError, signing: Signing | null, fields?: Record<string, unknown>): Promise<GatewayReply> => {
      if (isPage) return pageError(error, label, params.get('return_url') ?? null);
      return reply(nodeName, { ...error.toFields(), ...fields }, charset, signing, label);
    };

    if (!method) return errorReply(gatewayError('isv.missing-method'), null);
    const appId = params.get('app_id');
    if (!appId) return errorReply(gatewayError('isv.missing-app-id'), null);
    const app = isStorableText(appId) ? await findKnownApp(appId) : undefined;
    if (!app) return errorReply(gatewayError('isv.invalid-app-id'), null);

    // From here on the app is known, so every reply is signed: in the request's algorithm when it names a
    // valid one, otherwise RSA2.
    const signing = signingFor(app, params);
    const fail = (error: OpenApiError) => errorReply(error, signing);

    if (hasUnstorableText([...params.values()])) return fail(gatewayError('isv.invalid-parameter'));
    const requestedSignType = params.get('sign_type');
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
    const encryptType = params.get('encrypt_type');
    if (encryptType && encryptType !== 'AES') return fail(gatewayError('isv.invalid-encrypt-type'));

    const certificateError = certificateMismatch(app, params, certificates);
    if (certificateError) return fail(certificateError);
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

    // Encrypted, biz_content is the ciphertext the signature covered: decrypted only now, in the request's charset.
    let bizContent = params.get('biz_content');
    let aesKey: Buffer | null = null;
    if (encryptType === 'AES') {
      aesKey = app.aesKey ? parseAesKey(app.aesKey) : null;
      if (!aesKey) return fail(gatewayError('isv.decryption-error-not-valid-encrypt-key'));
      const plain = bizContent ? aesDecrypt(bizContent, aesKey) : null;
      if (!plain) return fail(gatewayError('isv.decryption-error-unknown'));
      bizContent = decodeText(plain, charset);
    }

    let biz: unknown = {};
    if (bizContent) {
      try {
        biz = JSON.parse(bizContent);
      } catch {
        return fail(gatewayError(aesKey ? 'isv.decryption-error-unknown' : 'isv.invalid-parameter'));
      }
      if (typeof biz !== 'object' || biz === null || Array.isArray(biz) || hasUnstorableText(biz)) return fail(gatewayError('isv.invalid-parameter'));
    }

    const returnUrl = params.get('return_url') || null;
    const context: MethodContext = { services: options.services, app, sellerPid, notifyUrl, returnUrl, charset, origin: request.origin };
    const result = await runMethod(target, biz, context, options.logger);
    if (isPage && result.ok && result.location) {
      return {
        contentType: 'text/html; charset=utf-8',
        body: Buffer.alloc(0),
        method,
        code: '10000',
        subCode: null,
        page: { kind: 'redirect', location: result.location },
      };
    }
    // A reply the method produced is encrypted as the request was; gateway errors stay clear (notes §11.2).
    const replySigning: Signing = aesKey && (result.ok || result.error.code === '40004') ? { ...signing, aesKey } : signing;
    if (result.ok) return reply(nodeName, { code: '10000', msg: 'Success', ...result.fields }, charset, replySigning, method);
    return errorReply(result.error, replySigning, result.fields);
  }

  /** A page API's error page: what the browser is shown instead of JSON. */
  function pageError(error: OpenApiError, label: string, returnUrl: string | null): GatewayReply {
    const code = (error.subCode || error.code).replace(/^isv\./, '');
    // The signature error shows its sign content HTML-escaped for JSON; the page escapes it itself.
    const message = (error.subMsg || error.msg).replaceAll('&amp;', '&');
    return {
      contentType: 'text/html; charset=utf-8',
      body: Buffer.alloc(0),
      method: label,
      code: error.code,
      subCode: error.subCode || null,
      page: { kind: 'error', code, message, returnUrl },
    };
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
      const app = appId && isStorableText(appId) ? await findKnownApp(appId) : undefined;
      if (app) return await reply(nodeName, error.toFields(), charset, signingFor(app, params), label);
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
        if (methods.get(request.params.get('method') ?? '')?.page) return pageError(gatewayError('isp.unknow-error'), '(error)', null);
        return failedRequest(request, gatewayError('isp.unknow-error'), '(error)');
      }
    },
    unreadable: (query) => failedRequest(query, gatewayError('isv.invalid-parameter'), '(unreadable)'),
  };
}

/**
 * Certificate mode (notes §10.3.1, §10.4): an app in certificate mode names its certificate (`app_cert_sn`)
 * and Alipay's root (`alipay_root_cert_sn`), and both must be the ones tuikuan issued; an app in public-key
 * mode that names a certificate has none (isv.app-cert-not-exist, as when the console is set to 公钥).
 */
function certificateMismatch(app: App, params: ReadonlyMap<string, string>, certificates: PlatformCertificates | null): OpenApiError | null {
  const appCertSn = params.get('app_cert_sn');
  if (app.keyMode !== 'cert' || !certificates) return appCertSn ? gatewayError('isv.app-cert-not-exist') : null;
  if (!appCertSn) return gatewayError('isv.missing-app-cert-sn');
  if (appCertSn !== app.appCertSn) return gatewayError('isv.app-cert-not-exist');
  const rootCertSn = params.get('alipay_root_cert_sn');
  if (!rootCertSn) return gatewayError('isv.missing-alipay-root-cert-sn');
  if (rootCertSn !== certificates.rootCertSn) return gatewayError('isv.invalid-alipay-root-cert-sn');
  return null;
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
