/**
 * OpenAPI v1 requests built and signed by hand — independently of src/ and of alipay-sdk — so that tests
 * can send what the SDK never would (GBK, RSA, GET, missing or broken parameters) and check each reply's
 * signature themselves.
 */
import { createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import iconv from 'iconv-lite';
import type { Harness } from './harness.js';
import { charsetBytes as bytes, formOf } from './percent-encoding.js';

export type Charset = 'utf-8' | 'GBK' | 'gb2312';

/** The v1 sign content: every parameter but `sign`, sorted, `k=v&…`; empty values kept. */
export function signContent(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((key) => key !== 'sign')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

/** Signs with a key object, or with a private key's PEM text as a merchant keeps it (PKCS#1 or PKCS#8). */
export function signParams(params: Record<string, string>, key: KeyObject | string, signType: 'RSA2' | 'RSA', charset: Charset = 'utf-8'): string {
  return createSign(signType === 'RSA2' ? 'RSA-SHA256' : 'RSA-SHA1').update(bytes(signContent(params), charset)).sign(key, 'base64');
}

export function timestampNow(): string {
  const d = new Date(Date.now() + 8 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export interface RawReply {
  status: number;
  contentType: string;
  raw: Buffer;
  text: string;
  json: Record<string, any>;
  /** The response node (`<method>_response` or `error_response`). */
  node: Record<string, any>;
  nodeName: string;
  sign: string | undefined;
}

/** Sends a form: the whole form in the query (GET), in the body (POST), or split like alipay-sdk. */
export async function send(
  gateway: string,
  form: string,
  how: 'GET' | 'POST' | 'SPLIT' = 'POST',
  { charset = 'utf-8', contentType }: { charset?: Charset; contentType?: string } = {},
): Promise<RawReply> {
  let response: Response;
  if (how === 'GET') {
    response = await fetch(`${gateway}?${form}`);
  } else if (how === 'SPLIT') {
    const [query, body] = splitLikeSdk(form);
    response = await fetch(`${gateway}?${query}`, {
      method: 'POST',
      headers: { 'content-type': contentType ?? `application/x-www-form-urlencoded;charset=${charset}` },
      body,
    });
  } else {
    response = await fetch(gateway, {
      method: 'POST',
      headers: { 'content-type': contentType ?? `application/x-www-form-urlencoded;charset=${charset}` },
      body: form,
    });
  }
  const raw = Buffer.from(await response.arrayBuffer());
  const text = charset === 'utf-8' ? raw.toString('utf8') : iconv.decode(raw, charset.toLowerCase());
  const json = JSON.parse(text) as Record<string, any>;
  const nodeName = Object.keys(json).find((key) => key !== 'sign') ?? '';
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', raw, text, json, node: json[nodeName] ?? {}, nodeName, sign: json.sign };
}

/** biz_content to the body, everything else to the query. */
function splitLikeSdk(form: string): [string, string] {
  const parts = form.split('&');
  return [parts.filter((p) => !p.startsWith('biz_content=')).join('&'), parts.filter((p) => p.startsWith('biz_content=')).join('&')];
}

/** Checks a reply's signature over the exact bytes of its node, as the official SDKs cut them out. */
export function replySignatureValid(reply: RawReply, platformPublicKey: string, signType: 'RSA2' | 'RSA' = 'RSA2', charset: Charset = 'utf-8'): boolean {
  if (!reply.sign) return false;
  const text = reply.text;
  const start = text.indexOf(`"${reply.nodeName}":`) + reply.nodeName.length + 3;
  const end = text.lastIndexOf(',"sign":');
  const content = bytes(text.slice(start, end), charset);
  return createVerify(signType === 'RSA2' ? 'RSA-SHA256' : 'RSA-SHA1').update(content).verify(platformPublicKey, reply.sign, 'base64');
}

export interface HandApp {
  appId: string;
  pid: string;
  privateKey: KeyObject;
}

/** A merchant with an app whose RSA2 and RSA keys are `publicKey` (a fresh pair unless given). */
export async function handApp(harness: Harness, options: { keys?: 'both' | 'rsa2' | 'rsa'; balance?: string } = {}): Promise<HandApp> {
  const merchant = await harness.adminOk('POST', '/merchants', { balance: options.balance ?? '1000.00' });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keys = options.keys ?? 'both';
  const app = await harness.adminOk('POST', '/apps', {
    pid: merchant.pid,
    ...(keys !== 'rsa' && { app_public_key: pem }),
    ...(keys !== 'rsa2' && { rsa_public_key: pem }),
  });
  return { appId: app.app_id, pid: merchant.pid, privateKey };
}

export interface RequestOptions {
  method?: string;
  biz?: Record<string, unknown> | string;
  signType?: 'RSA2' | 'RSA';
  charset?: Charset;
  /** Parameters to add, replace, or (with `undefined`) drop before signing. */
  params?: Record<string, string | undefined>;
  /** Parameters to change after signing (tampering). */
  after?: Record<string, string>;
  /** The private key to sign with, as an object or PEM text. (Default: the app's) */
  key?: KeyObject | string;
}

/** A signed form for `app`, percent-encoded in its charset. */
export function signedForm(app: HandApp, options: RequestOptions = {}): { form: string; params: Record<string, string> } {
  const charset = options.charset ?? 'utf-8';
  const signType = options.signType ?? 'RSA2';
  const params: Record<string, string> = {
    app_id: app.appId,
    method: options.method ?? 'alipay.trade.query',
    charset: charset === 'utf-8' ? 'utf-8' : charset,
    sign_type: signType,
    timestamp: timestampNow(),
    version: '1.0',
    biz_content: typeof options.biz === 'string' ? options.biz : JSON.stringify(options.biz ?? {}),
  };
  for (const [key, value] of Object.entries(options.params ?? {})) {
    if (value === undefined) delete params[key];
    else params[key] = value;
  }
  const signed: Record<string, string> = { ...params, sign: signParams(params, options.key ?? app.privateKey, signType, charset) };
  Object.assign(signed, options.after ?? {});
  const form = formOf(Object.entries(signed), charset);
  return { form, params: signed };
}
