import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';

/** What every core service needs: where state lives and what time it is. */
export interface CoreDeps {
  store: Store;
  clock: Clock;
}
