/**
 * tuikuan as the operating system sees it, for the chaos harness: a `serve --processes 2` cluster (a primary
 * that forks two processes, each a gateway and a worker) and a separate `serve --role worker` process, each
 * spawned in a process group of its own so that "kill -9 the whole group" reaches the primary and every child
 * at once. A single cluster child can be killed alone (the primary starts another); an exit nobody asked for is
 * reported.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin', 'tuikuan.js');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export interface ServeSetup {
  db: string;
  dataDir: string;
  port: number;
  /** TUIKUAN_ADMIN_TOKEN, TUIKUAN_JOB_LEASE_MS, TUIKUAN_LOG_LEVEL, … */
  env: Record<string, string>;
  /** Every process's output is appended here, for a post-mortem. */
  log: WriteStream;
  /** Called for an exit the harness did not cause. */
  onUnplannedExit: (what: string) => void;
  /** Called for each error logged by a tuikuan process. */
  onErrorLogged: (line: string) => void;
}

export function openLog(file: string): WriteStream {
  return createWriteStream(file, { flags: 'a' });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The pids whose parent is `parentPid` and that are still running (zombies count as gone), from /proc. */
export function childPidsOf(parentPid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && stat.ppid === parentPid && stat.state !== 'Z') children.push(Number(entry));
  }
  return children;
}

function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the parenthesised command name: state, ppid, …
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z';
}

async function untilGone(pids: readonly number[], timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (pids.some(isRunning) && Date.now() < end) await sleep(20);
}

interface Spawned {
  child: ChildProcess;
  pid: number;
  exited: Promise<void>;
  /** Resolves with the first line that matched `ready`. */
  ready: Promise<string>;
}

/** Spawns `tuikuan serve …` detached (a process group of its own, whose id is its pid). */
function spawnServe(label: string, args: string[], setup: ServeSetup, ready: RegExp, onLine: (line: string) => void): Spawned {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...setup.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${label}: spawn failed`);
  let resolveReady: (line: string) => void = () => {};
  let rejectReady: (error: Error) => void = () => {};
  const readyPromise = new Promise<string>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const timer = setTimeout(() => rejectReady(new Error(`${label} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
  let pending = '';
  const take = (chunk: Buffer) => {
    const text = chunk.toString();
    setup.log.write(text.replace(/^(?=.)/gm, `[${label} ${pid}] `));
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      onLine(line);
      if (ready.test(line)) {
        clearTimeout(timer);
        resolveReady(line);
      }
      if (/"level":50|"level":60/.test(line)) setup.onErrorLogged(line);
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      setup.log.write(`[${label} ${pid}] exited (${signal ?? code})\n`);
      rejectReady(new Error(`${label} exited (${signal ?? code}) before it was ready`));
      resolve();
    }),
  );
  // A rejection nobody awaits (an exit after readiness) must not end the harness.
  readyPromise.catch(() => {});
  return { child, pid, exited, ready: readyPromise };
}

/** SIGKILL to every process of a group; ESRCH (already gone) is fine. */
function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // the group has no process left
  }
}

/** The `serve --processes 2` cluster: its primary and the children it forks and restarts. */
export class TuikuanCluster {
  readonly #setup: ServeSetup;
  readonly #processes: number;
  #primary: Spawned | null = null;
  #stopping = false;
  /** Children the harness killed itself: their exit, announced by the primary, is expected. */
  readonly #killedChildren = new Set<number>();
  #up = false;
  #upWaiters: Array<() => void> = [];

  constructor(setup: ServeSetup, processes = 2) {
    this.#setup = setup;
    this.#processes = processes;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#setup.port}`;
  }

  /** True while the gateway is listening (between start and a kill). */
  get up(): boolean {
    return this.#up;
  }

  /** Resolves once the gateway listens again. */
  whenUp(): Promise<void> {
    if (this.#up) return Promise.resolve();
    return new Promise((resolve) => this.#upWaiters.push(resolve));
  }

  get primaryPid(): number | null {
    return this.#primary?.pid ?? null;
  }

  async start(): Promise<void> {
    const { db, dataDir, port } = this.#setup;
    const args = [
      '--processes',
      String(this.#processes),
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--db',
      db,
      '--data-dir',
      dataDir,
      '--clock',
      'virtual',
    ];
    this.#stopping = false;
    const primary = spawnServe('cluster', args, this.#setup, /tuikuan listening on http:\/\//, (line) => this.#watchPrimaryLine(line));
    this.#primary = primary;
    void primary.exited.then(() => {
      if (this.#primary !== primary) return;
      this.#primary = null;
      this.#up = false;
      if (!this.#stopping) this.#setup.onUnplannedExit(`cluster primary ${primary.pid} exited by itself`);
    });
    await primary.ready;
    this.#up = true;
    for (const resolve of this.#upWaiters.splice(0)) resolve();
  }

  /** The primary announces each child that died ("tuikuan process <pid> exited (<signal or code>)"). */
  #watchPrimaryLine(line: string): void {
    const exit = /tuikuan process (\d+) exited \(([^)]*)\)/.exec(line);
    if (!exit) return;
    const pid = Number(exit[1]);
    if (this.#killedChildren.delete(pid)) return;
    if (!this.#stopping) this.#setup.onUnplannedExit(`cluster child ${pid} exited by itself (${exit[2]})`);
  }

  /** kill -9 of the primary and every child at once; resolves when none of them runs any more. */
  async killGroup(): Promise<void> {
    const primary = this.#primary;
    if (!primary) return;
    const children = childPidsOf(primary.pid);
    this.#stopping = true;
    this.#up = false;
    killGroup(primary.pid);
    await primary.exited;
    await untilGone(children);
    this.#primary = null;
  }

  /** kill -9 of one cluster child, chosen by `choose`; the primary starts another. The pid killed, if any. */
  killOneChild(choose: (pids: number[]) => number): number | null {
    const primary = this.#primary;
    if (!primary) return null;
    const children = childPidsOf(primary.pid);
    if (children.length === 0) return null;
    const victim = choose(children);
    this.#killedChildren.add(victim);
    try {
      process.kill(victim, 'SIGKILL');
    } catch {
      this.#killedChildren.delete(victim);
      return null;
    }
    return victim;
  }

  /** Resolves once the primary has its full count of children again (after a single kill). */
  async untilChildrenRestarted(timeoutMs = 20_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const primary = this.#primary;
      if (!primary) return false;
      if (childPidsOf(primary.pid).length >= this.#processes) return true;
      await sleep(50);
    }
    return false;
  }

  /** A clean stop (SIGTERM to the primary, which stops its children); kill -9 if it takes too long. */
  async stop(): Promise<void> {
    const primary = this.#primary;
    if (!primary) return;
    this.#stopping = true;
    this.#up = false;
    primary.child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(primary.pid), STOP_TIMEOUT_MS);
    await primary.exited;
    clearTimeout(timer);
    killGroup(primary.pid); // a child the primary could not stop
    this.#primary = null;
  }

  /** Last resort when the harness itself ends: nothing of the group may outlive it. */
  killNow(): void {
    if (this.#primary) killGroup(this.#primary.pid);
  }
}

/** A separate `serve --role worker` process: background jobs only, no HTTP. */
export class StandaloneWorker {
  readonly #setup: ServeSetup;
  #process: Spawned | null = null;
  #killing = false;

  constructor(setup: ServeSetup) {
    this.#setup = setup;
  }

  get running(): boolean {
    return this.#process !== null;
  }

  async start(): Promise<void> {
    const { db, dataDir } = this.#setup;
    const args = ['--role', 'worker', '--processes', '1', '--db', db, '--data-dir', dataDir, '--clock', 'virtual'];
    this.#killing = false;
    const worker = spawnServe('worker', args, this.#setup, /tuikuan running/, () => {});
    this.#process = worker;
    void worker.exited.then(() => {
      if (this.#process !== worker) return;
      this.#process = null;
      if (!this.#killing) this.#setup.onUnplannedExit(`worker process ${worker.pid} exited by itself`);
    });
    await worker.ready;
  }

  async kill(): Promise<void> {
    const worker = this.#process;
    if (!worker) return;
    this.#killing = true;
    killGroup(worker.pid);
    await worker.exited;
    this.#process = null;
  }

  async stop(): Promise<void> {
    const worker = this.#process;
    if (!worker) return;
    this.#killing = true;
    worker.child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(worker.pid), STOP_TIMEOUT_MS);
    await worker.exited;
    clearTimeout(timer);
    this.#process = null;
  }

  killNow(): void {
    if (this.#process) killGroup(this.#process.pid);
  }
}
