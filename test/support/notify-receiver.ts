/**
 * A merchant's notify_url for tests: a node:http server that records every POSTed form — the raw body and
 * its parsed fields — and answers each attempt as its script says ('success' always, 'fail' always,
 * 'success' from the Nth attempt on, or any function of the attempt number).
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotification {
  /** 1 for the first POST this receiver got, 2 for the second, … */
  attempt: number;
  /** The request body exactly as it arrived. */
  raw: string;
  /** The form's fields, decoded (application/x-www-form-urlencoded, UTF-8). */
  fields: Record<string, string>;
  headers: IncomingHttpHeaders;
  method: string;
}

export interface ReceiverAnswer {
  status: number;
  body: string;
  /** A Location header, for a redirect. */
  location?: string;
}

export type ReceiverScript =
  | 'success'
  | 'fail'
  /** Answers `fail` until the given attempt, then `success`. */
  | { successOnAttempt: number }
  /** A promise holds the attempt open until it settles: for tests of what happens meanwhile. */
  | ((attempt: number) => ReceiverAnswer | string | Promise<ReceiverAnswer | string>);

export interface NotifyReceiver {
  url: string;
  /** The port it listens on. */
  port: number;
  readonly received: ReceivedNotification[];
  /** TCP connections it has accepted: a destination refused is never connected to. */
  connections(): number;
  /** Changes how later attempts are answered. */
  setScript(script: ReceiverScript): void;
  close(): Promise<void>;
}

async function answerFor(script: ReceiverScript, attempt: number): Promise<ReceiverAnswer> {
  if (script === 'success') return { status: 200, body: 'success' };
  if (script === 'fail') return { status: 200, body: 'fail' };
  if (typeof script === 'function') {
    const answer = await script(attempt);
    return typeof answer === 'string' ? { status: 200, body: answer } : answer;
  }
  return { status: 200, body: attempt >= script.successOnAttempt ? 'success' : 'fail' };
}

export interface ReceiverAddress {
  /** (Default: 127.0.0.1) */
  host?: string;
  /** (Default: a free one) */
  port?: number;
}

export async function startNotifyReceiver(initial: ReceiverScript = 'success', where: ReceiverAddress = {}): Promise<NotifyReceiver> {
  let script = initial;
  let connections = 0;
  const received: ReceivedNotification[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const attempt = received.length + 1;
      received.push({
        attempt,
        raw,
        fields: Object.fromEntries(new URLSearchParams(raw)),
        headers: request.headers,
        method: request.method ?? '',
      });
      void answerFor(script, attempt).then((answer) => {
        response.writeHead(answer.status, { 'content-type': 'text/plain', ...(answer.location && { location: answer.location }) });
        response.end(answer.body);
      });
    });
  });
  server.on('connection', () => connections++);
  const host = where.host ?? '127.0.0.1';
  server.listen(where.port ?? 0, host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/alipay/notify`,
    port,
    received,
    connections: () => connections,
    setScript(next) {
      script = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
