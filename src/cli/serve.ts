/** `tuikuan serve`: start, print where to reach it, stop cleanly on SIGINT/SIGTERM. */
import { startTuikuan } from '../tuikuan.js';
import { demoSnippet, ensureDemo } from './demo.js';

export interface ServeOptions {
  port: number;
  host: string;
  db?: string;
  dataDir: string;
  clock: 'real' | 'virtual';
  demo?: boolean;
}

export async function serve(options: ServeOptions): Promise<void> {
  const tuikuan = await startTuikuan({
    port: options.port,
    host: options.host,
    dataDir: options.dataDir,
    clock: options.clock,
    ...(options.db !== undefined && { db: options.db }),
  });
  const lines = [
    `tuikuan listening on ${tuikuan.url}`,
    `  gateway      ${tuikuan.gateway}`,
    `  admin API    ${tuikuan.adminUrl}  (Authorization: Bearer ${tuikuan.adminToken})`,
    `  clock        ${tuikuan.services.clock.kind}`,
  ];
  if (options.demo) {
    const { file, demo } = await ensureDemo(tuikuan);
    lines.push(`  demo         ${file}`, '', 'Try it with the official alipay-sdk (npm i alipay-sdk):', '', demoSnippet(file, demo));
  }
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    tuikuan.logger.info({ signal }, 'stopping');
    await tuikuan.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
