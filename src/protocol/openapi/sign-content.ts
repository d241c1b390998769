/**
 * The text an OpenAPI v1 request is signed over (protocol-notes §3.1, §8): every parameter except `sign`
 * (`sign_type` stays in), sorted by key in ASCII order, raw values joined as `k=v&k=v`.
 * The official Node client keeps empty values (`notify_url=` is signed); Alipay's docs and the Java SDK
 * drop them — so the gateway tries one and then the other.
 */
export function requestSignContent(params: ReadonlyMap<string, string>, keepEmpty: boolean): string {
  const keys = [...params.keys()].filter((key) => key !== 'sign' && key !== '' && (keepEmpty || params.get(key) !== ''));
  keys.sort();
  return keys.map((key) => `${key}=${params.get(key)}`).join('&');
}

/** True when keeping or dropping empty values would give a different sign content. */
export function hasEmptyValues(params: ReadonlyMap<string, string>): boolean {
  for (const [key, value] of params) if (value === '' && key !== 'sign') return true;
  return false;
}
