/**
 * A buyer's funds: what an operator declares them to be (set, or topped up), read from the store (under the
 * buyer's row lock when they are to change) and written back as the difference from what was read. Payments
 * take from them (buyer-debit.ts), refunds give back (buyer-credit.ts).
 */
import { randomInt } from 'node:crypto';
import { findBuyerBankCards, replaceBuyerBankCards, setBankCardAvailable } from '../store/sql/buyer-bank-cards.js';
import { couponExists, deleteBuyerCoupon, findBuyerCoupons, insertBuyerCoupon, updateBuyerCoupon } from '../store/sql/buyer-coupons.js';
import { findBuyerRecord, updateBuyer } from '../store/sql/buyers.js';
import type { Db, Trx } from '../store/store.js';
import { DomainError } from './domain-error.js';
import { BANK_FUND_TYPES } from './fund-bill.js';
import { newVoucherId } from './identifiers.js';
import type { Buyer, BuyerAmounts, BuyerBankCard, BuyerCoupon, BuyerCouponChannel, BuyerFunds } from '../interfaces.js';
import type { Fen } from './money.js';

export interface NewBankCard {
  bankCode: string;
  /** (Default: DEBIT_CARD) */
  fundType?: string;
  /** (Default: four random digits) */
  cardTail?: string;
  /** (Default: null, the bank always pays) */
  available?: Fen | null;
}

export interface NewCoupon {
  /** (Default: a new one, 28 characters starting with the China date) */
  voucherId?: string;
  fundChannel: BuyerCouponChannel;
  /** (Default: 红包 for a red packet, 优惠券 for a coupon) */
  name?: string;
  /** Required for MCOUPON/MDISCOUNT, refused for COUPON. */
  merchantPid?: string;
  amount: Fen;
  /** (Default: true for MDISCOUNT, false for the red packets COUPON and MCOUPON) */
  wholeOnly?: boolean;
  /** (Default: null, never expires) */
  expiresAt?: number | null;
}

/** Funds as declared: each amount given replaces the buyer's; bank cards and coupons given replace the buyer's lists. */
export interface FundsSet extends Partial<Pick<BuyerAmounts, 'balance' | 'yuebao' | 'huabeiLimit' | 'points'>> {
  bankCards?: NewBankCard[];
  coupons?: NewCoupon[];
}

/** Funds to add: amounts added to the buyer's (the Huabei limit raised), coupons given to the buyer. */
export interface FundsTopUp extends Partial<Pick<BuyerAmounts, 'balance' | 'yuebao' | 'huabeiLimit' | 'points'>> {
  coupons?: NewCoupon[];
}

export const NO_FUNDS: BuyerFunds = { balance: 0, yuebao: 0, huabeiLimit: 0, huabeiUsed: 0, points: 0, bankCards: [], coupons: [] };

const MERCHANT_COUPONS: readonly BuyerCouponChannel[] = ['MCOUPON', 'MDISCOUNT'];

export function newBankCards(cards: readonly NewBankCard[]): BuyerBankCard[] {
  return cards.map((card, i) => {
    const fundType = card.fundType ?? 'DEBIT_CARD';
    if (!(BANK_FUND_TYPES as readonly string[]).includes(fundType))
      throw new DomainError('invalid_request', `bank_cards.${i}.fund_type: one of ${BANK_FUND_TYPES.join(', ')}`);
    if (card.cardTail !== undefined && !/^\d{4}$/.test(card.cardTail)) throw new DomainError('invalid_request', `bank_cards.${i}.card_tail: four digits`);
    return {
      position: i + 1,
      bankCode: card.bankCode,
      fundType,
      cardTail: card.cardTail ?? String(randomInt(0, 10000)).padStart(4, '0'),
      available: card.available ?? null,
    };
  });
}

export function newCoupons(coupons: readonly NewCoupon[], now: number): BuyerCoupon[] {
  const made = coupons.map((coupon, i): BuyerCoupon => {
    const merchantFunded = MERCHANT_COUPONS.includes(coupon.fundChannel);
    if (merchantFunded && !coupon.merchantPid)
      throw new DomainError('invalid_request', `coupons.${i}.merchant_pid: a ${coupon.fundChannel} coupon is funded by a merchant; name it`);
    if (!merchantFunded && coupon.merchantPid)
      throw new DomainError('invalid_request', `coupons.${i}.merchant_pid: a COUPON red packet is funded by Alipay, not a merchant`);
    if (!Number.isSafeInteger(coupon.amount) || coupon.amount <= 0) throw new DomainError('invalid_request', `coupons.${i}.amount: a positive amount`);
    return {
      voucherId: coupon.voucherId ?? newVoucherId(now),
      fundChannel: coupon.fundChannel,
      name: coupon.name ?? (coupon.fundChannel === 'MDISCOUNT' ? '优惠券' : '红包'),
      merchantPid: coupon.merchantPid ?? null,
      amount: coupon.amount,
      remaining: coupon.amount,
      wholeOnly: coupon.wholeOnly ?? coupon.fundChannel === 'MDISCOUNT',
      expiresAt: coupon.expiresAt ?? null,
      createdAt: now,
    };
  });
  const ids = made.map((coupon) => coupon.voucherId);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new DomainError('invalid_request', `coupons: voucher_id ${repeated} is given twice`);
  return made;
}

/** The funds with the declared parts replaced. */
export function fundsWithSet(funds: BuyerFunds, set: FundsSet, now: number): BuyerFunds {
  return {
    ...funds,
    ...(set.balance !== undefined && { balance: set.balance }),
    ...(set.yuebao !== undefined && { yuebao: set.yuebao }),
    ...(set.huabeiLimit !== undefined && { huabeiLimit: set.huabeiLimit }),
    ...(set.points !== undefined && { points: set.points }),
    ...(set.bankCards && { bankCards: newBankCards(set.bankCards) }),
    ...(set.coupons && { coupons: newCoupons(set.coupons, now) }),
  };
}

/** The funds with the top-up added. */
export function fundsWithTopUp(funds: BuyerFunds, topUp: FundsTopUp, now: number): BuyerFunds {
  const given = newCoupons(topUp.coupons ?? [], now);
  const held = given.find((coupon) => funds.coupons.some((c) => c.voucherId === coupon.voucherId));
  if (held) throw new DomainError('duplicate', `a coupon with voucher_id ${held.voucherId} exists`);
  return {
    ...funds,
    balance: funds.balance + (topUp.balance ?? 0),
    yuebao: funds.yuebao + (topUp.yuebao ?? 0),
    huabeiLimit: funds.huabeiLimit + (topUp.huabeiLimit ?? 0),
    points: funds.points + (topUp.points ?? 0),
    coupons: [...funds.coupons, ...given],
  };
}

/** A buyer with its funds; `lock` holds the buyer's row until the transaction ends (whoever changes its funds). */
export async function loadBuyer(db: Db, buyerUserId: string, lock = false): Promise<Buyer | undefined> {
  const record = await findBuyerRecord(db, buyerUserId, lock);
  if (!record) return undefined;
  const [bankCards, coupons] = await Promise.all([findBuyerBankCards(db, buyerUserId), findBuyerCoupons(db, buyerUserId)]);
  const { balance, yuebao, huabeiLimit, huabeiUsed, points, ...account } = record;
  return { ...account, funds: { balance, yuebao, huabeiLimit, huabeiUsed, points, bankCards, coupons } };
}

/** Like loadBuyer, under the row lock, or buyer_not_found. */
export async function lockBuyer(trx: Trx, buyerUserId: string): Promise<Buyer> {
  const buyer = await loadBuyer(trx, buyerUserId, true);
  if (!buyer) throw new DomainError('buyer_not_found', `no buyer ${buyerUserId}`);
  return buyer;
}

/**
 * Writes what changed from `before` to `after` (read under the buyer's lock in this transaction): the amounts;
 * each card's available amount, or the cards when the list itself changed; the coupons gone, the coupons new
 * (a voucher id already held by anyone is a duplicate) and the coupons changed. The funds never go below zero.
 */
export async function storeFunds(trx: Trx, buyerUserId: string, before: BuyerFunds, after: BuyerFunds): Promise<void> {
  for (const amount of ['balance', 'yuebao', 'huabeiLimit', 'huabeiUsed', 'points'] as const) {
    if (after[amount] < 0 || !Number.isSafeInteger(after[amount])) throw new DomainError('invalid_request', `${amount}: the funds cannot go below zero`);
  }
  await updateBuyer(trx, buyerUserId, {
    balance: after.balance,
    yuebao: after.yuebao,
    huabeiLimit: after.huabeiLimit,
    huabeiUsed: after.huabeiUsed,
    points: after.points,
  });
  const samePlaces = after.bankCards.length === before.bankCards.length && after.bankCards.every((card, i) => samePlace(card, before.bankCards[i]));
  if (!samePlaces) {
    await replaceBuyerBankCards(trx, buyerUserId, after.bankCards);
  } else {
    for (const [i, card] of after.bankCards.entries()) {
      if (card.available !== before.bankCards[i]?.available) await setBankCardAvailable(trx, buyerUserId, card.position, card.available);
    }
  }
  for (const was of before.coupons) {
    if (!after.coupons.some((coupon) => coupon.voucherId === was.voucherId)) await deleteBuyerCoupon(trx, was.voucherId);
  }
  for (const coupon of after.coupons) {
    const was = before.coupons.find((b) => b.voucherId === coupon.voucherId);
    if (!was) {
      if (await couponExists(trx, coupon.voucherId)) throw new DomainError('duplicate', `a coupon with voucher_id ${coupon.voucherId} exists`);
      await insertBuyerCoupon(trx, buyerUserId, coupon);
    } else if (!sameCoupon(coupon, was)) {
      await updateBuyerCoupon(trx, coupon);
    }
  }
}

function samePlace(card: BuyerBankCard, was: BuyerBankCard | undefined): boolean {
  return (
    was !== undefined && card.position === was.position && card.bankCode === was.bankCode && card.fundType === was.fundType && card.cardTail === was.cardTail
  );
}

function sameCoupon(coupon: BuyerCoupon, was: BuyerCoupon): boolean {
  return (Object.keys(coupon) as Array<keyof BuyerCoupon>).every((key) => coupon[key] === was[key]);
}
