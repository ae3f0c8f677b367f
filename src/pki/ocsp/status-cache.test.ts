import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Status } from './respond.js';
import { GOOD_STATUS_MS, StatusCache } from './status-cache.js';

const good: Status = { kind: 'good' };
const revoked: Status = { kind: 'revoked', revokedAt: new Date('2026-11-26T04:00:00Z'), reason: 1 };

/** A read that counts its calls and answers `status`. */
function reader(status: Status) {
  const read = async () => {
    read.calls += 1;
    return status;
  };
  read.calls = 0;
  return read;
}

describe('OCSP status cache', () => {
  it('keeps "good" for a few seconds, "revoked" for good, and never "unknown"', async () => {
    const cache = new StatusCache();
    const goodRead = reader(good);
    assert.equal(await cache.read('ca', '01', 0, goodRead), good);
    assert.equal(await cache.read('ca', '01', GOOD_STATUS_MS - 1, goodRead), good);
    assert.equal(goodRead.calls, 1);
    await cache.read('ca', '01', GOOD_STATUS_MS, goodRead);
    assert.equal(goodRead.calls, 2, 'read again once the time is up');

    const revokedRead = reader(revoked);
    await cache.read('ca', '02', 0, revokedRead);
    assert.equal(await cache.read('ca', '02', 365 * 86_400_000, revokedRead), revoked);
    assert.equal(revokedRead.calls, 1);

    const unknownRead = reader({ kind: 'unknown' });
    await cache.read('ca', '03', 0, unknownRead);
    await cache.read('ca', '03', 0, unknownRead);
    assert.equal(unknownRead.calls, 2);
  });

  it('forgets a certificate at once, and keeps nothing a read under way at the time brought back', async () => {
    const cache = new StatusCache();
    await cache.read('ca', '01', 0, reader(good));
    cache.forget('ca', '01');
    const afterForget = reader(revoked);
    assert.equal(await cache.read('ca', '01', 1, afterForget), revoked);
    assert.equal(afterForget.calls, 1);

    let release: (status: Status) => void = () => undefined;
    const slow = cache.read('ca', '04', 0, () => new Promise<Status>((resolve) => (release = resolve)));
    cache.forget('ca', '04');
    release(good);
    assert.equal(await slow, good, 'the read under way still answers');
    const next = reader(revoked);
    assert.equal(await cache.read('ca', '04', 1, next), revoked, 'but its "good" was not kept');

    await cache.read('ca', '05', 0, reader(good));
    cache.clear();
    const cleared = reader(revoked);
    await cache.read('ca', '05', 1, cleared);
    assert.equal(cleared.calls, 1);
  });
});
