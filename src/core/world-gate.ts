/**
 * The gate every request passes through, so that a snapshot, a restore or a reset sees the world at rest:
 * requests hold it open side by side (`enter`), and `alone` waits until the requests inside have left, holds
 * new ones at the gate while its work runs, and lets them in afterwards. A refund that spans several
 * transactions is therefore never cut in two by a restore, and never half-copied into a snapshot.
 *
 * Only this process's requests pass through it: other processes on the same database are not held (a
 * restore's transaction still excludes their writes while it runs).
 */
export class WorldGate {
  #inside = 0;
  /** Resolves when the last request inside has left (set while `alone` waits for them). */
  #emptied: (() => void) | null = null;
  /** Settles when the work running alone is done; requests arriving meanwhile wait for it. */
  #closed: Promise<unknown> | null = null;

  /** Enters (waiting while the gate is closed); resolves with the function that leaves, which may be called more than once. */
  async enter(): Promise<() => void> {
    while (this.#closed) await this.#closed.catch(() => {});
    this.#inside += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#inside -= 1;
      if (this.#inside === 0) this.#emptied?.();
    };
  }

  /** Runs `work` with no request inside; works asked for at once run one after another. */
  async alone<T>(work: () => Promise<T>): Promise<T> {
    while (this.#closed) await this.#closed.catch(() => {});
    const running = (async () => {
      if (this.#inside > 0) await new Promise<void>((resolve) => (this.#emptied = resolve));
      this.#emptied = null;
      return work();
    })();
    this.#closed = running;
    try {
      return await running;
    } finally {
      // The next work alone may have closed the gate again already.
      if (this.#closed === running) this.#closed = null;
    }
  }
}
