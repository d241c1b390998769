/** A buyer's bank cards, by position: all of them, replaced as a list, and a card's available amount. */
import type { BuyerBankCard } from '../../interfaces.js';
import type { Db } from '../store.js';

export async function findBuyerBankCards(db: Db, buyerUserId: string): Promise<BuyerBankCard[]> {
  const rows = await db.selectFrom('buyerBankCards').selectAll().where('buyerUserId', '=', buyerUserId).orderBy('position').execute();
  return rows.map(({ buyerUserId: _buyer, ...card }) => card);
}

/** Makes `cards` the buyer's cards, in place of any it had. */
export async function replaceBuyerBankCards(db: Db, buyerUserId: string, cards: BuyerBankCard[]): Promise<void> {
  await db.deleteFrom('buyerBankCards').where('buyerUserId', '=', buyerUserId).execute();
  if (cards.length > 0)
    await db
      .insertInto('buyerBankCards')
      .values(cards.map((card) => ({ ...card, buyerUserId })))
      .execute();
}

export async function setBankCardAvailable(db: Db, buyerUserId: string, position: number, available: number | null): Promise<void> {
  await db.updateTable('buyerBankCards').set({ available }).where('buyerUserId', '=', buyerUserId).where('position', '=', position).execute();
}
