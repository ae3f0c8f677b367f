import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine, openTestApp, type TestApp } from '../../../test/support/engines.js';
import { systemContext } from '../context.js';
import { precompiled } from './precompiled.js';

const participantName = precompiled(
  (db, id: string) => db.selectFrom('participants').select(['id', 'name']).where('id', '=', id),
  ['sample'],
);

forEachEngine('precompiled queries', (engine) => {
  let app: TestApp;
  before(async () => {
    app = await openTestApp(engine);
  });
  after(() => app.close());

  it('runs the compiled query with each call’s own value', async () => {
    await app.participants.create(systemContext(), { id: 'dfsp-one', name: 'One', kind: 'dfsp' });
    await app.participants.create(systemContext(), { id: 'dfsp-two', name: 'Two', kind: 'dfsp' });
    assert.deepEqual(await participantName(app.database.db, 'dfsp-two'), [{ id: 'dfsp-two', name: 'Two' }]);
    assert.deepEqual(await participantName(app.database.db, 'dfsp-one'), [{ id: 'dfsp-one', name: 'One' }]);
    assert.deepEqual(await participantName(app.database.db, 'NOBODY'), []);
  });

  it('refuses a query that binds its argument other than once', async () => {
    const twice = precompiled(
      (db, id: string) => db.selectFrom('participants').select('id').where('id', '=', id).where('name', '=', id),
      ['sample'],
    );
    await assert.rejects(twice(app.database.db, 'x'), /once, in order/);
  });
});
