import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatChinaDate, formatChinaTime, formatChinaTimeMillis, parseChinaTime } from '../../src/protocol/china-time.js';

describe('China time: UTC+8, whatever the server’s zone', () => {
  const instant = Date.UTC(2026, 10, 22, 16, 30, 5, 42); // 2026-11-23 00:30:05.042 in Beijing

  it('formats yyyy-MM-dd HH:mm:ss, with milliseconds for gmt_refund, and the compact date of batch_no', () => {
    assert.equal(formatChinaTime(instant), '2026-11-23 00:30:05');
    assert.equal(formatChinaTimeMillis(instant), '2026-11-23 00:30:05.042');
    assert.equal(formatChinaDate(instant), '20261123');
  });

  it('parses exactly that format as China time, and nothing that is not a real date', () => {
    assert.equal(parseChinaTime('2026-11-23 00:30:05'), instant - 42);
    for (const text of ['2026-02-30 10:00:00', '2026-13-01 10:00:00', '2026-11-23 24:00:00', '2026-11-23T00:30:05', '2026-11-23 0:30:05', '']) {
      assert.equal(parseChinaTime(text), null, text);
    }
  });
});
