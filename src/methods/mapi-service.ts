/**
 * What a MAPI service is. Page services (the batch refund with password) answer the seller's browser with
 * a redirect to the cashier pages or an HTML error page showing the code; server-to-server services
 * (notify_verify) answer in plain text.
 */
import type { Merchant } from '../interfaces.js';
import type { Charset } from '../protocol/charset.js';
import type { MapiError } from '../protocol/mapi/mapi-errors.js';
import type { MapiSignType } from '../protocol/mapi/mapi-signature.js';
import type { Services } from './services.js';

export type MapiReply = { kind: 'redirect'; location: string } | { kind: 'error_page'; error: MapiError } | { kind: 'text'; body: string };

export interface MapiRequest {
  params: ReadonlyMap<string, string>;
  /** `_input_charset` as named, or null when it named one Alipay does not accept. */
  charset: Charset | null;
  /** The page the seller's browser came from, when it said. */
  referer: string | null;
}

export interface SignedMapiContext {
  services: Services;
  params: ReadonlyMap<string, string>;
  charset: Charset;
  partner: Merchant;
  signType: MapiSignType;
  referer: string | null;
}

export interface UnsignedMapiContext {
  services: Services;
  params: ReadonlyMap<string, string>;
}

/** Signed services have their partner and signature checked by the gateway before they run. */
export type MapiService =
  | { readonly name: string; readonly signed: true; run(context: SignedMapiContext): Promise<MapiReply> }
  | { readonly name: string; readonly signed: false; run(context: UnsignedMapiContext): Promise<MapiReply> };
