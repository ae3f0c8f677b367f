import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { systemContext } from '../core/context.js';
import { forEachEngine } from '../../test/support/engines.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';

/** Cookie name → attributes, from the Set-Cookie headers of a response. */
function cookiesOf(headers: Record<string, unknown>): Map<string, { value: string; attributes: string }> {
  const raw = headers['set-cookie'];
  const lines = Array.isArray(raw) ? raw : raw === undefined ? [] : [String(raw)];
  return new Map(
    lines.map((line: string) => {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = pair!.split('=');
      return [name!.trim(), { value: value ?? '', attributes: attributes.join(';').toLowerCase() }];
    }),
  );
}

forEachEngine('tokens and sessions', (engine) => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(engine);
  });
  after(() => t.close());

  it('creates a token with 256 random bits, shows it once and stores only its hash', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'ci robot', role: 'auditor', expiresInDays: 7 },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers['cache-control'], 'no-store');
    const { token, tokenInfo } = created.json();
    const secret = token.split('.')[2];
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
    const row = await t.app.database.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', tokenInfo.id)
      .executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(secret), 'the secret is stored in clear');
    assert.match(row.secret_hash, /^[0-9a-f]{64}$/);
    const list = await t.request({ method: 'GET', url: '/api/v1/tokens' });
    assert.ok(!list.body.includes(secret));
    assert.equal(list.json().items.find((i: { id: string }) => i.id === tokenInfo.id).preview, `tl.${tokenInfo.id}.…`);
    const audited = await t.app.audit.list({ limit: 1, action: 'token.create' });
    assert.ok(!JSON.stringify(audited).includes(secret), 'the secret reached the audit trail');

    const use = await t.server.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(use.statusCode, 200);
    assert.equal(use.json().actor.role, 'auditor');
    const used = await t.app.tokens.get(tokenInfo.id);
    assert.ok(used.lastUsedAt !== null);
  });

  it('refuses a tampered, unknown, expired or revoked token with the same answer', async () => {
    const ctx = systemContext();
    const { token, view } = await t.app.tokens.create(ctx, { name: 'short', role: 'admin' });
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const unknown = token.replace(/tok_[a-z2-7]{16}/, 'tok_aaaaaaaaaaaaaaaa');
    for (const bad of [tampered, unknown, 'tl.garbage', 'Bearer', 'x'.repeat(190)]) {
      const response = await t.server.inject({
        method: 'GET',
        url: '/api/v1/session',
        headers: { authorization: `Bearer ${bad}` },
      });
      assert.equal(response.statusCode, 401, bad);
      assert.equal(response.json().detail, 'the token is missing, invalid, expired or revoked');
    }
    const revoke = await t.request({ method: 'DELETE', url: `/api/v1/tokens/${view.id}` });
    assert.equal(revoke.statusCode, 200);
    assert.equal(revoke.json().revokedBy, (await t.app.tokens.list()).find((x) => x.name === 'test admin')!.id);
    const again = await t.request({ method: 'DELETE', url: `/api/v1/tokens/${view.id}` });
    assert.equal(again.statusCode, 409);
    const revoked = await t.server.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(revoked.statusCode, 401);

    const expiring = await t.app.tokens.create(ctx, {
      name: 'expiring',
      role: 'admin',
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const expired = await t.server.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { authorization: `Bearer ${expiring.token}` },
    });
    assert.equal(expired.statusCode, 401);
  });

  it('binds participant tokens to exactly one existing participant', async () => {
    const unbound = await t.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'p', role: 'participant' },
    });
    assert.equal(unbound.statusCode, 400);
    assert.match(unbound.json().detail, /participantId/);
    const ghost = await t.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'p', role: 'participant', participantId: 'ghost' },
    });
    assert.equal(ghost.statusCode, 400);
    assert.match(ghost.json().detail, /no such participant/);
    const misbound = await t.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'p', role: 'admin', participantId: 'dfsp-a' },
    });
    assert.equal(misbound.statusCode, 400);
  });

  it("locks a suspended participant's tokens out until it is reactivated", async () => {
    const asOther = () => t.request({ method: 'GET', url: '/api/v1/participants/dfsp-b', as: 'other-participant' });
    assert.equal((await asOther()).statusCode, 200);
    await t.request({ method: 'PATCH', url: '/api/v1/participants/dfsp-b', payload: { status: 'suspended' } });
    assert.equal((await asOther()).statusCode, 401);
    await t.request({ method: 'PATCH', url: '/api/v1/participants/dfsp-b', payload: { status: 'active' } });
    assert.equal((await asOther()).statusCode, 200);
  });

  it('logs the UI in with an HttpOnly, SameSite=Strict cookie and guards unsafe requests with CSRF', async () => {
    const login = await t.request({
      method: 'POST',
      url: '/api/v1/session',
      as: 'none',
      payload: { token: t.tokens.admin },
    });
    assert.equal(login.statusCode, 200, login.body);
    const cookies = cookiesOf(login.headers);
    const session = cookies.get('tl_session')!;
    const csrf = cookies.get('tl_csrf')!;
    assert.match(session.attributes, /httponly/);
    assert.match(session.attributes, /samesite=strict/);
    assert.doesNotMatch(csrf.attributes, /httponly/);
    const cookie = `tl_session=${session.value}; tl_csrf=${csrf.value}`;

    const read = await t.server.inject({ method: 'GET', url: '/api/v1/participants', headers: { cookie } });
    assert.equal(read.statusCode, 200);
    const body = { id: 'dfsp-csrf', name: 'CSRF test', kind: 'dfsp' };
    const forged = await t.server.inject({
      method: 'POST',
      url: '/api/v1/participants',
      headers: { cookie },
      payload: body,
    });
    assert.equal(forged.statusCode, 403);
    assert.equal(forged.json().code, 'ERR_CSRF');
    const wrong = await t.server.inject({
      method: 'POST',
      url: '/api/v1/participants',
      headers: { cookie, 'x-csrf-token': 'A'.repeat(43) },
      payload: body,
    });
    assert.equal(wrong.statusCode, 403);
    const genuine = await t.server.inject({
      method: 'POST',
      url: '/api/v1/participants',
      headers: { cookie, 'x-csrf-token': decodeURIComponent(csrf.value) },
      payload: body,
    });
    assert.equal(genuine.statusCode, 201, genuine.body);
    const [event] = await t.app.audit.list({ limit: 1, action: 'participant.create' });
    assert.equal(event!.actor.type, 'session');
    assert.equal(event!.sessionId, session.value.split('.')[0]);

    const logout = await t.server.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { cookie, 'x-csrf-token': decodeURIComponent(csrf.value) },
    });
    assert.equal(logout.statusCode, 204);
    const afterLogout = await t.server.inject({ method: 'GET', url: '/api/v1/participants', headers: { cookie } });
    assert.equal(afterLogout.statusCode, 401);
  });

  it('audits failed logins without storing the presented token', async () => {
    const bad = 'tl.tok_aaaaaaaaaaaaaaaa.' + 'Z'.repeat(43);
    const login = await t.request({ method: 'POST', url: '/api/v1/session', as: 'none', payload: { token: bad } });
    assert.equal(login.statusCode, 401);
    const [event] = await t.app.audit.list({ limit: 1, action: 'session.login' });
    assert.equal(event!.outcome, 'denied');
    assert.ok(!JSON.stringify(event).includes('Z'.repeat(43)));
  });

  it('ends sessions whose token is revoked', async () => {
    const { token, view } = await t.app.tokens.create(systemContext(), { name: 'ui user', role: 'auditor' });
    const login = await t.request({ method: 'POST', url: '/api/v1/session', as: 'none', payload: { token } });
    const session = cookiesOf(login.headers).get('tl_session')!;
    const cookie = `tl_session=${session.value}`;
    assert.equal(
      (await t.server.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } })).statusCode,
      200,
    );
    await t.app.tokens.revoke(systemContext(), view.id);
    assert.equal(
      (await t.server.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } })).statusCode,
      401,
    );
  });
});
