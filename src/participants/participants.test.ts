import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { breakAuditWrites, forEachEngine } from '../../test/support/engines.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';

forEachEngine('participants registry', (engine) => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(engine);
  });
  after(() => t.close());

  it('registers a DFSP with security contacts and audits it in the same transaction', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/participants',
      payload: {
        id: 'mwallet.tz',
        name: 'M-Wallet Tanzania',
        kind: 'dfsp',
        securityContacts: [
          { name: 'SOC', email: 'soc@mwallet.example', phone: '+255700000001', role: 'incident response' },
        ],
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().status, 'active');
    const [event] = await t.app.audit.list({ limit: 1, action: 'participant.create' });
    assert.equal(event!.resource.id, 'mwallet.tz');
    assert.equal(event!.participantId, 'mwallet.tz');
    assert.equal(event!.actor.role, 'admin');
    assert.equal(event!.sourceIp, '127.0.0.1');
    assert.deepEqual((event!.details.securityContacts as { email: string }[])[0]!.email, 's***@mwallet.example');
  });

  it('enforces FSPIOP FspId rules and a single hub', async () => {
    for (const id of ['', 'x'.repeat(33), 'has space', '../etc', 'drop;table', '-leading']) {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/participants',
        payload: { id, name: 'n', kind: 'dfsp' },
      });
      assert.equal(response.statusCode, 400, id);
      assert.match(response.json().detail, /^body\/id /);
    }
    const secondHub = await t.request({
      method: 'POST',
      url: '/api/v1/participants',
      payload: { id: 'hub2', name: 'Hub 2', kind: 'hub' },
    });
    assert.equal(secondHub.statusCode, 409);
    const duplicate = await t.request({
      method: 'POST',
      url: '/api/v1/participants',
      payload: { id: 'dfsp-a', name: 'Again', kind: 'dfsp' },
    });
    assert.equal(duplicate.statusCode, 409);
    assert.equal(duplicate.json().code, 'ERR_CONFLICT');
  });

  it('refuses wrong types and unknown fields instead of rewriting them', async () => {
    const wrongType = await t.request({
      method: 'POST',
      url: '/api/v1/participants',
      payload: { id: 'n1', name: 42, kind: 'dfsp' },
    });
    assert.equal(wrongType.statusCode, 400);
    assert.equal(wrongType.json().detail, 'body/name must be string');
    const unknown = await t.request({
      method: 'POST',
      url: '/api/v1/participants',
      payload: { id: 'n1', name: 'N', kind: 'dfsp', admin: true },
    });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().detail, "body has unknown field 'admin'");
    const rows = await t.app.database.db.selectFrom('participants').select('id').where('id', '=', 'n1').execute();
    assert.deepEqual(rows, []);
  });

  it('suspends and reactivates, filtering the list by status', async () => {
    const suspended = await t.request({
      method: 'PATCH',
      url: '/api/v1/participants/dfsp-b',
      payload: { status: 'suspended' },
    });
    assert.equal(suspended.statusCode, 200);
    assert.equal(suspended.json().status, 'suspended');
    const list = await t.request({ method: 'GET', url: '/api/v1/participants?status=suspended' });
    assert.deepEqual(
      list.json().items.map((p: { id: string }) => p.id),
      ['dfsp-b'],
    );
    const [event] = await t.app.audit.list({ limit: 1, action: 'participant.update' });
    assert.deepEqual(event!.details, { status: 'suspended' });
    const empty = await t.request({ method: 'PATCH', url: '/api/v1/participants/dfsp-b', payload: {} });
    assert.equal(empty.statusCode, 400);
    const missing = await t.request({
      method: 'PATCH',
      url: '/api/v1/participants/nobody',
      payload: { status: 'active' },
    });
    assert.equal(missing.statusCode, 404);
    await t.request({ method: 'PATCH', url: '/api/v1/participants/dfsp-b', payload: { status: 'active' } });
  });

  it('rolls a change back and answers 503 when its audit event cannot be written', async () => {
    const repair = await breakAuditWrites(t.app);
    try {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/participants',
        payload: { id: 'lost', name: 'Lost', kind: 'dfsp' },
      });
      assert.equal(response.statusCode, 503);
      assert.equal(response.json().code, 'ERR_AUDIT_UNAVAILABLE');
      assert.doesNotMatch(response.body, /disk full|sqlite|insert/i);
      const rows = await t.app.database.db.selectFrom('participants').select('id').where('id', '=', 'lost').execute();
      assert.deepEqual(rows, []);
    } finally {
      await repair();
    }
  });
});
