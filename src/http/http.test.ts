import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';

forEachEngine('http surface', (engine) => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(engine, { bodyLimitBytes: 4096 });
  });
  after(() => t.close());

  it('serves liveness, readiness and an OpenAPI 3.1 document without a token', async () => {
    assert.deepEqual((await t.request({ method: 'GET', url: '/healthz', as: 'none' })).json(), {
      status: 'ok',
      keystore: 'unsealed',
    });
    assert.deepEqual((await t.request({ method: 'GET', url: '/readyz', as: 'none' })).json(), { status: 'ready' });
    const openapi = await t.request({ method: 'GET', url: '/openapi.json', as: 'none' });
    assert.equal(openapi.json().openapi, '3.1.0');
    const participants = openapi.json().paths['/api/v1/participants'].post;
    assert.equal(participants['x-permission'], 'participants:write');
    assert.ok(participants.responses['4XX'] ?? participants.responses['4xx']);
  });

  it('exposes Prometheus metrics to permitted roles only', async () => {
    assert.equal((await t.request({ method: 'GET', url: '/metrics', as: 'leadership' })).statusCode, 403);
    const metrics = await t.request({ method: 'GET', url: '/metrics', as: 'auditor' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /trustloop_http_requests_total\{method="GET",route="\/readyz",status="200"\} \d+/);
    assert.match(metrics.body, /trustloop_http_request_duration_seconds_bucket/);
  });

  it('answers problems as RFC 9457 problem+json with a stable code and the request id', async () => {
    const missing = await t.request({ method: 'GET', url: '/api/v1/nothing-here' });
    assert.equal(missing.statusCode, 404);
    assert.match(String(missing.headers['content-type']), /^application\/problem\+json/);
    assert.equal(missing.json().code, 'ERR_NOT_FOUND');
    assert.equal(missing.json().instance, missing.headers['x-request-id']);

    const malformed = await t.request({
      method: 'POST',
      url: '/api/v1/participants',
      headers: { 'content-type': 'application/json' },
      payload: '{"id":',
    });
    assert.equal(malformed.json().code, 'ERR_MALFORMED_JSON');

    const poisoned = await t.request({
      method: 'POST',
      url: '/api/v1/participants',
      headers: { 'content-type': 'application/json' },
      payload: '{"id":"p1","name":"n","kind":"dfsp","__proto__":{"admin":true}}',
    });
    assert.equal(poisoned.statusCode, 400);

    const wrongType = await t.request({
      method: 'POST',
      url: '/api/v1/participants',
      headers: { 'content-type': 'text/plain' },
      payload: 'id=p1',
    });
    assert.equal(wrongType.statusCode, 415);
    assert.equal(wrongType.json().code, 'ERR_UNSUPPORTED_MEDIA_TYPE');

    const huge = await t.request({
      method: 'POST',
      url: '/api/v1/participants',
      payload: { id: 'p1', name: 'x'.repeat(5000), kind: 'dfsp' },
    });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().code, 'ERR_PAYLOAD_TOO_LARGE');

    const badQuery = await t.request({ method: 'GET', url: '/api/v1/participants?limit=ten' });
    assert.equal(badQuery.statusCode, 400);
    assert.equal(badQuery.json().detail, 'querystring/limit must be integer');
  });

  it('refuses text no column should hold: invalid UTF-8, U+0000, lone surrogates, bad URLs', async () => {
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"id":"u1","name":"a'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","kind":"dfsp"}'),
    ]);
    const bytes = await t.request({
      method: 'POST',
      url: '/api/v1/participants',
      headers: { 'content-type': 'application/json' },
      payload: invalidUtf8,
    });
    assert.equal(bytes.statusCode, 400);
    assert.equal(bytes.json().detail, 'the request body is not valid UTF-8');
    const nul = await t.request({
      method: 'POST',
      url: '/api/v1/participants',
      payload: { id: 'u1', name: 'a\u0000b', kind: 'dfsp' },
    });
    assert.equal(nul.json().detail, 'body/name must be well-formed Unicode without U+0000');
    const surrogate = await t.request({
      method: 'PATCH',
      url: '/api/v1/participants/dfsp-a',
      payload: { name: '\ud800' },
    });
    assert.equal(surrogate.statusCode, 400);
    const query = await t.request({ method: 'GET', url: '/api/v1/audit/events?actorId=a%00b' });
    assert.equal(query.statusCode, 400);
    const badUrl = await t.request({ method: 'GET', url: '/api/v1/participants/%C3%28' });
    assert.equal(badUrl.statusCode, 400);
    assert.equal(badUrl.json().code, 'ERR_VALIDATION');
    const longSegment = await t.request({ method: 'GET', url: `/api/v1/participants/${'a'.repeat(5000)}` });
    assert.equal(longSegment.statusCode, 400);
    assert.ok(!longSegment.body.includes('a'.repeat(200)), 'the path was echoed back');
    const hugeSeq = await t.request({ method: 'GET', url: '/api/v1/audit/events/99999999999999999999' });
    assert.equal(hugeSeq.statusCode, 400);
  });

  it('sets security headers', async () => {
    const response = await t.request({ method: 'GET', url: '/healthz', as: 'none' });
    assert.match(String(response.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
  });

  it('rate-limits the login route and failed authentication, auditing the first refusal only', async () => {
    const limited = await startTestServer(engine, { publicRateLimitPerMinute: 3 });
    try {
      const send = async (options: Parameters<TestServer['request']>[0]) => {
        const statuses: number[] = [];
        for (let i = 0; i < 5; i += 1) statuses.push((await limited.request(options)).statusCode);
        return statuses;
      };
      const login = await send({ method: 'POST', url: '/api/v1/session', as: 'none', payload: { token: 'tl.x' } });
      assert.deepEqual(login, [401, 401, 401, 429, 429]);

      const denialsBefore = (await limited.app.audit.list({ limit: 500, action: 'access.denied' })).length;
      const anonymous = await send({ method: 'GET', url: '/api/v1/participants', as: 'none' });
      assert.deepEqual(anonymous, [401, 401, 401, 429, 429]);
      const denials = await limited.app.audit.list({ limit: 500, action: 'access.denied' });
      assert.equal(denials.length - denialsBefore, 4);
      assert.equal(denials[0]!.errorCode, 'ERR_RATE_LIMITED');
      const permitted = await limited.request({ method: 'GET', url: '/api/v1/participants', as: 'auditor' });
      assert.equal(permitted.statusCode, 200, 'a valid token must still work from a throttled address');
    } finally {
      await limited.close();
    }
  });
});
