/**
 * alipay.trade.cancel (protocol-notes §12.10): `action=close` for an unpaid trade, `action=refund` for a paid
 * one (refunded in full), no action for a trade that does not exist. `retry_flag` is N whenever the answer is
 * final; a system error asks for the same cancel again (Y), as Alipay's face-to-face demo reads it.
 */
import { z } from 'zod';
import { cancelTrade, type CancelRefusal } from '../core/cancel-trade.js';
import type { Trade } from '../interfaces.js';
import { cancelError, type CancelErrorName } from '../protocol/openapi/business-errors.js';
import { defineMethod, echoField, failure, optionalText, success } from './openapi-method.js';

const bizSchema = z
  .object({
    trade_no: optionalText(64),
    out_trade_no: optionalText(64),
  })
  .refine((biz) => Boolean(biz.trade_no || biz.out_trade_no));

/** The refusals with a code of their own; any other (a refund rule the full refund met) reads as an invalid refund amount. */
const REFUSAL_CODES: Partial<Record<CancelRefusal, CancelErrorName>> = {
  cancel_time_out: 'ACQ.TRADE_CANCEL_TIME_OUT',
  trade_finished: 'ACQ.TRADE_HAS_FINISHED',
  already_refunded: 'ACQ.REASON_TRADE_REFUND_FEE_ERR',
  cancel_not_allowed: 'ACQ.CANCEL_NOT_ALLOWED',
  refund_not_allowed: 'ACQ.CANCEL_NOT_ALLOWED',
  trade_frozen: 'ACQ.REASON_TRADE_BEEN_FREEZEN',
  balance_not_enough: 'ACQ.SELLER_BALANCE_NOT_ENOUGH',
};

function numbers(biz: unknown, trade: Trade | null): Record<string, string> {
  const fields: Record<string, string> = {};
  const tradeNo = trade?.tradeNo ?? echoField(biz, 'trade_no');
  const outTradeNo = trade?.outTradeNo ?? echoField(biz, 'out_trade_no');
  if (tradeNo) fields.trade_no = tradeNo;
  if (outTradeNo) fields.out_trade_no = outTradeNo;
  return fields;
}

export const tradeCancel = defineMethod({
  name: 'alipay.trade.cancel',
  bizSchema,
  errors: cancelError,
  failureFields: (biz) => ({ ...numbers(biz, null), retry_flag: 'Y' }),
  invalid: (biz) => failure(cancelError('ACQ.INVALID_PARAMETER'), { ...numbers(biz, null), retry_flag: 'N' }),
  async run(biz, context) {
    const outcome = await cancelTrade(context.services, context.sellerPid, {
      sellerPid: context.sellerPid,
      tradeNo: biz.trade_no || undefined,
      outTradeNo: biz.out_trade_no || undefined,
    });
    switch (outcome.kind) {
      case 'not_found':
        // "未返回：未查询到交易": nothing to cancel, and nothing to retry.
        return success({ ...numbers(biz, null), retry_flag: 'N' });
      case 'closed':
      case 'refunded':
        if (outcome.jobsOwed) context.services.jobsAdded();
        return success({ ...numbers(biz, outcome.trade), retry_flag: 'N', action: outcome.kind === 'closed' ? 'close' : 'refund' });
      case 'refused':
        return failure(cancelError(REFUSAL_CODES[outcome.reason] ?? 'ACQ.REASON_TRADE_REFUND_FEE_ERR'), { ...numbers(biz, outcome.trade), retry_flag: 'N' });
    }
  },
});
