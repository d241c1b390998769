/** `tuikuan serve`: start, print where to reach it, stop cleanly on SIGINT/SIGTERM. */
import cluster from 'node:cluster';
import { startTuikuan, type Role } from '../tuikuan.js';
import { runChild, runPrimary } from './cluster.js';
import { demoSnippet, ensureDemo } from './demo.js';

export interface ServeOptions {
  port: number;
  host: string;
  db?: string;
  dataDir: string;
  clock: 'real' | 'virtual';
  role: Role;
  processes: number;
  demo?: boolean;
}

function banner(url: string, adminToken: string, clock: string, role: Role, processes: number): string[] {
  return [
    url ? `tuikuan listening on ${url}` : 'tuikuan running (worker role: no HTTP)',
    ...(url ? [`  gateway      ${url}/gateway.do`, `  admin API    ${url}/admin/v1  (Authorization: Bearer ${adminToken})`] : []),
    `  clock        ${clock}`,
    `  role         ${role} × ${processes} process${processes === 1 ? '' : 'es'}`,
  ];
}

function onSignals(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handle = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void stop(signal).then(() => process.exit(0));
  };
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));
}

export async function serve(options: ServeOptions): Promise<void> {
  const common = { port: options.port, host: options.host, dataDir: options.dataDir, clock: options.clock, role: options.role, ...(options.db !== undefined && { db: options.db }) };
  if (cluster.isWorker) return runChild({ ...common, processes: options.processes });

  if (options.processes > 1) {
    const primary = await runPrimary({ ...common, processes: options.processes }, () => {});
    const lines = banner(primary.url, primary.adminToken, options.clock, options.role, options.processes);
    if (options.demo && primary.url) {
      // The demo is made through a short-lived in-process instance on the same database.
      const setup = await startTuikuan({ ...common, port: 0, role: 'gateway' });
      const { file, demo } = await ensureDemo({ ...setup, url: primary.url, gateway: `${primary.url}/gateway.do`, adminUrl: `${primary.url}/admin/v1` });
      await setup.close();
      lines.push(`  demo         ${file}`, '', 'Try it with the official alipay-sdk (npm i alipay-sdk):', '', demoSnippet(file, demo));
    }
    console.log(lines.join('\n'));
    onSignals(() => primary.close());
    return;
  }

  const tuikuan = await startTuikuan(common);
  const lines = banner(tuikuan.url, tuikuan.adminToken, tuikuan.services.clock.kind, options.role, 1);
  if (options.demo && tuikuan.url) {
    const { file, demo } = await ensureDemo(tuikuan);
    lines.push(`  demo         ${file}`, '', 'Try it with the official alipay-sdk (npm i alipay-sdk):', '', demoSnippet(file, demo));
  }
  console.log(lines.join('\n'));
  onSignals(async (signal) => {
    tuikuan.logger.info({ signal }, 'stopping');
    await tuikuan.close();
  });
}
