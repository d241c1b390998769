/** OpenAPI apps and the app auth tokens through which merchants authorise other merchants' apps. */
import type { App } from '../../core/interfaces.js';
import { firstRow, prepareQuery } from '../prepared-query.js';
import type { Db } from '../store.js';

export async function insertApp(db: Db, app: App): Promise<void> {
  await db.insertInto('apps').values(app).execute();
}

const appById = prepareQuery((db, p: { appId: string }) => db.selectFrom('apps').selectAll().where('appId', '=', p.appId));

export function findApp(db: Db, appId: string): Promise<App | undefined> {
  return firstRow(appById, db, { appId });
}

export interface AppAuthToken {
  token: string;
  appId: string;
  pid: string;
  createdAt: number;
  revokedAt: number | null;
}

export async function insertAppAuthToken(db: Db, token: AppAuthToken): Promise<void> {
  await db.insertInto('appAuthTokens').values(token).execute();
}

export async function findAppAuthToken(db: Db, token: string): Promise<AppAuthToken | undefined> {
  return db.selectFrom('appAuthTokens').selectAll().where('token', '=', token).executeTakeFirst();
}

/** Returns false when there is no such token. */
export async function revokeAppAuthToken(db: Db, token: string, now: number): Promise<boolean> {
  const found = await findAppAuthToken(db, token);
  if (!found) return false;
  await db.updateTable('appAuthTokens').set({ revokedAt: now }).where('token', '=', token).where('revokedAt', 'is', null).execute();
  return true;
}

/** The app auth tokens merchant `pid` issued to apps of merchant `appOwnerPid`. */
export async function findAppAuthTokensBetween(db: Db, appOwnerPid: string, pid: string): Promise<AppAuthToken[]> {
  return db
    .selectFrom('appAuthTokens')
    .innerJoin('apps', 'apps.appId', 'appAuthTokens.appId')
    .selectAll('appAuthTokens')
    .where('apps.pid', '=', appOwnerPid)
    .where('appAuthTokens.pid', '=', pid)
    .execute();
}
