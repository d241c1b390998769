/** A merchant's ledger as it is read back: every entry, and their sum beside the balance they prove. */
import { listLedgerEntries, sumLedgerEntries, type LedgerEntryRow } from '../store/sql/apply-ledger-entry.js';
import type { CoreDeps } from './deps.js';
import type { Merchant } from '../interfaces.js';
import { requireMerchant } from './merchants.js';
import type { Fen } from './money.js';

export type { LedgerEntryRow };

export interface MerchantLedger {
  merchant: Merchant;
  entries: LedgerEntryRow[];
  /** The entries' sum, which always equals the balance: the ledger is the balance's proof. */
  entriesSum: Fen;
}

export async function merchantLedger(deps: CoreDeps, pid: string): Promise<MerchantLedger> {
  const merchant = await requireMerchant(deps, pid);
  const entries = await listLedgerEntries(deps.store.db, merchant.pid);
  return { merchant, entries, entriesSum: await sumLedgerEntries(deps.store.db, merchant.pid) };
}
