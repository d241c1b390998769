/**
 * Apps as the gateways read them. A hot app is read from the store at most once a second: its key mode and
 * certificate never change, but its AES key may (`PATCH /admin/v1/apps/:app_id`), also in another process.
 */
import type { Clock } from './clock.js';
import type { App } from '../interfaces.js';
import { findApp } from '../store/sql/apps.js';
import type { Store } from '../store/store.js';

export type AppDirectory = (appId: string) => Promise<App | undefined>;

/** A directory that can be told to forget what it read (after a restore or reset of the whole world). */
export type ForgetfulAppDirectory = AppDirectory & { forget(): void };

/** How long an app read is used before it is read again. (Default: 1 s) */
export const APP_READ_TTL_MS = 1000;

export function appDirectory(store: Store, realClock: Clock, ttlMs = APP_READ_TTL_MS): ForgetfulAppDirectory {
  const apps = new Map<string, { app: App; readAt: number }>();
  const find: AppDirectory = async (appId) => {
    const now = realClock.now();
    const cached = apps.get(appId);
    if (cached && now - cached.readAt < ttlMs) return cached.app;
    const app = await findApp(store.db, appId);
    if (app) {
      // Bounded: app ids come from requests, and unknown ones are never kept.
      if (apps.size > 10_000) apps.clear();
      apps.set(appId, { app, readAt: now });
    } else {
      apps.delete(appId);
    }
    return app;
  };
  return Object.assign(find, { forget: () => apps.clear() });
}
