/**
 * The chaos run's buyers, made through the admin API (`POST /admin/v1/buyers`) before the load: each with a
 * logon id and both passwords, and funds in every channel the cashier offers — the Alipay balance, Yu'E Bao, a
 * Huabei limit, points, two bank cards (one the bank always pays, one with a limit) and coupons: Alipay's red
 * packets (COUPON) and, for each merchant, a red packet (MCOUPON) and two whole-only coupons (MDISCOUNT) that
 * apply to that merchant's trades alone. What tuikuan answered it made is each buyer's opening funds, from
 * which the conservation of the buyer's money is judged (chaos-payment-invariants.ts).
 */
import type { Random } from './chaos-random.js';
import { fenOf, yuan, type Fen } from './chaos-record.js';
import type { AdminClient, ChaosMerchant } from './chaos-world.js';

/** A bank card as the buyer opened with it. */
export interface OpeningCard {
  position: number;
  /** Each of a buyer's cards is of another bank: a BANKCARD fund bill's bank_code names the card that paid. */
  bankCode: string;
  /** Null: the simulated bank always pays. */
  available: Fen | null;
}

export interface OpeningCoupon {
  voucherId: string;
  fundChannel: string;
  amount: Fen;
}

/** What a buyer was made with, in fen (points by their worth, one fen each). */
export interface OpeningFunds {
  buyerUserId: string;
  balance: Fen;
  yuebao: Fen;
  huabeiLimit: Fen;
  huabeiUsed: Fen;
  points: Fen;
  bankCards: OpeningCard[];
  coupons: OpeningCoupon[];
}

export interface ChaosBuyer {
  buyerUserId: string;
  logonId: string;
  loginPassword: string;
  paymentPassword: string;
  opening: OpeningFunds;
}

/** The funds part of the admin API's buyer view (admin-buyer-views.ts): amounts as yuan strings. */
interface FundsView {
  balance: string;
  yuebao: string;
  huabei_limit: string;
  huabei_used: string;
  points: string;
  bank_cards: Array<{ position: number; bank_code: string; available: string | null }>;
  coupons: Array<{ voucher_id: string; fund_channel: string; amount: string }>;
}

interface BuyerView {
  buyer_user_id: string;
  logon_id: string;
  funds: FundsView;
}

/** The two banks of every buyer's cards. */
const ALWAYS_PAYS_BANK = 'CMB';
const LIMITED_BANK = 'ICBC';

function fen(text: string, what: string): Fen {
  const amount = fenOf(text);
  if (amount === null) throw new Error(`POST /buyers answered ${what} ${text}`);
  return amount;
}

/** The opening funds, read from what tuikuan answered it created. */
function openingOf(view: BuyerView): OpeningFunds {
  const { funds } = view;
  return {
    buyerUserId: view.buyer_user_id,
    balance: fen(funds.balance, 'balance'),
    yuebao: fen(funds.yuebao, 'yuebao'),
    huabeiLimit: fen(funds.huabei_limit, 'huabei_limit'),
    huabeiUsed: fen(funds.huabei_used, 'huabei_used'),
    points: fen(funds.points, 'points'),
    bankCards: funds.bank_cards.map((card) => ({
      position: card.position,
      bankCode: card.bank_code,
      available: card.available === null ? null : fen(card.available, 'a card available'),
    })),
    coupons: funds.coupons.map((coupon) => ({ voucherId: coupon.voucher_id, fundChannel: coupon.fund_channel, amount: fen(coupon.amount, 'a coupon amount') })),
  };
}

/** `count` buyers, each funded across every channel, with coupons for each of `merchants`. */
export async function createBuyers(admin: AdminClient, random: Random, merchants: readonly ChaosMerchant[], count: number): Promise<ChaosBuyer[]> {
  const buyers: ChaosBuyer[] = [];
  for (let i = 0; i < count; i++) {
    const loginPassword = `chaos-login-${i}`;
    const paymentPassword = String(random.int(0, 999_999)).padStart(6, '0');
    const amount = (lowYuan: number, highYuan: number) => yuan(random.int(lowYuan * 100, highYuan * 100));
    const view = await admin.ok<BuyerView>('POST', '/buyers', {
      logon_id: `chaos-buyer-${i}@example.com`,
      login_password: loginPassword,
      payment_password: paymentPassword,
      funds: {
        balance: amount(3000, 20_000),
        yuebao: amount(1000, 10_000),
        huabei_limit: amount(2000, 8000),
        points: amount(5, 200),
        bank_cards: [
          { bank_code: ALWAYS_PAYS_BANK, fund_type: 'DEBIT_CARD', available: null },
          { bank_code: LIMITED_BANK, fund_type: 'CREDIT_CARD', available: amount(1000, 5000) },
        ],
        coupons: [
          ...Array.from({ length: 3 }, () => ({ fund_channel: 'COUPON', name: '支付宝红包', amount: amount(5, 40) })),
          ...merchants.flatMap((merchant) => [
            { fund_channel: 'MCOUPON', merchant_pid: merchant.pid, name: '商家红包', amount: amount(5, 30) },
            { fund_channel: 'MDISCOUNT', merchant_pid: merchant.pid, name: '满减券', amount: amount(5, 15) },
            { fund_channel: 'MDISCOUNT', merchant_pid: merchant.pid, name: '店铺券', amount: amount(5, 15) },
          ]),
        ],
      },
    });
    buyers.push({ buyerUserId: view.buyer_user_id, logonId: view.logon_id, loginPassword, paymentPassword, opening: openingOf(view) });
  }
  return buyers;
}
