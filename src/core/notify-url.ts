/**
 * What may be a notify_url: an absolute `http` or `https` URL of at most 256 characters (the OpenAPI public
 * parameter's String(256)); MAPI keeps seed 002's String(200). Anything else — `file:///etc/passwd`, a relative
 * path, `http:example.com` (which a WHATWG parser would quietly mend), text with spaces — is refused where it
 * enters, so that nothing is ever owed to an address the worker could not, or must not, post to.
 */

/** The OpenAPI public parameter notify_url: String(256). */
export const OPENAPI_NOTIFY_URL_MAX = 256;
/** MAPI notify_url and return_url (seed 002): String(200). */
export const MAPI_NOTIFY_URL_MAX = 200;

const ABSOLUTE_HTTP = /^https?:\/\/[^/?#\s]/i;
// Spaces, controls and the characters a URL never carries raw: a URL that has them was not encoded by its sender.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a URL may not hold.
const FORBIDDEN_CHARACTERS = /[\s\u0000-\u001f\u007f<>"\\^`{|}]/;

/** Whether `text` is an absolute http(s) URL with a host, of at most `maxLength` characters. */
export function isNotifyUrl(text: string, maxLength: number = OPENAPI_NOTIFY_URL_MAX): boolean {
  if (text.length > maxLength || !ABSOLUTE_HTTP.test(text) || FORBIDDEN_CHARACTERS.test(text)) return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}
