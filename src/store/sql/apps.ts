/** OpenAPI apps and the app auth tokens through which merchants authorise other merchants' apps. */
import type { App, KeyMode } from '../../interfaces.js';
import type { AppRow } from '../schema.js';
import { firstRow, prepareQuery } from '../prepared-query.js';
import type { Db } from '../store.js';

export async function insertApp(db: Db, app: App): Promise<void> {
  await db
    .insertInto('apps')
    .values({ ...app, notifyWaitBuyerPay: app.notifyWaitBuyerPay ? 1 : 0 })
    .execute();
}

const appById = prepareQuery((db, p: { appId: string }) => db.selectFrom('apps').selectAll().where('appId', '=', p.appId));

export async function findApp(db: Db, appId: string): Promise<App | undefined> {
  const row = await firstRow(appById, db, { appId });
  return row && toApp(row);
}

function toApp(row: AppRow): App {
  return { ...row, keyMode: row.keyMode as KeyMode, notifyWaitBuyerPay: row.notifyWaitBuyerPay === 1 };
}

export interface AppChange {
  aesKey?: string | null;
  messageUrl?: string | null;
  notifyWaitBuyerPay?: boolean;
}

export async function updateApp(db: Db, appId: string, change: AppChange): Promise<void> {
  if (Object.keys(change).length === 0) return;
  const { notifyWaitBuyerPay, ...columns } = change;
  await db
    .updateTable('apps')
    .set({ ...columns, ...(notifyWaitBuyerPay !== undefined && { notifyWaitBuyerPay: notifyWaitBuyerPay ? 1 : 0 }) })
    .where('appId', '=', appId)
    .execute();
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
