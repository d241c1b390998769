/**
 * Refund amounts are parsed strictly into integer fen: a JSON number or a string, digits with at most
 * two decimals, greater than zero — and formatted back with exactly two decimals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prorate } from '../../src/core/money.js';
import { formatYuan, parsePositiveYuan } from '../../src/protocol/yuan.js';

describe('refund amounts are parsed strictly', () => {
  it('accepts strings and JSON numbers with at most two decimals', () => {
    assert.equal(parsePositiveYuan('200.12'), 200_12);
    assert.equal(parsePositiveYuan(200.12), 200_12);
    assert.equal(parsePositiveYuan('0.01'), 1);
    assert.equal(parsePositiveYuan('12.3'), 12_30);
    assert.equal(parsePositiveYuan(12.3), 12_30);
    assert.equal(parsePositiveYuan('7'), 7_00);
    assert.equal(parsePositiveYuan(100000000), 100_000_000_00);
  });

  it('refuses zero, negatives and more than two decimals', () => {
    for (const value of ['0', '0.00', 0, '-1.00', -1, '1.234', 1.234, 0.1 + 0.2]) {
      assert.equal(parsePositiveYuan(value), null, JSON.stringify(value));
    }
  });

  it('refuses anything that is not plainly written digits', () => {
    for (const value of ['', ' 1.00', '1.00 ', '+1.00', '1e2', '1,00', '01.00', '1.', '.5', 'NaN', 'Infinity', '１.00', true, null, undefined, [], {}]) {
      assert.equal(parsePositiveYuan(value), null, JSON.stringify(value));
    }
    assert.equal(parsePositiveYuan(Number.NaN), null);
    assert.equal(parsePositiveYuan(Number.POSITIVE_INFINITY), null);
  });

  it('refuses more than the largest trade amount, 100,000,000.00', () => {
    assert.equal(parsePositiveYuan('100000000.01'), null);
  });
});

describe('amounts are written with exactly two decimals', () => {
  it('formats fen as yuan', () => {
    assert.equal(formatYuan(0), '0.00');
    assert.equal(formatYuan(5), '0.05');
    assert.equal(formatYuan(88_88), '88.88');
    assert.equal(formatYuan(-5_00), '-5.00');
  });

  it('prorates in integers, rounding half up', () => {
    assert.equal(prorate(60, 3333, 10000), 20);
    assert.equal(prorate(1, 1, 2), 1);
    assert.equal(prorate(1, 1, 3), 0);
    assert.equal(prorate(100_000_000_00, 999_999, 1_000_000), 99_999_900_00);
  });
});
