/**
 * batch_no (seed 002): the refund date, 8 digits, which must be today (China time), then a serial of 3 to
 * 24 digits or letters that is not `000`.
 */
import { formatChinaDate } from '../china-time.js';

const BATCH_NO = /^(\d{8})([0-9A-Za-z]{3,24})$/;

export function batchNoValid(batchNo: string, now: number): boolean {
  const match = BATCH_NO.exec(batchNo);
  if (!match) return false;
  const [, date, serial] = match as unknown as [string, string, string];
  return date === formatChinaDate(now) && !/^0+$/.test(serial);
}
