/**
 * The notification outbox: a notification is owed by a row written in the same transaction as the
 * change that causes it, with a job to deliver it at once. The row keeps the facts the notification reports;
 * the worker encodes them (protocol/) and does the rest (worker/deliver-notification.ts). Trade notifications
 * go to the trade's notify_url; messages (the bank's answer to a deposit-back) to the app's message_url.
 */
import { findApp } from '../store/sql/apps.js';
import { addJob } from '../store/sql/jobs.js';
import { insertNotification, type NewNotification } from '../store/sql/notifications.js';
import type { Trx } from '../store/store.js';
import { newNotifyId } from './identifiers.js';
import type { App, DepositBackFacts, FundAllocation, Merchant, Refund, Trade, TradeStatusFacts } from '../interfaces.js';

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
  const owed = tradeStatusSyncOwed(trade, seller, refund, { rsa2: Boolean(app?.appPublicKey), rsa: Boolean(app?.rsaPublicKey) }, now);
  if (!owed) return false;
  await oweNotification(trx, { ...owed, refundId: refund?.id ?? null });
  return true;
}

/** A trade notification owed, as the row that owes it (less the refund's id, which its write knows). */
export type OwedTradeStatusSync = Omit<NewNotification, 'refundId' | 'nextAttemptAt'>;

/**
 * The trade_status_sync the trade's notify_url is owed for a payment (refund null) or a refund, signed to match
 * the app's keys; null when the trade has no notify_url. Pure: the refund's one write stores it (write-refund.ts).
 */
export function tradeStatusSyncOwed(
  trade: Trade,
  seller: Merchant,
  refund: Refund | null,
  appKeys: TradeStatusFacts['appKeys'],
  now: number,
): OwedTradeStatusSync | null {
  if (!trade.notifyUrl) return null;
  return {
    notifyId: newNotifyId(),
    kind: 'trade_status_sync',
    pid: trade.sellerPid,
    appId: trade.appId,
    url: trade.notifyUrl,
    charset: trade.charset,
    facts: tradeStatusFacts(trade, seller, refund, appKeys),
    tradeNo: trade.tradeNo,
    batchNo: refund?.batchNo ?? null,
    createdAt: now,
  };
}

/** What a trade's status notification reports: the trade as it now is, its seller, and the refund. */
function tradeStatusFacts(trade: Trade, seller: Merchant, refund: Refund | null, appKeys: TradeStatusFacts['appKeys']): TradeStatusFacts {
  return {
    kind: 'trade_status_sync',
    trade: {
      tradeNo: trade.tradeNo,
      outTradeNo: trade.outTradeNo,
      appId: trade.appId,
      charset: trade.charset,
      buyerUserId: trade.buyerUserId,
      buyerLogonId: trade.buyerLogonId,
      status: trade.status,
      totalAmount: trade.totalAmount,
      receiptAmount: trade.receiptAmount,
      invoiceAmount: trade.invoiceAmount,
      buyerPayAmount: trade.buyerPayAmount,
      pointAmount: trade.pointAmount,
      subject: trade.subject,
      body: trade.body,
      gmtCreate: trade.gmtCreate,
      gmtPayment: trade.gmtPayment,
      gmtClose: trade.gmtClose,
      refundedAmount: trade.refundedAmount,
      fundBills: trade.fundBills.map((bill) => ({ fundChannel: bill.fundChannel, amount: bill.amount })),
      passbackParams: trade.passbackParams,
    },
    seller: { pid: seller.pid, email: seller.email },
    refund: refund && { outRequestNo: refund.outRequestNo, sendBackFee: refund.sendBackFee, gmtRefundPay: refund.gmtRefundPay },
    appKeys,
  };
}

/** The charset of every message to an app's gateway: the message service's own, whatever the trade's. */
const MESSAGE_CHARSET = 'utf-8';

/**
 * Owes the app's gateway (its message_url) an alipay.trade.refund.depositback.completed for a bank-card
 * allocation of `refund` the bank has just answered; nothing when the app has no message_url (or there is no
 * app). True when a message was owed.
 */
export async function oweDepositBackMessage(
  trx: Trx,
  app: App | undefined,
  trade: Trade,
  refund: Refund,
  allocation: FundAllocation & { dbackStatus: 'S' | 'F'; bankAckTime: number },
  now: number,
): Promise<boolean> {
  if (!app?.messageUrl) return false;
  const facts: DepositBackFacts = {
    kind: 'alipay.trade.refund.depositback.completed',
    appId: app.appId,
    tradeNo: trade.tradeNo,
    outTradeNo: trade.outTradeNo,
    outRequestNo: refund.outRequestNo,
    dbackStatus: allocation.dbackStatus,
    dbackAmount: allocation.amount,
    bankAckTime: allocation.bankAckTime,
    estBankReceiptTime: allocation.estBankReceiptTime,
    appKeys: { rsa2: Boolean(app.appPublicKey), rsa: Boolean(app.rsaPublicKey) },
  };
  await oweNotification(trx, {
    notifyId: newNotifyId(),
    kind: facts.kind,
    pid: trade.sellerPid,
    appId: app.appId,
    url: app.messageUrl,
    charset: MESSAGE_CHARSET,
    facts,
    tradeNo: trade.tradeNo,
    refundId: refund.id,
    batchNo: refund.batchNo,
    createdAt: now,
  });
  return true;
}
