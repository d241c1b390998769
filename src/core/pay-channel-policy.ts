/**
 * Which of the buyer's channels an order may be paid with (protocol-notes §12.11), as pure functions:
 * `enable_pay_channels` lists the only ones allowed — marketing ones included, or no coupon applies —
 * `disable_pay_channels` the ones refused (never both), and virtual goods (`goods_type=0`) are never paid with
 * Huabei. Alipay's channel codes name instruments more finely than a buyer's funds here, so each code stands for
 * the instruments it covers: `credit_group` for credit cards and Huabei, `bankPay` for any card, and so on.
 * Codes for instruments no buyer here holds (亲密付, prepaid cards) are accepted and change nothing.
 */
import type { BuyerBankCard, BuyerCouponChannel, BuyerPayChannel } from '../interfaces.js';

/** What a payment draws from, as finely as the channel codes tell them apart. */
export type PayInstrument =
  | Exclude<BuyerPayChannel, 'BANKCARD'>
  | 'DEBIT_CARD'
  | 'CREDIT_CARD'
  /** Red packets funded by Alipay (COUPON); the merchant's coupons (MCOUPON) and discounts (MDISCOUNT). */
  | BuyerCouponChannel;

const ALL_INSTRUMENTS: readonly PayInstrument[] = [
  'ALIPAYACCOUNT',
  'FINANCEACCOUNT',
  'PCREDIT',
  'POINT',
  'DEBIT_CARD',
  'CREDIT_CARD',
  'COUPON',
  'MCOUPON',
  'MDISCOUNT',
];

/** Alipay's channel codes ("支持可用/禁用支付渠道列表") and the instruments each covers. */
const CHANNEL_CODES: Readonly<Record<string, readonly PayInstrument[]>> = {
  balance: ['ALIPAYACCOUNT'],
  moneyFund: ['FINANCEACCOUNT'],
  pcredit: ['PCREDIT'],
  pcreditpayInstallment: ['PCREDIT'],
  credit_group: ['CREDIT_CARD', 'PCREDIT'],
  bankPay: ['DEBIT_CARD', 'CREDIT_CARD'],
  debitCardExpress: ['DEBIT_CARD'],
  cartoon: ['DEBIT_CARD'],
  creditCardExpress: ['CREDIT_CARD'],
  creditCardCartoon: ['CREDIT_CARD'],
  creditCard: ['CREDIT_CARD'],
  coupon: ['COUPON'],
  point: ['POINT'],
  promotion: ['MDISCOUNT', 'MCOUPON'],
  voucher: ['MCOUPON'],
  mdiscount: ['MDISCOUNT'],
  honeyPay: [],
  mcard: [],
  pcard: [],
};

/** The instruments an order may be paid with. */
export interface PayChannelPolicy {
  readonly allowed: ReadonlySet<PayInstrument>;
}

/** Every instrument: an order that limits nothing. */
export const ANY_CHANNEL: PayChannelPolicy = { allowed: new Set(ALL_INSTRUMENTS) };

export interface PayChannelLimits {
  enablePayChannels?: string | null;
  disablePayChannels?: string | null;
  goodsType?: string | null;
}

function codesOf(list: string): string[] | null {
  const codes = list
    .split(',')
    .map((code) => code.trim())
    .filter((code) => code !== '');
  return codes.length > 0 && codes.every((code) => Object.hasOwn(CHANNEL_CODES, code)) ? codes : null;
}

/** The policy the order's limits make, or null when they cannot be read (both lists, an unknown code: ACQ.INVALID_PARAMETER). */
export function payChannelPolicy(limits: PayChannelLimits): PayChannelPolicy | null {
  const { enablePayChannels: enable, disablePayChannels: disable } = limits;
  if (enable && disable) return null;
  let allowed = new Set(ALL_INSTRUMENTS);
  if (enable) {
    const codes = codesOf(enable);
    if (!codes) return null;
    allowed = new Set(codes.flatMap((code) => CHANNEL_CODES[code] ?? []));
  } else if (disable) {
    const codes = codesOf(disable);
    if (!codes) return null;
    for (const instrument of codes.flatMap((code) => CHANNEL_CODES[code] ?? [])) allowed.delete(instrument);
  }
  // "虚拟类商品不支持使用花呗渠道" (§12.2).
  if (limits.goodsType === '0') allowed.delete('PCREDIT');
  return { allowed };
}

/** Whether the order may draw on the buyer's channel; a card by its type (a 借贷合一卡 is either). */
export function allowsChannel(policy: PayChannelPolicy, channel: BuyerPayChannel, card?: Pick<BuyerBankCard, 'fundType'>): boolean {
  if (channel !== 'BANKCARD') return policy.allowed.has(channel);
  const fundType = card?.fundType;
  if (fundType === 'CREDIT_CARD') return policy.allowed.has('CREDIT_CARD');
  if (fundType === 'DEBIT_CARD') return policy.allowed.has('DEBIT_CARD');
  return policy.allowed.has('DEBIT_CARD') || policy.allowed.has('CREDIT_CARD');
}

/** Whether the order may take a coupon of this kind. */
export function allowsCoupon(policy: PayChannelPolicy, channel: BuyerCouponChannel): boolean {
  return policy.allowed.has(channel);
}
