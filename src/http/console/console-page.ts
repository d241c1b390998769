/**
 * What every console page has: the operator's language (a cookie, Chinese by default), the session's CSRF
 * token, the navigation with the current section, the clock, and a notice or error carried by a redirect; and
 * how a page is sent — HTML that no one may frame or cache, with a policy that lets only the console's own
 * stylesheet and script run.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatChinaTime } from '../../protocol/china-time.js';
import type { Clock } from '../../core/clock.js';
import { cookieValue, type ConsoleSession } from './console-session.js';
import { LANGUAGES, STRINGS, type Language, type StringKey, type Strings } from './console-strings.js';
import { renderTemplate } from './console-templates.js';

export const LANGUAGE_COOKIE = 'tk_lang';

export type Section = 'trades' | 'notifications' | 'refunds' | 'batches' | 'jobs' | 'clock' | 'faults' | 'merchants' | 'buyers' | 'apps' | 'platform';

const NAV: ReadonlyArray<{ title: StringKey; items: ReadonlyArray<{ id: Section; label: StringKey }> }> = [
  {
    title: 'nav_business',
    items: [
      { id: 'trades', label: 'nav_trades' },
      { id: 'notifications', label: 'nav_notifications' },
      { id: 'refunds', label: 'nav_waiting' },
      { id: 'batches', label: 'nav_batches' },
    ],
  },
  {
    title: 'nav_operations',
    items: [
      { id: 'jobs', label: 'nav_jobs' },
      { id: 'clock', label: 'nav_clock' },
      { id: 'faults', label: 'nav_faults' },
    ],
  },
  {
    title: 'nav_accounts',
    items: [
      { id: 'merchants', label: 'nav_merchants' },
      { id: 'buyers', label: 'nav_buyers' },
      { id: 'apps', label: 'nav_apps' },
      { id: 'platform', label: 'nav_platform' },
    ],
  },
];

export function languageOf(request: FastifyRequest): Language {
  const chosen = cookieValue(request, LANGUAGE_COOKIE);
  return (LANGUAGES as readonly string[]).includes(chosen ?? '') ? (chosen as Language) : 'zh';
}

/** The request's path and query, which a language switch or a form comes back to. */
export function pathOf(request: FastifyRequest): string {
  return request.url;
}

/** A way back into the console: a path under /console, or the trades page (never another site). */
export function consolePath(given: string | undefined, fallback = '/console/trades'): string {
  return given && /^\/console(\/|\?|$)/.test(given) && !given.startsWith('//') && !given.includes('\\') ? given : fallback;
}

/** A path with a query string, empty values left out. */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  const text = query.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

/** A value's label in the operator's language (`trade.TRADE_SUCCESS` → 支付成功), or the value itself. */
export function label(t: Strings, group: string, value: string): string {
  const key = `${group}.${value}`;
  return key in t ? t[key as StringKey] : value;
}

export interface PageContext {
  lang: Language;
  t: Strings;
  session: ConsoleSession;
  path: string;
  clock: Clock;
}

function languageSwitch(lang: Language, path: string) {
  const other: Language = lang === 'zh' ? 'en' : 'zh';
  return { lang: other, label: other === 'en' ? 'English' : '中文', href: withQuery(`/console/lang/${other}`, { back: path }) };
}

export function securePage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    .send(html);
}

export interface PageOptions {
  section: Section | null;
  title: string;
  /** A script of assets/ the page runs. (Default: none) */
  script?: string;
  status?: number;
}

/** Renders a page of the console into the reply. */
export function sendPage(reply: FastifyReply, context: PageContext, template: string, options: PageOptions, data: object): FastifyReply {
  const { t, lang, path } = context;
  const query = new URL(path, 'http://console').searchParams;
  const noticeKey = query.get('notice');
  const html = renderTemplate(template, {
    ...data,
    t,
    lang,
    htmlLang: lang === 'zh' ? 'zh-CN' : 'en',
    title: options.title,
    script: options.script,
    csrf: context.session.csrfToken,
    back: path,
    clock: { kind: context.clock.kind, now: formatChinaTime(context.clock.now()) },
    langSwitch: languageSwitch(lang, path),
    nav: NAV.map((group) => ({
      title: t[group.title],
      items: group.items.map((item) => ({ id: item.id, label: t[item.label], href: `/console/${item.id}`, current: item.id === options.section })),
    })),
    // A notice is one of the console's own strings, named by key; an error is the core's message, shown as text.
    notice: noticeKey && noticeKey in t ? t[noticeKey as StringKey] : null,
    error: query.get('error')?.slice(0, 300) ?? null,
  });
  return securePage(reply, html, options.status);
}

/** The login page, which has no session yet. */
export function sendLoginPage(reply: FastifyReply, request: FastifyRequest, data: { next: string; error?: string }, status = 200): FastifyReply {
  const lang = languageOf(request);
  const t = STRINGS[lang];
  const html = renderTemplate('login', {
    t,
    htmlLang: lang === 'zh' ? 'zh-CN' : 'en',
    next: data.next,
    error: data.error ?? null,
    langSwitch: languageSwitch(lang, withQuery('/console/login', { next: data.next })),
  });
  return securePage(reply, html, status);
}
