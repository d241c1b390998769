/**
 * Alipay writes every timestamp in China time (UTC+8, no daylight saving) whatever the server's zone:
 * `yyyy-MM-dd HH:mm:ss`, and `yyyy-MM-dd HH:mm:ss.SSS` for a notification's `gmt_refund`.
 * A wire format, like the yuan strings of yuan.ts: the core keeps time as epoch milliseconds.
 */

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

function parts(ms: number) {
  const d = new Date(ms + CHINA_OFFSET_MS);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    compactDate: `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    millis: pad(d.getUTCMilliseconds(), 3),
  };
}

/** `2014-11-27 15:45:57` */
export function formatChinaTime(ms: number): string {
  const p = parts(ms);
  return `${p.date} ${p.time}`;
}

/** `2015-04-28 15:45:57.320` */
export function formatChinaTimeMillis(ms: number): string {
  const p = parts(ms);
  return `${p.date} ${p.time}.${p.millis}`;
}

/** `20141127`: the date part of a batch_no, the prefix of a trade_no. */
export function formatChinaDate(ms: number): string {
  return parts(ms).compactDate;
}

const TIMESTAMP_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Parses `yyyy-MM-dd HH:mm:ss` as China time; null unless it is exactly that and a real date. */
export function parseChinaTime(text: string): number | null {
  const m = TIMESTAMP_PATTERN.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(utc).getUTCDate() !== day) return null; // 2024-02-30 and the like
  return utc - CHINA_OFFSET_MS;
}
