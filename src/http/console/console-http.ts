/**
 * What the console's routes share on the wire: the session a request was let in with, its form and query read
 * safely (one value per name, no U+0000, bounded length — bad input is a 400 page, never a 5xx), and actions:
 * a form post that does its work and redirects (303) back with a notice, or with the domain's refusal.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { DomainError } from '../../core/domain-error.js';
import { isStorableText } from '../../core/storable-text.js';
import { consolePath, languageOf, sendPage, withQuery, type PageContext } from './console-page.js';
import type { ConsoleSession } from './console-session.js';
import { STRINGS, type StringKey } from './console-strings.js';

export type Form = Map<string, string>;

/** The longest text a filter or form field may carry. */
const FIELD_MAX = 4096;

const sessions = new WeakMap<FastifyRequest, ConsoleSession>();

export function admitSession(request: FastifyRequest, session: ConsoleSession): void {
  sessions.set(request, session);
}

export function contextOf(request: FastifyRequest, clock: Clock): PageContext {
  const session = sessions.get(request);
  // The guard (console-routes.ts) lets no request reach a page without one.
  if (!session) throw new Error('a console page was reached without a session');
  const lang = languageOf(request);
  return { lang, t: STRINGS[lang], session, path: request.url, clock };
}

function checkedText(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new DomainError('invalid_request', `${name}: given more than once`);
  if (!isStorableText(value) || value.length > FIELD_MAX) throw new DomainError('invalid_request', `${name}: not a text the console can take`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A query parameter: absent (or empty), or one string. */
export function queryText(request: FastifyRequest, name: string): string | undefined {
  return checkedText(name, (request.query as Record<string, unknown> | undefined)?.[name]);
}

/** A form field: absent (or empty), or one string. */
export function formText(request: FastifyRequest, name: string): string | undefined {
  return checkedText(name, formOf(request).get(name));
}

export function formOf(request: FastifyRequest): Form {
  return request.body instanceof Map ? (request.body as Form) : new Map();
}

/** Parses an application/x-www-form-urlencoded body (UTF-8); a name given twice keeps its first value. */
export function parseForm(body: string): Form {
  const form: Form = new Map();
  for (const [name, value] of new URLSearchParams(body)) if (!form.has(name)) form.set(name, value);
  return form;
}

/**
 * Runs a form's work and redirects: to where the work says, with its notice, or back (the form's `back`, or
 * `fallback`) with the domain's refusal as the error shown.
 */
export async function action(
  request: FastifyRequest,
  reply: FastifyReply,
  fallback: string,
  work: () => Promise<{ notice: StringKey; to?: string }>,
): Promise<FastifyReply> {
  const back = consolePath(formOf(request).get('back'), fallback);
  try {
    const done = await work();
    return reply
      .code(303)
      .header('location', withQuery(stripFlash(done.to ?? back), { notice: done.notice }))
      .send();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return reply
      .code(303)
      .header('location', withQuery(stripFlash(back), { error: error.message.slice(0, 300) }))
      .send();
  }
}

/** A path without the notice or error an earlier redirect put on it. */
function stripFlash(path: string): string {
  const url = new URL(path, 'http://console');
  url.searchParams.delete('notice');
  url.searchParams.delete('error');
  return `${url.pathname}${url.search}`;
}

/** A page that says what went wrong, with the status that says it. */
export function sendErrorPage(reply: FastifyReply, context: PageContext, status: number, message?: string): FastifyReply {
  const { t } = context;
  const heading = status === 404 ? t.not_found : status < 500 ? t.bad_request : t.server_error;
  const text = message ?? (status === 404 ? t.not_found_message : t.server_error_message);
  return sendPage(reply, context, 'error', { section: null, title: heading, status }, { heading, message: text });
}
