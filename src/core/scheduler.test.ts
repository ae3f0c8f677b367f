import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createLogger } from './logger.js';
import { Scheduler } from './scheduler.js';

it('never overlaps runs of one job, and keeps going after a failure', async () => {
  const scheduler = new Scheduler(createLogger('silent'));
  let release!: () => void;
  let runs = 0;
  const slow = {
    name: 'slow',
    everyMs: 60_000,
    run: () => {
      runs += 1;
      return new Promise<void>((resolve) => (release = resolve));
    },
  };
  const first = scheduler.runNow(slow);
  assert.equal(await scheduler.runNow(slow), false, 'a second run while the first is busy is skipped');
  release();
  assert.equal(await first, true);
  assert.equal(runs, 1);

  let attempts = 0;
  const failing = {
    name: 'failing',
    everyMs: 10,
    run: async () => {
      attempts += 1;
      throw new Error('collector down');
    },
    startNow: true,
  };
  scheduler.every(failing);
  await new Promise((resolve) => setTimeout(resolve, 100));
  scheduler.stop();
  const seen = attempts;
  assert.ok(seen >= 2, `a failing job runs again on its next tick (ran ${seen} times)`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(attempts, seen, 'stop() ends the schedule');
});
