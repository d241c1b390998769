/**
 * `tuikuan serve` as separate operating-system processes, for tests of several gateways and workers on
 * one database: start one with a role, read the URL it prints, stop it gently or kill it -9.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(process.cwd(), 'bin', 'tuikuan.js');

export interface ServeProcess {
  child: ChildProcess;
  /** Empty for a worker. */
  url: string;
  output(): string;
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

export async function startServe(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...process.env, TUIKUAN_LOG_LEVEL: 'warn', ...env },
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
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
