/**
 * The notification outbox: a notification is owed by a row written in the same transaction as the
 * change that causes it, with a job to deliver it at once; the worker does the rest
 * (worker/deliver-notification.ts).
 */
import { findApp } from '../store/sql/apps.js';
import { addJob } from '../store/sql/jobs.js';
import { insertNotification, type NewNotification } from '../store/sql/notifications.js';
import type { Trx } from '../store/store.js';
import { newNotifyId } from './identifiers.js';
import type { Merchant, Refund, Trade } from './interfaces.js';
import { tradeStatusSyncParams } from './trade-status-sync.js';

export async function oweNotification(trx: Trx, notification: Omit<NewNotification, 'nextAttemptAt'>): Promise<number> {
  const id = await insertNotification(trx, { ...notification, nextAttemptAt: notification.createdAt });
  await addJob(trx, { kind: 'notify', subject: String(id), runAt: notification.createdAt, now: notification.createdAt });
  return id;
}

/**
 * Owes the trade's notify_url a trade_status_sync for a payment (refund null) or a refund; nothing when it has
 * none. True when a notification was owed.
 */
export async function oweTradeStatusSync(trx: Trx, trade: Trade, seller: Merchant, refund: Refund | null, now: number): Promise<boolean> {
  if (!trade.notifyUrl) return false;
  const app = await findApp(trx, trade.appId);
  const notifyId = newNotifyId();
  await oweNotification(trx, {
    notifyId,
    kind: 'trade_status_sync',
    pid: trade.sellerPid,
    appId: trade.appId,
    url: trade.notifyUrl,
    charset: trade.charset,
    // Signed in the app's algorithm: RSA2 unless the app has only an RSA key.
    signType: app?.appPublicKey || !app?.rsaPublicKey ? 'RSA2' : 'RSA',
    params: tradeStatusSyncParams(trade, seller, notifyId, refund),
    tradeNo: trade.tradeNo,
    refundId: refund?.id ?? null,
    batchNo: refund?.batchNo ?? null,
    createdAt: now,
  });
  return true;
}
