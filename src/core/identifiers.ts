/**
 * Numbers Alipay hands out, in Alipay's shapes: pids `2088` + 12 digits, app ids `2021` + 12 digits,
 * trade numbers (28 digits starting with the China date), notify ids (32 hex), tokens.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { chinaDate } from './china-date.js';

function digits(count: number): string {
  let out = '';
  while (out.length < count) out += String(randomInt(0, 1_000_000_000)).padStart(9, '0');
  return out.slice(0, count);
}

export function newPid(): string {
  return `2088${digits(12)}`;
}

export function newAppId(): string {
  return `2021${digits(12)}`;
}

/** `20261123` + `22001` + 15 digits: 28 digits, like 2014112611001004680073956707. */
export function newTradeNo(now: number): string {
  return `${chinaDate(now)}22001${digits(15)}`;
}

export function newBuyerUserId(): string {
  return `2088${digits(12)}`;
}

/** A masked buyer login as Alipay shows it: `159****5620`. */
export function newBuyerLogonId(): string {
  return `1${digits(2)}****${digits(4)}`;
}

export function newNotifyId(): string {
  return randomBytes(16).toString('hex');
}

export function newSecret(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/** A 32-character MD5 key of lowercase letters and digits, like the ones the Alipay console issues. */
export function newMd5Key(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 32; i++) out += alphabet[randomInt(0, alphabet.length)];
  return out;
}

export function newAppAuthToken(now: number): string {
  return `${chinaDate(now).slice(2)}BB${randomBytes(16).toString('hex')}`;
}

/** A voucher id as `voucher_detail_list` shows one: the China date and 20 digits, 28 characters. */
export function newVoucherId(now: number): string {
  return `${chinaDate(now)}${digits(20)}`;
}
