/**
 * The console (`/console`): a web app for operators and merchant developers on the same server as the API,
 * behind the admin token. One types the token into the login page and gets an HttpOnly session cookie (the API
 * keeps its bearer token); every page is server-rendered and works without JavaScript, every action is a form
 * POST carrying the session's CSRF token and answered with a redirect. The notification journal updates itself
 * live over server-sent events. Chinese by default, English a click away.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DOMAIN_ERROR_CODES, DomainError } from '../../core/domain-error.js';
import { SystemClock } from '../../core/clock.js';
import type { OpenApiMethod } from '../../methods/openapi-method.js';
import type { Services } from '../../methods/services.js';
import type { Worker } from '../../worker/worker.js';
import type { PlatformView } from '../admin-views.js';
import { consoleAccountRoutes } from './console-account-routes.js';
import { consoleClockRoutes } from './console-clock-routes.js';
import { admitSession, contextOf, formText, parseForm, queryText, sendErrorPage } from './console-http.js';
import { consoleNotificationRoutes } from './console-notification-routes.js';
import { consoleOperationRoutes } from './console-operation-routes.js';
import { consolePath, LANGUAGE_COOKIE, languageOf, sendLoginPage, withQuery } from './console-page.js';
import { clearSessionCookie, csrfValid, isAdminToken, newSessionValue, sessionOf, setSessionCookie } from './console-session.js';
import { LANGUAGES, STRINGS } from './console-strings.js';
import { CONSOLE_SOURCE_DIR } from './console-templates.js';
import { consoleTradeRoutes } from './console-trade-routes.js';

export interface ConsoleRoutesOptions {
  services: Services;
  worker: Worker;
  methods: readonly OpenApiMethod[];
  adminToken: string;
  platform: PlatformView;
}

/** The console's own files: its stylesheet and its one script. */
const ASSETS: Record<string, string> = { 'console.css': 'text/css; charset=utf-8', 'journal-live.js': 'text/javascript; charset=utf-8' };

/** Pages anyone may open: the login itself, the language switch, and the files the login page needs. */
function isOpen(path: string): boolean {
  return path === '/console/login' || path.startsWith('/console/lang/') || path.startsWith('/console/assets/');
}

export async function consoleRoutes(app: FastifyInstance, options: ConsoleRoutesOptions): Promise<void> {
  const { services, adminToken } = options;
  // Sessions expire in real time, whatever the business clock says.
  const realClock = new SystemClock();
  const assets = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(`${CONSOLE_SOURCE_DIR}assets/${name}`)]));

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    done(null, parseForm(body as string));
  });
  // Any other body is no form: the action sees no fields (and no CSRF token, so it is refused).
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, _body, done) => done(null, new Map()));

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '';
    if (isOpen(path)) return;
    const session = sessionOf(request, adminToken, realClock.now());
    if (session) {
      admitSession(request, session);
      return;
    }
    if (path === '/console/notifications/events') return reply.code(401).send();
    const next = request.method === 'GET' ? request.url : '/console/trades';
    return reply.code(303).header('location', withQuery('/console/login', { next })).send();
  });

  // A form post is the session's only if it carries the session's CSRF token (a cross-site form cannot read it).
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || request.url === '/console/login') return;
    const context = contextOf(request, services.clock);
    if (!csrfValid(context.session, formText(request, '_csrf'))) return sendErrorPage(reply, context, 403, context.t.expired);
  });

  app.setErrorHandler((error, request, reply) => {
    const status = error instanceof DomainError ? DOMAIN_ERROR_CODES[error.code] : ((error as { statusCode?: number }).statusCode ?? 500);
    if (status >= 500) request.log.error({ err: error }, 'console request failed');
    const message = status < 500 ? (error as Error).message.slice(0, 300) : undefined;
    return answerError(request, reply, status >= 400 && status < 600 ? status : 500, message);
  });

  app.setNotFoundHandler((request, reply) => answerError(request, reply, 404));

  function answerError(request: FastifyRequest, reply: FastifyReply, status: number, message?: string): FastifyReply {
    const session = sessionOf(request, adminToken, realClock.now());
    if (!session)
      return reply
        .code(status)
        .header('content-type', 'text/plain; charset=utf-8')
        .send(message ?? STRINGS.zh.not_found);
    admitSession(request, session);
    return sendErrorPage(reply, contextOf(request, services.clock), status, message);
  }

  app.get('/', async (_request, reply) => reply.code(303).header('location', '/console/trades').send());

  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const body = assets.get(request.params.name);
    const type = ASSETS[request.params.name];
    if (!body || !type) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('not found');
    return reply.header('content-type', type).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(body);
  });

  app.get('/login', async (request, reply) => sendLoginPage(reply, request, { next: consolePath(queryText(request, 'next')) }));

  app.post('/login', async (request, reply) => {
    const next = consolePath(formText(request, 'next'));
    if (!isAdminToken(adminToken, formText(request, 'token'))) {
      return sendLoginPage(reply, request, { next, error: STRINGS[languageOf(request)].login_wrong }, 401);
    }
    setSessionCookie(request, reply, newSessionValue(adminToken, realClock.now()).value);
    return reply.code(303).header('location', next).send();
  });

  app.post('/logout', async (request, reply) => {
    clearSessionCookie(request, reply);
    return reply.code(303).header('location', '/console/login').send();
  });

  app.get<{ Params: { lang: string } }>('/lang/:lang', async (request, reply) => {
    const lang = (LANGUAGES as readonly string[]).includes(request.params.lang) ? request.params.lang : 'zh';
    reply.header('set-cookie', `${LANGUAGE_COOKIE}=${lang}; Path=/console; SameSite=Lax; Max-Age=31536000`);
    return reply
      .code(303)
      .header('location', consolePath(queryText(request, 'back')))
      .send();
  });

  await app.register(consoleTradeRoutes, { services });
  await app.register(consoleNotificationRoutes, { services });
  await app.register(consoleOperationRoutes, { services, worker: options.worker, methods: options.methods });
  await app.register(consoleClockRoutes, { services, worker: options.worker });
  await app.register(consoleAccountRoutes, { services, platform: options.platform });
}
