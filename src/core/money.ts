/**
 * Money is integer fen (分) inside tuikuan; yuan strings such as "200.12" exist only at the edges, where
 * protocol/yuan.ts parses and formats them. What the core needs of money is here: the units and exact arithmetic.
 */

import type { Fen } from '../interfaces.js';

export type { Fen, RatePpm } from '../interfaces.js';

/** The largest amount Alipay accepts for one trade: 100,000,000.00 yuan. */
export const MAX_TRADE_FEN: Fen = 100_000_000_00;

/**
 * `amount × numerator / denominator`, rounded half up, in integers only. BigInt because fen × fen
 * (or fen × ppm) passes 2^53 for large trades.
 */
export function prorate(amount: Fen, numerator: number, denominator: number): Fen {
  if (denominator === 0) return 0;
  const twice = BigInt(amount) * BigInt(numerator) * 2n + BigInt(denominator);
  return Number(twice / (BigInt(denominator) * 2n));
}
