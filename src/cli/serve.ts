/** `tuikuan serve`: start, print where to reach it, stop cleanly on SIGINT/SIGTERM. */
import cluster from 'node:cluster';
import { startTuikuan, type Role } from '../tuikuan.js';
import { replySigningFor, runChild, runPrimary, type ClusterOptions } from './cluster.js';
import { readSeedFile } from '../seed-file.js';
import { demoSnippet, demoWorld, ensureDemo } from './demo.js';

export interface ServeOptions extends ClusterOptions {
  demo?: boolean;
  /** A seed file's path. */
  seed?: string;
}

function banner(url: string, adminToken: string, clock: string, role: Role, processes: number, notify: string): string[] {
  return [
    url ? `tuikuan listening on ${url}` : 'tuikuan running (worker role: no HTTP)',
    ...(url
      ? [
          `  gateway      ${url}/gateway.do`,
          `  admin API    ${url}/admin/v1  (Authorization: Bearer ${adminToken})`,
          `  console      ${url}/console  (log in with the admin token)`,
        ]
      : []),
    `  clock        ${clock}`,
    `  role         ${role} × ${processes} process${processes === 1 ? '' : 'es'}`,
    `  notify       ${notify}`,
  ];
}

/** Where notifications may go, as the banner says it. */
function notifyLine(options: ServeOptions): string {
  if (options.notifyPolicy !== 'public') return 'any destination (--notify-policy any)';
  return `public addresses only${options.notifyAllow ? `, and ${options.notifyAllow}` : ''} (--notify-policy public)`;
}

/**
 * Takes SIGINT/SIGTERM from the first moment: a signal that arrives while tuikuan is still starting stops
 * it as soon as it has started, cleanly, rather than killing it half-way.
 */
function onSignals(): { stopWith(stop: (signal: string) => Promise<void>): void } {
  let received: string | null = null;
  let stopper: ((signal: string) => Promise<void>) | null = null;
  let stopping = false;
  const run = () => {
    if (stopping || !received || !stopper) return;
    stopping = true;
    stopper(received).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  const handle = (signal: string) => {
    received ??= signal;
    run();
  };
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));
  return {
    stopWith(stop) {
      stopper = stop;
      run();
    },
  };
}

/** What the banner says of the demo: where its credentials are, and a snippet that uses them. */
function demoLines(file: string, demo: Parameters<typeof demoSnippet>[1]): string[] {
  return [
    `  demo         ${file}  (fixed credentials: for tests only)`,
    '',
    'Try it with the official alipay-sdk (npm i alipay-sdk):',
    '',
    demoSnippet(file, demo),
  ];
}

export async function serve(options: ServeOptions): Promise<void> {
  if (cluster.isWorker) return runChild(options);
  const signals = onSignals();
  const seeds = [...(options.seed ? [readSeedFile(options.seed)] : []), ...(options.demo ? [demoWorld()] : [])];
  const common = {
    port: options.port,
    host: options.host,
    dataDir: options.dataDir,
    clock: options.clock,
    role: options.role,
    notifyPolicy: options.notifyPolicy,
    ...(options.notifyAllow !== undefined && { notifyAllow: options.notifyAllow }),
    ...(options.db !== undefined && { db: options.db }),
  };
  if (options.processes > 1) {
    const primary = await runPrimary({ ...common, processes: options.processes, seeds }, () => {});
    const lines = banner(primary.url, primary.adminToken, options.clock, options.role, options.processes, notifyLine(options));
    if (options.demo && primary.url) {
      // The demo is made through a short-lived in-process instance on the same database.
      const setup = await startTuikuan({ ...common, port: 0, role: 'gateway' });
      const { file, demo } = await ensureDemo({ ...setup, url: primary.url, gateway: `${primary.url}/gateway.do`, adminUrl: `${primary.url}/admin/v1` });
      await setup.close();
      lines.push(...demoLines(file, demo));
    }
    console.log(lines.join('\n'));
    signals.stopWith(() => primary.close());
    return;
  }

  const tuikuan = await startTuikuan({ ...common, seeds, replySigning: replySigningFor(1) });
  const lines = banner(tuikuan.url, tuikuan.adminToken, tuikuan.services.clock.kind, options.role, 1, notifyLine(options));
  if (options.demo && tuikuan.url) {
    const { file, demo } = await ensureDemo(tuikuan);
    lines.push(...demoLines(file, demo));
  }
  console.log(lines.join('\n'));
  signals.stopWith(async (signal) => {
    tuikuan.logger.info({ signal }, 'stopping');
    await tuikuan.close();
  });
}
