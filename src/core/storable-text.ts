/**
 * Text tuikuan keeps holds no U+0000: PostgreSQL's text cannot store it (the driver refuses the whole
 * statement), and no Alipay field has a use for it. Every edge — the gateways' parameters and JSON, the admin
 * API, the cashier's forms and cookies — refuses such text as the bad input it is, before the store sees it.
 */

export function isStorableText(text: string): boolean {
  return !text.includes('\u0000');
}

/** Whether any string in `value` — a JSON value, deeply, keys included — cannot be stored. */
export function hasUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return !isStorableText(value);
  if (Array.isArray(value)) return value.some(hasUnstorableText);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([key, inner]) => !isStorableText(key) || hasUnstorableText(inner));
  }
  return false;
}
