/**
 * The world gate: work alone waits for the requests inside to leave, holds new ones at the gate while it runs
 * and lets them in after; two works alone run one after the other; leaving twice counts once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorldGate } from '../../src/core/world-gate.js';

describe('WorldGate', () => {
  it('runs work alone after the requests inside have left, and holds new requests until it is done', async () => {
    const gate = new WorldGate();
    const events: string[] = [];
    const leaveA = await gate.enter();
    const leaveB = await gate.enter();
    let finishWork: () => void = () => {};
    const work = gate.alone(async () => {
      events.push('work starts');
      await new Promise<void>((resolve) => (finishWork = resolve));
      events.push('work ends');
    });
    const later = gate.enter().then((leave) => {
      events.push('later request enters');
      return leave;
    });
    await Promise.resolve();
    leaveA();
    leaveA(); // a second leave of the same request counts once
    await Promise.resolve();
    assert.deepEqual(events, [], 'B is still inside');
    leaveB();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(events, ['work starts']);
    finishWork();
    await work;
    (await later)();
    assert.deepEqual(events, ['work starts', 'work ends', 'later request enters']);
  });

  it('runs two works alone one after the other, and a failed one opens the gate again', async () => {
    const gate = new WorldGate();
    const events: string[] = [];
    const first = gate.alone(async () => {
      events.push('first starts');
      await new Promise((resolve) => setImmediate(resolve));
      events.push('first ends');
      throw new Error('first failed');
    });
    const second = gate.alone(async () => {
      events.push('second runs');
    });
    await assert.rejects(first, /first failed/);
    await second;
    (await gate.enter())();
    assert.deepEqual(events, ['first starts', 'first ends', 'second runs']);
  });
});
