/**
 * The texts Alipay signs: parameters sorted by key in ASCII order, raw (un-encoded) values joined as
 * `k=v&k=v`. Which parameters take part differs:
 * - an OpenAPI v1 request: all but `sign` — `sign_type` stays in (protocol-notes §3.1, §8). The official Node
 *   client keeps empty values (`notify_url=` is signed); Alipay's docs and the Java SDK drop them, so the
 *   gateway tries one and then the other;
 * - an OpenAPI notification, and every MAPI request and notification: all but `sign` and `sign_type`,
 *   empty values dropped (§3.3, §6).
 */
export type Params = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

function entries(params: Params): Array<[string, string]> {
  return params instanceof Map ? [...params.entries()] : Object.entries(params);
}

function join(pairs: Array<[string, string]>): string {
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

export function requestSignContent(params: Params, keepEmpty: boolean): string {
  return join(entries(params).filter(([key, value]) => key !== 'sign' && key !== '' && (keepEmpty || value !== '')));
}

/** True when keeping or dropping empty values would give a different request sign content. */
export function hasEmptyValues(params: Params): boolean {
  return entries(params).some(([key, value]) => value === '' && key !== 'sign');
}

/** The content of OpenAPI notifications and of everything MAPI. */
export function signContentWithoutSignType(params: Params): string {
  return join(entries(params).filter(([key, value]) => key !== 'sign' && key !== 'sign_type' && key !== '' && value !== ''));
}
