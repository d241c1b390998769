/**
 * Admin API: trades made by hand (a fund mix, vouchers), read with their status of now (and, while one waits for
 * its buyer on an order's cashier, the cashier's URL), and their settings.
 */
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { DomainError } from '../core/domain-error.js';
import { findTradeByNoWithStatus, withStatus } from '../core/trade-lookup.js';
import { changeTradeSettings, createTrade } from '../core/trades.js';
import { waitingOrderToken } from '../core/pay-orders.js';
import type { Services } from '../methods/services.js';
import { originOf } from './origin.js';
import { parse, toTradeDraft, tradeBody, tradeSettingsBody } from './admin-bodies.js';
import { tradeView } from './admin-views.js';

export async function adminTradeRoutes(app: FastifyInstance, options: { services: Services }): Promise<void> {
  const { services } = options;

  app.post('/trades', async (request, reply) => {
    const body = parse(tradeBody, request.body);
    const owner = await requireApp(services, body.app_id);
    const draft = { ...toTradeDraft(body, owner.pid), app: owner };
    const { trade, status } = await withStatus(services, await createTrade(services, draft));
    return reply.code(201).send(tradeView(trade, status));
  });

  app.get<{ Params: { tradeNo: string } }>('/trades/:tradeNo', async (request) => {
    const found = await findTradeByNoWithStatus(services, request.params.tradeNo);
    if (!found) throw new DomainError('trade_not_found', `no trade ${request.params.tradeNo}`);
    // A trade waiting for its buyer on an order's cashier (alipay.trade.create's above all) shows where to pay it.
    const token = found.status === 'WAIT_BUYER_PAY' ? await waitingOrderToken(services, found.trade) : undefined;
    const view = tradeView(found.trade, found.status);
    return token ? { ...view, cashier_url: `${originOf(request)}/cashier/pay/${token}` } : view;
  });

  app.patch<{ Params: { tradeNo: string } }>('/trades/:tradeNo', async (request) => {
    const body = parse(tradeSettingsBody, request.body);
    const trade = await changeTradeSettings(services, request.params.tradeNo, {
      ...(body.frozen !== undefined && { frozen: body.frozen }),
      ...(body.refund_allowed !== undefined && { refundAllowed: body.refund_allowed }),
      ...(body.dback_outcome !== undefined && { dbackOutcome: body.dback_outcome }),
      ...(body.buyer_account_status !== undefined && { buyerAccountStatus: body.buyer_account_status }),
    });
    const { status } = await withStatus(services, trade);
    return tradeView(trade, status);
  });
}
