/** The `tuikuan` command. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { generateRsaKeyPair } from '../core/key-pairs.js';
import { migrateToLatest } from '../store/migrate.js';
import { openStore } from '../store/store.js';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { serve, type ServeOptions } from './serve.js';
import { addAdminCommands } from './admin-commands.js';
import { AdminApiError } from '../kit/admin-client.js';

function processCount(value: string): number {
  if (value === 'auto') return availableParallelism();
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 256) throw new InvalidArgumentError("a number of processes, or 'auto'");
  return parsed;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('a port number');
  return parsed;
}

const program = new Command('tuikuan').description('An Alipay-compatible refund gateway').showHelpAfterError();

program
  .command('serve')
  .description('start the gateway, the admin API and the worker')
  .addOption(new Option('--port <port>', 'port to listen on').argParser(port).env('TUIKUAN_PORT').default(9080))
  .addOption(new Option('--host <host>', 'address to listen on').env('TUIKUAN_HOST').default('127.0.0.1'))
  .addOption(new Option('--db <location>', 'SQLite file or postgres:// URL (default: <data-dir>/tuikuan.db)').env('TUIKUAN_DB'))
  .addOption(new Option('--data-dir <dir>', 'data directory').env('TUIKUAN_DATA_DIR').default('.tuikuan'))
  .addOption(new Option('--clock <kind>', 'real, or virtual (advanced through the admin API)').choices(['real', 'virtual']).default('real'))
  .addOption(
    new Option('--role <role>', 'gateway (HTTP), worker (background jobs) or all').choices(['all', 'gateway', 'worker']).env('TUIKUAN_ROLE').default('all'),
  )
  .addOption(
    new Option('--processes <n>', "processes to run (node:cluster), or 'auto' for one per core").argParser(processCount).env('TUIKUAN_PROCESSES').default(1),
  )
  .addOption(
    new Option('--notify-policy <policy>', 'where notifications may go: any, or public (no internal addresses, not tuikuan itself)')
      .choices(['any', 'public'])
      .env('TUIKUAN_NOTIFY_POLICY')
      .default('any'),
  )
  .addOption(new Option('--notify-allow <list>', 'exceptions to the public policy: comma-separated hosts, addresses and CIDRs').env('TUIKUAN_NOTIFY_ALLOW'))
  .addOption(new Option('--seed <file>', 'a declared world (JSON): platform key, merchants, apps, tokens, trades — applied at every start').env('TUIKUAN_SEED'))
  .option('--demo', 'create a demo merchant, app and trades, and write <data-dir>/demo.json')
  .action(async (options: ServeOptions) => {
    await serve(options);
  });

program
  .command('migrate')
  .description('bring the database schema up to date and exit')
  .addOption(new Option('--db <location>', 'SQLite file or postgres:// URL').env('TUIKUAN_DB'))
  .addOption(new Option('--data-dir <dir>', 'data directory').env('TUIKUAN_DATA_DIR').default('.tuikuan'))
  .action(async (options: { db?: string; dataDir: string }) => {
    const store = openStore({ location: options.db ?? join(options.dataDir, 'tuikuan.db') });
    try {
      const applied = await migrateToLatest(store);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
    } finally {
      await store.close();
    }
  });

program
  .command('keys')
  .description('print a new RSA-2048 key pair for an app (PKCS#1 private key, SPKI public key)')
  .action(async () => {
    const pair = await generateRsaKeyPair();
    console.log(pair.privateKeyPem + pair.publicKeyPem);
  });

addAdminCommands(program);

program.parseAsync().catch((error: unknown) => {
  // The admin API's refusals by their stable code (`trade_not_found: no trade …`), as scripts match them.
  if (error instanceof AdminApiError) console.error(`${error.code}: ${error.message}`);
  else console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
