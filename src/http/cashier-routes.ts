/**
 * The seller's pages (`/cashier/batches/:token`; the buyer's, `/cashier/pay/:token`, are pay-cashier-routes.ts): log in with the login password, review every line and the
 * totals, confirm with the payment password or cancel (both only once logged in); then a page says the
 * batch was submitted, with a link back to the merchant. Five wrong login passwords, or five wrong payment
 * passwords, lock the batch. The session cookie is HttpOnly and SameSite=Strict; every form carries the
 * session's CSRF token.
 */
import type { KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { batchSeller, cancelBatch, confirmBatch, findBatchForCashier, linesUnderReview, lockedAtLogin, logInSeller } from '../core/batch-cashier.js';
import { markLoggedIn, type CashierSession } from '../core/cashier-sessions.js';
import { payCashierRoutes } from './pay-cashier-routes.js';
import { checkedPost, html, sessionCookie, sessionOrNew } from './cashier-http.js';
import type { Batch } from '../interfaces.js';
import { formatYuan } from '../protocol/yuan.js';
import type { Services } from '../methods/services.js';
import { decodeForm, splitForm } from '../protocol/charset.js';
import { loginPage, notFoundPage, outcomePage, reviewPage, type BatchSummary, type ReviewLine } from './cashier-pages.js';

export async function cashierRoutes(app: FastifyInstance, options: { services: Services; platformKey: KeyObject }): Promise<void> {
  const { services } = options;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    done(null, decodeForm(splitForm(body as Buffer), 'utf-8'));
  });

  /** The batch's summary and, for the review, its lines with their trades: one read of the lines in all. */
  async function summaryOf(batch: Batch): Promise<BatchSummary & { lines: ReviewLine[] }> {
    const seller = await batchSeller(services, batch);
    const lines = await linesUnderReview(services, batch);
    return {
      batch,
      sellerName: seller?.name ?? batch.sellerPid,
      sellerEmail: seller?.email ?? '',
      totalAmount: formatYuan(lines.reduce((sum, line) => sum + line.amount, 0)),
      lines: lines.map((line) => ({
        tradeNo: line.tradeNo,
        paid: line.paid === null ? null : formatYuan(line.paid),
        refunded: line.refunded === null ? null : formatYuan(line.refunded),
        amount: formatYuan(line.amount),
        reason: line.reason,
      })),
    };
  }

  const base = (batch: Batch) => `/cashier/batches/${batch.token}`;

  async function show(reply: FastifyReply, batch: Batch, session: CashierSession, error?: string, status = 200): Promise<FastifyReply> {
    const { lines, ...summary } = await summaryOf(batch);
    if (batch.status !== 'awaiting_confirmation') {
      return html(reply, outcomePage({ ...summary, returnUrl: batch.returnUrl, lockedAtLogin: lockedAtLogin(batch) }), status);
    }
    if (!session.loggedIn) {
      return html(reply, loginPage({ ...summary, action: `${base(batch)}/login`, csrf: session.csrfToken, ...(error && { error }) }), status);
    }
    return html(
      reply,
      reviewPage({
        ...summary,
        lines,
        confirmAction: `${base(batch)}/confirm`,
        cancelAction: `${base(batch)}/cancel`,
        csrf: session.csrfToken,
        ...(error && { error }),
      }),
      status,
    );
  }

  /** The batch and the session of a form post, or the reply that refuses it. */
  async function posted(request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) {
    const batch = await findBatchForCashier(services, request.params.token);
    if (!batch) return { refused: html(reply, notFoundPage(), 404) };
    const checked = await checkedPost(services, request, { batchId: batch.id });
    if (!checked) return { refused: html(reply, notFoundPage().replace('退款批次不存在或已过期', '页面已过期，请刷新后重试'), 403) };
    return { batch, ...checked };
  }

  app.get<{ Params: { token: string } }>('/batches/:token', async (request, reply) => {
    const batch = await findBatchForCashier(services, request.params.token);
    if (!batch) return html(reply, notFoundPage(), 404);
    return show(reply, batch, await sessionOrNew(services, request, reply, { batchId: batch.id }));
  });

  app.post<{ Params: { token: string } }>('/batches/:token/login', async (request, reply) => {
    const found = await posted(request, reply);
    if ('refused' in found) return found.refused;
    const { batch, session, form } = found;
    if (session.loggedIn || batch.status !== 'awaiting_confirmation') return reply.redirect(base(batch), 303);
    const outcome = await logInSeller(services, batch, form.get('login_password') ?? '');
    if (outcome.kind === 'wrong_password') {
      return show(reply, batch, session, `账户名或登录密码不正确，您还可以输入 ${outcome.remaining} 次。`, 401);
    }
    if (outcome.kind === 'logged_in') {
      const renewed = await markLoggedIn(services, session);
      if (renewed) reply.header('set-cookie', sessionCookie(renewed));
    }
    return reply.redirect(base(batch), 303);
  });

  app.post<{ Params: { token: string } }>('/batches/:token/confirm', async (request, reply) => {
    const found = await posted(request, reply);
    if ('refused' in found) return found.refused;
    const { batch, session, form } = found;
    if (!session.loggedIn) return reply.redirect(base(batch), 303);
    const outcome = await confirmBatch(services, batch, form.get('payment_password') ?? '');
    if (outcome.kind === 'wrong_password') {
      return show(reply, batch, session, `支付密码不正确，您还可以输入 ${outcome.remaining} 次。`, 401);
    }
    if (outcome.kind === 'confirmed') services.jobsAdded();
    return reply.redirect(base(batch), 303);
  });

  app.post<{ Params: { token: string } }>('/batches/:token/cancel', async (request, reply) => {
    const found = await posted(request, reply);
    if ('refused' in found) return found.refused;
    // Only the seller, logged in, may cancel: a merchant's batch is not undone by whoever has the link.
    if (found.session.loggedIn) await cancelBatch(services, found.batch);
    return reply.redirect(base(found.batch), 303);
  });

  // The buyer's cashier of page.pay and wap.pay, on the same sessions and form parsing.
  payCashierRoutes(app, services, options.platformKey);
}
