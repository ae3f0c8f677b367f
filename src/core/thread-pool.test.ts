import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ITEM_COST, pack, partEnds, unpacked } from './thread-pool.js';

const costsOf = (ends: number[], costs: number[]) =>
  ends.map((end, index) => costs.slice(index === 0 ? 0 : ends[index - 1], end).reduce((sum, cost) => sum + cost, 0));

describe('thread pool parts', () => {
  it('sends a little work as one part', () => {
    assert.deepEqual(partEnds([DEFAULT_ITEM_COST, DEFAULT_ITEM_COST, DEFAULT_ITEM_COST], 2), [3]);
  });

  it('shares cheap work evenly among the threads', () => {
    const costs = Array.from({ length: 100 }, () => 25);
    assert.deepEqual(partEnds(costs, 2), [50, 100]);
  });

  it('cuts slow work into parts answered within about a millisecond and a half each', () => {
    const costs = Array.from({ length: 32 }, () => 270);
    const ends = partEnds(costs, 2);
    assert.equal(ends.at(-1), 32);
    assert.ok(ends.length >= 6, `only ${ends.length} parts`);
    for (const cost of costsOf(ends, costs)) assert.ok(cost <= 1_500 + 270, `a part of ${cost} µs`);
  });

  it('keeps every item, in order, whatever the mix', () => {
    const costs = Array.from({ length: 513 }, (_, i) => (i % 7 === 0 ? 2_160 : 25));
    const ends = partEnds(costs, 2);
    assert.equal(ends.at(-1), costs.length);
    assert.ok(ends.every((end, index) => index === 0 || end > ends[index - 1]!));
  });
});

describe('packed buffers', () => {
  it('unpacks each part as it went in, empty parts included', () => {
    const parts = [Buffer.from('one'), Buffer.alloc(0), Buffer.from('three')];
    const { ends, data } = pack(parts);
    assert.deepEqual(
      parts.map((_, index) => Buffer.from(unpacked(ends, data, index)).toString()),
      ['one', '', 'three'],
    );
  });
});
