/**
 * A buyer for the cashier suites, made through the admin API: fixed passwords, and funds in every channel —
 * balance 50.00, Yu'E Bao 30.00, Huabei 500.00, 200 points, a debit card, an Alipay red packet (5.00), a
 * discount of the seller's (10.00) and another merchant's red packet (3.00), which never applies.
 */
import type { Harness } from './harness.js';
import type { Reply } from './refund-calls.js';

export const BUYER_LOGIN_PASSWORD = 'buyer-login-1';
export const BUYER_PAYMENT_PASSWORD = '246810';

let counter = 0;

export async function newBuyer(harness: Harness, sellerPid: string, funds: Reply = {}): Promise<Reply> {
  const n = `${Date.now()}${++counter}`;
  return harness.adminOk('POST', '/buyers', {
    logon_id: `buyer${n}@example.com`,
    login_password: BUYER_LOGIN_PASSWORD,
    payment_password: BUYER_PAYMENT_PASSWORD,
    funds: {
      balance: '50.00',
      yuebao: '30.00',
      huabei_limit: '500.00',
      points: '2.00',
      bank_cards: [{ bank_code: 'CMB', fund_type: 'DEBIT_CARD', card_tail: '6688' }],
      coupons: [
        { voucher_id: `RP${n}`, fund_channel: 'COUPON', name: '支付宝红包', amount: '5.00' },
        { voucher_id: `MD${n}`, fund_channel: 'MDISCOUNT', merchant_pid: sellerPid, name: '满减券', amount: '10.00' },
        { voucher_id: `OM${n}`, fund_channel: 'MCOUPON', merchant_pid: '2088000000000001', name: '别家红包', amount: '3.00' },
      ],
      ...funds,
    },
  });
}

/** The buyer's funds as the admin API shows them. */
export async function buyerFunds(harness: Harness, buyerUserId: string): Promise<Reply> {
  return (await harness.adminOk('GET', `/buyers/${buyerUserId}`)).funds as Reply;
}
