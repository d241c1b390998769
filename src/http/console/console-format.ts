/** How the console writes amounts, times and tones: ¥ and two decimals, China time, and a colour per state. */
import { formatChinaTime } from '../../protocol/china-time.js';
import { formatYuan } from '../../protocol/yuan.js';

export const DASH = '—';

export function yuan(fen: number): string {
  return `¥${formatYuan(fen)}`;
}

/** A signed amount, as a ledger shows it. */
export function signedYuan(fen: number): string {
  return fen > 0 ? `+${formatYuan(fen)}` : formatYuan(fen);
}

export function time(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? DASH : formatChinaTime(ms);
}

export type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'muted';

export const TRADE_TONES: Record<string, Tone> = { TRADE_SUCCESS: 'ok', WAIT_BUYER_PAY: 'warn', TRADE_CLOSED: 'muted', TRADE_FINISHED: 'info' };
export const REFUND_TONES: Record<string, Tone> = { succeeded: 'ok', failed: 'bad', waiting_for_funds: 'warn', accepted: 'info' };
export const NOTIFICATION_TONES: Record<string, Tone> = { delivered: 'ok', given_up: 'bad', pending: 'warn' };
export const BATCH_TONES: Record<string, Tone> = { completed: 'ok', processing: 'info', awaiting_confirmation: 'warn', cancelled: 'muted', locked: 'bad' };
export const JOB_TONES: Record<string, Tone> = { waiting: 'info', running: 'warn', dead: 'bad' };
export const ACCOUNT_TONES: Record<string, Tone> = { normal: 'ok', frozen: 'bad' };

export function tone(table: Record<string, Tone>, value: string): Tone {
  return table[value] ?? 'muted';
}
