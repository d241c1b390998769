/** Admin API: buyers (created with their credentials and funds), read by buyer user id or logon id, changed. */
import type { FastifyInstance } from 'fastify';
import { buyerByLogonId, changeBuyer, createBuyer, requireBuyer } from '../core/buyers.js';
import { DomainError } from '../core/domain-error.js';
import type { Services } from '../methods/services.js';
import { parse } from './admin-bodies.js';
import { buyerBody, buyerChangeBody, toBuyerChange, toNewBuyer } from './admin-buyer-bodies.js';
import { buyerView } from './admin-buyer-views.js';

export async function adminBuyerRoutes(app: FastifyInstance, options: { services: Services }): Promise<void> {
  const { services } = options;
  const view = (buyer: Parameters<typeof buyerView>[0]) => buyerView(buyer, services.clock.now());

  app.post('/buyers', async (request, reply) => {
    const body = parse(buyerBody, request.body);
    const created = await createBuyer(services, toNewBuyer(body));
    return reply.code(201).send({ ...view(created.buyer), login_password: created.loginPassword, payment_password: created.paymentPassword });
  });

  app.get<{ Querystring: { logon_id?: string } }>('/buyers', async (request) => {
    const logonId = request.query.logon_id;
    if (logonId === undefined || logonId === '') throw new DomainError('invalid_request', 'logon_id: required (or GET /buyers/:buyer_user_id)');
    const buyer = await buyerByLogonId(services, logonId);
    if (!buyer) throw new DomainError('buyer_not_found', `no buyer with logon id ${logonId.slice(0, 100)}`);
    return view(buyer);
  });

  app.get<{ Params: { buyer_user_id: string } }>('/buyers/:buyer_user_id', async (request) => view(await requireBuyer(services, request.params.buyer_user_id)));

  app.patch<{ Params: { buyer_user_id: string } }>('/buyers/:buyer_user_id', async (request) => {
    const body = parse(buyerChangeBody, request.body);
    return view(await changeBuyer(services, request.params.buyer_user_id, toBuyerChange(body)));
  });
}
