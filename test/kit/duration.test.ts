/** Durations for the clock, as the kit's clock.advance and `tuikuan clock advance` read and write them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../src/kit/duration.js';

describe('parseDuration and formatDuration', () => {
  it('reads seconds, units and sums of them', () => {
    assert.equal(parseDuration('90'), 90);
    assert.equal(parseDuration('45s'), 45);
    assert.equal(parseDuration('15m'), 900);
    assert.equal(parseDuration('1h'), 3600);
    assert.equal(parseDuration('2d'), 172800);
    assert.equal(parseDuration('1h30m'), 5400);
    assert.equal(parseDuration(' 1.5H '), 5400);
  });

  it('refuses what is not a duration', () => {
    for (const text of ['', 'soon', '1w', '-1h', 'h1', '1h 30m', '1..5h']) assert.equal(parseDuration(text), null, text);
  });

  it('writes seconds shortly', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(5400), '1h30m');
    assert.equal(formatDuration(90061), '1d1h1m1s');
  });
});
