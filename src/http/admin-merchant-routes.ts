/** Admin API: merchants (created with their credentials), their settings and balances. */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../core/domain-error.js';
import { adjustBalance, changeMerchantSettings, createMerchant, requireMerchant } from '../core/merchants.js';
import type { Services } from '../methods/services.js';
import { parseSignedYuan } from '../protocol/yuan.js';
import { balanceBody, merchantBody, parse, settingsBody, toNewMerchant, toSettingsChange, yuan } from './admin-bodies.js';
import { merchantView } from './admin-views.js';

export async function adminMerchantRoutes(app: FastifyInstance, options: { services: Services }): Promise<void> {
  const { services } = options;

  app.post('/merchants', async (request, reply) => {
    const body = parse(merchantBody, request.body);
    const created = await createMerchant(services, toNewMerchant(body));
    return reply.code(201).send({
      ...merchantView(created.merchant),
      login_password: created.loginPassword,
      payment_password: created.paymentPassword,
    });
  });

  app.get<{ Params: { pid: string } }>('/merchants/:pid', async (request) => merchantView(await requireMerchant(services, request.params.pid)));

  app.patch<{ Params: { pid: string } }>('/merchants/:pid', async (request) => {
    const body = parse(settingsBody, request.body);
    const merchant = await changeMerchantSettings(services, request.params.pid, toSettingsChange(body));
    return merchantView(merchant);
  });

  app.post<{ Params: { pid: string } }>('/merchants/:pid/balance', async (request) => {
    const body = parse(balanceBody, request.body);
    if ('delta' in body) {
      const delta = parseSignedYuan(body.delta);
      if (delta === null) throw new DomainError('invalid_request', 'delta: a signed amount such as "+100.00" or "-5.00"');
      return merchantView(await adjustBalance(services, request.params.pid, { delta }));
    }
    return merchantView(await adjustBalance(services, request.params.pid, { set: yuan(body.set, 'set') }));
  });
}
