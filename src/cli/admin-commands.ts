/**
 * The everyday questions, asked of a running tuikuan through its admin API: `tuikuan clock [advance <duration>
 * | next-job]`, `tuikuan notifications [--failing]`, `tuikuan trades show <trade_no>`, `tuikuan reset`, and
 * `tuikuan snapshot` / `tuikuan restore <id>`. Readable tables by default; `--json` prints what the admin API
 * answered, for scripts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ClockMove, JobRun, Notification, Refund, Trade } from '../kit/admin-api.js';
import { adminClient, type AdminClient } from '../kit/admin-client.js';
import { formatDuration, parseDuration } from '../kit/duration.js';
import { fieldList, textTable } from './text-table.js';

/** How a command finds the server, and how it answers. */
interface ServerOptions {
  /** The server's base URL. (Default: TUIKUAN_URL, else http://127.0.0.1:9080) */
  url: string;
  /** (Default: TUIKUAN_ADMIN_TOKEN, else the `admin-token` file in the data dir) */
  adminToken?: string;
  /** Where the server keeps its admin token, when none is given. (Default: TUIKUAN_DATA_DIR, else .tuikuan) */
  dataDir: string;
  /** Print the admin API's JSON instead of tables. (Default: false) */
  json?: boolean;
}

/** The options every command here takes. */
function serverOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', "the running server's base URL").env('TUIKUAN_URL').default('http://127.0.0.1:9080'))
    .addOption(new Option('--admin-token <token>', "the admin API's token (default: <data-dir>/admin-token)").env('TUIKUAN_ADMIN_TOKEN'))
    .addOption(new Option('--data-dir <dir>', "the server's data dir, where its admin token is kept").env('TUIKUAN_DATA_DIR').default('.tuikuan'))
    .option('--json', "print the admin API's JSON instead of tables");
}

function clientFor(options: ServerOptions): AdminClient {
  let token = options.adminToken;
  const file = join(options.dataDir, 'admin-token');
  if (!token && existsSync(file)) token = readFileSync(file, 'utf8').trim();
  if (!token) throw new Error(`no admin token: give --admin-token or TUIKUAN_ADMIN_TOKEN, or --data-dir of the server (${file} does not exist)`);
  return adminClient({ url: options.url, token });
}

/** Prints `json` with --json, else `text`. */
function print(options: ServerOptions, json: unknown, text: () => string): void {
  console.log(options.json ? JSON.stringify(json, null, 2) : text());
}

function duration(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === null || seconds < 0) throw new InvalidArgumentError('a duration such as 90, 45s, 15m, 1h, 2d or 1h30m');
  return seconds;
}

function runsTable(runs: readonly JobRun[]): string {
  return textTable(
    ['at', 'job', 'kind', 'subject', 'outcome', 'next run', 'error'],
    runs.map((run) => [run.at, run.id, run.kind, run.subject, run.outcome, run.next_run_at, run.error]),
  );
}

function moveText(move: ClockMove, from: number): string {
  const moved = formatDuration((move.now_ms - from) / 1000);
  const ran = move.ran.length === 0 ? 'no job ran' : `${move.ran.length} job run${move.ran.length === 1 ? '' : 's'}:\n${runsTable(move.ran)}`;
  return `clock  ${move.now}  (+${moved})\n${ran}`;
}

/** The last attempt's answer, in a few words: the HTTP status and body, or the error. */
function lastAnswer(notification: Notification): string {
  const last = notification.attempt_log.at(-1);
  if (!last) return 'not tried yet';
  if (last.error) return last.error;
  return `${last.http_status ?? '?'} ${(last.response_body ?? '').slice(0, 40)}`.trim();
}

/** Not (yet) delivered, and tried at least once: the merchant's notify_url is not answering `success`. */
function isFailing(notification: Notification): boolean {
  return notification.status === 'given_up' || (notification.status === 'pending' && notification.attempts > 0);
}

function notificationsTable(notifications: readonly Notification[]): string {
  return textTable(
    ['notify_id', 'kind', 'trade / batch', 'status', 'attempts', 'last answer', 'next attempt', 'url'],
    notifications.map((n) => [n.notify_id, n.kind, n.trade_no ?? n.batch_no, n.status, n.attempts, lastAnswer(n), n.next_attempt_at, n.url]),
  );
}

function tradeText(trade: Trade, refunds: readonly Refund[], notifications: readonly Notification[]): string {
  const fields = fieldList([
    ['trade_no', trade.trade_no],
    ['out_trade_no', trade.out_trade_no],
    ['status', trade.trade_status],
    ['seller / app', `${trade.seller_id} / ${trade.app_id}`],
    ['subject', trade.subject],
    ['total_amount', trade.total_amount],
    ['refunded', `${trade.refunded_amount} in ${trade.refund_count} refund${trade.refund_count === 1 ? '' : 's'}`],
    ['pending refunds', trade.pending_refund_amount],
    ['paid with', trade.fund_bill_list.map((bill) => `${bill.fund_channel} ${bill.amount}`).join(', ')],
    ['buyer', trade.buyer_logon_id],
    ['frozen / refunds allowed', `${trade.frozen ? 'frozen' : 'no'} / ${trade.refund_allowed ? 'yes' : 'no'}`],
    ['notify_url', trade.notify_url],
    ['created / paid / closed', `${trade.gmt_create ?? '-'} / ${trade.gmt_payment ?? '-'} / ${trade.gmt_close ?? '-'}`],
  ]);
  const refundRows = textTable(
    ['out_request_no', 'amount', 'status', 'source', 'refunded at', 'attempts', 'last error'],
    refunds.map((r) => [r.out_request_no, r.refund_amount, r.status, r.source, r.gmt_refund_pay, r.attempts, r.last_error]),
  );
  return `${fields}\n\nrefunds\n${refundRows}\n\nnotifications\n${notificationsTable(notifications)}`;
}

/** Adds the commands that talk to a running server to the `tuikuan` program. */
export function addAdminCommands(program: Command): void {
  const clock = program.command('clock').description("the server's clock: show it, advance it (virtual clock), run the next job");
  serverOptions(clock.command('show', { isDefault: true }).description("show the server's clock")).action(async (options: ServerOptions) => {
    const now = await clientFor(options).clock.get();
    print(options, now, () => `clock  ${now.now}  (${now.kind})`);
  });
  serverOptions(
    clock
      .command('advance')
      .description('move the virtual clock on; every job due on the way runs first')
      .argument('<duration>', 'how far: 90, 45s, 15m, 1h, 2d, 1h30m', duration),
  ).action(async (seconds: number, options: ServerOptions) => {
    const client = clientFor(options);
    const from = (await client.clock.get()).now_ms;
    const move = await client.clock.advance(seconds);
    print(options, move, () => moveText(move, from));
  });
  serverOptions(clock.command('next-job').description('move the virtual clock to the next job and run it')).action(async (options: ServerOptions) => {
    const client = clientFor(options);
    const from = (await client.clock.get()).now_ms;
    const move = await client.clock.toNextJob();
    print(options, move, () => moveText(move, from));
  });

  serverOptions(
    program
      .command('notifications')
      .description('the notifications owed: to whom, how their attempts went, when the next one is')
      .option('--failing', 'only those tried and not (yet) answered success')
      .option('--trade-no <trade_no>', "only this trade's")
      .option('--kind <kind>', 'only trade_status_sync, batch_refund_notify or alipay.trade.refund.depositback.completed'),
  ).action(async (options: ServerOptions & { failing?: boolean; tradeNo?: string; kind?: Notification['kind'] }) => {
    const all = await clientFor(options).notifications.list({
      ...(options.tradeNo !== undefined && { trade_no: options.tradeNo }),
      ...(options.kind !== undefined && { kind: options.kind }),
    });
    const shown = options.failing ? all.filter(isFailing) : all;
    print(options, shown, () => notificationsTable(shown));
  });

  const trades = program.command('trades').description('trades');
  serverOptions(trades.command('show').description('a trade, its refunds and its notifications').argument('<trade_no>')).action(
    async (tradeNo: string, options: ServerOptions) => {
      const client = clientFor(options);
      const trade = await client.trades.get(tradeNo);
      const [refunds, notifications] = await Promise.all([client.refunds.list({ trade_no: tradeNo }), client.notifications.list({ trade_no: tradeNo })]);
      print(options, { trade, refunds, notifications }, () => tradeText(trade, refunds, notifications));
    },
  );

  serverOptions(program.command('reset').description('empty the world back to its seed (--seed, --demo), the clock back to its start')).action(
    async (options: ServerOptions) => {
      const world = await clientFor(options).reset();
      print(
        options,
        world,
        () =>
          `reset: clock at ${world.now}\n${textTable(
            ['table', 'rows'],
            Object.entries(world.rows).filter(([, rows]) => rows > 0),
          )}`,
      );
    },
  );

  serverOptions(program.command('snapshot').description('capture every row and the clock (kept in the server until it stops)')).action(
    async (options: ServerOptions) => {
      const snapshot = await clientFor(options).snapshots.take();
      print(options, snapshot, () => `snapshot ${snapshot.snapshot_id}  (clock ${snapshot.clock_at})`);
    },
  );

  serverOptions(program.command('restore').description("bring back a snapshot's rows and clock").argument('<snapshot_id>')).action(
    async (snapshotId: string, options: ServerOptions) => {
      const restored = await clientFor(options).snapshots.restore(snapshotId);
      print(options, restored, () => `restored ${restored.snapshot_id}: clock at ${restored.now}`);
    },
  );
}
