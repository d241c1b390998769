/**
 * OpenAPI v3's request authorization and reply signature (protocol-notes §9.2–§9.3), as alipay-sdk 4.x, the
 * Java v3 SDK and Alipay's Postman script build them:
 *
 *   authorization: ALIPAY-SHA256withRSA app_id=…[,app_cert_sn=…],nonce=…,timestamp=<ms>[,…],sign=<base64>
 *   signed:        <authString>\n<METHOD>\n<path and query as sent>\n<body as sent>\n[<app auth token>\n]
 *   reply signed:  <alipay-timestamp>\n<alipay-nonce>\n<body as sent>\n
 *
 * The authString is whatever precedes the last `,sign=`, byte for byte: clients order its fields differently,
 * so it is never rebuilt, only read.
 */

export const AUTHORIZATION_SCHEME = 'ALIPAY-SHA256withRSA';

export interface Authorization {
  /** Everything between the scheme and `,sign=`, exactly as sent: the first line of the signed content. */
  authString: string;
  /** The authString's `k=v` fields (app_id, app_cert_sn, nonce, timestamp, expired_seconds, …). */
  fields: ReadonlyMap<string, string>;
  sign: string;
}

/** Reads an authorization header; null when it is not of the v3 scheme or has no signature. */
export function parseAuthorization(header: string | undefined): Authorization | null {
  if (header === undefined || !header.startsWith(`${AUTHORIZATION_SCHEME} `)) return null;
  const rest = header.slice(AUTHORIZATION_SCHEME.length + 1);
  const at = rest.lastIndexOf(',sign=');
  if (at === -1) return null;
  const authString = rest.slice(0, at);
  const sign = rest.slice(at + ',sign='.length);
  const fields = new Map<string, string>();
  for (const pair of authString.split(',')) {
    const equals = pair.indexOf('=');
    if (equals > 0) fields.set(pair.slice(0, equals).trim(), pair.slice(equals + 1));
  }
  return { authString, fields, sign };
}

export interface SignedRequest {
  authString: string;
  /** The HTTP method, as sent (compared upper-case). */
  httpMethod: string;
  /** The request target: path and query string exactly as sent, no scheme or host. */
  requestTarget: string;
  body: Buffer;
  /** The `alipay-app-auth-token` header, when sent: it adds a line. */
  appAuthToken: string | null;
}

/** The bytes a v3 request's signature covers. */
export function requestSignContent(request: SignedRequest): Buffer {
  const head = `${request.authString}\n${request.httpMethod.toUpperCase()}\n${request.requestTarget}\n`;
  const tail = `\n${request.appAuthToken ? `${request.appAuthToken}\n` : ''}`;
  return Buffer.concat([Buffer.from(head, 'utf8'), request.body, Buffer.from(tail, 'utf8')]);
}

/** The bytes a v3 reply's `alipay-signature` covers. */
export function replySignContent(timestamp: string, nonce: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), body, Buffer.from('\n', 'utf8')]);
}

/** `alipay.trade.refund` → `/v3/alipay/trade/refund`. */
export function v3Path(method: string): string {
  return `/v3/${method.replaceAll('.', '/')}`;
}
