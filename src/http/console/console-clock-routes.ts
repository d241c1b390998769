/**
 * The console's clock: the business time, buttons that move a virtual clock by a minute, an hour, a day or to
 * the next due job — every job due on the way runs, in order, before the page comes back — and what ran on
 * the way (the notification attempts, refund moves and ledger entries of the span).
 */
import type { FastifyInstance } from 'fastify';
import { activityBetween, type Activity } from '../../core/activity.js';
import { VirtualClock } from '../../core/clock.js';
import { DomainError } from '../../core/domain-error.js';
import { nextDueJobAt } from '../../core/next-due-job.js';
import type { Services } from '../../methods/services.js';
import { advanceClock, advanceToNextJob } from '../../worker/advance-clock.js';
import type { Worker } from '../../worker/worker.js';
import { oneOf } from '../admin-bodies.js';
import { DASH, REFUND_TONES, signedYuan, time, tone, yuan } from './console-format.js';
import { action, contextOf, formText, queryText } from './console-http.js';
import { label, sendPage, withQuery } from './console-page.js';
import type { Strings } from './console-strings.js';
import { attemptOutcome } from './console-notification-views.js';
import { tradeHref } from './console-trade-views.js';

const STEPS = { minute: 60, hour: 3600, day: 86_400 } as const;
const MOVES = ['minute', 'hour', 'day', 'next_job'] as const;

function activityView(t: Strings, activity: Activity) {
  return {
    from: time(activity.from),
    to: time(activity.to),
    empty: activity.attempts.length === 0 && activity.refunds.length === 0 && activity.ledger.length === 0,
    refunds: activity.refunds.map((r) => ({
      tradeNo: r.tradeNo,
      tradeHref: tradeHref(r.tradeNo),
      outRequestNo: r.outRequestNo,
      refundAmount: yuan(r.refundAmount),
      statusLabel: label(t, 'refund', r.status),
      statusTone: tone(REFUND_TONES, r.status),
    })),
    attempts: activity.attempts.map((a) => ({
      at: time(a.startedAt),
      number: a.attempt,
      delivered: a.delivered,
      outcome: attemptOutcome(t, a),
      kindLabel: label(t, 'kind', a.kind),
      url: a.url,
    })),
    ledger: activity.ledger.map((e) => ({
      at: time(e.createdAt),
      kindLabel: label(t, 'ledger', e.kind),
      amount: signedYuan(e.amount),
      tone: e.amount < 0 ? 'neg' : 'pos',
      pid: e.pid,
    })),
  };
}

/** A span's end from the query: a time in ms, or nothing. */
function msParam(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

export async function consoleClockRoutes(app: FastifyInstance, options: { services: Services; worker: Worker }): Promise<void> {
  const { services } = options;

  app.get('/clock', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const from = msParam(queryText(request, 'from'));
    const to = msParam(queryText(request, 'to'));
    const next = await nextDueJobAt(services);
    const activity = from !== undefined && to !== undefined && from <= to ? activityView(t, await activityBetween(services, from, to)) : null;
    return sendPage(
      reply,
      context,
      'clock',
      { section: 'clock', title: t.clock_title },
      { nextJob: next === null ? t.none : time(next), hasNextJob: next !== null, activity, dash: DASH },
    );
  });

  app.post('/clock/advance', async (request, reply) =>
    action(request, reply, '/console/clock', async () => {
      const move = oneOf('by', formText(request, 'by'), MOVES);
      if (move === undefined) throw new DomainError('invalid_request', `by: one of ${MOVES.join(', ')}`);
      const clock = services.clock;
      if (!(clock instanceof VirtualClock)) throw new DomainError('clock_not_virtual', 'the clock is real; start tuikuan with --clock virtual to advance it');
      const from = clock.now();
      if (move === 'next_job') {
        if (!(await advanceToNextJob(services.store, clock, options.worker))) throw new DomainError('invalid_request', 'no job is waiting');
      } else {
        await advanceClock(services.store, clock, options.worker, STEPS[move]);
      }
      const to = clock.now();
      return { notice: 'advanced', to: withQuery('/console/clock', { from, to }) };
    }),
  );
}
