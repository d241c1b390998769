/** Grouping and summing rows, for the invariant checks (chaos-invariants.ts, chaos-payment-invariants.ts). */
import type { Fen } from './chaos-record.js';

export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export function sum<T>(items: readonly T[] | undefined, amount: (item: T) => Fen): Fen {
  return (items ?? []).reduce((total, item) => total + amount(item), 0);
}
