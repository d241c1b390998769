/** Trades, refunds and ledger entries as the console shows them. */
import type { LedgerEntryRow } from '../../core/ledger.js';
import type { RefundEvent } from '../../core/refund-history.js';
import type { TradeDossier } from '../../core/trade-dossier.js';
import type { TradeWithStatus } from '../../core/trade-lookup.js';
import type { FundAllocation, Refund } from '../../interfaces.js';
import { DASH, REFUND_TONES, signedYuan, time, tone, TRADE_TONES, yuan, type Tone } from './console-format.js';
import { label } from './console-page.js';
import { fill, type Strings } from './console-strings.js';

export const tradeHref = (tradeNo: string) => `/console/trades/${encodeURIComponent(tradeNo)}`;
export const merchantHref = (pid: string) => `/console/merchants/${encodeURIComponent(pid)}`;

export function tradeRow(t: Strings, { trade, status }: TradeWithStatus) {
  return {
    tradeNo: trade.tradeNo,
    href: tradeHref(trade.tradeNo),
    outTradeNo: trade.outTradeNo,
    sellerPid: trade.sellerPid,
    sellerHref: merchantHref(trade.sellerPid),
    totalAmount: yuan(trade.totalAmount),
    refundedAmount: trade.refundedAmount > 0 ? yuan(trade.refundedAmount) : DASH,
    statusLabel: label(t, 'trade', status),
    statusTone: tone(TRADE_TONES, status),
    gmtPayment: time(trade.gmtPayment),
  };
}

function dbackText(t: Strings, allocation: FundAllocation): string {
  if (allocation.dbackStatus === null) return DASH;
  const answer = t[`dback_${allocation.dbackStatus}`];
  return allocation.bankAckTime === null ? answer : `${answer} · ${time(allocation.bankAckTime)}`;
}

function eventLine(t: Strings, event: RefundEvent): { at: string; text: string; tone: Tone } {
  const at = time(event.at);
  switch (event.kind) {
    case 'requested':
      return { at, text: fill(t.ev_requested, { source: label(t, 'source', event.source) }), tone: 'info' };
    case 'accepted':
      return { at, text: t.ev_accepted, tone: 'info' };
    case 'waiting_for_funds':
      return {
        at,
        text: fill(t.ev_waiting, { reason: label(t, 'reason', event.reason), attempts: event.attempts, next: time(event.nextAttemptAt) }),
        tone: 'warn',
      };
    case 'tried':
      return {
        at,
        text: fill(t.ev_tried, { attempts: event.attempts, reason: event.reason === null ? DASH : label(t, 'reason', event.reason) }),
        tone: 'warn',
      };
    case 'succeeded':
      return { at, text: t.ev_succeeded, tone: 'ok' };
    case 'failed':
      return { at, text: fill(t.ev_failed, { reason: label(t, 'reason', event.reason) }), tone: 'bad' };
    case 'bank_answered':
      return {
        at,
        text: fill(t.ev_bank, { channel: event.fundChannel, status: t[`dback_${event.dbackStatus}`] }),
        tone: event.dbackStatus === 'S' ? 'ok' : 'bad',
      };
  }
}

export function refundCard(t: Strings, refund: Refund, history: readonly RefundEvent[]) {
  return {
    outRequestNo: refund.outRequestNo,
    refundAmount: yuan(refund.refundAmount),
    statusLabel: label(t, 'refund', refund.status),
    statusTone: tone(REFUND_TONES, refund.status),
    sourceLabel: label(t, 'source', refund.source),
    reason: refund.refundReason,
    sendBackFee: yuan(refund.sendBackFee),
    refundChargeFee: yuan(refund.refundChargeFee),
    allocations: refund.allocations.map((a) => ({
      channel: a.fundChannel,
      channelLabel: label(t, 'channel', a.fundChannel),
      amount: yuan(a.amount),
      dback: dbackText(t, a),
    })),
    history: history.map((event) => eventLine(t, event)),
  };
}

export function ledgerRow(t: Strings, entry: LedgerEntryRow) {
  return {
    id: entry.id,
    at: time(entry.createdAt),
    kindLabel: label(t, 'ledger', entry.kind),
    amount: signedYuan(entry.amount),
    tone: entry.amount < 0 ? 'neg' : 'pos',
    tradeNo: entry.tradeNo,
    tradeHref: entry.tradeNo ? tradeHref(entry.tradeNo) : null,
    refund: entry.refundId === null ? '' : `#${entry.refundId}`,
    pid: entry.pid,
  };
}

export function tradeDetail(t: Strings, dossier: TradeDossier) {
  const { trade, status, seller } = dossier;
  return {
    ...tradeRow(t, { trade, status }),
    subject: trade.subject,
    sellerName: seller?.name ?? trade.sellerPid,
    appId: trade.appId,
    appHref: `/console/apps/${encodeURIComponent(trade.appId)}`,
    buyerLogonId: trade.buyerLogonId,
    buyerUserId: trade.buyerUserId,
    notifyUrl: trade.notifyUrl ?? DASH,
    receiptAmount: yuan(trade.receiptAmount),
    chargeAmount: yuan(trade.chargeAmount),
    refundedAmount: yuan(trade.refundedAmount),
    pendingRefundAmount: yuan(trade.pendingRefundAmount),
    fundBills: trade.fundBills.map((bill) => ({
      position: bill.position,
      channel: bill.fundChannel,
      channelLabel: label(t, 'channel', bill.fundChannel),
      bank: [bill.bankCode, bill.fundType].filter(Boolean).join(' · ') || DASH,
      amount: yuan(bill.amount),
      refunded: bill.refundedAmount > 0 ? yuan(bill.refundedAmount) : DASH,
    })),
  };
}
