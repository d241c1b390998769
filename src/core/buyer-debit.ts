/**
 * A payment taken from a buyer's funds, in the caller's transaction: the buyer's row is locked, the draw is
 * worked out on the funds as they are now (payment-draw.ts) and, when it can be made, taken from them — so two
 * payments at once can never together spend more than the buyer has. A frozen account cannot pay.
 */
import type { Trx } from '../store/store.js';
import { lockBuyer, storeFunds } from './buyer-funds.js';
import { drawPayment, fundsAfterDraws, type PaymentChoice, type PaymentDraw, type PaymentOrder } from './payment-draw.js';

/** Draws the payment on the buyer's funds and debits them; a refusal debits nothing. Throws buyer_not_found. */
export async function debitBuyerFunds(trx: Trx, buyerUserId: string, choice: PaymentChoice, order: PaymentOrder): Promise<PaymentDraw> {
  const buyer = await lockBuyer(trx, buyerUserId);
  if (buyer.accountStatus !== 'normal') return { ok: false, refusal: { reason: 'account_frozen' } };
  const draw = drawPayment(buyer.funds, choice, order);
  if (draw.ok) await storeFunds(trx, buyerUserId, buyer.funds, fundsAfterDraws(buyer.funds, draw.draws));
  return draw;
}
