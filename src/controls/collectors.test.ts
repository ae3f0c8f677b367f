import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openTestApp } from '../../test/support/engines.js';
import { systemContext } from '../core/context.js';
import { isTrustloopError } from '../core/errors.js';

it('skips the scheduled collection quietly until the hub is registered; an asked-for run says why', async (t) => {
  const app = await openTestApp('sqlite');
  t.after(() => app.close());
  assert.deepEqual(await app.collectors.runScheduled(systemContext()), []);
  await assert.rejects(
    app.collectors.run(systemContext()),
    (error: unknown) => isTrustloopError(error) && /no hub registered/.test(error.message),
  );
  await app.participants.create(systemContext(), { id: 'hub', name: 'Scheme hub', kind: 'hub' });
  const records = await app.collectors.runScheduled(systemContext());
  assert.ok(records.length > 0 && records.every((record) => record.participantId === 'hub'));
});
