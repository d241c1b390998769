/** How trades, fund bills and vouchers are written in OpenAPI replies: snake_case, amounts as "0.00". */
import type { FundBill, Voucher } from '../interfaces.js';
import { formatYuan } from '../protocol/yuan.js';

export function fundBillFields(bills: FundBill[]): Record<string, string>[] {
  return bills.map((bill) => {
    const fields: Record<string, string> = {
      fund_channel: bill.fundChannel,
      amount: formatYuan(bill.amount),
      real_amount: formatYuan(bill.realAmount),
    };
    if (bill.fundType) fields.fund_type = bill.fundType;
    if (bill.bankCode) fields.bank_code = bill.bankCode;
    return fields;
  });
}

export function voucherFields(vouchers: Voucher[]): Record<string, string>[] {
  return vouchers.map((voucher) => {
    const fields: Record<string, string> = {
      id: voucher.id,
      name: voucher.name,
      type: voucher.type,
      amount: formatYuan(voucher.amount),
      merchant_contribute: formatYuan(voucher.merchantContribute),
      other_contribute: formatYuan(voucher.otherContribute),
    };
    if (voucher.memo) fields.memo = voucher.memo;
    if (voucher.templateId) fields.template_id = voucher.templateId;
    return fields;
  });
}

/** What a failed payment or trade query still carries, as Alipay's do: zero amounts and the out_trade_no. */
export function zeroAmountFields(outTradeNo: string | undefined): Record<string, string> {
  return {
    buyer_pay_amount: '0.00',
    invoice_amount: '0.00',
    point_amount: '0.00',
    receipt_amount: '0.00',
    ...(outTradeNo ? { out_trade_no: outTradeNo } : {}),
  };
}
