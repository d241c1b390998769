import type { CoreDeps } from '../core/deps.js';

/** What methods reach the refund core through. */
export interface Services extends CoreDeps {
  /** Tells the worker that new jobs may be due now, so it need not wait for its next poll. */
  jobsAdded(): void;
}
