/**
 * One POST of a notification form to a merchant's notify_url, under the destination rules
 * (notify-destination.ts). The rules are applied where the connection is made: the host name is resolved
 * once, by the lookup the socket itself uses, and only a permitted address is connected to; an address
 * literal is judged before any socket is opened; and the socket's remote address is judged again once
 * connected. Redirects are never followed (a 3xx is an answer other than `success`), each attempt has its
 * own connection, and no more of the answer is read than is kept.
 */
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { destinationRefusal, type NotifyDestinationRules } from './notify-destination.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to its addresses. (Default: the system resolver, as `dns.lookup` with `all`) */
export type NotifyResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: NotifyResolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }))),
    ),
  );

export type PostOutcome =
  | { kind: 'answered'; httpStatus: number; responseBody: string }
  | { kind: 'failed'; error: string }
  /** The destination may not be connected to: the notification gives up. */
  | { kind: 'refused'; reason: string };

export interface PostOptions {
  url: string;
  body: string;
  contentType: string;
  timeoutMs: number;
  rules: NotifyDestinationRules;
  resolver: NotifyResolver;
  /** How much of the answer is kept; no more is read. */
  keepChars: number;
}

class DestinationRefused extends Error {
  constructor(readonly reason: string) {
    super(`notify destination refused: ${reason}`);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

/** A socket lookup that resolves once and hands the socket only the addresses the rules permit. */
function guardedLookup(options: PostOptions, port: number): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    options.resolver(hostname).then(
      (addresses) => {
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? addresses.filter((a) => a.family === lookupOptions.family) : addresses;
        const refusals = wanted.map((a) => destinationRefusal(options.rules, { hostname, address: a.address, port }));
        const permitted = wanted.filter((_, i) => refusals[i] === null);
        if (wanted.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4);
        const first = permitted[0];
        if (!first) return callback(new DestinationRefused(`${hostname} resolves to ${refusals[0]}`), '', 4);
        if (lookupOptions.all) return (callback as unknown as (e: null, all: ResolvedAddress[]) => void)(null, permitted);
        return callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), '', 4),
    );
  };
}

export function postNotification(options: PostOptions): Promise<PostOutcome> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    return Promise.resolve({ kind: 'failed', error: 'notify_url is not a URL' });
  }
  const https = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : https ? 443 : 80;
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(hostname) !== 0) {
    const refusal = destinationRefusal(options.rules, { hostname, address: hostname, port });
    if (refusal) return Promise.resolve({ kind: 'refused', reason: refusal });
  }

  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const fail = (error: unknown) =>
      finish(error instanceof DestinationRefused ? { kind: 'refused', reason: error.reason } : { kind: 'failed', error: describe(error) });

    const send = https ? httpsRequest : httpRequest;
    const request: ClientRequest = send(url, {
      method: 'POST',
      headers: { 'content-type': options.contentType, 'content-length': Buffer.byteLength(options.body) },
      agent: false,
      lookup: guardedLookup(options, port),
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);

    request.on('socket', (socket: Socket) => {
      // The address the socket reached, judged again (the lookup has already kept refused ones out): a
      // refused one is dropped at once.
      socket.once('connect', () => {
        const refusal = destinationRefusal(options.rules, { hostname, address: socket.remoteAddress ?? '', port: socket.remotePort ?? port });
        if (refusal) request.destroy(new DestinationRefused(refusal));
      });
    });
    request.on('error', fail);
    request.on('response', (response: IncomingMessage) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        if (text.length >= options.keepChars) {
          // Enough to record and to tell `success` from anything else.
          finish({ kind: 'answered', httpStatus: response.statusCode ?? 0, responseBody: text.slice(0, options.keepChars) });
          request.destroy();
        }
      });
      response.on('end', () => finish({ kind: 'answered', httpStatus: response.statusCode ?? 0, responseBody: text }));
      response.on('error', fail);
    });
    request.end(options.body);
  });
}
