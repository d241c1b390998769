/** What each kind of job does. */
import type { KeyObject } from 'node:crypto';
import { settleBankReturn } from '../core/bank-return.js';
import { processBatch } from '../core/batches.js';
import type { CoreDeps } from '../core/deps.js';
import { carryOutAcceptedRefund } from '../core/refunds.js';
import { deliverNotification } from './deliver-notification.js';
import type { JobHandlers } from './worker.js';

export interface JobHandlerOptions extends CoreDeps {
  platformKey: KeyObject;
  /** How long to wait for a merchant's answer to a notification. (Default: 10 s) */
  notifyTimeoutMs?: number;
}

export function jobHandlers(options: JobHandlerOptions): JobHandlers {
  return {
    refund: (subject) => carryOutAcceptedRefund(options, Number(subject)),
    notify: (subject) => deliverNotification(options, Number(subject)),
    deposit_back: async (subject) => {
      await settleBankReturn(options, Number(subject));
      return { kind: 'done' };
    },
    batch: async (subject) => {
      await processBatch(options, Number(subject));
      return { kind: 'done' };
    },
  };
}
