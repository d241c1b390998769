/**
 * A trade's fund bill: which channels paid how much. Buyer-funded channels (balance, bank card, Huabei,
 * points, …) and discount channels (coupons and vouchers) are told apart here, because refunds go back to
 * the buyer's own funds first and only merchant-funded discounts cost the merchant nothing to reverse.
 */
import type { FundBill, FundMixShare, Trade, Voucher } from '../interfaces.js';
import { prorate, type Fen, type RatePpm } from './money.js';

/** Discount channels and who funds them: Alipay or a third party ("other"), or the merchant. */
const DISCOUNT_FUNDERS: Record<string, 'other' | 'merchant'> = {
  COUPON: 'other', // 支付宝红包
  DISCOUNT: 'other', // 折扣券
  MDISCOUNT: 'merchant', // 商户优惠券
  MCOUPON: 'merchant', // 商户红包
};

/** The fund channels Alipay names (protocol-notes §5.3). */
export const FUND_CHANNELS = [
  'ALIPAYACCOUNT',
  'BANKCARD',
  'PCREDIT',
  'FINANCEACCOUNT',
  'POINT',
  'PCARD',
  'MCARD',
  'COUPON',
  'DISCOUNT',
  'MDISCOUNT',
  'MCOUPON',
] as const;

export const BANK_FUND_TYPES = ['DEBIT_CARD', 'CREDIT_CARD', 'MIXED_CARD'] as const;

export function isDiscountChannel(channel: string): boolean {
  return channel in DISCOUNT_FUNDERS;
}

export function isMerchantFunded(channel: string): boolean {
  return DISCOUNT_FUNDERS[channel] === 'merchant';
}

export function isBankCard(channel: string): boolean {
  return channel === 'BANKCARD';
}

/** The default mix: the buyer pays everything from the Alipay balance. */
export const DEFAULT_FUND_MIX: FundMixShare[] = [{ fundChannel: 'ALIPAYACCOUNT', percent: 100 }];

/**
 * Splits `amount` by a mix's percents; rounding leftovers go to the first share, so the lines always add
 * up to the amount. Shares that come to zero are left out.
 */
export function splitByMix(amount: Fen, mix: FundMixShare[]): FundBill[] {
  const bills = mix.map((share) => ({
    fundChannel: share.fundChannel,
    amount: Math.floor((amount * share.percent) / 100),
    realAmount: 0,
    fundType: share.fundType ?? null,
    bankCode: share.bankCode ?? null,
  }));
  const assigned = bills.reduce((sum, bill) => sum + bill.amount, 0);
  if (bills[0]) bills[0].amount += amount - assigned;
  return bills.filter((bill) => bill.amount > 0).map((bill) => ({ ...bill, realAmount: bill.amount }));
}

/**
 * The fund bill of a payment with vouchers and no explicit bill: the buyer pays what the vouchers do not
 * cover by the merchant's mix; the vouchers' merchant and other contributions become MDISCOUNT and DISCOUNT.
 */
export function billWithVouchers(total: Fen, vouchers: Voucher[], mix: FundMixShare[]): FundBill[] {
  const merchantPart = vouchers.reduce((sum, v) => sum + v.merchantContribute, 0);
  const otherPart = vouchers.reduce((sum, v) => sum + v.otherContribute, 0);
  const bills = splitByMix(total - merchantPart - otherPart, mix);
  const discount = (fundChannel: string, amount: Fen): FundBill => ({ fundChannel, amount, realAmount: amount, fundType: null, bankCode: null });
  if (merchantPart > 0) bills.push(discount('MDISCOUNT', merchantPart));
  if (otherPart > 0) bills.push(discount('DISCOUNT', otherPart));
  return bills;
}

/** Why a fund bill (with its vouchers) cannot describe a trade's payment; null when it can. */
export function fundBillProblem(total: Fen, bills: FundBill[], vouchers: Voucher[]): string | null {
  if (bills.length === 0) return 'fund_bill_list is empty';
  if (bills.reduce((sum, bill) => sum + bill.amount, 0) !== total) return 'fund_bill_list amounts must add up to total_amount';
  for (const voucher of vouchers) {
    if (voucher.merchantContribute + voucher.otherContribute !== voucher.amount) {
      return `voucher ${voucher.id}: merchant_contribute + other_contribute must equal amount`;
    }
  }
  if (vouchers.length > 0) {
    const merchantBills = bills.filter((b) => isMerchantFunded(b.fundChannel)).reduce((s, b) => s + b.amount, 0);
    const otherBills = bills.filter((b) => isDiscountChannel(b.fundChannel) && !isMerchantFunded(b.fundChannel)).reduce((s, b) => s + b.amount, 0);
    const merchantVouchers = vouchers.reduce((sum, v) => sum + v.merchantContribute, 0);
    const otherVouchers = vouchers.reduce((sum, v) => sum + v.otherContribute, 0);
    if (merchantBills !== merchantVouchers || otherBills !== otherVouchers) {
      return 'voucher contributions must match the discount channels of fund_bill_list (MDISCOUNT/MCOUPON for the merchant, COUPON/DISCOUNT for others)';
    }
  }
  return null;
}

/** The trade's amounts that follow from its fund bill; `chargeAmount` is `receipt_amount × fee rate`, rounded half up. */
export type TradeAmounts = Pick<
  Trade,
  'receiptAmount' | 'buyerPayAmount' | 'pointAmount' | 'invoiceAmount' | 'discountAmount' | 'mdiscountAmount' | 'chargeAmount'
>;

/** The amounts Alipay reports for a trade, derived from its fund bill. */
export function tradeAmounts(total: Fen, bills: FundBill[], feeRatePpm: RatePpm): TradeAmounts {
  let pointAmount = 0;
  let discountAmount = 0;
  let mdiscountAmount = 0;
  for (const bill of bills) {
    if (bill.fundChannel === 'POINT') pointAmount += bill.amount;
    else if (isMerchantFunded(bill.fundChannel)) mdiscountAmount += bill.amount;
    else if (isDiscountChannel(bill.fundChannel)) discountAmount += bill.amount;
  }
  const buyerPayAmount = total - pointAmount - discountAmount - mdiscountAmount;
  const receiptAmount = total - mdiscountAmount;
  return {
    receiptAmount,
    buyerPayAmount,
    pointAmount,
    invoiceAmount: buyerPayAmount,
    discountAmount,
    mdiscountAmount,
    chargeAmount: prorate(receiptAmount, feeRatePpm, 1_000_000),
  };
}
