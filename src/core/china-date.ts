/**
 * The business day, which is China's (UTC+8, no daylight saving) whatever the server's zone: the date that
 * starts a trade_no and a certificate's serial. How Alipay writes times on the wire is protocol/china-time.ts.
 */

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** `20141127` for any moment of that day in China. */
export function chinaDate(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

/** The first moment of the China day after the one `ms` is in: when a count kept "for the day" starts again. */
export function nextChinaMidnight(ms: number): number {
  const dayMs = 24 * 60 * 60 * 1000;
  return (Math.floor((ms + CHINA_OFFSET_MS) / dayMs) + 1) * dayMs - CHINA_OFFSET_MS;
}
