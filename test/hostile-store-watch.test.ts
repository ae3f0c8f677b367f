import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { systemContext } from '../src/core/context.js';
import { forEachEngine, openTestApp, type TestApp } from './support/engines.js';
import { StoreWatch, type Snapshot } from './support/hostile/store-watch.js';

/**
 * The hostile-input harness pins every write on the request that made it; it reads the tables
 * again only when its change counter moved. These checks keep that counter honest on both engines.
 */
forEachEngine('hostile-input store watch', (engine) => {
  let app: TestApp;
  let watch: StoreWatch;
  let current: Snapshot;
  const ctx = systemContext();

  before(async () => {
    app = await openTestApp(engine);
    watch = await StoreWatch.open(app.database.db, engine);
    current = await watch.snapshot();
  });
  after(() => app.close());

  const changes = async () => {
    const { after: now, changes: found } = await watch.changesSince(current);
    current = now;
    return found;
  };

  it('reports nothing when nothing was written', async () => {
    const found = await changes();
    assert.deepEqual(found, { changed: [], appended: [] });
  });

  it('sees an insert, an update and a delete, and the audit events they append', async () => {
    await app.participants.create(ctx, { id: 'watchbank', name: 'Watch Bank', kind: 'dfsp' });
    const inserted = await changes();
    const participants = inserted.changed.find((change) => change.table === 'participants');
    assert.equal(participants?.added[0]?.id, 'watchbank');
    assert.ok(inserted.appended.some(({ row }) => row.action === 'participant.create'));

    await app.participants.update(ctx, 'watchbank', { name: 'Watch Bank Ltd' });
    const updated = (await changes()).changed.find((change) => change.table === 'participants');
    assert.equal(updated?.added[0]?.name, 'Watch Bank Ltd');
    assert.equal(updated?.removed[0]?.name, 'Watch Bank');

    await app.rawSql(`delete from participants where id = 'watchbank'`);
    const deleted = (await changes()).changed.find((change) => change.table === 'participants');
    assert.equal(deleted?.removed[0]?.id, 'watchbank');
  });

  it('ignores a volatile column but not the rest of its row', async () => {
    await app.tokens.create(ctx, { name: 'watch', role: 'auditor' });
    await changes();
    await app.rawSql(`update api_tokens set last_used_at = '2030-01-01T00:00:00.000Z' where name = 'watch'`);
    assert.deepEqual(await changes(), { changed: [], appended: [] });
    await app.rawSql(`update api_tokens set name = 'watched' where name = 'watch'`);
    const renamed = (await changes()).changed.find((change) => change.table === 'api_tokens');
    assert.equal(renamed?.added[0]?.name, 'watched');
  });
});
