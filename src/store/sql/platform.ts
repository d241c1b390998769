/** The platform row: Alipay's own key pair (what merchants configure as "alipayPublicKey") and the virtual clock. */
import type { Db } from '../store.js';

export interface PlatformKeys {
  privateKeyPem: string;
  publicKeyPem: string;
}

export async function getPlatformKeys(db: Db): Promise<PlatformKeys | undefined> {
  return db.selectFrom('platform').select(['privateKeyPem', 'publicKeyPem']).where('id', '=', 1).executeTakeFirst();
}

/** Stores the key pair unless another process got there first; returns the pair that is kept. */
export async function savePlatformKeys(db: Db, keys: PlatformKeys, now: number): Promise<PlatformKeys> {
  await db
    .insertInto('platform')
    .values({ id: 1, ...keys, virtualNow: null, createdAt: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const kept = await getPlatformKeys(db);
  if (!kept) throw new Error('platform keys were not stored');
  return kept;
}

export async function readVirtualNow(db: Db): Promise<number | null> {
  const row = await db.selectFrom('platform').select('virtualNow').where('id', '=', 1).executeTakeFirst();
  return row?.virtualNow ?? null;
}

/** Starts the shared virtual clock at `ms` unless it is already running; returns its reading. */
export async function startVirtualClock(db: Db, ms: number): Promise<number> {
  await db.updateTable('platform').set({ virtualNow: ms }).where('id', '=', 1).where('virtualNow', 'is', null).execute();
  return (await readVirtualNow(db)) ?? ms;
}

/** Moves the shared virtual clock forward to `ms` (never back). */
export async function writeVirtualNow(db: Db, ms: number): Promise<void> {
  await db.updateTable('platform').set({ virtualNow: ms }).where('id', '=', 1).where('virtualNow', '<', ms).execute();
}
