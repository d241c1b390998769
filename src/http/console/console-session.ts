/**
 * The console's login session: a cookie that proves its holder typed the admin token. It is stateless — a
 * random id and an expiry, signed with a key derived from the admin token — so that every gateway process
 * sharing the token accepts it, and changing the token logs every session out. The CSRF token of a session
 * is derived from it the same way, so a form posted from another site (which cannot read the cookie) fails.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const COOKIE = 'tk_console';
/** A session lasts this long from login, in real time: it is about the operator, not business time. (Default: 12 h) */
const SESSION_MS = 12 * 3600_000;

export interface ConsoleSession {
  id: string;
  expiresAt: number;
  csrfToken: string;
}

function mac(adminToken: string, purpose: string, text: string): string {
  // The key is the token's own HMAC: the token is never used directly as a key for two purposes.
  const key = createHmac('sha256', adminToken).update('tuikuan console').digest();
  return createHmac('sha256', key).update(`${purpose}:${text}`).digest('base64url');
}

function equalText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether `given` is the admin token (compared in constant time). */
export function isAdminToken(adminToken: string, given: string | undefined): boolean {
  return given !== undefined && given.length > 0 && equalText(given, adminToken);
}

function sessionFrom(adminToken: string, id: string, expiresAt: number): ConsoleSession {
  return { id, expiresAt, csrfToken: mac(adminToken, 'csrf', id) };
}

/** A new session's cookie value: `<id>.<expiry>.<signature>`. */
export function newSessionValue(adminToken: string, realNow: number): { value: string; session: ConsoleSession } {
  const id = randomBytes(18).toString('base64url');
  const expiresAt = realNow + SESSION_MS;
  const body = `${id}.${expiresAt}`;
  return { value: `${body}.${mac(adminToken, 'session', body)}`, session: sessionFrom(adminToken, id, expiresAt) };
}

export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** The request's session, when its cookie is one this token signed and it has not expired. */
export function sessionOf(request: FastifyRequest, adminToken: string, realNow: number): ConsoleSession | null {
  const value = cookieValue(request, COOKIE);
  const [id, expiry, signature, ...rest] = (value ?? '').split('.');
  if (!id || !expiry || !signature || rest.length > 0 || !/^\d{1,16}$/.test(expiry)) return null;
  if (!equalText(signature, mac(adminToken, 'session', `${id}.${expiry}`))) return null;
  const expiresAt = Number(expiry);
  return expiresAt > realNow ? sessionFrom(adminToken, id, expiresAt) : null;
}

export function csrfValid(session: ConsoleSession, given: string | undefined): boolean {
  return given !== undefined && equalText(given, session.csrfToken);
}

/** HttpOnly, SameSite=Lax (a link from elsewhere still opens the console logged in; a cross-site POST carries no cookie), Secure over https. */
function cookieAttributes(request: FastifyRequest): string {
  return `Path=/console; HttpOnly; SameSite=Lax${request.protocol === 'https' ? '; Secure' : ''}`;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string): void {
  reply.header('set-cookie', `${COOKIE}=${value}; ${cookieAttributes(request)}; Max-Age=${SESSION_MS / 1000}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', `${COOKIE}=; ${cookieAttributes(request)}; Max-Age=0`);
}
