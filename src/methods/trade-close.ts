/**
 * alipay.trade.close (protocol-notes §12.9): closes a trade waiting for the buyer. trade_no wins over
 * out_trade_no. A paid, finished or closed trade is ACQ.TRADE_STATUS_ERROR.
 */
import { z } from 'zod';
import { closeTrade } from '../core/close-trade.js';
import { closeError, type CloseErrorName } from '../protocol/openapi/business-errors.js';
import { defineMethod, echoField, failure, optionalText, success } from './openapi-method.js';

const bizSchema = z
  .object({
    trade_no: optionalText(64),
    out_trade_no: optionalText(64),
    operator_id: optionalText(28),
  })
  .refine((biz) => Boolean(biz.trade_no || biz.out_trade_no));

/** What a failed close still carries: the numbers the request gave. */
function echoed(biz: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  const tradeNo = echoField(biz, 'trade_no');
  const outTradeNo = echoField(biz, 'out_trade_no');
  if (tradeNo) fields.trade_no = tradeNo;
  if (outTradeNo) fields.out_trade_no = outTradeNo;
  return fields;
}

const failed = (name: CloseErrorName, biz: unknown) => failure(closeError(name), echoed(biz));

export const tradeClose = defineMethod({
  name: 'alipay.trade.close',
  bizSchema,
  errors: closeError,
  failureFields: (biz) => echoed(biz),
  invalid: (biz) => failed('ACQ.INVALID_PARAMETER', biz),
  async run(biz, context) {
    const outcome = await closeTrade(context.services, {
      key: { sellerPid: context.sellerPid, tradeNo: biz.trade_no || undefined, outTradeNo: biz.out_trade_no || undefined },
      notifyUrl: context.notifyUrl,
    });
    switch (outcome.kind) {
      case 'not_found':
        return failed('ACQ.TRADE_NOT_EXIST', biz);
      case 'not_waiting':
        return failed('ACQ.TRADE_STATUS_ERROR', biz);
      case 'closed':
        if (outcome.notifying) context.services.jobsAdded();
        return success({ trade_no: outcome.trade.tradeNo, out_trade_no: outcome.trade.outTradeNo });
    }
  },
});
