/** When the next live job falls due, so that the virtual clock can be advanced straight to it. */
import { nextJobTime } from '../store/sql/jobs.js';
import type { CoreDeps } from './deps.js';

/** The business time the next job not dead falls due at; null when none is waiting. */
export function nextDueJobAt(deps: CoreDeps): Promise<number | null> {
  return nextJobTime(deps.store.db);
}
