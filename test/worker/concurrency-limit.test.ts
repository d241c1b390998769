/** The worker's limit on carry-outs at once: no more than the limit run together, and every call runs, in order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { limitConcurrency } from '../../src/worker/concurrency-limit.js';

describe('limitConcurrency', () => {
  it('runs at most the limit at once, the rest in the order they came, and passes results and failures through', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const limited = limitConcurrency(2, async (n: number) => {
      started.push(n);
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      if (n === 3) throw new Error('three');
      return n * 10;
    });
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => limited(n)));
    assert.equal(most, 2);
    assert.deepEqual(started, [1, 2, 3, 4, 5]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      [10, 20, 'three', 40, 50],
    );
  });
});
