import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, canonicalJsonOfRecord, canonicalJsonOfSortedRecord } from './canonical-json.js';

it('writes the same bytes as the RFC 8785 library for any record', () => {
  const value = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
  );
  fc.assert(
    fc.property(fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), value, { maxKeys: 12 }), (record) => {
      const sorted = Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      const expected = Object.values(record).some((v) => typeof v === 'number' && !Number.isFinite(v))
        ? undefined
        : canonicalJson(record);
      if (expected === undefined) {
        assert.throws(() => canonicalJsonOfSortedRecord(sorted));
        assert.throws(() => canonicalJsonOfRecord(record));
      } else {
        assert.equal(canonicalJsonOfSortedRecord(sorted), expected);
        assert.equal(canonicalJsonOfSortedRecord(record), expected);
        assert.equal(canonicalJsonOfRecord(record), expected);
      }
    }),
    { numRuns: 2000, seed: 8785 },
  );
});

it('matches RFC 8785 section 3.2.3 on number and string forms', () => {
  const record = { a: 1e21, b: 333333333.3333333, c: -0, d: 'é\u2028\n"\\', e: 0.000001, f: 1e-7 };
  assert.equal(
    canonicalJsonOfSortedRecord(record),
    '{"a":1e+21,"b":333333333.3333333,"c":0,"d":"é\u2028\\n\\"\\\\","e":0.000001,"f":1e-7}',
  );
});
