import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createLogger } from '../src/core/logger.js';
import { buildServer } from '../src/http/server.js';
import { ROLES, roleAllows, type Permission } from '../src/iam/permissions.js';
import { forEachEngine } from './support/engines.js';
import { fillPath, listOperations, type Operation } from './support/openapi.js';
import { PARTICIPANT_A, PARTICIPANT_B, startTestServer, type TestServer } from './support/server.js';

/**
 * A valid request for each operation that takes a participant, so a refusal can only come from
 * scope. A new participant route without an entry here fails the test until one is added.
 */
const PARTICIPANT_ROUTE_SAMPLES: Record<string, { payload?: Record<string, unknown> }> = {
  'GET /api/v1/participants/{id}': {},
  'PATCH /api/v1/participants/{id}': { payload: { name: 'Renamed by a stranger' } },
  'PUT /api/v1/participants/{id}/security-contacts': {
    payload: { securityContacts: [{ name: 'Mallory', email: 'mallory@evil.example' }] },
  },
};

const takesParticipant = (op: Operation): boolean => op.path.startsWith('/api/v1/participants/{id}');

forEachEngine('access control', (engine) => {
  let t: TestServer;
  let operations: Operation[];

  before(async () => {
    t = await startTestServer(engine);
    operations = await listOperations(t);
  });
  after(() => t.close());

  it('documents an access rule for every operation', () => {
    assert.ok(operations.length >= 10);
    for (const op of operations) {
      assert.ok(op.isPublic || op.permission !== null, `${op.method} ${op.path} has neither x-permission nor x-public`);
    }
  });

  it('refuses to register a route that declares no access', async () => {
    const fresh = await buildServer(t.app, createLogger('silent'));
    assert.throws(() => fresh.get('/api/v1/unguarded', async () => 'open'), /declares no access/);
    await fresh.close();
  });

  it('answers 401 without a token and 403 for a role without the permission, on every route', async () => {
    for (const op of operations.filter((o) => !o.isPublic)) {
      const url = fillPath(op.path, () => 'x');
      const anonymous = await t.request({ method: op.method, url, as: 'none' });
      assert.equal(anonymous.statusCode, 401, `${op.method} ${op.path} without a token`);
      assert.equal(anonymous.json().code, 'ERR_UNAUTHENTICATED');
      for (const role of ROLES) {
        const response = await t.request({ method: op.method, url, as: role });
        const allowed = roleAllows(role, op.permission as Permission);
        const label = `${op.method} ${op.path} as ${role} (${op.permission})`;
        if (allowed) assert.ok(![401, 403].includes(response.statusCode), `${label}: ${response.body}`);
        else assert.equal(response.statusCode, 403, `${label}: ${response.body}`);
      }
    }
  });

  it('writes every denial to the audit trail', async () => {
    // The 403 test above writes one denial per route and role: more than a page of 500.
    const denials = async () => (await t.app.audit.list({ limit: 100_000, action: 'access.denied' })).length;
    const before = await denials();
    const response = await t.request({ method: 'POST', url: '/api/v1/participants', as: 'auditor', payload: {} });
    assert.equal(response.statusCode, 403);
    const [event] = await t.app.audit.list({ limit: 1, action: 'access.denied' });
    assert.equal(await denials(), before + 1);
    assert.equal(event!.outcome, 'denied');
    assert.equal(event!.errorCode, 'ERR_FORBIDDEN');
    assert.equal(event!.actor.role, 'auditor');
    assert.equal(event!.resource.id, 'POST /api/v1/participants');
    assert.equal(event!.requestId, response.headers['x-request-id']);
    assert.equal(event!.details.permission, 'participants:write');
  });

  it("never lets a participant token read or change another participant's data", async () => {
    const scoped = operations.filter(takesParticipant);
    assert.ok(scoped.length >= 3);
    for (const op of scoped) {
      const key = `${op.method} ${op.path}`;
      const sample = PARTICIPANT_ROUTE_SAMPLES[key];
      assert.ok(sample, `${key} takes a participant: add a sample request to PARTICIPANT_ROUTE_SAMPLES`);
      const before = await t.app.database.db
        .selectFrom('participants')
        .selectAll()
        .where('id', '=', PARTICIPANT_B)
        .executeTakeFirst();
      const response = await t.request({
        method: op.method,
        url: fillPath(op.path, () => PARTICIPANT_B),
        as: 'participant',
        ...(sample.payload === undefined ? {} : { payload: sample.payload }),
      });
      assert.ok(
        [403, 404].includes(response.statusCode),
        `${key} as ${PARTICIPANT_A} on ${PARTICIPANT_B}: ${response.statusCode}`,
      );
      assert.doesNotMatch(response.body, /Wallet B/, `${key} leaked the other participant`);
      const after = await t.app.database.db
        .selectFrom('participants')
        .selectAll()
        .where('id', '=', PARTICIPANT_B)
        .executeTakeFirst();
      assert.deepEqual(after, before, `${key} changed the other participant`);
    }
  });

  it('lets a participant token see and edit only its own participant', async () => {
    const list = await t.request({ method: 'GET', url: '/api/v1/participants', as: 'participant' });
    assert.deepEqual(
      list.json().items.map((p: { id: string }) => p.id),
      [PARTICIPANT_A],
    );
    assert.equal(list.json().total, 1);
    const own = await t.request({ method: 'GET', url: `/api/v1/participants/${PARTICIPANT_A}`, as: 'participant' });
    assert.equal(own.statusCode, 200);
    const contacts = await t.request({
      method: 'PUT',
      url: `/api/v1/participants/${PARTICIPANT_A}/security-contacts`,
      as: 'participant',
      payload: { securityContacts: [{ name: 'Ana', email: 'ana@bank-a.example', phone: '+255712345678' }] },
    });
    assert.equal(contacts.statusCode, 200, contacts.body);
    assert.equal(contacts.json().securityContacts[0].name, 'Ana');
    const otherSees = await t.request({
      method: 'GET',
      url: `/api/v1/participants/${PARTICIPANT_A}`,
      as: 'other-participant',
    });
    assert.equal(otherSees.statusCode, 404);
  });
});
