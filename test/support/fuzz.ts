/**
 * What a fuzz suite needs to talk to a real server the way no well-behaved client would — any method,
 * any header, any byte in the path or the body — and the checks every reply must pass whatever was sent:
 * nothing of the server's insides (stack frames, source paths, driver errors) ever reaches the caller.
 */
import { AssertionError } from 'node:assert/strict';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { pino } from 'pino';
import { startHarness, type Harness, type HarnessOptions } from './harness.js';

export interface RawRequest {
  method: string;
  /** Path and query, sent as they are: bytes 0x21–0xFF travel as latin1, so invalid UTF-8 can be sent. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body as UTF-8 text (for the leak check; charsets are the caller's business). */
  text: string;
}

/** A client over one keep-alive agent, so thousands of requests do not each open a connection. */
export interface RawClient {
  send(req: RawRequest): Promise<RawResponse>;
  close(): void;
}

/** Node refuses to send a path with spaces or control characters in it: those are percent-encoded. */
function sendablePath(path: string): string {
  return path.replace(/[^\u0021-\u00ff]/gu, (char) =>
    [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/** A header value node accepts: no control characters, nothing beyond latin1. */
export function sendableHeader(value: string): string {
  return value.replace(/[^\t\u0020-\u007e\u0080-\u00ff]/gu, '?');
}

export function rawClient(baseUrl: string): RawClient {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  return {
    send(req) {
      return new Promise<RawResponse>((resolve, reject) => {
        const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'latin1');
        const headers: Record<string, string> = {};
        for (const [key, value] of Object.entries(req.headers ?? {})) headers[key] = sendableHeader(value);
        if (body !== undefined) headers['content-length'] = String(body.length);
        const outgoing = request(
          { host: base.hostname, port: base.port, method: req.method, path: sendablePath(req.path), headers, agent },
          (incoming) => {
            const chunks: Buffer[] = [];
            incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
            incoming.on('end', () => {
              const all = Buffer.concat(chunks);
              resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: all, text: all.toString('utf8') });
            });
            incoming.on('error', reject);
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

/**
 * Marks of the server's insides. A reply shows none of them — unless the request itself carried the same
 * text (an echo of the caller's own input, as `isv.invalid-signature` shows the string it verified, is no leak).
 */
const INTERNALS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a stack frame', /\bat (?:async )?(?:[\w$.<>[\] ]+ \()?(?:file:\/\/|node:|\/)[^\s)]*:\d+:\d+/],
  ['a path in the checkout', /\/work\//],
  ['node_modules', /node_modules/],
  ['a compiled-source path', /dist\/src/],
  ['a source position', /\.[cm]?[jt]s:\d+/],
  // A JS error's class name, or `Error:` as a thrown error prints ("Client Error" in a 400 is only words).
  ['a JavaScript error', /\b(?:Type|Range|Syntax|Reference|Eval|URI|Aggregate|Sqlite|Database|Zod|Fastify|System|Assertion)Error\b|\bError: /],
  ['a database error', /SQLITE_[A-Z]+|duplicate key value|violates [\w ]*constraint|syntax error at or near|relation "[^"]*" does not exist|invalid input syntax for|invalid byte sequence for encoding|operator does not exist|row value misused/i],
];

/** Percent-decodes what can be decoded, so an echo of a percent-encoded input is recognised. */
function loosely(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

/** The marks of internals `reply` shows that `sent` (the request, as text) did not carry itself. */
export function leakedInternals(reply: string, sent: string): string[] {
  const echoable = `${sent}\n${loosely(sent)}`;
  const found: string[] = [];
  for (const [name, pattern] of INTERNALS) {
    const match = pattern.exec(reply);
    if (match && !echoable.includes(match[0])) found.push(`${name}: ${JSON.stringify(match[0])}`);
  }
  return found;
}

/** A request as text, for a failure message that reproduces it (long values are cut in the middle). */
export function describeRequest(req: RawRequest, limit = 3000): string {
  const cut = (text: string) => (text.length > limit ? `${text.slice(0, limit / 2)}…[${text.length - limit} more]…${text.slice(-limit / 2)}` : text);
  const body = req.body === undefined ? '' : `\n  body (${req.body.length} bytes, latin1): ${JSON.stringify(cut(Buffer.isBuffer(req.body) ? req.body.toString('latin1') : req.body))}`;
  return `${req.method} ${cut(req.path)}\n  headers: ${JSON.stringify(req.headers ?? {})}${body}`;
}

/** The request as text the leak check compares with: its path, header values and body. */
export function sentText(req: RawRequest): string {
  const body = req.body === undefined ? '' : Buffer.isBuffer(req.body) ? req.body.toString('latin1') : req.body;
  const bodyUtf8 = req.body === undefined ? '' : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : req.body;
  return [req.path, ...Object.values(req.headers ?? {}), body, bodyUtf8].join('\n');
}

/** Counts outcomes of a property by label, for a diagnostic line that shows what the cases reached. */
export class Tally {
  readonly #counts = new Map<string, number>();
  add(label: string): void {
    this.#counts.set(label, (this.#counts.get(label) ?? 0) + 1);
  }
  get total(): number {
    let sum = 0;
    for (const count of this.#counts.values()) sum += count;
    return sum;
  }
  toString(): string {
    return [...this.#counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([label, count]) => `${label}×${count}`)
      .join(', ');
  }
}

/** A line the server logged at level error or above: something failed inside that was not the caller's fault. */
export interface ServerError {
  msg: string;
  err?: { type?: string; message?: string; stack?: string };
}

export interface WatchedHarness extends Harness {
  /** What the server logged at error level since the last call (and forgets it). */
  takeServerErrors(): ServerError[];
}

/**
 * startHarness (harness.ts) with the server's log kept: a caught exception is still answered politely
 * (20000 isp.unknow-error, the MAPI catch-all, a 500), and its log line is how a fuzz case knows it was one.
 */
export async function startWatchedHarness(options: HarnessOptions): Promise<WatchedHarness> {
  let errors: ServerError[] = [];
  const logStream = {
    write(line: string) {
      const entry = JSON.parse(line) as { level: number } & ServerError;
      if (entry.level >= 50) errors.push({ msg: entry.msg, ...(entry.err && { err: entry.err }) });
    },
  };
  const harness = await startHarness({ ...options, logger: pino({ level: 'error' }, logStream) });
  return {
    ...harness,
    takeServerErrors() {
      const taken = errors;
      errors = [];
      return taken;
    },
  };
}

interface Finding {
  count: number;
  /** The first case that broke the rule: fast-check's seed and path to replay it, the case, and what was sent and answered. */
  first: string;
}

/**
 * The rules a property's cases break, gathered rather than stopping at the first: one run shows every distinct
 * way the server goes wrong (with the first case of each, and how often it happened), not just the first.
 * A failure that is not an assertion (the harness itself broke) ends the run at once.
 */
export class Findings {
  readonly #kinds = new Map<string, Finding>();
  #run: number;

  /** `firstPath`: the path of the first case run (not 0 when fast-check replays one case from its path). */
  constructor(
    private readonly seed: number,
    firstPath = 0,
  ) {
    this.#run = firstPath;
  }

  /**
   * Runs one case. `target` names what it aimed at (a method, a route), so that distinct bugs stay distinct;
   * `generated` prints the case as fast-check drew it.
   */
  async check(target: string, generated: () => string, body: () => Promise<void>): Promise<void> {
    const path = this.#run++;
    try {
      await body();
    } catch (error) {
      if (!(error instanceof AssertionError)) throw error;
      const message = error.message;
      const rule = (message.split('\n', 1)[0] ?? message).replace(/\d{6,}/g, '…');
      const status = /\nreply: (\d+)/.exec(message)?.[1];
      const kind = `${target} — ${rule}${status ? ` [HTTP ${status}]` : ''}`;
      const known = this.#kinds.get(kind);
      if (known) known.count++;
      else {
        const drawn = generated();
        this.#kinds.set(kind, { count: 1, first: `{ seed: ${this.seed}, path: "${path}" } ${drawn.length > 2000 ? `${drawn.slice(0, 2000)}…` : drawn}\n${message}` });
      }
    }
  }

  get size(): number {
    return this.#kinds.size;
  }

  /** Fails, listing every distinct finding with its first case, if there was any. */
  assertNone(): void {
    if (this.#kinds.size === 0) return;
    const report = [...this.#kinds.entries()].map(([kind, { count, first }], i) => `#${i + 1} ${kind} — ${count} case(s); the first:\n${first}`).join('\n\n');
    throw new AssertionError({ message: `${this.#kinds.size} rule(s) broken:\n\n${report}` });
  }
}
