/** What each kind of job does. */
import type { KeyObject } from 'node:crypto';
import { settleBankReturn } from '../core/bank-return.js';
import { processBatch } from '../core/batch-processing.js';
import type { CoreDeps } from '../core/deps.js';
import { carryOutAcceptedRefund } from '../core/carry-out-refund.js';
import { closeExpiredTrade } from '../core/waiting-trade.js';
import { deliverNotification, type DeliveryOptions } from './deliver-notification.js';
import type { JobHandlers } from './worker.js';

export interface JobHandlerOptions extends CoreDeps {
  platformKey: KeyObject;
  /** How notifications are delivered: where they may go, how long to wait. (Default: see DeliveryOptions) */
  delivery?: Omit<DeliveryOptions, keyof CoreDeps | 'platformKey'>;
}

export function jobHandlers(options: JobHandlerOptions): JobHandlers {
  const delivery: DeliveryOptions = { store: options.store, clock: options.clock, platformKey: options.platformKey, ...options.delivery };
  return {
    refund: (subject) => carryOutAcceptedRefund(options, Number(subject)),
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
