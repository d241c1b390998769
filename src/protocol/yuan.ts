/**
 * Amounts as the wire writes them: yuan strings such as "200.12" (or JSON numbers), fee rates such as "0.006".
 * Inside tuikuan money is integer fen; these are the only places it becomes text and back.
 */

/** An amount in fen (分): what the core counts money in. */
export type Fen = number;

/** A rate in parts per million. */
type RatePpm = number;

/** The largest amount an Alipay amount field takes: 100,000,000.00 yuan (String(11,2)). */
export const MAX_AMOUNT_FEN: Fen = 100_000_000_00;

const YUAN_PATTERN = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;

/**
 * Parses a yuan amount strictly: digits, at most two decimals, no sign, no exponent, no spaces.
 * JSON numbers are accepted (`"refund_amount":200.12`, as in the seed's Java example) by their
 * shortest decimal form, so 200.1 is "200.1" and 0.1+0.2 is rejected for having 17 decimals.
 * Returns null for anything else; callers decide which error that is.
 */
export function parseYuan(value: unknown): Fen | null {
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    text = String(value);
  } else {
    return null;
  }
  const match = YUAN_PATTERN.exec(text);
  if (!match) return null;
  const whole = Number(match[1]);
  const decimals = (match[2] ?? '.').slice(1).padEnd(2, '0');
  const fen = whole * 100 + Number(decimals);
  return Number.isSafeInteger(fen) ? fen : null;
}

/** Like parseYuan, but also requires the amount to be positive and at most `max` fen. */
export function parsePositiveYuan(value: unknown, max: Fen = MAX_AMOUNT_FEN): Fen | null {
  const fen = parseYuan(value);
  return fen !== null && fen > 0 && fen <= max ? fen : null;
}

/** Formats fen as Alipay does: yuan with exactly two decimals ("0.00", "88.88", "-5.00"). */
export function formatYuan(fen: Fen): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${sign}${yuan}.${cents < 10 ? '0' : ''}${cents}`;
}

/** Parses a signed adjustment such as "+100.00" or "-5.00" (admin balance changes). */
export function parseSignedYuan(value: unknown): Fen | null {
  if (typeof value === 'number') return value < 0 ? negate(parseYuan(-value)) : parseYuan(value);
  if (typeof value !== 'string') return null;
  if (value.startsWith('-')) return negate(parseYuan(value.slice(1)));
  return parseYuan(value.startsWith('+') ? value.slice(1) : value);
}

function negate(fen: Fen | null): Fen | null {
  return fen === null ? null : -fen;
}

/** A rate such as "0.006" (0.6%), as parts per million. */
const RATE_PATTERN = /^(0|1)(\.\d{1,6})?$/;

export function parseRate(value: unknown): RatePpm | null {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !RATE_PATTERN.test(text)) return null;
  const [whole, decimals = ''] = text.split('.');
  const ppm = Number(whole) * 1_000_000 + Number(decimals.padEnd(6, '0'));
  return ppm <= 1_000_000 ? ppm : null;
}

export function formatRate(ppm: RatePpm): string {
  const whole = Math.floor(ppm / 1_000_000);
  const decimals = String(ppm % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return decimals ? `${whole}.${decimals}` : String(whole);
}
