/**
 * What the seller's and the buyer's cashier pages share on the wire: the HttpOnly, SameSite=Strict session
 * cookie, HTML replies that no one may frame or cache, and the checks of a form post (the session of this batch
 * or order, and its CSRF token).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfValid, findCashierSessionFor, openCashierSession, type CashierSession, type CashierSubject } from '../core/cashier-sessions.js';
import type { CoreDeps } from '../core/deps.js';
import { isStorableText } from '../core/storable-text.js';

const COOKIE = 'tk_cashier';

export const sessionCookie = (session: CashierSession) => `${COOKIE}=${session.id}; Path=/cashier; HttpOnly; SameSite=Strict`;

/** The session cookie's value; text the store could not hold is no session. */
function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      const value = rest.join('=');
      return isStorableText(value) ? value : undefined;
    }
  }
  return undefined;
}

export function html(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'")
    .send(body);
}

export type FormBody = Map<string, string>;

/** The request's session on this batch or order, if its cookie names a live one. */
export function sessionOf(deps: CoreDeps, request: FastifyRequest, subject: CashierSubject): Promise<CashierSession | null> {
  return findCashierSessionFor(deps, cookieValue(request, COOKIE), subject);
}

/** The request's session, or a new one (its cookie set on the reply). */
export async function sessionOrNew(deps: CoreDeps, request: FastifyRequest, reply: FastifyReply, subject: CashierSubject): Promise<CashierSession> {
  const session = await sessionOf(deps, request, subject);
  if (session) return session;
  const opened = await openCashierSession(deps, subject);
  reply.header('set-cookie', sessionCookie(opened));
  return opened;
}

/** The session and the form of a post, when its session is live and its CSRF token is the session's. */
export async function checkedPost(
  deps: CoreDeps,
  request: FastifyRequest,
  subject: CashierSubject,
): Promise<{ session: CashierSession; form: FormBody } | null> {
  const session = await sessionOf(deps, request, subject);
  const form = request.body instanceof Map ? (request.body as FormBody) : new Map<string, string>();
  if (!session || !csrfValid(session, form.get('_csrf'))) return null;
  return { session, form };
}
