/** Admin API: apps (with their keys, certificates and AES keys) and the app auth tokens that let them act for others. */
import type { FastifyInstance } from 'fastify';
import { changeAppSettings, createApp, issueAppAuthToken, requireApp, revokeToken } from '../core/apps.js';
import type { Services } from '../methods/services.js';
import { appBody, appSettingsBody, parse, tokenBody } from './admin-bodies.js';
import { appView, type PlatformView } from './admin-views.js';

export async function adminAppRoutes(app: FastifyInstance, options: { services: Services; platform: PlatformView }): Promise<void> {
  const { services } = options;

  app.post('/apps', async (request, reply) => {
    const body = parse(appBody, request.body);
    const created = await createApp(services, {
      pid: body.pid,
      ...(body.app_public_key !== undefined && { appPublicKey: body.app_public_key }),
      ...(body.rsa_public_key !== undefined && { rsaPublicKey: body.rsa_public_key }),
      ...(body.key_mode !== undefined && { keyMode: body.key_mode }),
    });
    const view = appView(created.app, options.platform);
    return reply.code(201).send(created.appPrivateKey ? { ...view, app_private_key: created.appPrivateKey } : view);
  });

  app.get<{ Params: { appId: string } }>('/apps/:appId', async (request) => appView(await requireApp(services, request.params.appId), options.platform));

  app.patch<{ Params: { appId: string } }>('/apps/:appId', async (request) => {
    const body = parse(appSettingsBody, request.body);
    const changed = await changeAppSettings(services, request.params.appId, {
      ...(body.aes_key !== undefined && { aesKey: body.aes_key }),
      ...(body.message_url !== undefined && { messageUrl: body.message_url }),
      ...(body.notify_wait_buyer_pay !== undefined && { notifyWaitBuyerPay: body.notify_wait_buyer_pay }),
    });
    return appView(changed, options.platform);
  });

  app.post('/app-auth-tokens', async (request, reply) => {
    const body = parse(tokenBody, request.body);
    const token = await issueAppAuthToken(services, body.app_id, body.pid);
    return reply.code(201).send({ app_auth_token: token, app_id: body.app_id, pid: body.pid });
  });

  app.delete<{ Params: { token: string } }>('/app-auth-tokens/:token', async (request, reply) => {
    await revokeToken(services, request.params.token);
    return reply.code(204).send();
  });
}
