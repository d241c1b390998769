/**
 * A lean closed-loop HTTP/1.1 load generator, run as its own process so that it does not share an event
 * loop with the server. Requests are raw bytes prepared (and signed) beforehand: during the measurement it
 * only writes them and reads the replies. Each connection sends its next request when the previous reply
 * has fully arrived.
 *
 * Input (a JSON file named by argv[2]): { port, connections, seconds, requestsFile, cycle }
 * where requestsFile holds one base64 request per line. Output: one JSON line on stdout.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

export interface LoadSpec {
  port: number;
  connections: number;
  seconds: number;
  requestsFile: string;
  /** Reuse requests when they run out (reads), or stop (refunds, which must each be new). */
  cycle: boolean;
}

export interface LoadResult {
  completed: number;
  succeeded: number;
  failed: number;
  seconds: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  /** A sample reply that was not code 10000, to tell what went wrong. */
  sampleFailure: string | null;
  exhausted: boolean;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const requests = readFileSync(spec.requestsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => Buffer.from(line, 'base64'));
  let next = 0;
  let exhausted = false;
  const latencies: number[] = [];
  let succeeded = 0;
  let failed = 0;
  let sampleFailure: string | null = null;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(spec.seconds * 1e9));

  const take = (): Buffer | null => {
    if (next >= requests.length) {
      if (!spec.cycle) {
        exhausted = true;
        return null;
      }
      next = 0;
    }
    return requests[next++] ?? null;
  };

  const connection = () =>
    new Promise<void>((resolve, reject) => {
      const socket: Socket = connect(spec.port, '127.0.0.1');
      socket.setNoDelay(true);
      let buffer: Buffer = Buffer.alloc(0);
      let sentAt = 0n;
      const send = () => {
        if (process.hrtime.bigint() >= deadline) return socket.end(() => resolve());
        const request = take();
        if (!request) return socket.end(() => resolve());
        sentAt = process.hrtime.bigint();
        socket.write(request);
      };
      socket.on('connect', send);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        for (;;) {
          const headerEnd = buffer.indexOf('\r\n\r\n');
          if (headerEnd === -1) return;
          const head = buffer.subarray(0, headerEnd).toString('latin1');
          const match = /content-length:\s*(\d+)/i.exec(head);
          const length = match ? Number(match[1]) : 0;
          if (buffer.length < headerEnd + 4 + length) return;
          const body = buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
          buffer = buffer.subarray(headerEnd + 4 + length);
          latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
          if (head.startsWith('HTTP/1.1 200') && body.includes('"code":"10000"')) succeeded++;
          else {
            failed++;
            sampleFailure ??= `${head.split('\r\n')[0]} ${body.slice(0, 400)}`;
          }
          send();
        }
      });
    });

  await Promise.all(Array.from({ length: spec.connections }, connection));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = Float64Array.from(latencies).sort();
  return {
    completed: latencies.length,
    succeeded,
    failed,
    seconds,
    rps: latencies.length / seconds,
    p50ms: percentile(sorted, 50),
    p99ms: percentile(sorted, 99),
    sampleFailure,
    exhausted,
  };
}

if (process.argv[2]) {
  const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadSpec;
  run(spec).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
