/** What each kind of job does. */
import type { KeyObject } from 'node:crypto';
import { settleBankReturn } from '../core/bank-return.js';
import { processBatch } from '../core/batch-processing.js';
import type { CoreDeps } from '../core/deps.js';
import { carryOutAcceptedRefund } from '../core/carry-out-refund.js';
import { closeExpiredTrade } from '../core/waiting-trade.js';
import { limitConcurrency } from './concurrency-limit.js';
import { deliverNotification, type DeliveryOptions } from './deliver-notification.js';
import type { JobHandlers } from './worker.js';

export interface JobHandlerOptions extends CoreDeps {
  platformKey: KeyObject;
  /** How notifications are delivered: where they may go, how long to wait. (Default: see DeliveryOptions) */
  delivery?: Omit<DeliveryOptions, keyof CoreDeps | 'platformKey'>;
}

/** Carry-outs of refund.apply a worker runs at once: more would only queue for the store, before the gateway. */
export const CARRY_OUTS_AT_ONCE = 2;

export function jobHandlers(options: JobHandlerOptions): JobHandlers {
  const delivery: DeliveryOptions = { store: options.store, clock: options.clock, platformKey: options.platformKey, ...options.delivery };
  const carryOut = limitConcurrency(CARRY_OUTS_AT_ONCE, (refundId: number) => carryOutAcceptedRefund(options, refundId));
  return {
    refund: (subject) => carryOut(Number(subject)),
    notify: (subject) => deliverNotification(delivery, Number(subject)),
    deposit_back: async (subject) => {
      await settleBankReturn(options, Number(subject));
      return { kind: 'done' };
    },
    trade_expiry: async (subject) => {
      await closeExpiredTrade(options, subject);
      return { kind: 'done' };
    },
    batch: async (subject) => {
      const progress = await processBatch(options, Number(subject));
      return progress.kind === 'completed' ? { kind: 'done' } : { kind: 'retry', at: progress.retryAt, error: progress.error };
    },
  };
}
