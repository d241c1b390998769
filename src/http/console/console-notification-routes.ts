/**
 * The notification journal: every notification with every attempt, filtered (failing, delivered, kind,
 * merchant), a "resend now" per notification, and live updates — the page listens to
 * `/console/notifications/events` (server-sent events) and fetches itself again when the journal changes.
 */
import type { FastifyInstance } from 'fastify';
import { listMerchants } from '../../core/directory.js';
import { journalMark } from '../../core/journal-mark.js';
import { findNotifications, NOTIFICATION_KINDS, type NotificationKind } from '../../core/notification-journal.js';
import { resendNotificationNow } from '../../core/notification-resend.js';
import { withAttempts } from '../../core/trade-dossier.js';
import type { Services } from '../../methods/services.js';
import { oneOf } from '../admin-bodies.js';
import { action, contextOf, queryText } from './console-http.js';
import { notificationCard } from './console-notification-views.js';
import { label, sendPage } from './console-page.js';
import type { StringKey } from './console-strings.js';

const STATES = ['all', 'failing', 'pending', 'delivered', 'given_up'] as const;
type JournalState = (typeof STATES)[number];

/** How many notifications one page of the journal shows, newest first. */
const JOURNAL_PAGE = 100;
/** How often an open journal looks for a change, in real time (ms). */
const POLL_MS = 500;
/** A comment now and then keeps proxies from closing a quiet stream (ms). */
const HEARTBEAT_MS = 15_000;

function stateFilter(state: JournalState) {
  switch (state) {
    case 'all':
      return {};
    case 'failing':
      return { failing: true };
    default:
      return { statuses: [state] };
  }
}

export async function consoleNotificationRoutes(app: FastifyInstance, options: { services: Services }): Promise<void> {
  const { services } = options;
  const streams = new Set<() => void>();
  // Open streams would hold the server's close forever: they end when it starts closing.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  app.get('/notifications', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const query = {
      state: oneOf('state', queryText(request, 'state'), STATES) ?? 'all',
      kind: oneOf('kind', queryText(request, 'kind'), NOTIFICATION_KINDS) as NotificationKind | undefined,
      pid: queryText(request, 'pid'),
      tradeNo: queryText(request, 'trade_no'),
    };
    const found = await findNotifications(services, {
      ...stateFilter(query.state),
      kind: query.kind,
      pid: query.pid,
      tradeNo: query.tradeNo,
      newestFirst: true,
      limit: JOURNAL_PAGE,
    });
    return sendPage(
      reply,
      context,
      'notifications',
      { section: 'notifications', title: t.journal_title, script: 'journal-live.js' },
      {
        query,
        notifications: (await withAttempts(services, found)).map((n) => notificationCard(t, n)),
        states: STATES.map((value) => ({ value, label: t[`state_${value}` as StringKey] })),
        kinds: NOTIFICATION_KINDS.map((value) => ({ value, label: label(t, 'kind', value) })),
        merchants: await listMerchants(services),
      },
    );
  });

  app.get('/notifications/events', async (request, reply) => {
    let mark = await journalMark(services);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    raw.write(`retry: 2000\n\n`);
    let looking = false;
    const poll = setInterval(async () => {
      if (looking) return;
      looking = true;
      try {
        const now = await journalMark(services);
        if (now !== mark) {
          mark = now;
          raw.write(`event: journal\ndata: ${now}\n\n`);
        }
      } catch (error) {
        request.log.warn({ err: error }, 'the journal stream could not read the journal');
      } finally {
        looking = false;
      }
    }, POLL_MS);
    const heartbeat = setInterval(() => raw.write(': still here\n\n'), HEARTBEAT_MS);
    const end = () => {
      clearInterval(poll);
      clearInterval(heartbeat);
      streams.delete(end);
      raw.end();
    };
    streams.add(end);
    request.raw.on('close', end);
  });

  app.post<{ Params: { notifyId: string } }>('/notifications/:notifyId/resend', async (request, reply) =>
    action(request, reply, '/console/notifications', async () => {
      await resendNotificationNow(services, request.params.notifyId);
      services.jobsAdded();
      return { notice: 'resent' };
    }),
  );
}
