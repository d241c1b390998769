/**
 * Everything about one trade, as an operator looks into it: the trade with its fund bill and status of now, its
 * seller, every refund with its allocations and history, the ledger entries it caused, and every notification
 * owed about it with every attempt.
 */
import { ledgerEntriesOfTrade } from '../store/sql/activity-between.js';
import type { LedgerEntryRow } from '../store/sql/apply-ledger-entry.js';
import { findMerchant } from '../store/sql/merchants.js';
import type { Merchant, Refund, TradeStatus, Trade } from '../interfaces.js';
import type { CoreDeps } from './deps.js';
import { findNotifications, notificationAttempts, type Notification, type NotificationAttempt } from './notification-journal.js';
import { refundHistory, type RefundEvent } from './refund-history.js';
import { findRefunds } from './refund-lookup.js';
import { findTradeByNoWithStatus } from './trade-lookup.js';

export interface NotificationWithAttempts {
  notification: Notification;
  attempts: NotificationAttempt[];
}

export interface TradeDossier {
  trade: Trade;
  status: TradeStatus;
  seller: Merchant | undefined;
  refunds: Array<{ refund: Refund; history: RefundEvent[] }>;
  ledger: LedgerEntryRow[];
  notifications: NotificationWithAttempts[];
}

export async function withAttempts(deps: CoreDeps, notifications: readonly Notification[]): Promise<NotificationWithAttempts[]> {
  return Promise.all(notifications.map(async (notification) => ({ notification, attempts: await notificationAttempts(deps, notification) })));
}

export async function tradeDossier(deps: CoreDeps, tradeNo: string): Promise<TradeDossier | undefined> {
  const found = await findTradeByNoWithStatus(deps, tradeNo);
  if (!found) return undefined;
  const { trade, status } = found;
  const refunds = await findRefunds(deps, { tradeNo });
  return {
    trade,
    status,
    seller: await findMerchant(deps.store.db, trade.sellerPid),
    refunds: refunds.map((refund) => ({ refund, history: refundHistory(refund) })),
    ledger: await ledgerEntriesOfTrade(deps.store.db, tradeNo),
    notifications: await withAttempts(deps, await findNotifications(deps, { tradeNo })),
  };
}
