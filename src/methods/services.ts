import type { CoreDeps } from '../core/deps.js';
import type { FaultWatch } from '../core/faults.js';

/** What methods reach the refund core through. */
export interface Services extends CoreDeps {
  /** Provoked failures, armed through the admin API. */
  faults: FaultWatch;
  /** Tells the worker that new jobs may be due now, so it need not wait for its next poll. */
  jobsAdded(): void;
}
