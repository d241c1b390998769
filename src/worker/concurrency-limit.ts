/**
 * At most `limit` runs of `run` at once; the others wait their turn, in order. The worker runs up to its batch
 * size of jobs side by side — right for notifications, which wait on merchants' servers — but carry-outs of
 * refund.apply wait on the store (SQLite's one connection, a merchant's balance row): beyond a couple at once
 * they only queue there, in front of the gateway's requests.
 */
export function limitConcurrency<A extends unknown[], R>(limit: number, run: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (...args) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await run(...args);
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
