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
  readonly received: ReceivedNotification[];
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

export async function startNotifyReceiver(initial: ReceiverScript = 'success'): Promise<NotifyReceiver> {
  let script = initial;
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
        response.writeHead(answer.status, { 'content-type': 'text/plain' });
        response.end(answer.body);
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alipay/notify`,
    received,
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
