/**
 * What an OpenAPI method is: a name, a schema for its biz_content, and a function from valid biz params to
 * a reply. The gateway (openapi-gateway.ts) has already checked the public params and the signature.
 */
import { z } from 'zod';
import type { Charset } from '../protocol/charset.js';
import type { ErrorTable, OpenApiError } from '../protocol/openapi/openapi-error.js';
import type { App } from '../interfaces.js';
import type { Services } from './services.js';

export interface MethodContext {
  services: Services;
  app: App;
  /** The merchant the call acts for: the app's own, or the one that issued the app_auth_token. */
  sellerPid: string;
  /** The public `notify_url` parameter, when given. */
  notifyUrl: string | null;
  /** The public `return_url` parameter of a page API, when given (v1 only). */
  returnUrl: string | null;
  charset: Charset;
  /** Where the caller reached this server (`http://host:port`): the base of the URLs a reply hands out (a QR code). */
  origin: string;
}

/** `location`: a page API's answer, where the buyer's browser is sent (the cashier) instead of a JSON reply. */
export type MethodReply =
  | { ok: true; fields: Record<string, unknown>; location?: string }
  | { ok: false; error: OpenApiError; fields?: Record<string, unknown> };

export interface OpenApiMethod {
  readonly name: string;
  /**
   * A page API (page.pay, wap.pay): called by the buyer's browser, answered with a redirect to the cashier or an
   * HTML error page, never JSON; served on the v1 gateway only.
   */
  readonly page?: boolean;
  /** The method's business errors: what a provoked failure may answer. */
  readonly errors: ErrorTable;
  /**
   * The fields the method's own business errors carry, for a provoked one (e.g. refund_fee). Runs after the
   * method when the fault comes `after` it, so it may read what the method has just written.
   */
  failureFields(biz: unknown, context: MethodContext): Promise<Record<string, unknown>>;
  run(biz: unknown, context: MethodContext): Promise<MethodReply>;
}

export function success(fields: Record<string, unknown>): MethodReply {
  return { ok: true, fields };
}

export function failure(error: OpenApiError, fields?: Record<string, unknown>): MethodReply {
  return fields ? { ok: false, error, fields } : { ok: false, error };
}

export interface MethodDefinition<Schema extends z.ZodType> {
  name: string;
  /** A page API (see OpenApiMethod). (Default: false) */
  page?: boolean;
  bizSchema: Schema;
  errors: ErrorTable;
  /** The fields the method's business errors carry besides code and msg; may read the store. (Default: none) */
  failureFields?(biz: unknown, context: MethodContext): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** The reply to biz params that do not fit the schema (each family has its own INVALID_PARAMETER). */
  invalid(biz: unknown): MethodReply;
  run(biz: z.infer<Schema>, context: MethodContext): Promise<MethodReply>;
}

export function defineMethod<Schema extends z.ZodType>(definition: MethodDefinition<Schema>): OpenApiMethod {
  return {
    name: definition.name,
    ...(definition.page && { page: true }),
    errors: definition.errors,
    failureFields: async (biz, context) => (await definition.failureFields?.(biz, context)) ?? {},
    async run(biz, context) {
      const parsed = definition.bizSchema.safeParse(biz);
      if (!parsed.success) return definition.invalid(biz);
      return definition.run(parsed.data, context);
    },
  };
}

/** An optional string of at most `max` characters. */
export const optionalText = (max: number) => z.string().max(max).optional();

/** A required, non-empty string of at most `max` characters. */
export const requiredText = (max: number) => z.string().min(1).max(max);

/** An amount in yuan as biz_content carries it: a string ("200.12") or a JSON number (200.12). */
export const amountField = z.union([z.string().max(20), z.number()]);

export const queryOptionsField = z.array(z.string().max(64)).max(20).optional();

/** Reads one string field of an unvalidated biz_content, for echoing it in an error reply. */
export function echoField(biz: unknown, field: string): string | undefined {
  if (typeof biz !== 'object' || biz === null) return undefined;
  const value = (biz as Record<string, unknown>)[field];
  return typeof value === 'string' && value.length <= 64 ? value : undefined;
}
