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

/** What certificate mode keeps on the platform row: the authority's key and files, the platform certificate. */
export interface StoredCertificates {
  caKeyPem: string;
  rootCertPem: string;
  rootCertSn: string;
  appIssuerCertPem: string;
  platformCertPem: string;
  platformCertSn: string;
}

export async function getPlatformCertificates(db: Db): Promise<StoredCertificates | undefined> {
  const row = await db
    .selectFrom('platform')
    .select(['caKeyPem', 'rootCertPem', 'rootCertSn', 'appIssuerCertPem', 'platformCertPem', 'platformCertSn'])
    .where('id', '=', 1)
    .executeTakeFirst();
  if (!row?.caKeyPem || !row.rootCertPem || !row.rootCertSn || !row.appIssuerCertPem || !row.platformCertPem || !row.platformCertSn) return undefined;
  return {
    caKeyPem: row.caKeyPem,
    rootCertPem: row.rootCertPem,
    rootCertSn: row.rootCertSn,
    appIssuerCertPem: row.appIssuerCertPem,
    platformCertPem: row.platformCertPem,
    platformCertSn: row.platformCertSn,
  };
}

/** Stores the certificates unless another process got there first; returns the ones kept. */
export async function savePlatformCertificates(db: Db, certificates: StoredCertificates): Promise<StoredCertificates> {
  await db.updateTable('platform').set(certificates).where('id', '=', 1).where('caKeyPem', 'is', null).execute();
  const kept = await getPlatformCertificates(db);
  if (!kept) throw new Error('platform certificates were not stored');
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

/** Sets the shared virtual clock to `ms`, earlier included: only a restore or reset of the whole world does. */
export async function setVirtualNow(db: Db, ms: number): Promise<void> {
  await db.updateTable('platform').set({ virtualNow: ms }).where('id', '=', 1).execute();
}
