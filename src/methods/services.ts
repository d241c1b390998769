import type { CoreDeps } from '../core/deps.js';

/** What methods reach the refund core through. */
export type Services = CoreDeps;
