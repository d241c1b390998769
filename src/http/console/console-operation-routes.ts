/**
 * The console's operations: refunds waiting for funds (why, and when the next try is), batch refunds and their
 * lines, background jobs (a dead one with its error and a retry button), and faults (armed and cleared, each
 * saying what it will do).
 */
import type { FastifyInstance } from 'fastify';
import { batchById, listBatches } from '../../core/directory.js';
import { batchReport } from '../../core/batch-report.js';
import { DomainError } from '../../core/domain-error.js';
import { armedFaults, clearFaults, type Fault } from '../../core/faults.js';
import { allJobs, retryDead, type Job } from '../../core/job-journal.js';
import { findRefunds } from '../../core/refund-lookup.js';
import { REFUND_RETRY } from '../../core/retry-schedules.js';
import type { Refund } from '../../interfaces.js';
import type { OpenApiMethod } from '../../methods/openapi-method.js';
import type { Services } from '../../methods/services.js';
import { lineCode } from '../../protocol/mapi/batch-line-codes.js';
import type { Worker } from '../../worker/worker.js';
import { faultBody, parse } from '../admin-bodies.js';
import { checkedFaultRequest } from '../admin-fault-routes.js';
import { BATCH_TONES, DASH, JOB_TONES, REFUND_TONES, time, tone, yuan } from './console-format.js';
import { action, contextOf, formText } from './console-http.js';
import { label, sendPage } from './console-page.js';
import { fill, type Strings } from './console-strings.js';
import { merchantHref, tradeHref } from './console-trade-views.js';

function waitingRow(t: Strings, refund: Refund) {
  return {
    tradeNo: refund.tradeNo,
    tradeHref: tradeHref(refund.tradeNo),
    outRequestNo: refund.outRequestNo,
    refundAmount: yuan(refund.refundAmount),
    statusLabel: label(t, 'refund', refund.status),
    statusTone: tone(REFUND_TONES, refund.status),
    why: refund.lastError === null ? DASH : label(t, 'reason', refund.lastError),
    attempts: refund.attempts,
    nextAttemptAt: time(refund.nextAttemptAt),
    givesUpAt: refund.acceptedAt === null ? DASH : time(refund.acceptedAt + REFUND_RETRY.giveUpAfterMs),
  };
}

function jobStatus(job: Job): 'dead' | 'running' | 'waiting' {
  return job.deadAt !== null ? 'dead' : job.lockedBy !== null ? 'running' : 'waiting';
}

/** Where a job's subject is shown: a refund or a notification has a page of its own through its trade. */
function jobRow(t: Strings, job: Job) {
  const status = jobStatus(job);
  return {
    id: job.id,
    kindLabel: label(t, 'job', job.kind),
    subject: job.subject,
    subjectHref: job.kind === 'batch' ? `/console/batches/${encodeURIComponent(job.subject)}` : null,
    statusLabel: label(t, 'jobstatus', status),
    statusTone: tone(JOB_TONES, status),
    dead: status === 'dead',
    deadAt: job.deadAt === null ? null : time(job.deadAt),
    runAt: time(job.runAt),
    attempts: job.attempts,
    lastError: job.lastError ?? '',
    retryAction: `/console/jobs/${job.id}/retry`,
  };
}

function faultEffect(t: Strings, fault: Fault, methods: readonly OpenApiMethod[]): string {
  const method = methods.find((m) => m.name === fault.method);
  const subMsg = method?.errors.find(fault.subCode)?.subMsg ?? fault.subCode;
  return fill(fault.phase === 'after' ? t.fault_after : t.fault_before, {
    times: fault.remaining,
    method: fault.method,
    sub_code: fault.subCode,
    sub_msg: subMsg,
  });
}

export async function consoleOperationRoutes(
  app: FastifyInstance,
  options: { services: Services; worker: Worker; methods: readonly OpenApiMethod[] },
): Promise<void> {
  const { services, methods } = options;

  app.get('/refunds', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const waiting = [...(await findRefunds(services, { status: 'waiting_for_funds' })), ...(await findRefunds(services, { status: 'accepted' }))];
    waiting.sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0) || a.id - b.id);
    return sendPage(reply, context, 'refunds', { section: 'refunds', title: t.waiting_title }, { refunds: waiting.map((r) => waitingRow(t, r)) });
  });

  app.get('/batches', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const batches = (await listBatches(services)).map((b) => ({
      batchNo: b.batchNo,
      href: `/console/batches/${b.id}`,
      partnerPid: b.partnerPid,
      statusLabel: label(t, 'batch', b.status),
      statusTone: tone(BATCH_TONES, b.status),
      batchNum: b.batchNum,
      successNum: b.successNum ?? DASH,
      createdAt: time(b.createdAt),
    }));
    return sendPage(reply, context, 'batches', { section: 'batches', title: t.batches_title }, { batches });
  });

  app.get<{ Params: { id: string } }>('/batches/:id', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const id = /^\d{1,15}$/.test(request.params.id) ? Number(request.params.id) : null;
    const batch = id === null ? undefined : await batchById(services, id);
    if (!batch) throw new DomainError('batch_not_found', `no batch ${request.params.id.slice(0, 32)}`);
    const { lines } = await batchReport(services, batch);
    return sendPage(
      reply,
      context,
      'batch',
      { section: 'batches', title: batch.batchNo },
      {
        batch: {
          batchNo: batch.batchNo,
          partnerPid: batch.partnerPid,
          partnerHref: merchantHref(batch.partnerPid),
          sellerPid: batch.sellerPid,
          statusLabel: label(t, 'batch', batch.status),
          statusTone: tone(BATCH_TONES, batch.status),
          batchNum: batch.batchNum,
          successNum: batch.successNum ?? DASH,
          failures: `${batch.loginFailures} / ${batch.pwdFailures}`,
          createdAt: time(batch.createdAt),
          confirmedAt: time(batch.confirmedAt),
          completedAt: time(batch.completedAt),
          notifyUrl: batch.notifyUrl ?? DASH,
        },
        lines: lines.map((line) => ({
          position: line.position,
          tradeNo: line.tradeNo,
          tradeHref: tradeHref(line.tradeNo),
          amount: yuan(line.amount),
          reason: line.reason,
          result: line.result === null ? DASH : lineCode(line.result),
          tone: line.result === null ? 'muted' : line.result === 'SUCCESS' ? 'ok' : 'bad',
          lastError: line.lastError,
          processedAt: time(line.processedAt),
        })),
      },
    );
  });

  app.get('/jobs', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const jobs = await allJobs(services);
    // The dead first: they are what an operator comes here for.
    jobs.sort((a, b) => Number(b.deadAt !== null) - Number(a.deadAt !== null) || a.runAt - b.runAt || a.id - b.id);
    return sendPage(reply, context, 'jobs', { section: 'jobs', title: t.jobs_title }, { jobs: jobs.map((job) => jobRow(t, job)) });
  });

  app.post<{ Params: { id: string } }>('/jobs/:id/retry', async (request, reply) =>
    action(request, reply, '/console/jobs', async () => {
      await retryDead(services, request.params.id);
      options.worker.wake();
      return { notice: 'retried' };
    }),
  );

  app.get('/faults', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const served = methods.filter((m) => !m.page);
    return sendPage(
      reply,
      context,
      'faults',
      { section: 'faults', title: t.faults_title },
      {
        methods: served.map((m) => ({ name: m.name })),
        subCodes: [...new Set(['isp.unknow-error', ...served.flatMap((m) => m.errors.names)])],
        faults: (await armedFaults(services)).map((fault) => ({ remaining: fault.remaining, effect: faultEffect(t, fault, methods) })),
      },
    );
  });

  app.post('/faults', async (request, reply) =>
    action(request, reply, '/console/faults', async () => {
      const times = formText(request, 'times');
      const body = parse(faultBody, {
        method: formText(request, 'method'),
        sub_code: formText(request, 'sub_code'),
        ...(times !== undefined && { times: Number(times) }),
        phase: formText(request, 'phase'),
      });
      await services.faults.arm(checkedFaultRequest(methods, body));
      return { notice: 'armed' };
    }),
  );

  app.post('/faults/clear', async (request, reply) =>
    action(request, reply, '/console/faults', async () => {
      await clearFaults(services);
      return { notice: 'cleared' };
    }),
  );
}
