/**
 * How refunds are written in OpenAPI replies — shared by alipay.trade.refund and
 * alipay.trade.fastpay.refund.query, which return the same structures under the same query_options.
 */
import { formatChinaTime } from '../protocol/china-time.js';
import type { FundAllocation, Refund, Trade } from '../interfaces.js';
import { formatRate, formatYuan } from '../protocol/yuan.js';
import type { RefundRejection } from '../core/refund-rules.js';
import type { RefundErrorName } from '../protocol/openapi/business-errors.js';
import { voucherFields } from './trade-fields.js';

/** What each refusal of the refund core is called on the OpenAPI (seed 000 and protocol-notes §1.4). */
export const REFUND_REJECTION_CODES: Record<RefundRejection, RefundErrorName> = {
  trade_not_found: 'ACQ.TRADE_NOT_EXIST',
  trade_not_paid: 'ACQ.TRADE_STATUS_ERROR',
  trade_finished: 'ACQ.TRADE_HAS_FINISHED',
  trade_frozen: 'ACQ.REASON_TRADE_BEEN_FREEZEN',
  refund_not_allowed: 'ACQ.TRADE_NOT_ALLOW_REFUND',
  too_many_refunds: 'ACQ.TRADE_NOT_ALLOW_REFUND',
  partial_without_request_no: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
  amount_exceeds_total: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
  amount_exceeds_refundable: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
  red_packet_partial: 'ACQ.REASON_TRADE_REFUND_FEE_ERR',
  discordant_repeat: 'ACQ.DISCORDANT_REPEAT_REQUEST',
  balance_not_enough: 'ACQ.SELLER_BALANCE_NOT_ENOUGH',
};

/** The query_options both methods understand. */
export type RefundQueryOption = 'refund_detail_item_list' | 'gmt_refund_pay' | 'deposit_back_info' | 'deposit_back_info_list' | 'refund_voucher_detail_list';

export function refundDetailItems(allocations: FundAllocation[]): Record<string, string>[] {
  return allocations.map((a) => {
    const item: Record<string, string> = { fund_channel: a.fundChannel, amount: formatYuan(a.amount), real_amount: formatYuan(a.realAmount) };
    if (a.fundType) item.fund_type = a.fundType;
    if (a.bankCode) item.bank_code = a.bankCode;
    return item;
  });
}

function depositBack(a: FundAllocation): Record<string, string> {
  const info: Record<string, string> = {
    has_deposit_back: 'true',
    dback_status: a.dbackStatus ?? 'P',
    dback_amount: formatYuan(a.amount),
  };
  if (a.bankAckTime !== null) info.bank_ack_time = formatChinaTime(a.bankAckTime);
  if (a.estBankReceiptTime !== null) info.est_bank_receipt_time = formatChinaTime(a.estBankReceiptTime);
  return info;
}

export function depositBackInfo(refund: Refund): Record<string, string> {
  const bank = refund.allocations.find((a) => a.dbackStatus !== null);
  return bank ? depositBack(bank) : { has_deposit_back: 'false' };
}

export function depositBackInfoList(refund: Refund): Record<string, string>[] {
  return refund.allocations.filter((a) => a.dbackStatus !== null).map(depositBack);
}

/** The merchant's fee given back (refund_charge_info_list), when the trade carried one. */
export function refundChargeInfo(trade: Pick<Trade, 'feeRatePpm'>, refund: Refund): Record<string, string>[] | undefined {
  if (trade.feeRatePpm === 0) return undefined;
  return [{ refund_charge_fee: formatYuan(refund.refundChargeFee), switch_fee_rate: formatRate(trade.feeRatePpm), charge_type: 'trade' }];
}

/** Whether any of these query_options shows the refund's fund allocations (refundOptionFields reads them only then). */
export function optionsShowAllocations(options: readonly string[]): boolean {
  return options.includes('refund_detail_item_list') || options.includes('deposit_back_info') || options.includes('deposit_back_info_list');
}

/** The optional parts of a succeeded refund, as query_options ask for them. */
export function refundOptionFields(
  trade: Pick<Trade, 'feeRatePpm' | 'vouchers'>,
  refund: Refund,
  options: readonly string[],
  forQuery: boolean,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (options.includes('gmt_refund_pay') && refund.gmtRefundPay !== null) fields.gmt_refund_pay = formatChinaTime(refund.gmtRefundPay);
  if (options.includes('refund_detail_item_list')) {
    fields.refund_detail_item_list = refundDetailItems(refund.allocations);
    fields.send_back_fee = formatYuan(refund.sendBackFee);
  }
  if (options.includes('deposit_back_info')) {
    if (forQuery) fields.deposit_back_info = depositBackInfo(refund);
    else fields.has_deposit_back = String(refund.allocations.some((a) => a.dbackStatus !== null));
  }
  if (forQuery && options.includes('deposit_back_info_list')) {
    const list = depositBackInfoList(refund);
    if (list.length > 0) fields.deposit_back_info_list = list;
  }
  if (options.includes('refund_voucher_detail_list') && trade.vouchers.length > 0) {
    fields.refund_voucher_detail_list = voucherFields(trade.vouchers);
  }
  const charge = refundChargeInfo(trade, refund);
  if (charge) fields.refund_charge_info_list = charge;
  return fields;
}
