/**
 * The biz_content of a refund request, shared by alipay.trade.refund and alipay.trade.refund.apply
 * (seed 000, protocol-notes §1.1), and its translation into the refund core's request.
 */
import { z } from 'zod';
import { parsePositiveYuan } from '../protocol/yuan.js';
import type { RefundRequest } from '../core/refund-transaction.js';
import type { RefundSource } from '../interfaces.js';
import { amountField, optionalText, queryOptionsField } from './openapi-method.js';

export const refundBizSchema = z
  .object({
    out_trade_no: optionalText(64),
    trade_no: optionalText(64),
    refund_amount: amountField,
    refund_currency: z.literal('CNY').optional(),
    refund_reason: optionalText(256),
    out_request_no: optionalText(64),
    operator_id: optionalText(30),
    store_id: optionalText(32),
    terminal_id: optionalText(32),
    org_pid: optionalText(16),
    goods_detail: z.array(z.unknown()).optional(),
    refund_goods_detail: z.array(z.unknown()).optional(),
    refund_royalty_parameters: z.array(z.unknown()).optional(),
    query_options: queryOptionsField,
  })
  .refine((biz) => Boolean(biz.trade_no || biz.out_trade_no));

export type RefundBiz = z.infer<typeof refundBizSchema>;

/** The core's request, or null when refund_amount is not a positive amount of at most two decimals. */
export function toRefundRequest(biz: RefundBiz, sellerPid: string, source: RefundSource): RefundRequest | null {
  const amount = parsePositiveYuan(biz.refund_amount);
  if (amount === null) return null;
  return {
    sellerPid,
    tradeNo: biz.trade_no || undefined,
    outTradeNo: biz.out_trade_no || undefined,
    outRequestNo: biz.out_request_no || undefined,
    amount,
    reason: biz.refund_reason ?? null,
    operatorId: biz.operator_id ?? null,
    storeId: biz.store_id ?? null,
    terminalId: biz.terminal_id ?? null,
    source,
  };
}
