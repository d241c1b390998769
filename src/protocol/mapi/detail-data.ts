/**
 * `detail_data` of refund_fastpay_by_platform_pwd (seed 002): lines `原付款支付宝交易号^退款总金额^退款理由`
 * joined by `#`. A `|` starts a royalty set (not allowed with the password), a reason may not carry
 * `^ | $ #` and is at most 256 bytes in the request's charset.
 */
import { parseYuan, type Fen } from '../yuan.js';
import { encodeText, type Charset } from '../charset.js';
import type { MapiErrorCode } from './mapi-errors.js';

export interface DetailLine {
  tradeNo: string;
  /** The amount as the request wrote it: result_details echoes it. */
  amountText: string;
  amount: Fen;
  reason: string;
}

export const MAX_REASON_BYTES = 256;
/** The most one line may refund: Alipay's single-trade limit, 100,000,000.00 yuan. */
const MAX_LINE_FEN = 100_000_000_00;
const TRADE_NO = /^\d{16,64}$/;

export type DetailDataResult = { ok: true; lines: DetailLine[] } | { ok: false; code: MapiErrorCode };

/** The number of lines `detail_data` declares: its `#` count plus one. */
export function countLines(detailData: string): number {
  return detailData.split('#').length;
}

export function parseDetailData(detailData: string, charset: Charset): DetailDataResult {
  const lines: DetailLine[] = [];
  const seen = new Set<string>();
  for (const text of detailData.split('#')) {
    if (text.includes('|')) return { ok: false, code: 'PWD_REFUND_NOT_ALLOW_ROYALTY' };
    if (text.includes('$')) return { ok: false, code: 'DETAIL_DATA_FORMAT_ERROR' };
    const fields = text.split('^');
    if (fields.length !== 3) return { ok: false, code: 'DETAIL_DATA_FORMAT_ERROR' };
    const [tradeNo, amountText, reason] = fields as [string, string, string];
    if (!TRADE_NO.test(tradeNo)) return { ok: false, code: 'DETAIL_DATA_FORMAT_ERROR' };
    const amount = parseYuan(amountText);
    if (amount === null) return { ok: false, code: 'DETAIL_DATA_FORMAT_ERROR' };
    if (encodeText(reason, charset).length > MAX_REASON_BYTES) return { ok: false, code: 'DETAIL_DATA_FORMAT_ERROR' };
    if (amount > MAX_LINE_FEN) return { ok: false, code: 'SINGLE_DETAIL_DATA_EXCEED_LIMIT' };
    if (seen.has(tradeNo)) return { ok: false, code: 'DUBL_TRADE_NO_IN_SAME_BATCH' };
    seen.add(tradeNo);
    lines.push({ tradeNo, amountText, amount, reason });
  }
  return { ok: true, lines };
}
