/**
 * Every "now" in tuikuan comes from a Clock: nothing calls Date.now() directly, so a test can run a
 * 25-hour notification schedule in milliseconds by advancing a virtual clock.
 */
export interface Clock {
  readonly kind: 'real' | 'virtual';
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export class SystemClock implements Clock {
  readonly kind = 'real';
  now(): number {
    return Date.now();
  }
}

/**
 * A clock that stands still until it is moved. Its reading is kept in the database (see
 * `store/sql/virtual-clock.ts`) so that every process sharing the database shares one time;
 * this object is the process's copy of it.
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual';
  #now: number;

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** Moves the clock to `ms`. Time never runs backwards: an earlier reading is ignored. */
  set(ms: number): void {
    if (ms > this.#now) this.#now = ms;
  }

  /**
   * Puts the clock at `ms`, earlier included. Only a restore or reset of the whole world runs time back: its
   * data goes back to that moment with it, so nothing in the store is dated after the clock.
   */
  rewind(ms: number): void {
    this.#now = ms;
  }
}
