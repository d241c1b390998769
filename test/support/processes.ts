/**
 * The `tuikuan` command as separate operating-system processes: `serve` started with a role, its URL read
 * from what it prints, stopped by a signal or killed -9 (tests of several gateways and workers on one
 * database, of the CLI's options and environment); and the short commands (`migrate`, `keys`) run to their end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { AlipaySdk } from 'alipay-sdk';

const BIN = join(process.cwd(), 'bin', 'tuikuan.js');

export interface ServeProcess {
  child: ChildProcess;
  /** Empty for a worker. */
  url: string;
  output(): string;
  /** Sends the signal (Default: SIGTERM) and resolves with the exit code once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  kill9(): Promise<void>;
}

/** The environment a child runs in: this process's, logging at warn, with `env` added (an undefined value unsets). */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, TUIKUAN_LOG_LEVEL: 'warn' };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export async function startServe(args: string[], env: Record<string, string | undefined> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      if (signal) output += `\n[ended by ${signal}]`;
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tuikuan serve ${args.join(' ')} did not start:\n${output}`)), 30_000);
    const check = () => {
      const listening = /tuikuan listening on (http:\/\/\S+)/.exec(output);
      if (listening || /tuikuan running/.test(output)) {
        clearTimeout(timer);
        resolve(listening?.[1] ?? '');
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tuikuan serve exited ${code}:\n${output}`));
    });
  });
  return {
    child,
    url,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
    async kill9() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tuikuan <args>` to its end (failing after `timeoutMs`). */
export function runTuikuan(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<CommandResult> {
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tuikuan ${args.join(' ')} did not end within ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    // 'close', not 'exit': the pipes have given all the process wrote.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A TCP port free on `host` right now (for a test that must name the port before the server picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether anything accepts a TCP connection at host:port. */
export function accepting(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The admin API of a served tuikuan: a call that must succeed (2xx), returning its body. */
export type RemoteAdmin = <T = Record<string, any>>(method: string, path: string, body?: unknown) => Promise<T>;

export function remoteAdmin(url: string, token: string): RemoteAdmin {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
}

let appKeyPair: { privateKey: string; publicKey: string } | null = null;

/** A merchant with a balance and an app on a served tuikuan, and the official SDK pointed at `url`. */
export async function remoteMerchant(url: string, admin: RemoteAdmin, balance = '10000.00'): Promise<{ pid: string; appId: string; sdk: AlipaySdk }> {
  appKeyPair ??= generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
  const merchant = await admin('POST', '/merchants', { balance });
  const app = await admin('POST', '/apps', { pid: merchant.pid, app_public_key: appKeyPair.publicKey });
  const platform = await admin('GET', '/platform');
  const sdk = new AlipaySdk({ appId: app.app_id, privateKey: appKeyPair.privateKey, alipayPublicKey: platform.public_key, gateway: `${url}/gateway.do`, camelcase: false, timeout: 30_000 });
  return { pid: merchant.pid, appId: app.app_id, sdk };
}

/** The processes whose parent is `pid` (Linux: read from /proc). */
export function childProcessesOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: the command name may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return children.sort((a, b) => a - b);
}
