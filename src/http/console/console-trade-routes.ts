/** The console's trades: a search (trade_no, out_trade_no, merchant, status), and one trade with everything about it. */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../core/domain-error.js';
import { listMerchants } from '../../core/directory.js';
import { tradeDossier } from '../../core/trade-dossier.js';
import { searchTrades } from '../../core/trade-search.js';
import type { Services } from '../../methods/services.js';
import { TRADE_STATUSES, type TradeStatus } from '../../interfaces.js';
import { contextOf, queryText } from './console-http.js';
import { notificationCard } from './console-notification-views.js';
import { label, sendPage } from './console-page.js';
import { ledgerRow, refundCard, tradeDetail, tradeRow } from './console-trade-views.js';

export async function consoleTradeRoutes(app: FastifyInstance, options: { services: Services }): Promise<void> {
  const { services } = options;

  app.get('/trades', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const status = queryText(request, 'status');
    if (status !== undefined && !(TRADE_STATUSES as readonly string[]).includes(status)) {
      throw new DomainError('invalid_request', `status: one of ${TRADE_STATUSES.join(', ')}`);
    }
    const query = {
      tradeNo: queryText(request, 'trade_no'),
      outTradeNo: queryText(request, 'out_trade_no'),
      pid: queryText(request, 'pid'),
      status: status as TradeStatus | undefined,
    };
    const trades = await searchTrades(services, { tradeNo: query.tradeNo, outTradeNo: query.outTradeNo, sellerPid: query.pid, status: query.status });
    return sendPage(
      reply,
      context,
      'trades',
      { section: 'trades', title: t.trades_title },
      {
        query,
        trades: trades.map((found) => tradeRow(t, found)),
        merchants: await listMerchants(services),
        statuses: TRADE_STATUSES.map((value) => ({ value, label: label(t, 'trade', value) })),
      },
    );
  });

  app.get<{ Params: { tradeNo: string } }>('/trades/:tradeNo', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const dossier = await tradeDossier(services, request.params.tradeNo);
    if (!dossier) throw new DomainError('trade_not_found', `no trade ${request.params.tradeNo.slice(0, 64)}`);
    return sendPage(
      reply,
      context,
      'trade',
      { section: 'trades', title: dossier.trade.tradeNo },
      {
        trade: tradeDetail(t, dossier),
        refunds: dossier.refunds.map(({ refund, history }) => refundCard(t, refund, history)),
        ledger: dossier.ledger.map((entry) => ledgerRow(t, entry)),
        notifications: dossier.notifications.map((n) => notificationCard(t, n)),
      },
    );
  });
}
